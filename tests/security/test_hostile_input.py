"""Hostile input through the gRPC APIs (issue #9, «Bad input»): the corpus of
tests/security/hostile.py against every text field, file names, file contents, page
tokens, field masks and request ids, on SQLite and on PostgreSQL.

The rule for every text: stored and returned byte-for-byte (only surrounding white
space trimmed), or refused with INVALID_ARGUMENT naming the field and nothing stored;
never UNKNOWN or INTERNAL. What renders text (the notification e-mails) shows it as
plain text.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from temporalio.testing import ActivityEnvironment

from services.common.client.errors import problem_of
from tests.security import hostile
from tests.security.conftest import World, unique
from tests.support.stack import PASSWORD, Stack
from tests.support.summary import report
from tests.workflows.notify.conftest import smtp_server  # noqa: F401 - a fixture
from ticketdesk.auth.v1 import auth_pb2 as auth
from ticketdesk.files.v1 import files_pb2 as files
from ticketdesk.tickets.v1 import tickets_pb2 as tickets
from workflows.notify.activities import NotifyActivities
from workflows.notify.mailer import SmtpMailer
from workflows.ticket.messages import Actor, Notice

OK, INVALID = grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT
WAIT_SECONDS = 60.0  # bound of every wait for the ticket's workflow on a busy machine
MiB = 1024 * 1024


@dataclass
class Outcome:
    code: grpc.StatusCode
    answer: object = None
    fields: list[str] = field(default_factory=list)
    details: str = ""
    reason: str = ""  # the ErrorInfo reason
    field_reasons: list[tuple[str, str]] = field(default_factory=list)  # (field, FieldReason)


async def attempt(call: Awaitable) -> Outcome:
    """The call's answer, or its status code, reason and the fields its BadRequest names."""
    try:
        return Outcome(OK, await call)
    except grpc.aio.AioRpcError as error:
        problem = problem_of(error)
        return Outcome(error.code(), None, [f.field for f in problem.fields],
                       error.details() or "", problem.reason,
                       [(f.field, f.reason) for f in problem.fields])


async def retrying(call: Callable[[], Awaitable], attempts: int = 4):
    """A read or an idempotent write, retried on UNAVAILABLE as real clients do."""
    for left in range(attempts - 1, -1, -1):
        try:
            return await call()
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or not left:
                raise
            await asyncio.sleep(1)


def mask(*paths: str) -> FieldMask:
    return FieldMask(paths=list(paths))


# ------------------------------------------------------------------ a place to write


@dataclass
class Target:
    """What the text tests may change freely: an organization of their own."""

    org: str
    site: str
    user: auth.User
    client: tuple
    ticket: tickets.Ticket  # for title and description
    discussion: tickets.Ticket  # for comments
    developer: tuple
    manager: tuple


@pytest.fixture(scope="module")
async def target(world: World) -> Target:
    stack = world.stack
    org = await stack.new_organization()
    user = await stack.new_user(auth.ROLE_CLIENT, org.name, name="hostile")
    return Target(org.name, org.sites[0], user, org.client,
                  await stack.new_ticket(org), await stack.new_ticket(org),
                  world.callers["developer"], world.callers["manager"])


# ------------------------------------------------------------------ text fields


@dataclass
class TextField:
    """One free-text field: how to write a value, read it back, and see that nothing
    changed (`state`), and the field its BadRequest names."""

    name: str
    limit: int
    put: Callable[[str], Awaitable[Outcome]]
    stored: Callable[[Outcome], Awaitable[str]]
    state: Callable[[], Awaitable[object]]
    corpus: dict[str, str] = field(default_factory=lambda: hostile.TEXTS)
    resource: str = ""  # fields of one resource are written one after the other

    def __post_init__(self) -> None:
        self.resource = self.resource or self.name.split(".")[0]


# Creating a ticket starts its workflow: the title's checks are those of UpdateTicket,
# so creation runs a sample that also crosses Temporal (the workflow's summary).
CREATE_SAMPLE = {k: hostile.TEXTS[k] for k in ("injection/script", "injection/header_injection",
                                               "unicode/rtl_override", "unicode/astral",
                                               "unicode/nul")}


def text_fields(w: World, t: Target) -> list[TextField]:
    tk, au = w.stack.clients.tickets, w.stack.clients.auth
    service = w.stack.service

    async def ticket(name: str) -> tickets.Ticket:
        return await retrying(lambda: tk.GetTicket(tickets.GetTicketRequest(name=name),
                                                   metadata=t.client))

    def ticket_text(attr: str, limit: int) -> TextField:
        async def put(value):
            return await attempt(tk.UpdateTicket(tickets.UpdateTicketRequest(
                ticket=tickets.Ticket(name=t.ticket.name, **{attr: value}),
                update_mask=mask(attr)), metadata=t.developer))

        async def stored(_):
            return getattr(await ticket(t.ticket.name), attr)

        async def state():
            return (await ticket(t.ticket.name)).etag
        return TextField(f"ticket.{attr}", limit, put, stored, state)

    async def new_ticket_put(value):
        return await attempt(tk.CreateTicket(tickets.CreateTicketRequest(ticket=tickets.Ticket(
            title=value, description=value)), metadata=t.client))

    async def new_ticket_stored(outcome):
        shown = await ticket(outcome.answer.name)
        assert shown.description == shown.title, "the description differs from the title"
        return shown.title

    async def ticket_count():
        return (await tk.ListTickets(tickets.ListTicketsRequest(page_size=1),
                                     metadata=t.client)).total_size

    async def comment_put(value):
        return await attempt(tk.AddComment(tickets.AddCommentRequest(
            parent=t.discussion.name, comment=tickets.Comment(body=value)), metadata=t.client))

    async def comments():
        page = await tk.ListComments(tickets.ListCommentsRequest(
            parent=t.discussion.name, page_size=100), metadata=t.developer)
        return {c.name: c.body for c in page.comments}

    async def comment_stored(outcome):
        return (await comments())[outcome.answer.name]

    async def sites():
        page = await tk.ListSites(tickets.ListSitesRequest(parent=t.org), metadata=t.client)
        return {s.name: s for s in page.sites}

    def site_text(attr: str, limit: int, prefix: str = "") -> TextField:
        async def put(value):
            return await attempt(tk.UpdateSite(tickets.UpdateSiteRequest(
                site=tickets.Site(name=t.site, **{attr: prefix + value}), update_mask=mask(attr)),
                metadata=t.manager))

        async def stored(_):
            return getattr((await sites())[t.site], attr).removeprefix(prefix)

        async def state():
            return (await sites())[t.site]
        return TextField(f"site.{attr}", limit - len(prefix), put, stored, state)

    async def org_put(value):
        return await attempt(au.UpdateOrganization(auth.UpdateOrganizationRequest(
            organization=auth.Organization(name=t.org, display_name=value),
            update_mask=mask("display_name")), metadata=t.manager))

    async def org_stored(_=None):
        return (await au.GetOrganization(auth.GetOrganizationRequest(name=t.org),
                                         metadata=t.client)).display_name

    def user_text(attr: str, limit: int) -> TextField:
        async def put(value):
            return await attempt(au.UpdateUser(auth.UpdateUserRequest(
                user=auth.User(name=t.user.name, **{attr: value}), update_mask=mask(attr)),
                metadata=t.manager))

        async def stored(_=None):
            return getattr(await au.GetUser(auth.GetUserRequest(name=t.user.name),
                                            metadata=t.manager), attr)
        return TextField(f"user.{attr}", limit, put, stored, stored)

    async def token_put(value):
        return await attempt(au.CreateApiToken(auth.CreateApiTokenRequest(
            api_token=auth.ApiToken(display_name=value, role=auth.ROLE_CLIENT,
                                    organization=t.org)), metadata=t.manager))

    async def tokens():
        found, token = {}, ""
        while True:
            page = await au.ListApiTokens(auth.ListApiTokensRequest(page_size=200,
                                                                    page_token=token),
                                          metadata=service)
            found.update({k.name: k.display_name for k in page.api_tokens})
            if not (token := page.next_page_token):
                return found

    async def token_stored(outcome):
        assert outcome.answer.api_token.display_name == (await tokens())[
            outcome.answer.api_token.name]
        return outcome.answer.api_token.display_name

    async def token_count():
        return len(await tokens())

    return [
        ticket_text("title", 200), ticket_text("description", 20_000),
        TextField("ticket.title", 200, new_ticket_put, new_ticket_stored, ticket_count,
                  CREATE_SAMPLE, resource="new tickets"),
        TextField("comment.body", 10_000, comment_put, comment_stored, comments),
        site_text("display_name", 200), site_text("url", 2048, "https://evil.example/?q="),
        TextField("organization.display_name", 200, org_put, org_stored, org_stored),
        user_text("full_name", 200), user_text("phone", 50),
        TextField("api_token.display_name", 200, token_put, token_stored, token_count),
    ]


def backend(stack: Stack) -> str:
    return "postgres" if stack.settings.tickets_database_url else "sqlite"


@dataclass
class Tally:
    """What a corpus run did: cases, outcomes, and the failures to report at once."""

    cases: int = 0
    stored: int = 0
    refused: int = 0
    fields: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    def fail(self, where: str, problem: str) -> None:
        self.failures.append(f"{where}: {problem}")


async def check_text(tally: Tally, f: TextField, case: str, value: str,
                     must_refuse: bool = False, must_store: bool = False) -> None:
    where = f"{f.name} ← {case}"
    tally.cases += 1
    tally.fields.add(f.name)
    before = await f.state()
    outcome = await f.put(value)
    if outcome.code == OK:
        tally.stored += 1
        shown = await f.stored(outcome)
        if must_refuse:
            tally.fail(where, f"accepted, stored as {shown!r}")
        elif shown != hostile.expected_stored(value):
            tally.fail(where, f"stored {shown[:80]!r}, sent {value[:80]!r}")
    elif outcome.code == INVALID:
        tally.refused += 1
        if must_store:
            tally.fail(where, f"refused: {outcome.details}")
        if f.name not in outcome.fields:
            tally.fail(where, f"INVALID_ARGUMENT names {outcome.fields}, not {f.name}")
        if await f.state() != before:
            tally.fail(where, "refused, yet something changed")
    else:
        tally.fail(where, f"answered {outcome.code.name}: {outcome.details[:200]}")


async def test_hostile_text_is_stored_verbatim_or_refused_naming_the_field(world, target):
    """Every text field of every resource stores the injection and Unicode corpus
    byte-for-byte or refuses it (INVALID_ARGUMENT naming the field, nothing changed),
    refuses NUL and one character over its limit, keeps an unbroken line at its
    limit, and never answers UNKNOWN."""
    tally = Tally()

    async def run(fields: list[TextField]) -> None:
        """The fields of one resource in order (resources side by side)."""
        for f in fields:
            for case, value in f.corpus.items():
                await check_text(tally, f, case, value, must_refuse=case in hostile.MUST_REFUSE)
            await check_text(tally, f, "a line at the limit", hostile.long_line(f.limit),
                             must_store=True)
            await check_text(tally, f, "one over the limit", hostile.oversized(f.limit),
                             must_refuse=True)
    by_resource: dict[str, list[TextField]] = {}
    for f in text_fields(world, target):
        by_resource.setdefault(f.resource, []).append(f)
    await asyncio.gather(*map(run, by_resource.values()))
    assert not tally.failures, "\n".join(tally.failures)
    report(f"hostile text ({backend(world.stack)}): {tally.cases} cases over "
           f"{len(tally.fields)} fields; stored verbatim {tally.stored}, refused "
           f"{tally.refused}; UNKNOWN 0")


# ------------------------------------------------------------------ questions, answers, reasons


async def transition(w: World, caller, ticket: str, action, text: str = "") -> Outcome:
    request = tickets.TransitionTicketRequest(name=ticket, action=action, text=text,
                                              request_id=secrets.token_hex(8))
    return await attempt(retrying(lambda: w.stack.clients.tickets.TransitionTicket(
        request, metadata=caller)))


async def settled(w: World, caller, ticket: str, status) -> tickets.Ticket:
    """The ticket once its workflow has recorded `status` (bounded wait)."""
    get = w.stack.clients.tickets.GetTicket
    async with asyncio.timeout(WAIT_SECONDS):
        while (shown := await get(tickets.GetTicketRequest(name=ticket),
                                  metadata=caller)).status != status:
            await asyncio.sleep(0.1)
    return shown


async def check_question(w: World, t: Target, tally: Tally, ticket: str, case: str,
                         value: str, answer: bool) -> None:
    """Ask `value` as a question; the client answers with it (or work goes on)."""
    where, tk = f"text (question) ← {case}", w.stack.clients.tickets
    tally.cases += 1
    before = await settled(w, t.client, ticket, tickets.STATUS_IN_PROGRESS)
    outcome = await transition(w, t.developer, ticket, tickets.ACTION_ASK_CLARIFICATION, value)
    if outcome.code == INVALID:
        tally.refused += 1
        if "text" not in outcome.fields:
            tally.fail(where, f"INVALID_ARGUMENT names {outcome.fields}, not text")
        if (await settled(w, t.client, ticket, tickets.STATUS_IN_PROGRESS)).etag != before.etag:
            tally.fail(where, "refused, yet the ticket changed")
        return
    if outcome.code != OK:
        return tally.fail(where, f"answered {outcome.code.name}: {outcome.details[:200]}")
    tally.stored += 1
    asked = await settled(w, t.client, ticket, tickets.STATUS_NEEDS_INFO)
    if case in hostile.MUST_REFUSE or asked.status_note != hostile.expected_stored(value):
        tally.fail(where, f"status note {asked.status_note[:80]!r}, sent {value[:80]!r}")
    if answer:
        comment = await tk.AddComment(tickets.AddCommentRequest(
            parent=ticket, comment=tickets.Comment(body=value)), metadata=t.client)
        if comment.body != hostile.expected_stored(value):
            tally.fail(f"comment.body (answer) ← {case}", f"stored {comment.body[:80]!r}")
    else:
        await transition(w, t.developer, ticket, tickets.ACTION_CONTINUE_WITHOUT_ANSWER)


# The client answers these questions (a comment, through the workflow); the other
# questions are left by the developer (a synchronous update: quicker).
ANSWERED = {"injection/script", "injection/header_injection", "unicode/rtl_override"}


async def test_hostile_questions_answers_and_reasons_are_kept_verbatim_or_refused(
        world, target):
    """The texts that go through the ticket's workflow — a developer's question, the
    client's answer, a withdrawal reason — are kept verbatim on the card or refused with
    INVALID_ARGUMENT on `text` (NUL and over 10 000 characters) before the workflow
    sees them; a refused text changes nothing and the ticket keeps working."""
    tk, tally = world.stack.clients.tickets, Tally()
    cases = list({**hostile.TEXTS, "a line at the limit": hostile.long_line(10_000),
                  "one over the limit": hostile.oversized(10_000)}.items())

    async def questions(share: list[tuple[str, str]]) -> None:  # one ticket's share, in order
        ticket = (await tk.CreateTicket(tickets.CreateTicketRequest(ticket=tickets.Ticket(
            title="Вопросы", description="Вопросы и ответы")), metadata=target.client)).name
        await transition(world, target.developer, ticket, tickets.ACTION_START_WORK)
        for case, value in share:
            await check_question(world, target, tally, ticket, case, value,
                                 answer=case in ANSWERED)
    reasons = ("injection/script", "injection/header_injection", "unicode/rtl_override",
               "unicode/nul")
    await asyncio.gather(*(questions(cases[i::3]) for i in range(3)), *(
        check_reason(world, target, tally, case, hostile.TEXTS[case]) for case in reasons))
    assert not tally.failures, "\n".join(tally.failures)
    report(f"hostile workflow texts ({backend(world.stack)}): {tally.cases} questions, "
           f"answers and reasons; kept verbatim {tally.stored}, refused {tally.refused}")


async def check_reason(w: World, t: Target, tally: Tally, case: str, value: str) -> None:
    where, tk = f"text (withdrawal reason) ← {case}", w.stack.clients.tickets
    tally.cases += 1
    ticket = (await tk.CreateTicket(tickets.CreateTicketRequest(ticket=tickets.Ticket(
        title="Отзыв", description="Будет отозван")), metadata=t.client)).name
    outcome = await transition(w, t.client, ticket, tickets.ACTION_WITHDRAW, value)
    if outcome.code == INVALID and case in hostile.MUST_REFUSE and "text" in outcome.fields:
        tally.refused += 1
        await settled(w, t.client, ticket, tickets.STATUS_QUEUED)
        return
    if outcome.code != OK or case in hostile.MUST_REFUSE:
        return tally.fail(where, f"answered {outcome.code.name}: {outcome.details[:200]}")
    tally.stored += 1
    await settled(w, t.client, ticket, tickets.STATUS_CANCELLED)
    page = await tk.ListComments(tickets.ListCommentsRequest(parent=ticket), metadata=t.client)
    if hostile.expected_stored(value) not in [c.body for c in page.comments]:
        tally.fail(where, f"no comment holds the reason: {[c.body for c in page.comments]}")


# ------------------------------------------------------------------ oversized messages


async def test_messages_above_the_grpc_limit_are_refused_and_nothing_is_stored(world, target):
    """A message above 4 MiB answers RESOURCE_EXHAUSTED; a field far over its limit
    but inside one message answers INVALID_ARGUMENT naming it; nothing is stored."""
    tk, fs = world.stack.clients.tickets, world.stack.clients.files
    huge, big = "Ж" * (3 * MiB), "x" * MiB  # 6 MiB and 1 MiB encoded

    async def counts():
        tickets_ = (await tk.ListTickets(tickets.ListTicketsRequest(page_size=1),
                                         metadata=target.client)).total_size
        comments = len((await tk.ListComments(tickets.ListCommentsRequest(
            parent=target.discussion.name, page_size=100), metadata=target.client)).comments)
        files_ = len((await fs.ListFiles(files.ListFilesRequest(
            parent=target.discussion.name), metadata=target.client)).files)
        return tickets_, comments, files_

    async def upload(chunk: bytes):
        return await fs.UploadFile(iter_async([
            files.UploadFileRequest(metadata=files.UploadMetadata(
                ticket=target.discussion.name, display_name="big.txt")),
            files.UploadFileRequest(chunk=chunk)]), metadata=target.client)

    before = await counts()
    P, exhausted = functools.partial, grpc.StatusCode.RESOURCE_EXHAUSTED
    calls = {
        "CreateTicket 6 MiB": (P(tk.CreateTicket, tickets.CreateTicketRequest(
            ticket=tickets.Ticket(title="big", description=huge)), metadata=target.client),
            exhausted, ""),
        "AddComment 6 MiB": (P(tk.AddComment, tickets.AddCommentRequest(
            parent=target.discussion.name, comment=tickets.Comment(body=huge)),
            metadata=target.client), exhausted, ""),
        "UploadFile 5 MiB chunk": (P(upload, b"y" * (5 * MiB)), exhausted, ""),
        "CreateTicket 1 MiB description": (P(tk.CreateTicket, tickets.CreateTicketRequest(
            ticket=tickets.Ticket(title="big", description=big)), metadata=target.client),
            INVALID, "ticket.description"),
        "AddComment 1 MiB": (P(tk.AddComment, tickets.AddCommentRequest(
            parent=target.discussion.name, comment=tickets.Comment(body=big)),
            metadata=target.client), INVALID, "comment.body"),
        "UpdateUser 1 MiB name": (P(world.stack.clients.auth.UpdateUser, auth.UpdateUserRequest(
            user=auth.User(name=target.user.name, full_name=big), update_mask=mask("full_name")),
            metadata=target.manager), INVALID, "user.full_name"),
    }
    wrong = []
    for label, (send, code, field_name) in calls.items():
        outcome = await attempt(send())
        if outcome.code != code or (field_name and field_name not in outcome.fields):
            wrong.append(f"{label}: {outcome.code.name} {outcome.fields} {outcome.details[:100]}")
    assert not wrong, "\n".join(wrong)
    assert await counts() == before, "an oversized request stored something"
    report(f"oversized messages ({backend(world.stack)}): {len(calls)} requests of 1–6 MiB; "
           "refused all; stored 0")


async def iter_async(items):
    for item in items:
        yield item


# ------------------------------------------------------------------ homoglyph e-mails


async def test_a_homoglyph_email_never_reaches_the_real_account(world, target):
    """Look-alike addresses (Cyrillic and Greek letters, zero-width and bidi characters,
    NUL, full-width forms) never log in to the real account; as new accounts they are
    refused or become separate accounts."""
    au, stack = world.stack.clients.auth, world.stack
    real = await au.CreateUser(auth.CreateUserRequest(user=auth.User(
        email=f"alex.oe-{secrets.token_hex(3)}@example.test", full_name="Настоящий",
        role=auth.ROLE_CLIENT, organization=target.org), initial_password=PASSWORD),
        metadata=stack.service)
    variants = hostile.homoglyphs_of(real.user.email)
    # Failed logins count against 127.0.0.1, which the whole session shares: a few only.
    login_cases = ("cyrillic_a", "greek_omicron", "zero_width", "fullwidth_at", "nul")
    logins, created, refused, wrong = 0, 0, 0, []
    for case in login_cases:
        outcome = await attempt(au.Login(auth.LoginRequest(email=variants[case],
                                                           password=PASSWORD)))
        logins += 1
        if outcome.code not in (grpc.StatusCode.UNAUTHENTICATED, INVALID):
            wrong.append(f"login as {case}: {outcome.code.name}")
    for case, email in variants.items():
        outcome = await attempt(au.CreateUser(auth.CreateUserRequest(user=auth.User(
            email=email, full_name="Двойник", role=auth.ROLE_CLIENT, organization=target.org),
            initial_password=PASSWORD), metadata=stack.service))
        if outcome.code == OK:
            created += 1
            if outcome.answer.user.name == real.user.name:
                wrong.append(f"create {case}: returned the real account")
            elif case in login_cases:
                me = await au.Login(auth.LoginRequest(email=email, password=PASSWORD))
                if me.user.name != outcome.answer.user.name:
                    wrong.append(f"login as {case}: reached {me.user.name}")
        elif outcome.code in (INVALID, grpc.StatusCode.ALREADY_EXISTS):
            refused += 1
        else:
            wrong.append(f"create {case}: {outcome.code.name} {outcome.details[:100]}")
    assert not wrong, "\n".join(wrong)
    report(f"homoglyph e-mails ({backend(stack)}): {len(variants)} look-alikes; logins to the "
           f"real account 0 of {logins}; created as separate accounts {created}, "
           f"refused {refused}")


# ------------------------------------------------------------------ files


def upload_parts(ticket: str, content: bytes, display_name: str, **metadata):
    parts = [files.UploadFileRequest(metadata=files.UploadMetadata(
        ticket=ticket, display_name=display_name, **metadata))]
    parts += [files.UploadFileRequest(chunk=content[i:i + 256 * 1024])
              for i in range(0, len(content), 256 * 1024)]
    return iter_async(parts)


async def downloaded(stack: Stack, caller, name: str) -> bytes:
    data = bytearray()
    async for part in stack.clients.files.DownloadFile(files.DownloadFileRequest(name=name),
                                                       metadata=caller):
        data += part.chunk
    return bytes(data)


def stored_paths(stack: Stack) -> dict[Path, int]:
    """Every finished file of the store (not its temporary folder), with its size."""
    root = Path(stack.settings.file_store_dir)
    return {p: p.stat().st_size for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] != "tmp"}


def escaped_paths(stack: Stack, since: float) -> list[Path]:
    """Files written since `since` anywhere under the data folder but outside the store
    (the databases and the e-mail outbox aside), or where the hostile names point to."""
    data = Path(stack.settings.data_dir)
    expected = (Path(stack.settings.file_store_dir), Path(stack.settings.outbox_dir))
    found = [p for p in data.rglob("*") if p.is_file() and p.stat().st_mtime >= since
             and not any(folder in p.parents for folder in expected)
             and not re.search(r"\.(db|sqlite)", p.name)]
    targets = [Path("/etc/passwd"), Path("/tmp/evil.txt"), Path("/etc/cron.d/evil.txt")]
    return found + [p for p in targets if p.exists() and p.stat().st_mtime >= since]


async def test_hostile_file_names_are_shown_bare_and_stored_inside_the_store(world, target):
    """Path tricks in file names (parent folders, absolute and UNC paths, backslashes,
    NUL, device names, dots only, very long) never place content outside the store,
    and the name shown is a bare, harmless file name (or the upload is refused)."""
    stack, since = world.stack, time.time() - 1
    key = re.compile(r"^[0-9a-z][0-9a-z_-]{7,127}$")
    shown, refused, wrong = {}, 0, []
    for case, name in hostile.FILE_NAMES.items():
        content = f"{case}: {secrets.token_hex(8)}\n".encode()
        outcome = await attempt(stack.clients.files.UploadFile(
            upload_parts(target.discussion.name, content, name), metadata=target.client))
        if outcome.code == INVALID and "metadata.display_name" in outcome.fields:
            refused += 1
            continue
        if outcome.code != OK:
            wrong.append(f"{case}: {outcome.code.name} {outcome.details[:100]}")
            continue
        shown[case] = outcome.answer.display_name
        if problems := hostile.name_problems(outcome.answer.display_name):
            wrong.append(f"{case}: shown as {outcome.answer.display_name!r}: {problems}")
        if await downloaded(stack, target.client, outcome.answer.name) != content:
            wrong.append(f"{case}: downloads other bytes")
    root = Path(stack.settings.file_store_dir)
    misplaced = [p for p in stored_paths(stack) if not key.match(p.name)
                 or p.relative_to(root).parts[:2] != (p.name[:2], p.name[2:4])]
    assert not wrong, "\n".join(wrong)
    assert not misplaced, f"files in the store under other names: {misplaced}"
    assert not (escaped := escaped_paths(stack, since)), f"written outside the store: {escaped}"
    report(f"hostile file names ({backend(stack)}): {len(hostile.FILE_NAMES)} names; shown "
           f"bare {len(shown)}, refused {refused}; outside the store 0")


async def test_declared_sizes_and_types_do_not_decide_what_is_stored(world, target):
    """A declared size that differs from the bytes sent is refused with nothing stored;
    executables are refused whatever type is declared; HTML declared as PNG or HTML is
    stored as plain text; a zip bomb is stored as the small archive it is, never expanded."""
    stack, ticket, caller = world.stack, target.discussion.name, target.client
    before = stored_paths(stack)
    refusals = {
        "10 bytes declared, 1 MiB sent": (b"a" * MiB, "big.txt", {"declared_size": 10},
                                          "metadata.declared_size"),
        "1 MiB declared, 10 bytes sent": (b"a" * 10, "small.txt", {"declared_size": MiB},
                                          "metadata.declared_size"),
        "PNG declared, Windows executable": (hostile.WINDOWS_EXECUTABLE, "photo.png",
                                             {"declared_content_type": "image/png"}, "chunk"),
        "PNG declared, ELF executable": (hostile.ELF_EXECUTABLE, "photo.png",
                                         {"declared_content_type": "image/png"}, "chunk"),
    }
    wrong = []
    for label, (content, name, metadata, field_name) in refusals.items():
        outcome = await attempt(stack.clients.files.UploadFile(
            upload_parts(ticket, content, name, **metadata), metadata=caller))
        if outcome.code != INVALID or field_name not in outcome.fields:
            wrong.append(f"{label}: {outcome.code.name} {outcome.fields}")
    assert not wrong, "\n".join(wrong)
    assert stored_paths(stack) == before, "a refused upload left content in the store"

    corrected = {"HTML declared as PNG": ("photo.png", "image/png"),
                 "HTML declared as HTML": ("page.html", "text/html")}
    for label, (name, declared) in corrected.items():
        stored = await stack.clients.files.UploadFile(upload_parts(
            ticket, hostile.HTML_PAGE, name, declared_content_type=declared,
            declared_size=len(hostile.HTML_PAGE)), metadata=caller)
        assert stored.content_type.startswith("text/plain"), (label, stored.content_type)

    bomb = zip_bomb()
    used = sum(stored_paths(stack).values())
    stored = await stack.clients.files.UploadFile(
        upload_parts(ticket, bomb, "archive.zip"), metadata=caller)
    growth = sum(stored_paths(stack).values()) - used
    assert (stored.content_type, stored.size_bytes) == ("application/zip", len(bomb))
    assert growth < 2 * len(bomb), f"the store grew by {growth} bytes for a {len(bomb)}-byte zip"
    assert await downloaded(stack, caller, stored.name) == bomb
    report(f"declared size and type ({backend(stack)}): {len(refusals)} mismatches refused, "
           f"{len(corrected)} HTML uploads stored as text/plain; zip bomb of "
           f"{len(bomb) // 1024} KiB (1 GiB expanded) stored as is, store grew "
           f"{growth // 1024} KiB")


@functools.cache
def zip_bomb() -> bytes:
    return hostile.zip_bomb()


# ------------------------------------------------------------------ page tokens


def tampered(token: str) -> str:
    """The token with its first character changed: valid base64, no longer a token."""
    return ("A" if token[0] != "A" else "B") + token[1:]


def repositioned(token: str) -> str:
    """The token decoded, its position (`a`: an offset, or the sort key of the last row)
    moved to the start, encoded again; what it was issued for (`q`) is kept."""
    data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert set(data) == {"a", "q"}, f"a page token of another scheme: {data}"

    def start(value):
        if isinstance(value, int):
            return 0
        try:
            datetime.fromisoformat(value)
            return "2000-01-01T00:00:00+00:00"
        except ValueError:
            return ""
    return forged_json({**data, "a": [start(v) for v in data["a"]]})


def forged_json(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


async def test_forged_page_tokens_are_refused_and_never_show_other_rows(world, target):
    """Random, tampered, re-encoded, other queries' and other callers' page tokens answer
    INVALID_ARGUMENT on `page_token` (INVALID_PAGE_TOKEN) in every list; a token moved to
    another position of the caller's own query may page there; no answer carries another
    organization's rows or an internal note."""
    w, tk, au, fs = world, world.stack.clients.tickets, world.stack.clients.auth, \
        world.stack.clients.files
    a, b, developer = w.a, w.b, w.callers["developer"]
    for side in (a, b):  # two of everything visible, so that every list has a second page
        await tk.CreateTicket(tickets.CreateTicketRequest(ticket=tickets.Ticket(
            title=unique("second ticket"), description="second")), metadata=side.client)
        await tk.AddComment(tickets.AddCommentRequest(parent=side.ticket.name, comment=(
            tickets.Comment(body=unique("second comment")))), metadata=side.client)
        await fs.UploadFile(upload_parts(side.ticket.name, b"second\n", "second.txt"),
                            metadata=side.client)

    lists = {
        "ListTickets": lambda caller, token, **kw: tk.ListTickets(tickets.ListTicketsRequest(
            page_size=1, page_token=token, **kw), metadata=caller),
        "ListComments": lambda caller, token, parent=a.ticket.name: tk.ListComments(
            tickets.ListCommentsRequest(parent=parent, page_size=1, page_token=token),
            metadata=caller),
        "ListFiles": lambda caller, token, parent=a.ticket.name: fs.ListFiles(
            files.ListFilesRequest(parent=parent, page_size=1, page_token=token),
            metadata=caller),
        "ListUsers": lambda caller, token, **kw: au.ListUsers(auth.ListUsersRequest(
            page_size=1, page_token=token, **kw), metadata=caller),
        "ListSites": lambda caller, token, parent=a.org: tk.ListSites(tickets.ListSitesRequest(
            parent=parent, page_size=1, page_token=token), metadata=caller),
    }
    await w.stack.clients.tickets.CreateSite(tickets.CreateSiteRequest(parent=a.org, site=(
        tickets.Site(url=f"https://second.{secrets.token_hex(3)}.example"))),
        metadata=w.callers["manager"])
    await w.stack.clients.tickets.CreateSite(tickets.CreateSiteRequest(parent=b.org, site=(
        tickets.Site(url=f"https://second.{secrets.token_hex(3)}.example"))),
        metadata=w.callers["manager"])

    async def token_of(name, caller, **kw) -> str:
        token = (await lists[name](caller, "", **kw)).next_page_token
        assert token, f"{name} gave no second page"
        return token

    secrets_ = w.secrets_for_clients()
    tried, moved_ok, wrong = 0, 0, []
    for name, call in lists.items():
        own = await token_of(name, a.client)
        other_query = {"ListTickets": {"statuses": [tickets.STATUS_QUEUED]},
                       "ListUsers": {"role": auth.ROLE_CLIENT}}.get(name)
        forged = {
            "random": secrets.token_urlsafe(24),
            "not base64": "%%%not-a-token%%%",
            "tampered": tampered(own),
            "repositioned": repositioned(own),
            "re-encoded": forged_json({"a": [1], "q": "0" * 16}),
            "huge": "A" * 100_000,
            "staff's": await token_of(name, developer) if name != "ListUsers" else
            await token_of(name, developer, organization=a.org),
            "other client's": (await token_of(name, b.client) if name in ("ListTickets",
                                                                         "ListUsers")
                               else await token_of(name, b.client, parent={
                                   "ListComments": b.ticket.name, "ListFiles": b.ticket.name,
                                   "ListSites": b.org}[name])),
        }
        if other_query:
            forged["another query's"] = await token_of(name, a.client, **other_query)
        for label, token in forged.items():
            tried += 1
            outcome = await attempt(call(a.client, token))
            text = f"{outcome.answer} {outcome.details}"
            # An unsigned token may be moved to another position of the caller's own
            # query: that is allowed, as it never widens what the caller sees.
            moved = label == "repositioned" and outcome.code == OK
            moved_ok += moved
            if not moved and (outcome.code != INVALID or outcome.reason != "INVALID_ARGUMENT"
                              or outcome.field_reasons != [("page_token",
                                                            "INVALID_PAGE_TOKEN")]):
                wrong.append(f"{name} with a {label} token: {outcome.code.name} "
                             f"{outcome.reason} {outcome.field_reasons}")
            if leak := {s for s in secrets_ if s and s in text}:
                wrong.append(f"{name} with a {label} token showed {leak}")
    assert not wrong, "\n".join(wrong)
    report(f"forged page tokens ({backend(w.stack)}): {tried} tokens over {len(lists)} lists; "
           f"refused {tried - moved_ok}, repositioned within the caller's own query "
           f"{moved_ok}; other organization's rows 0")


# ------------------------------------------------------------------ field masks


# A manager may set these on another user: not forbidden, left out of the masks below.
MANAGER_USER_FIELDS = {"role", "organization", "active", "email", "full_name"}


async def test_field_masks_naming_forbidden_fields_change_nothing(world, target):
    """Update masks naming fields no caller may set (organization, status, number,
    create_time, name, etag), unknown or malformed paths, or fields above the caller's
    role answer INVALID_ARGUMENT or PERMISSION_DENIED, and nothing changes — not even
    the fields named beside them."""
    tk, au = world.stack.clients.tickets, world.stack.clients.auth
    t, refused = target, (INVALID, grpc.StatusCode.PERMISSION_DENIED)
    forged = tickets.Ticket(name=t.ticket.name, organization=world.b.org,
                            status=tickets.STATUS_DONE, number=1, title="changed", etag="",
                            description="changed", assignee="", priority=tickets.PRIORITY_LOW,
                            sla=tickets.Sla(state=tickets.Sla.STATE_BREACHED))
    ticket_masks = [["organization"], ["status"], ["number"], ["create_time"], ["name"],
                    ["etag"], ["title", "status"], ["description", "organization"],
                    ["unknown_field"], ["contact.email"], ["*"], ["title.length"], [""],
                    ["allowed_actions"], ["sla"], ["sla.state"], ["sla.due_time"],
                    ["has_remarks"], ["rating"]]
    user = auth.User(name=t.user.name, full_name="changed", role=auth.ROLE_MANAGER,
                     organization=world.b.org, active=False, email="changed@example.test")
    user_masks = [["role"], ["organization"], ["active"], ["email"], ["full_name", "role"],
                  ["password_hash"], ["create_time"], ["name"], ["password_change_required"]]
    org = auth.Organization(name=t.org, display_name="changed", active=False)
    org_masks = [["create_time"], ["name"], ["id"], ["display_name", "create_time"]]
    site = tickets.Site(name=t.site, url="https://changed.example", display_name="changed")
    site_masks = [["organization"], ["name"], ["create_time"], ["display_name", "name"]]
    self_session = await world.stack.login(t.user.email)  # the user may change some own fields

    async def ticket_state():
        return await tk.GetTicket(tickets.GetTicketRequest(name=t.ticket.name),
                                  metadata=t.developer)

    async def user_state():
        return await au.GetUser(auth.GetUserRequest(name=t.user.name), metadata=t.manager)

    async def org_state():
        return await au.GetOrganization(auth.GetOrganizationRequest(name=t.org),
                                        metadata=t.manager)

    async def site_state():
        page = await tk.ListSites(tickets.ListSitesRequest(parent=t.org, show_inactive=True),
                                  metadata=t.manager)
        return list(page.sites)

    P = functools.partial
    cases = (
        [("UpdateTicket", m, c, ticket_state, P(tk.UpdateTicket, tickets.UpdateTicketRequest(
            ticket=forged, update_mask=mask(*m)), metadata=c))
         for m in ticket_masks for c in (t.developer, t.client)]
        + [("UpdateTicket", m, t.client, ticket_state, P(tk.UpdateTicket,
            tickets.UpdateTicketRequest(ticket=forged, update_mask=mask(*m)), metadata=t.client))
           for m in (["title"], ["priority"], ["assignee"], ["desired_date", "title"])]
        + [("UpdateUser", m, c, user_state, P(au.UpdateUser, auth.UpdateUserRequest(
            user=user, update_mask=mask(*m)), metadata=c))
           for m in user_masks for c in (self_session, t.manager)
           if not (c is t.manager and set(m) <= MANAGER_USER_FIELDS)]
        + [("UpdateOrganization", m, t.manager, org_state, P(au.UpdateOrganization,
            auth.UpdateOrganizationRequest(organization=org, update_mask=mask(*m)),
            metadata=t.manager)) for m in org_masks]
        + [("UpdateSite", m, t.manager, site_state, P(tk.UpdateSite, tickets.UpdateSiteRequest(
            site=site, update_mask=mask(*m)), metadata=t.manager)) for m in site_masks])
    wrong = []

    async def run(rpc: str) -> None:  # one resource's masks in order; resources side by side
        for name, paths, _, state, send in cases:
            if name != rpc:
                continue
            before = await state()
            outcome = await attempt(send())
            if outcome.code not in refused:
                wrong.append(f"{rpc} {paths}: {outcome.code.name}")
            if await state() != before:
                wrong.append(f"{rpc} {paths}: something changed")
    await asyncio.gather(*map(run, {c[0] for c in cases}))
    assert not wrong, "\n".join(wrong)
    report(f"forbidden field masks ({backend(world.stack)}): {len(cases)} masks over 4 "
           "resources; refused all; changed 0")


# ------------------------------------------------------------------ replayed request ids


async def test_a_replayed_request_id_with_other_content_never_makes_a_second_resource(
        world, target):
    """The same request_id with different content answers the first result (or
    INVALID_ARGUMENT when it names another parent), for tickets, comments, files,
    transitions, organizations, users and API tokens: never a second resource. A
    request_id with NUL is refused, never UNKNOWN."""
    stack, t = world.stack, target
    tk, au, fs = stack.clients.tickets, stack.clients.auth, stack.clients.files
    rid = lambda: f"replay-{secrets.token_hex(8)}"  # noqa: E731
    checks: list[str] = []
    wrong: list[str] = []

    def expect(label: str, ok: bool, detail: object = "") -> None:
        checks.append(label)
        if not ok:
            wrong.append(f"{label}: {detail}")

    # Tickets: the first ticket, its first title; one ticket more in all.
    r, count = rid(), (await tk.ListTickets(tickets.ListTicketsRequest(page_size=1),
                                            metadata=t.client)).total_size
    new = lambda title: tk.CreateTicket(tickets.CreateTicketRequest(  # noqa: E731
        ticket=tickets.Ticket(title=title, description="replay"), request_id=r),
        metadata=t.client)
    first, again = await new("первый"), await new("второй")
    total = (await tk.ListTickets(tickets.ListTicketsRequest(page_size=1),
                                  metadata=t.client)).total_size
    expect("CreateTicket replay", (again.name, again.title, total) == (
        first.name, "первый", count + 1), (again.name, again.title, total - count))

    # Comments: the first comment; the same id on another ticket is refused.
    r = rid()
    comment = lambda parent, body: attempt(tk.AddComment(tickets.AddCommentRequest(  # noqa: E731
        parent=parent, comment=tickets.Comment(body=body), request_id=r), metadata=t.client))
    one, two = await comment(t.discussion.name, "первый"), await comment(t.discussion.name, "x")
    expect("AddComment replay", two.code == OK and (two.answer.name, two.answer.body) == (
        one.answer.name, "первый"), two)
    other = await comment(first.name, "на другой тикет")
    expect("AddComment replay on another ticket", other.code == INVALID
           and "request_id" in other.fields, other.code.name)

    # Files: the first file's bytes; another ticket is refused.
    r = rid()
    up = lambda ticket, data: attempt(fs.UploadFile(upload_parts(  # noqa: E731
        ticket, data, "replay.txt", request_id=r), metadata=t.client))
    one, two = await up(t.discussion.name, b"first\n"), await up(t.discussion.name, b"second\n")
    expect("UploadFile replay", two.code == OK and two.answer.name == one.answer.name
           and two.answer.sha256 == one.answer.sha256, two.code.name)
    other = await up(first.name, b"third\n")
    expect("UploadFile replay on another ticket", other.code == INVALID, other.code.name)

    # Transitions: the first action stands; a replay with another action changes nothing.
    await transition(world, t.developer, first.name, tickets.ACTION_START_WORK)
    await settled(world, t.client, first.name, tickets.STATUS_IN_PROGRESS)
    r = rid()
    act = lambda action, text: attempt(retrying(lambda: tk.TransitionTicket(  # noqa: E731
        tickets.TransitionTicketRequest(name=first.name, action=action, text=text,
                                        request_id=r), metadata=t.developer)))
    await act(tickets.ACTION_ASK_CLARIFICATION, "первый вопрос")
    replay = await act(tickets.ACTION_CONTINUE_WITHOUT_ANSWER, "")
    shown = await settled(world, t.client, first.name, tickets.STATUS_NEEDS_INFO)
    expect("TransitionTicket replay", replay.code in (OK, INVALID, grpc.StatusCode.ALREADY_EXISTS)
           and shown.status_note == "первый вопрос", (replay.code.name, shown.status_note))

    # Auth resources: the first result; the second content is nowhere.
    r = rid()
    org = lambda name: au.CreateOrganization(auth.CreateOrganizationRequest(  # noqa: E731
        organization=auth.Organization(display_name=name), request_id=r),
        metadata=stack.service)
    one, two = await org("Первая"), await org("Вторая")
    expect("CreateOrganization replay", (two.name, two.display_name) == (one.name, "Первая"),
           two.display_name)
    r, emails = rid(), [f"replay-{secrets.token_hex(4)}@example.test" for _ in range(2)]
    user = lambda email: au.CreateUser(auth.CreateUserRequest(user=auth.User(  # noqa: E731
        email=email, full_name="Повтор", role=auth.ROLE_CLIENT, organization=t.org),
        request_id=r), metadata=stack.service)
    one, two = await user(emails[0]), await user(emails[1])
    listed = await au.ListUsers(auth.ListUsersRequest(organization=t.org, page_size=200),
                                metadata=stack.service)
    expect("CreateUser replay", two.user.name == one.user.name and not two.initial_password
           and emails[1] not in {u.email for u in listed.users}, two.user.email)
    r = rid()
    token = lambda name: au.CreateApiToken(auth.CreateApiTokenRequest(  # noqa: E731
        api_token=auth.ApiToken(display_name=name, role=auth.ROLE_DEVELOPER), request_id=r),
        metadata=stack.service)
    one, two = await token("первый"), await token("второй")
    expect("CreateApiToken replay", two.api_token.name == one.api_token.name and not two.token
           and two.api_token.display_name == "первый", two.api_token.display_name)

    # A request_id with NUL: refused everywhere.
    nul = "bad\x00id"
    for label, send in {
        "CreateTicket": lambda: tk.CreateTicket(tickets.CreateTicketRequest(ticket=tickets.Ticket(
            title="nul", description="nul"), request_id=nul), metadata=t.client),
        "AddComment": lambda: tk.AddComment(tickets.AddCommentRequest(
            parent=t.discussion.name, comment=tickets.Comment(body="nul"), request_id=nul),
            metadata=t.client),
        "UploadFile": lambda: fs.UploadFile(upload_parts(t.discussion.name, b"nul\n", "n.txt",
                                                         request_id=nul), metadata=t.client),
        "CreateOrganization": lambda: au.CreateOrganization(auth.CreateOrganizationRequest(
            organization=auth.Organization(display_name="nul"), request_id=nul),
            metadata=stack.service),
    }.items():
        outcome = await attempt(send())
        expect(f"{label} with a NUL request_id", outcome.code == INVALID, outcome.code.name)
    assert not wrong, "\n".join(wrong)
    report(f"replayed request ids ({backend(stack)}): {len(checks)} replays and bad ids; "
           "second resources 0")


# ------------------------------------------------------------------ e-mails


MAIL_HEADERS = {"from", "to", "subject", "date", "message-id", "references",
                "content-language", "auto-submitted", "x-auto-response-suppress",
                "mime-version", "content-type", "content-transfer-encoding",
                "x-ticketdesk-ticket", "x-ticketdesk-notice"}


def mail_problems(message, expected_texts: list[str]) -> list[str]:
    """Why `message` could run or hide hostile text: HTML parts, injected headers,
    a multi-line subject, or user text not shown verbatim."""
    problems = []
    if message.is_multipart() or message.get_content_type() != "text/plain":
        problems.append(f"not a single text/plain part: {message.get_content_type()}")
    if extra := {k.lower() for k in message.keys()} - MAIL_HEADERS:
        problems.append(f"unexpected headers {sorted(extra)}")
    if any(c in str(message["Subject"]) for c in "\r\n"):
        problems.append("a subject of several lines")
    body = message.get_content()
    problems += [f"user text not verbatim: {text[:40]!r}" for text in expected_texts
                 if text.replace("\r\n", "\n") not in body]
    return problems


async def test_notification_mails_show_hostile_text_as_plain_text(world, target, smtp_server):
    """E-mails about a ticket whose title, description, comment, status text and
    people's names are script and header injections are single text/plain parts with
    only TicketDesk's own headers, one-line subjects, and the user text verbatim."""
    stack, t = world.stack, target
    injected = list(hostile.INJECTION.values())
    client = await stack.clients.auth.CreateUser(auth.CreateUserRequest(user=auth.User(
        email=f"hostile-{secrets.token_hex(4)}@example.test", role=auth.ROLE_CLIENT,
        organization=t.org, full_name=hostile.INJECTION["header_injection"]),
        initial_password=PASSWORD), metadata=stack.service)
    developer = await stack.clients.auth.CreateUser(auth.CreateUserRequest(user=auth.User(
        email=f"hostile-dev-{secrets.token_hex(4)}@example.test", role=auth.ROLE_DEVELOPER,
        full_name=hostile.INJECTION["script"]), initial_password=PASSWORD),
        metadata=stack.service)
    client_session = await stack.login(client.user.email)
    developer_session = await stack.login(developer.user.email)
    ticket = await stack.clients.tickets.CreateTicket(tickets.CreateTicketRequest(
        ticket=tickets.Ticket(title=hostile.INJECTION["header_injection"],
                              description="\n".join(injected))), metadata=client_session)
    comment = await stack.clients.tickets.AddComment(tickets.AddCommentRequest(
        parent=ticket.name, comment=tickets.Comment(body="\n".join(injected))),
        metadata=developer_session)
    acts = NotifyActivities(stack.clients.auth, stack.clients.tickets,
                            stack.settings.service_token.get_secret_value(),
                            SmtpMailer(smtp_server.host, smtp_server.port, starttls=False,
                                       timeout=10), "https://desk.example.test")
    actor = Actor(subject=developer.user.name, role="developer",
                  display_name=developer.user.full_name)
    notices = {
        "ticket_created": (Notice(kind="ticket_created", number=ticket.number,
                                  event_id=f"h-created-{ticket.number}"), injected),
        "comment": (Notice(kind="comment", number=ticket.number, actor=actor,
                           comment=comment.name, event_id=f"h-comment-{ticket.number}"),
                    injected),
        "status_changed": (Notice(kind="status_changed", number=ticket.number, actor=actor,
                                  from_status="queued", to_status="needs_info",
                                  text=hostile.INJECTION["iframe"],
                                  event_id=f"h-status-{ticket.number}"),
                           [hostile.INJECTION["iframe"]]),
    }
    wrong, mails = [], 0
    for kind, (notice, texts_) in notices.items():
        smtp_server.received.clear()
        await ActivityEnvironment().run(acts.notify, notice)
        got = {r.recipients[0]: r.message for r in smtp_server.received}
        if kind != "ticket_created" and client.user.email not in got:
            wrong.append(f"{kind}: the hostile client got no mail")
        for address, message in got.items():
            mails += 1
            wrong += [f"{kind} to {address}: {p}" for p in mail_problems(message, texts_)]
        if any("evil.example" in r for m in smtp_server.received for r in m.recipients):
            wrong.append(f"{kind}: an injected recipient was mailed")
    assert not wrong, "\n".join(wrong[:20])
    report(f"hostile text in e-mails ({backend(stack)}): {mails} mails of {len(notices)} kinds; "
           "text/plain only, injected headers 0, user text verbatim")
