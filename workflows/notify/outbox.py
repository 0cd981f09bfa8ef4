"""A Notice as the tickets service's outbox carries it (tickets_internal.proto), both ways."""

from __future__ import annotations

from ticketdesk.tickets.v1 import tickets_internal_pb2 as internal
from workflows.messages import Actor, Notice


def to_proto(notice: Notice) -> internal.Notice:
    actor = notice.actor or Actor(subject="", role="")
    return internal.Notice(
        event_id=notice.event_id, ticket=f"tickets/{notice.number}", kind=notice.kind,
        actor=actor.subject, actor_role=actor.role, actor_display_name=actor.display_name,
        from_status=notice.from_status, to_status=notice.to_status, text=notice.text,
        comment=notice.comment)


def from_proto(notice: internal.Notice) -> Notice:
    actor = (Actor(subject=notice.actor, role=notice.actor_role,
                   display_name=notice.actor_display_name)
             if notice.actor or notice.actor_role else None)
    return Notice(kind=notice.kind, number=int(notice.ticket.removeprefix("tickets/")),
                  event_id=notice.event_id, actor=actor, from_status=notice.from_status,
                  to_status=notice.to_status, text=notice.text, comment=notice.comment)
