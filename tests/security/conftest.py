"""A small world for access tests, built once per backend on the `stack` fixture.

Two client organizations: A (the callers' own) and B (foreign). Each has a site,
a client, a second contact, a ticket with a public comment and a file. A also has an
internal note with a file. The callers are the five roles of the access matrix.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import NamedTuple

import grpc
import pytest
from google.protobuf.message import Message
from grpc_status import rpc_status

from services.common.client.channels import bearer
from services.common.client.errors import problem_of
from tests.support.stack import Metadata, Stack
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2

CLIENTS = ("client", "client_token")
STAFF = ("developer", "manager", "developer_token")
ROLES = CLIENTS + STAFF
PERSONS = ("client", "developer", "manager")  # roles that log in with a password


def unique(label: str) -> str:
    return f"{label}-{secrets.token_hex(4)}"


@dataclass
class Side:
    """One client organization and what it owns."""

    org: str
    site: str
    client: Metadata
    client_user: auth_pb2.User
    contact: auth_pb2.User
    contact_session: str
    ticket: tickets_pb2.Ticket
    comment: tickets_pb2.Comment
    file: files_pb2.File
    api_token: str  # the secret of a client-role API token of this organization

    def markers(self) -> set[str]:
        return {self.org, self.site, self.client_user.name, self.client_user.email,
                self.contact.name, self.contact.email, self.contact_session, self.ticket.name,
                self.ticket.title, self.comment.name, self.comment.body, self.file.name}


@dataclass
class World:
    stack: Stack
    a: Side
    b: Side
    callers: dict[str, Metadata]
    note: tickets_pb2.Comment  # an internal note on A's ticket
    note_file: files_pb2.File  # attached to that note
    missing: dict[str, str] = field(default_factory=dict)

    def secrets_for_clients(self) -> set[str]:
        """What a client of A must never receive: B's data and A's internal notes."""
        return self.b.markers() | {self.note.name, self.note.body, self.note_file.name}

    async def fresh_caller(self, role: str) -> Metadata:
        """A caller of `role` whose session a test may end (tokens are shared: no sessions)."""
        if role == "client":
            user = await self.stack.new_user(auth_pb2.ROLE_CLIENT, self.a.org, name="client")
            return await self.stack.login(user.email)
        if role in ("developer", "manager"):
            return await self.stack.staff(role)
        return self.callers[role]


async def upload(stack: Stack, caller: Metadata, ticket: str, comment: str = "",
                 content: bytes = b"hello, world\n") -> files_pb2.File:
    async def parts():
        yield files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(
            ticket=ticket, comment=comment, display_name="note.txt"))
        yield files_pb2.UploadFileRequest(chunk=content)
    return await stack.clients.files.UploadFile(parts(), metadata=caller)


async def api_token(stack: Stack, role: int, organization: str = "") -> str:
    created = await stack.clients.auth.CreateApiToken(auth_pb2.CreateApiTokenRequest(
        api_token=auth_pb2.ApiToken(display_name=unique("token"), role=role,
                                    organization=organization)), metadata=stack.service)
    return created.token


async def session_names(stack: Stack, user: str) -> list[str]:
    answer = await stack.clients.auth.ListSessions(auth_pb2.ListSessionsRequest(parent=user),
                                                   metadata=stack.service)
    return [s.name for s in answer.sessions]


async def new_side(stack: Stack) -> Side:
    org = await stack.new_organization()
    contact = await stack.new_user(auth_pb2.ROLE_CLIENT, org.name, name="contact")
    await stack.login(contact.email)
    ticket = await stack.new_ticket(org, title=unique("ticket title"),
                                    description=unique("ticket description"))
    comment = await stack.clients.tickets.AddComment(tickets_pb2.AddCommentRequest(
        parent=ticket.name, comment=tickets_pb2.Comment(body=unique("public comment"))),
        metadata=org.client)
    return Side(org=org.name, site=org.sites[0], client=org.client, client_user=org.client_user,
                contact=contact, contact_session=(await session_names(stack, contact.name))[0],
                ticket=ticket, comment=comment, file=await upload(stack, org.client, ticket.name),
                api_token=await api_token(stack, auth_pb2.ROLE_CLIENT, org.name))


@pytest.fixture(scope="module")
async def world(stack) -> World:
    a, b = await new_side(stack), await new_side(stack)
    developer = await stack.staff("developer")
    note = await stack.clients.tickets.AddComment(tickets_pb2.AddCommentRequest(
        parent=a.ticket.name, comment=tickets_pb2.Comment(
            body=unique("internal note"), visibility=tickets_pb2.VISIBILITY_INTERNAL)),
        metadata=developer)
    callers = {
        "client": a.client,
        "client_token": bearer(a.api_token),
        "developer": developer,
        "manager": await stack.staff("manager"),
        "developer_token": bearer(await api_token(stack, auth_pb2.ROLE_DEVELOPER)),
    }
    hex32 = secrets.token_hex(16)
    missing = {"ticket": "tickets/987654321", "file": f"files/{hex32}",
               "org": f"organizations/{hex32}", "site": f"{a.org}/sites/{hex32}",
               "user": f"users/{hex32}", "session": f"users/{hex32}/sessions/{hex32}",
               "api_token": f"apiTokens/{hex32}",
               "comment": f"{a.ticket.name}/comments/{hex32}"}
    return World(stack, a, b, callers, note, await upload(stack, developer, a.ticket.name,
                                                          note.name), missing)


# ------------------------------------------------------------------ calling any RPC


class Answer(NamedTuple):
    code: grpc.StatusCode
    message: Message | None
    error: str  # the details and the whole status, for assertion messages and leak checks
    reason: str  # the ErrorInfo reason (an ErrorReason name); empty on success


async def invoke(stub, method, request, metadata) -> Answer:
    """Call `method` (a MethodDescriptor) with the right arity: (code, answer, error text,
    error reason).

    `request` is a message, or for a client stream (UploadFile) a list of messages.
    A server stream (DownloadFile) is read up to its first message.
    """
    send = getattr(stub, method.name)
    try:
        if method.client_streaming:
            answer = await send(_stream(request), metadata=metadata)
        elif method.server_streaming:
            call = send(request, metadata=metadata)
            answer = await call.read()
            call.cancel()
        else:
            answer = await send(request, metadata=metadata)
    except grpc.aio.AioRpcError as error:
        status = rpc_status.from_call(error)
        return Answer(error.code(), None, f"{error.details()} {status}",
                      problem_of(error).reason)
    return Answer(grpc.StatusCode.OK, answer, "", "")


async def _stream(messages):
    for message in messages:
        yield message


def leaked(text: str, secrets_: set[str], request_text: str) -> set[str]:
    """The secrets in `text` the caller did not itself send (an echo of the request is no leak)."""
    return {s for s in secrets_ if s and s not in request_text
            and re.search(re.escape(s) + r"(?![0-9A-Za-z])", text)}
