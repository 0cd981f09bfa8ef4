"""Who is calling, and the authorization rules every service uses."""

from __future__ import annotations

import contextvars
import enum
from dataclasses import dataclass


class Role(str, enum.Enum):
    CLIENT = "client"
    DEVELOPER = "developer"
    MANAGER = "manager"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    subject: str  # users/{id}, apiTokens/{id} or services/{name}
    role: Role
    organization: str = ""  # organizations/{id} for clients
    display_name: str = ""
    email: str = ""
    language: str = "ru"
    # Signed in with a manager-issued password: may only change it (common/interceptor.py).
    password_change_required: bool = False

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.DEVELOPER, Role.MANAGER, Role.SERVICE)

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.MANAGER, Role.SERVICE)

    @property
    def user(self) -> str:
        """`users/{id}` when a person calls; empty for tokens and services."""
        return self.subject if self.subject.startswith("users/") else ""

    def can_see_organization(self, organization: str) -> bool:
        """Staff see every organization; a client only its own."""
        return self.is_staff or (bool(organization) and organization == self.organization)


SERVICE_PRINCIPAL = Principal(subject="services/ticketdesk", role=Role.SERVICE,
                              display_name="TicketDesk")

current_principal: contextvars.ContextVar[Principal] = contextvars.ContextVar("principal")
current_token: contextvars.ContextVar[str] = contextvars.ContextVar("token", default="")


def caller() -> Principal:
    """The authenticated principal of the RPC being served."""
    return current_principal.get()
