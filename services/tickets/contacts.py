"""Ticket contacts are users of the auth service; asked with the service token."""

from __future__ import annotations

import grpc

from services.common.clients import bearer
from services.common.errors import invalid, unavailable
from services.common.principal import Principal
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc


class Contacts:
    def __init__(self, channel: grpc.aio.Channel, service_token: str):
        self._auth = auth_pb2_grpc.AuthServiceStub(channel)
        self._metadata = bearer(service_token)

    async def resolve(self, user: str, organization: str, creator: Principal) -> dict[str, str]:
        """The contact of a new ticket: `user` if given, else the creator."""
        name = user or creator.user
        if not name:
            return {}
        try:
            found = await self._auth.GetUser(auth_pb2.GetUserRequest(name=name),
                                             metadata=self._metadata, timeout=5)
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                raise invalid([("ticket.contact.user", "is not a user")]) from None
            raise unavailable("the auth service is unavailable") from error
        if found.organization != organization and user:
            raise invalid([("ticket.contact.user",
                            "must be a contact of the ticket's organization")])
        return {"user": found.name, "full_name": found.full_name, "email": found.email,
                "phone": found.phone}
