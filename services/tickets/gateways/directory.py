"""The auth service's directory, as the ticket store needs it; asked with the service token.

Contacts are active client users of the ticket's organization; assignees are active
studio staff; sites belong to organizations that exist.
"""

from __future__ import annotations

import grpc

from services.common.client.channels import bearer
from services.common.server.errors import bad_field, not_found, unavailable
from services.common.server.principal import Principal
from services.common.server.recent import Recent
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc
from ticketdesk.errors.v1 import errors_pb2 as reasons

STAFF_ROLES = (auth_pb2.ROLE_DEVELOPER, auth_pb2.ROLE_MANAGER)
# Answers that mean "no such one" rather than a failure of the auth service.
MISSING = (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
TIMEOUT = 5


class _Missing(Exception):
    """The auth service knows no such one (not kept by the cache)."""


class Directory:
    """Its answers are trusted for `ttl` seconds (TICKETDESK_AUTH_CACHE_SECONDS), as the
    tokens are: a client filing tickets asks the auth service once for its organization
    and itself, not for each ticket."""

    def __init__(self, channel: grpc.aio.Channel, service_token: str, ttl: float = 0.0):
        self._auth = auth_pb2_grpc.AuthServiceStub(channel)
        self._metadata = bearer(service_token)
        self._organizations: Recent[str, auth_pb2.Organization] = Recent(ttl)
        self._users: Recent[str, auth_pb2.User] = Recent(ttl)

    async def contact(self, user: str, organization: str, creator: Principal,
                      field: str = "ticket.contact.user") -> dict[str, str]:
        """The ticket's contact: `user` if given, else the creator when a client of it."""
        if not user and (creator.organization != organization or not creator.user):
            return {}  # staff and integrations (API tokens) are nobody's contact
        found = await self._user(user or creator.user, field)
        if found is None or found.organization != organization or not found.active:
            raise bad_field(field, reasons.NOT_ORGANIZATION_CONTACT,
                            "must be a contact of the ticket's organization")
        return {"user": found.name, "full_name": found.full_name, "email": found.email,
                "phone": found.phone}

    async def client_by_email(self, email: str,
                              organization: str = "") -> auth_pb2.User | None:
        """The active client with this e-mail address (the sender of a message), of
        `organization` when given; None when there is none. Asked afresh: e-mail is rare."""
        try:
            page = await self._auth.ListUsers(auth_pb2.ListUsersRequest(
                email=email, organization=organization, role=auth_pb2.ROLE_CLIENT,
                page_size=1), metadata=self._metadata, timeout=TIMEOUT)
        except grpc.aio.AioRpcError as error:
            raise unavailable("the auth service is unavailable") from error
        return page.users[0] if page.users else None

    async def require_staff(self, user: str, field: str = "ticket.assignee") -> None:
        found = await self._user(user, field)
        if found is None or found.role not in STAFF_ROLES or not found.active:
            raise bad_field(field, reasons.NOT_STAFF_MEMBER,
                            "must be an active developer or manager of the studio")

    async def require_organization(self, name: str, field: str = "") -> None:
        await self.organization(name, field)

    async def organization(self, name: str, field: str = "") -> auth_pb2.Organization:
        """NOT_FOUND for a missing parent; INVALID_ARGUMENT on `field` when it is a field."""
        try:
            return await self._organizations.get(name, lambda: self._auth.GetOrganization(
                auth_pb2.GetOrganizationRequest(name=name), metadata=self._metadata,
                timeout=TIMEOUT))
        except grpc.aio.AioRpcError as error:
            if error.code() not in MISSING:
                raise unavailable("the auth service is unavailable") from error
            if field:
                raise bad_field(field, reasons.UNKNOWN_ORGANIZATION,
                                "is not an organization") from None
            raise not_found(name) from None

    async def _user(self, name: str, field: str) -> auth_pb2.User | None:
        if not name.startswith("users/") or len(name) > 64:
            raise bad_field(field, reasons.MALFORMED, "must look like users/{user}")
        try:
            return await self._users.get(name, lambda: self._get_user(name))
        except _Missing:
            return None

    async def _get_user(self, name: str) -> auth_pb2.User:
        try:
            return await self._auth.GetUser(auth_pb2.GetUserRequest(name=name),
                                            metadata=self._metadata, timeout=TIMEOUT)
        except grpc.aio.AioRpcError as error:
            if error.code() in MISSING:
                raise _Missing(name) from None
            raise unavailable("the auth service is unavailable") from error
