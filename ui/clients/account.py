"""Who the clients call as: the signed-in person (or any holder of a token)."""

from __future__ import annotations

from dataclasses import dataclass

from texts import labels
from ticketdesk.auth.v1 import auth_pb2


@dataclass(frozen=True)
class Account:
    """The signed-in person, as the UI keeps it on the server (never in the browser)."""

    token: str
    name: str  # users/{user}
    role: str  # client, developer, manager
    organization: str = ''
    full_name: str = ''
    email: str = ''
    phone: str = ''
    language: str = 'ru'  # the UI's language: ru or en
    # Set on an account a manager created or reset: it must choose its own password first.
    password_change_required: bool = False

    @classmethod
    def of(cls, token: str, user: auth_pb2.User) -> Account:
        return cls(token=token, name=user.name, role=labels.ROLE.get(user.role, 'client'),
                   organization=user.organization, full_name=user.full_name,
                   email=user.email, phone=user.phone, language=user.language or 'ru',
                   password_change_required=user.password_change_required)

    @property
    def is_client(self) -> bool:
        return self.role == 'client'

    @property
    def is_manager(self) -> bool:
        return self.role == 'manager'

    @property
    def role_title(self) -> str:
        """«Менеджер проекта», in the account's own language."""
        return labels.role_title(self.role, self.language)
