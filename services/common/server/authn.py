"""Resolving tokens through the auth service, for the tickets and files services."""

from __future__ import annotations

import grpc

from services.common.client.channels import bearer, channel
from services.common.platform.config import Settings
from services.common.server.errors import unavailable
from services.common.server.interceptor import CachedResolver, Resolver
from services.common.server.principal import Principal, Role
from ticketdesk.auth.v1 import auth_internal_pb2, auth_internal_pb2_grpc, auth_pb2

ROLE_FROM_PROTO = {
    auth_pb2.ROLE_CLIENT: Role.CLIENT,
    auth_pb2.ROLE_DEVELOPER: Role.DEVELOPER,
    auth_pb2.ROLE_MANAGER: Role.MANAGER,
    auth_pb2.ROLE_SERVICE: Role.SERVICE,
}
ROLE_TO_PROTO = {role: value for value, role in ROLE_FROM_PROTO.items()}


def principal_from_proto(message: auth_pb2.Principal) -> Principal:
    return Principal(subject=message.subject, role=ROLE_FROM_PROTO[message.role],
                     organization=message.organization, display_name=message.display_name,
                     email=message.email, language=message.language or "ru",
                     password_change_required=message.password_change_required)


def principal_to_proto(principal: Principal) -> auth_pb2.Principal:
    return auth_pb2.Principal(subject=principal.subject, role=ROLE_TO_PROTO[principal.role],
                              organization=principal.organization,
                              display_name=principal.display_name, email=principal.email,
                              language=principal.language,
                              password_change_required=principal.password_change_required)


def remote_resolver(settings: Settings) -> tuple[Resolver, grpc.aio.Channel]:
    """A cached resolver that asks AuthInternalService.Authenticate with the service token."""
    auth = channel(settings.auth_target)
    stub = auth_internal_pb2_grpc.AuthInternalServiceStub(auth)
    metadata = bearer(settings.service_token.get_secret_value())

    async def resolve(token: str) -> Principal | None:
        try:
            answer = await stub.Authenticate(auth_internal_pb2.AuthenticateRequest(token=token),
                                             metadata=metadata, timeout=5)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                return None
            raise unavailable("the auth service is unavailable") from error
        return principal_from_proto(answer)

    return CachedResolver(resolve, settings.auth_cache_seconds), auth
