"""Users, a ticket and notices for the notification tests (no I/O)."""

from __future__ import annotations

from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.messages import Actor, Notice

ORG, OTHER_ORG = "organizations/1", "organizations/2"


def user(n: int, role: int, organization: str = "", language: str = "ru",
         active: bool = True, email: str | None = None) -> auth_pb2.User:
    return auth_pb2.User(name=f"users/{n}", full_name=f"User {n}",
                         email=f"user{n}@example.test" if email is None else email, role=role,
                         organization=organization, active=active, language=language)


DEV1 = user(1, auth_pb2.ROLE_DEVELOPER)
DEV2 = user(2, auth_pb2.ROLE_DEVELOPER, language="en")
MANAGER = user(3, auth_pb2.ROLE_MANAGER)
RETIRED_DEV = user(4, auth_pb2.ROLE_DEVELOPER, active=False)
CLIENT1 = user(11, auth_pb2.ROLE_CLIENT, ORG)
CLIENT2 = user(12, auth_pb2.ROLE_CLIENT, ORG, language="en")
RETIRED_CLIENT = user(13, auth_pb2.ROLE_CLIENT, ORG, active=False)
NO_EMAIL_CLIENT = user(14, auth_pb2.ROLE_CLIENT, ORG, email="")
STRANGER = user(21, auth_pb2.ROLE_CLIENT, OTHER_ORG)
EVERYONE = [DEV1, DEV2, MANAGER, RETIRED_DEV, CLIENT1, CLIENT2, RETIRED_CLIENT,
            NO_EMAIL_CLIENT, STRANGER]


def actor(u: auth_pb2.User) -> Actor:
    role = {auth_pb2.ROLE_CLIENT: "client", auth_pb2.ROLE_DEVELOPER: "developer",
            auth_pb2.ROLE_MANAGER: "manager"}[u.role]
    return Actor(subject=u.name, role=role, display_name=u.full_name)


SYSTEM = Actor(subject="", role="system", display_name="TicketDesk")


def ticket(**fields) -> pb.Ticket:
    values = dict(name="tickets/1024", number=1024, organization=ORG,
                  organization_display_name="ООО Ромашка", title="Поменять баннер",
                  description="Нужно заменить баннер: https://example.test/",
                  status=pb.STATUS_IN_PROGRESS, priority=pb.PRIORITY_HIGH,
                  creator=CLIENT1.name, site_url="https://romashka.example",
                  contact=pb.Contact(user=CLIENT1.name, full_name=CLIENT1.full_name,
                                     email=CLIENT1.email))
    values.update(fields)
    return pb.Ticket(**values)


def notice(kind: str, by: Actor | None = None, **details) -> Notice:
    return Notice(kind=kind, number=1024, event_id=f"event-{kind}", actor=by, **details)
