"""Authentication for every RPC: a bearer token becomes the caller's principal.

Handlers are wrapped, so the principal is set in the handler's own context, and
an ApiError raised anywhere in a handler becomes a rich gRPC status.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hmac
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import structlog

from services.common.platform import metrics
from services.common.server.database import database_unreachable
from services.common.server.errors import ApiError, permission_denied, unauthenticated, unavailable
from services.common.server.principal import (SERVICE_PRINCIPAL, Principal, Role, current_principal,
                                              current_token)
from services.common.server.recent import Recent
from ticketdesk.errors.v1 import errors_pb2 as reasons

log = structlog.get_logger()

# Resolves a bearer token to a principal, or None when it is not valid.
Resolver = Callable[[str], Awaitable[Principal | None]]

# Infrastructure that must answer without a token (probes, tooling).
ALWAYS_PUBLIC = ("/grpc.health.v1.Health/", "/grpc.reflection.v1alpha.ServerReflection/",
                 "/grpc.reflection.v1.ServerReflection/")


# Answers that are refusals to the caller: every one is logged, never with the token.
DENIALS = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)


@dataclass(frozen=True)
class Call:
    """The RPC being served, for resolvers and audit records."""

    method: str = ""
    peer: str = ""


# What a person signed in with a manager-issued password may call: enough to see who they
# are and to choose their own password (the web UI's «Смена пароля»).
PASSWORD_CHANGE_METHODS = frozenset(f"/ticketdesk.auth.v1.AuthService/{name}" for name in
                                    ("WhoAmI", "GetUser", "ChangePassword", "Logout"))

current_call: contextvars.ContextVar[Call] = contextvars.ContextVar("call", default=Call())


def log_denial(method: str, context: grpc.aio.ServicerContext, error: ApiError) -> None:
    """Who was refused what, and from where."""
    principal = current_principal.get(None)
    log.warning("rpc.denied", code=error.code.name, reason=error.reason, method=method,
                subject=principal.subject if principal else "anonymous",
                role=principal.role.value if principal else "",
                peer=client_address(context))


def bearer_token(metadata: Any) -> str:
    for key, value in metadata or ():
        if key == "authorization" and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return ""


def client_address(context: grpc.aio.ServicerContext) -> str:
    peer = context.peer() or ""
    return peer.rsplit(":", 1)[0].removeprefix("ipv4:").removeprefix("ipv6:")


class AuthInterceptor(grpc.aio.ServerInterceptor):
    """`internal_services`: full names of services only the service token may call."""

    def __init__(self, resolver: Resolver, service_token: str,
                 public_methods: frozenset[str] = frozenset(),
                 internal_services: frozenset[str] = frozenset()):
        self._resolve = resolver
        self._service_token = service_token
        self._public = public_methods
        self._internal = tuple(f"/{name}/" for name in internal_services)

    def _is_public(self, method: str) -> bool:
        return method in self._public or method.startswith(ALWAYS_PUBLIC)

    def _is_internal(self, method: str) -> bool:
        return bool(self._internal) and method.startswith(self._internal)

    async def authenticate(self, context: grpc.aio.ServicerContext) -> Principal:
        token = bearer_token(context.invocation_metadata())
        if not token:
            raise unauthenticated("missing bearer token")
        if self._service_token and hmac.compare_digest(token, self._service_token):
            principal: Principal | None = SERVICE_PRINCIPAL
        else:
            principal = await self._resolve(token)
        if principal is None:
            raise unauthenticated("invalid or expired token")
        if principal.password_change_required and \
                current_call.get().method not in PASSWORD_CHANGE_METHODS:
            raise ApiError(grpc.StatusCode.PERMISSION_DENIED, reasons.PASSWORD_CHANGE_REQUIRED,
                           "choose your own password first (AuthService.ChangePassword)")
        if principal.role is not Role.SERVICE and self._is_internal(current_call.get().method):
            raise permission_denied("only TicketDesk's own processes may call this",
                                    reasons.SERVICE_ONLY)
        current_token.set(token)
        return principal

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(ALWAYS_PUBLIC):
            return handler
        return _wrap(handler, method, None if self._is_public(method) else self.authenticate)


REQUEST_ID = "x-request-id"


def request_id(context: grpc.aio.ServicerContext) -> str:
    """The caller's `x-request-id`, or a new one: every log line of the RPC carries it."""
    for key, value in context.invocation_metadata() or ():
        if key == REQUEST_ID and isinstance(value, str) and value.strip():
            return value.strip()[:128]
    return uuid.uuid4().hex


def _code_name(code: Any) -> str:
    if isinstance(code, grpc.StatusCode):
        return code.name
    for known in grpc.StatusCode:  # the C core may hand back the number
        if known.value[0] == code:
            return known.name
    return "UNKNOWN"


@contextlib.contextmanager
def _observed(method: str, context: grpc.aio.ServicerContext) -> Iterator[None]:
    """Per RPC: a request id bound to the logs; the final status code and duration
    recorded in the metrics (the one place every RPC of every service passes)."""
    structlog.contextvars.bind_contextvars(request_id=request_id(context))
    started = time.perf_counter()
    code = "OK"
    try:
        yield
    except ApiError as error:
        code = error.code.name
        raise
    except asyncio.CancelledError:
        code = "CANCELLED"
        raise
    except GeneratorExit:  # a stream the client stopped reading
        code = "CANCELLED"
        raise
    except Exception:
        code = "UNKNOWN"
        raise
    finally:
        set_code = context.code()  # set by abort() or set_code() in the handler
        if set_code is not None and code in ("OK", "UNKNOWN"):
            code = _code_name(set_code)
        seconds = time.perf_counter() - started
        metrics.record_rpc(method, code, seconds)
        log.debug("rpc", method=method, code=code, ms=round(seconds * 1000, 1))


def as_api_error(error: Exception, method: str) -> Exception:
    """An unreachable database becomes UNAVAILABLE, which callers retry; the driver's
    message (addresses, errno) stays in the log. Anything else is left as it is."""
    if isinstance(error, ApiError) or not database_unreachable(error):
        return error
    log.warning("db.unreachable", method=method, error=repr(error))
    return unavailable("the database is unavailable; try again shortly")


class _Undecodable:
    """What the lenient deserializer hands on for bytes that are not a valid request."""

    def __init__(self, error: Exception):
        self.error = error


def _lenient(deserialize: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """grpc.aio answers UNKNOWN when a deserializer raises, before any handler runs:
    pass the failure on, so that the call ends with INVALID_ARGUMENT instead."""
    if deserialize is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserialize(data)
        except Exception as error:  # DecodeError, or invalid UTF-8 in a string field
            return _Undecodable(error)

    return parse


def _decoded(request: Any) -> Any:
    if isinstance(request, _Undecodable):
        raise ApiError(grpc.StatusCode.INVALID_ARGUMENT, reasons.INVALID_ARGUMENT,
                       "the request is not a valid protobuf message of the method's type")
    return request


async def _decoded_stream(requests):
    async for request in requests:
        yield _decoded(request)


def _wrap(handler: grpc.RpcMethodHandler, method: str,
          authenticate: Callable[[grpc.aio.ServicerContext], Awaitable[Principal]] | None):
    async def prepare(context) -> None:
        """Authenticate, or end the call (abort raises) with UNAUTHENTICATED."""
        current_call.set(Call(method, client_address(context)))
        try:
            if authenticate is not None:
                current_principal.set(await authenticate(context))
        except ApiError as error:
            log_denial(method, context, error)
            await context.abort_with_status(error.to_status())
        except Exception as error:  # the auth service's own database, unreachable
            await fail(error, context)

    async def fail(error: Exception, context) -> None:
        error = as_api_error(error, method)
        if isinstance(error, ApiError):
            if error.code in DENIALS:
                log_denial(method, context, error)
            await context.abort_with_status(error.to_status())
        raise error

    if handler.unary_unary:
        inner = handler.unary_unary

        async def unary_unary(request, context):
            with _observed(method, context):
                await prepare(context)
                try:
                    # A caller that goes away (a killed worker) must not cut a handler
                    # off inside a database transaction: it runs to its end.
                    return await asyncio.shield(inner(_decoded(request), context))
                except Exception as error:
                    await fail(error, context)

        return grpc.unary_unary_rpc_method_handler(
            unary_unary, _lenient(handler.request_deserializer), handler.response_serializer)
    if handler.stream_unary:
        inner_su = handler.stream_unary

        async def stream_unary(request_iterator, context):
            with _observed(method, context):
                await prepare(context)
                try:
                    return await inner_su(_decoded_stream(request_iterator), context)
                except Exception as error:
                    await fail(error, context)

        return grpc.stream_unary_rpc_method_handler(
            stream_unary, _lenient(handler.request_deserializer), handler.response_serializer)
    if handler.unary_stream:
        inner_us = handler.unary_stream

        async def unary_stream(request, context):
            with _observed(method, context):
                await prepare(context)
                try:
                    async for item in inner_us(_decoded(request), context):
                        yield item
                except Exception as error:
                    await fail(error, context)

        return grpc.unary_stream_rpc_method_handler(
            unary_stream, _lenient(handler.request_deserializer), handler.response_serializer)
    return handler


class CachedResolver:
    """Asks the auth service, trusting an answer for a few seconds.

    A revoked token (logout, password change, a deactivated user or organization)
    therefore keeps working here for at most `ttl` seconds
    (TICKETDESK_AUTH_CACHE_SECONDS, at most 30).
    """

    def __init__(self, resolve: Resolver, ttl: float, max_entries: int = 10_000):
        self._resolve = resolve
        self._recent: Recent[str, Principal | None] = Recent(ttl, max_entries)

    async def __call__(self, token: str) -> Principal | None:
        return await self._recent.get(token, lambda: self._resolve(token))
