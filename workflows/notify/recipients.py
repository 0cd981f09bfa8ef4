"""Who hears what (docs/PRODUCT.md, "Notifications"). Pure functions, no I/O.

| kind | recipients |
|---|---|
| ticket_created | every active developer and manager |
| status_changed | the organization's active clients; also the responsible staff |
|   | when a client accepted or withdrew the ticket (done, cancelled) |
| auto_accepted | the organization's active clients and the responsible staff |
| comment | the other side: a client's comment → the responsible staff; |
|   | a staff member's public comment → the organization's clients |
| internal_note | every active developer and manager, never a client |
| remarks | the responsible staff |
| reminder | the organization's active clients |
| sla_warning | the responsible staff |
| sla_breach | the responsible staff and every active manager |

"The responsible staff" is the assignee when the ticket has an active staff
assignee, otherwise every active developer and manager. The person who acted
never hears about their own action; deactivated users and users without an
e-mail address hear nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2
from workflows.messages import Notice

STAFF_ROLES = frozenset({auth_pb2.ROLE_DEVELOPER, auth_pb2.ROLE_MANAGER})
CLIENT_ACTOR_ROLES = frozenset({"client"})
# A client's own action that ends the studio's work: the studio must hear of it.
CLIENT_CLOSES = frozenset({"done", "cancelled"})


@dataclass(frozen=True)
class Audience:
    """Which users a notice may reach: what the activity must fetch."""

    staff: bool = False
    clients: bool = False


def audience(notice: Notice) -> Audience:
    kind = notice.kind
    by_client = notice.actor is not None and notice.actor.role in CLIENT_ACTOR_ROLES
    if kind == "ticket_created" or kind == "internal_note" or kind == "remarks":
        return Audience(staff=True)
    if kind in ("sla_warning", "sla_breach"):
        return Audience(staff=True)
    if kind == "status_changed":
        return Audience(staff=by_client and notice.to_status in CLIENT_CLOSES, clients=True)
    if kind == "auto_accepted":
        return Audience(staff=True, clients=True)
    if kind == "comment":
        return Audience(staff=by_client, clients=not by_client)
    if kind == "reminder":
        return Audience(clients=True)
    raise ValueError(f"unknown notice kind {notice.kind!r}")


def actor_subject(notice: Notice, ticket: tickets_pb2.Ticket) -> str:
    """`users/{id}` of who caused the notice; the creator for a new ticket."""
    if notice.actor is not None and notice.actor.subject:
        return notice.actor.subject
    if notice.kind == "ticket_created":
        return ticket.creator
    return ""


def recipients(notice: Notice, ticket: tickets_pb2.Ticket,
               users: Iterable[auth_pb2.User]) -> list[auth_pb2.User]:
    """The users who must hear about `notice`, each once, in a stable order.

    `users` may hold anyone (staff, clients of any organization, inactive
    accounts): every rule is checked here, not trusted to the caller's query.
    """
    users = [u for u in users if u.active and u.email]
    staff = [u for u in users if u.role in STAFF_ROLES]
    clients = [u for u in users
               if u.role == auth_pb2.ROLE_CLIENT and ticket.organization
               and u.organization == ticket.organization]
    wanted = audience(notice)
    chosen: list[auth_pb2.User] = []
    if wanted.clients:
        chosen += clients
    if wanted.staff:
        if notice.kind in ("ticket_created", "internal_note"):
            chosen += staff
        else:
            chosen += responsible_staff(ticket, staff)
        if notice.kind == "sla_breach":
            chosen += [u for u in staff if u.role == auth_pb2.ROLE_MANAGER]
    actor = actor_subject(notice, ticket)
    seen: set[str] = set()
    result = []
    for user in chosen:
        if user.name in seen or (actor and user.name == actor):
            continue
        seen.add(user.name)
        result.append(user)
    return result


def responsible_staff(ticket: tickets_pb2.Ticket,
                      staff: list[auth_pb2.User]) -> list[auth_pb2.User]:
    if ticket.assignee:
        assigned = [u for u in staff if u.name == ticket.assignee]
        if assigned:
            return assigned
    return staff
