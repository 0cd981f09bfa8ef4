"""What every client shares: the call on behalf of an account, its timeouts, reading all
pages of a list, and the span of a person's action."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from opentelemetry import trace

from services.common.client.channels import Clients, bearer
from services.common.platform import tracing

from . import channels
from .account import Account
from .errors import api_error

P = ParamSpec('P')
T = TypeVar('T')
C = TypeVar('C', bound='Client')

# The timeouts, in seconds.
CALL_TIMEOUT = 10.0
# A transition or a comment waits for the ticket's workflow.
WORKFLOW_TIMEOUT = 30.0
UPLOAD_TIMEOUT = 300.0
DOWNLOAD_TIMEOUT = 600.0
# The services' largest page: «all pages» reads in pages of this size.
ALL_PAGES_SIZE = 200


class Client:
    """Calls of one service on behalf of `account`, failures told in its language."""

    def __init__(self, account: Account):
        self.account = account
        self.metadata = bearer(account.token)

    @property
    def language(self) -> str:
        return self.account.language

    @property
    def stubs(self) -> Clients:
        return channels.shared()

    @contextmanager
    def told(self) -> Iterator[None]:
        """Turns a failed call inside into an `ApiError` in the account's language."""
        try:
            yield
        except grpc.aio.AioRpcError as error:
            raise api_error(error, self.language) from None

    async def call(self, method: Callable[..., Awaitable[T]], request: Any, *,
                   timeout: float = CALL_TIMEOUT) -> T:
        with self.told():
            return await method(request, metadata=self.metadata, timeout=timeout)

    async def all_pages(self, method: Callable[..., Awaitable[Any]], request: Any,
                        items: str) -> list:
        """Every item of a List call (`items`: the answer's repeated field), page by page."""
        page = type(request)()
        page.CopyFrom(request)
        page.page_size, page.page_token = ALL_PAGES_SIZE, ''
        found: list = []
        while True:
            answer = await self.call(method, page)
            found.extend(getattr(answer, items))
            if not answer.next_page_token:
                return found
            page.page_token = answer.next_page_token


def traced(action: str) -> Callable[[Callable[Concatenate[C, P], Awaitable[T]]],
                                    Callable[Concatenate[C, P], Awaitable[T]]]:
    """Makes a client method that carries out a person's action the root span of its trace
    (`ui <action>`, with the account's resource name and role; no token, no text)."""

    def decorate(method: Callable[Concatenate[C, P], Awaitable[T]]
                 ) -> Callable[Concatenate[C, P], Awaitable[T]]:
        @functools.wraps(method)
        async def run(client: C, *args: P.args, **kwargs: P.kwargs) -> T:
            if not tracing.enabled():
                return await method(client, *args, **kwargs)
            with trace.get_tracer('ticketdesk.ui').start_as_current_span(
                    f'ui {action}', attributes={'enduser.id': client.account.name,
                                                'enduser.role': client.account.role}):
                return await method(client, *args, **kwargs)

        return run

    return decorate


def mask(*paths: str) -> FieldMask:
    return FieldMask(paths=list(paths))


def new_request_id() -> str:
    """Makes a create safe to retry: the service answers a repeated id with the first result."""
    return str(uuid.uuid4())
