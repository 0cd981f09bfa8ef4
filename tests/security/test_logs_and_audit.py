"""No password or token in any log line; every refusal logged (who, what, where) and,
at the auth service, in the audit log."""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager

import grpc
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from services.auth.models import AuditEntry
from services.common.client.channels import bearer
from tests.security.conftest import api_token, upload
from tests.support.rpc import rpc_error
from tests.support.stack import PASSWORD
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2


@contextmanager
def captured_logs():
    """Everything structlog and the standard logging module write, as JSON lines / text."""
    out = io.StringIO()
    saved = structlog.get_config()
    structlog.configure(processors=[structlog.processors.add_log_level,
                                    structlog.processors.JSONRenderer()],
                        logger_factory=structlog.WriteLoggerFactory(out),
                        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
                        cache_logger_on_first_use=False)
    handler = logging.StreamHandler(out)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        structlog.configure(**saved)


async def test_no_password_or_token_in_any_log_line(stack):
    org = await stack.new_organization()
    new_password = "a new and secret passphrase"
    with captured_logs() as out:
        answer = await stack.clients.auth.Login(auth_pb2.LoginRequest(email=org.email,
                                                                      password=PASSWORD))
        session = bearer(answer.session_token)
        ticket = await stack.new_ticket(org)
        await stack.clients.tickets.GetTicket(tickets_pb2.GetTicketRequest(name=ticket.name),
                                              metadata=session)
        await upload(stack, session, ticket.name)
        await rpc_error(stack.clients.auth.Login(auth_pb2.LoginRequest(
            email=org.email, password=new_password)), grpc.StatusCode.UNAUTHENTICATED)
        changed = await stack.clients.auth.ChangePassword(auth_pb2.ChangePasswordRequest(
            current_password=PASSWORD, new_password=new_password), metadata=session)
        token = await api_token(stack, auth_pb2.ROLE_DEVELOPER)
        await stack.clients.files.ListFiles(files_pb2.ListFilesRequest(parent=ticket.name),
                                            metadata=bearer(token))
        for stale in (session, bearer(answer.session_token + "x")):  # refused, hence logged
            await rpc_error(stack.clients.tickets.GetTicket(tickets_pb2.GetTicketRequest(
                name=ticket.name), metadata=stale), grpc.StatusCode.UNAUTHENTICATED)
    text = out.getvalue()
    assert '"login.success"' in text and '"rpc.denied"' in text  # the capture works
    secrets = {PASSWORD, new_password, answer.session_token, changed.session_token, token,
               stack.settings.service_token.get_secret_value()}
    assert [s for s in secrets if s in text] == []


async def test_refusals_are_logged_with_who_what_and_where(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    with captured_logs() as out:
        await rpc_error(stack.clients.tickets.CreateSite(tickets_pb2.CreateSiteRequest(
            parent=org.name, site=tickets_pb2.Site(url="https://x.example")),
            metadata=org.client), grpc.StatusCode.PERMISSION_DENIED)
        await rpc_error(stack.clients.files.GetFile(files_pb2.GetFileRequest(
            name="files/abc"), metadata=bearer("forged")), grpc.StatusCode.UNAUTHENTICATED)
    lines = [line for line in out.getvalue().splitlines() if '"rpc.denied"' in line]
    denied = next(line for line in lines if "CreateSite" in line)
    assert all(part in denied for part in (
        '"code": "PERMISSION_DENIED"', f'"subject": "{org.client_user.name}"',
        '"role": "client"', '"method": "/ticketdesk.tickets.v1.TicketService/CreateSite"',
        '"peer": "127.0.0.1"'))
    unknown = next(line for line in lines if "FileService/GetFile" in line)
    assert '"code": "UNAUTHENTICATED"' in unknown and '"subject": "anonymous"' in unknown
    assert "forged" not in out.getvalue()
    assert ticket.name  # the world the refusals were about


async def test_the_auth_audit_log_records_refused_tokens_and_permissions(stack):
    org = await stack.new_organization()
    await rpc_error(stack.clients.auth.WhoAmI(auth_pb2.WhoAmIRequest(),
                                              metadata=bearer("forged-token")),
                    grpc.StatusCode.UNAUTHENTICATED)
    await rpc_error(stack.clients.auth.CreateOrganization(auth_pb2.CreateOrganizationRequest(
        organization=auth_pb2.Organization(display_name="Not yours")), metadata=org.client),
        grpc.StatusCode.PERMISSION_DENIED)
    engine = create_async_engine(stack.settings.database_url("auth"))
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(select(AuditEntry).order_by(AuditEntry.id.desc())
                                             .limit(50))).all()
    finally:
        await engine.dispose()
    entries = {(r.actor, r.action, r.outcome, r.target) for r in rows}
    assert ("anonymous", "authenticate", "failure",
            "/ticketdesk.auth.v1.AuthService/WhoAmI") in entries
    assert (org.client_user.name, "CreateOrganization", "denied", "") in entries
    assert all(r.client_address for r in rows if r.outcome in ("failure", "denied"))
    assert not any("forged-token" in " ".join(map(str, r)) for r in rows)
