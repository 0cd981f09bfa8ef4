"""Bad input (issue #9): no request breaks a service.

Every method of every service, found in the generated descriptors (a new RPC is fuzzed
without a change here), gets Hypothesis-generated requests (tests/security/strategies.py)
from a client of organization A, a developer and the service token, and arbitrary bytes
in place of a serialized request. Whatever comes in, the answer is never UNKNOWN,
INTERNAL or a hang (DEADLINE_EXCEEDED under a 10 s deadline), every server still reports
SERVING, and organization B (the client's "other organization") is unchanged. The
methods of the internal services (AuthInternalService, TicketInternalService) answer
every caller but the service token PERMISSION_DENIED with the reason SERVICE_ONLY,
whatever it sends.

Staff and the service may change any organization: their requests name a throwaway
organization C and never a small ticket number, so B stays a fair witness for them too.
Auth is reached through a local relay with its own source address: the fuzzed logins
and password changes fail by the dozen, and the login throttle (per client address)
must not lock out the other tests that share this back end from 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import collections
import importlib
import os
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor as d
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from services.auth.server import INTERNAL_NAME as AUTH_INTERNAL
from services.common.client.channels import channel as open_channel
from services.common.client.errors import problem_of
from services.tickets.server import INTERNAL_NAME as TICKETS_INTERNAL
from tests.security import strategies
from tests.security.conftest import Side, World, new_side
from tests.support import summary
from tests.support.stack import Metadata, Stack
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2

PROTO = Path(__file__).resolve().parents[2] / "proto"
FORBIDDEN = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL,
             grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNIMPLEMENTED,
             grpc.StatusCode.DATA_LOSS}
DEADLINE = 10.0
# A watch streams until its caller stops: it is read this long, and a deadline then is its
# normal end (a refusal comes at once).
WATCHES = {"WatchTicketEvents"}
WATCH_SECONDS = 1.0
# Examples per method and caller: enough for `make test`'s budget. A deeper hunt:
# TICKETDESK_FUZZ_EXAMPLES=200 pytest tests/security/test_fuzz_rpcs.py
GENERATED_PER_METHOD = int(os.environ.get("TICKETDESK_FUZZ_EXAMPLES", "12"))
RAW_PER_METHOD = max(1, GENERATED_PER_METHOD * 2 // 3)
# The services of docs/API.md: the public ones, and those only the service token may call.
PUBLIC_SERVICES = {"ticketdesk.auth.v1.AuthService", "ticketdesk.tickets.v1.TicketService",
                   "ticketdesk.files.v1.FileService"}
INTERNAL_SERVICES = {"ticketdesk.auth.v1.AuthInternalService",
                     "ticketdesk.tickets.v1.TicketInternalService"}
SERVICE_ONLY_TALLY = "internal, refused"  # calls of an internal method by a non-service
# Methods that end or change the caller's own session: each gets a fresh caller.
SESSION_ENDING = {"Logout", "ChangePassword"}
SETTINGS_PATHS = ["timezone", "weekdays", "opens", "closes", "holidays", "workdays",
                  "reminder_business_days", "sla_warning_fraction", "first_response_hours",
                  "resolution_hours"]
FUZZ_SETTINGS = settings(deadline=None, database=None, print_blob=False,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.filter_too_much,
                                                HealthCheck.large_base_example])


# ------------------------------------------------------------------ what exists


def proto_modules() -> list:
    """Every generated `*_pb2` module under proto/ticketdesk (one per .proto file)."""
    return [importlib.import_module(".".join(p.relative_to(PROTO).with_suffix("").parts))
            for p in sorted(PROTO.glob("ticketdesk/*/v1/*_pb2.py"))]


def all_methods() -> list[d.MethodDescriptor]:
    return [method for module in proto_modules()
            for service in module.DESCRIPTOR.services_by_name.values()
            for method in service.methods]


def declared_rpc_count() -> int:
    """The `rpc` lines of the .proto sources, counted independently of the descriptors."""
    return sum(len(re.findall(r"^\s*rpc\s+\w+\s*\(", p.read_text(), re.MULTILINE))
               for p in PROTO.glob("ticketdesk/**/*.proto"))


def service_of(method: d.MethodDescriptor) -> str:
    return method.containing_service.full_name.split(".")[1]  # ticketdesk.<service>.v1


def path_of(method: d.MethodDescriptor) -> str:
    return f"/{method.containing_service.full_name}/{method.name}"


def is_internal(method: d.MethodDescriptor) -> bool:
    return method.containing_service.full_name in INTERNAL_SERVICES


# ------------------------------------------------------------------ the set-up


async def relay(port: int, source: str) -> asyncio.Server:
    """A TCP relay to 127.0.0.1:`port` whose connections come from `source` (127.x.y.z)."""
    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def serve(reader, writer) -> None:
        try:
            upstream = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, upstream[1]), pipe(upstream[0], writer))

    return await asyncio.start_server(serve, "127.0.0.1", 0)


@dataclass
class Caller:
    role: str
    metadata: Metadata
    known: strategies.Known
    fresh: Callable[[], Awaitable[Metadata]] | None = None  # a new session, same kind


@dataclass
class Fuzz:
    world: World
    channels: dict[str, grpc.aio.Channel]
    callers: list[Caller]
    tally: collections.Counter = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)  # one per failing (caller, method)
    fuzzed: set[tuple[str, str]] = field(default_factory=set)  # (caller, method) with examples

    @property
    def stack(self) -> Stack:
        return self.world.stack


def names_of(side: Side) -> list[str]:
    return [side.org, side.site, side.ticket.name, side.comment.name, side.file.name,
            side.client_user.name, side.contact.name, side.contact_session]


@pytest.fixture(scope="module")
async def fuzz(world: World):
    stack = world.stack
    c = await new_side(stack)  # organization C: what staff and the service may wreck
    source = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
    auth_relay = await relay(stack.servers["auth"].port, source)
    relay_port = auth_relay.sockets[0].getsockname()[1]
    channels = {"auth": open_channel(f"127.0.0.1:{relay_port}"),
                "tickets": open_channel(stack.settings.tickets_target),
                "files": open_channel(stack.settings.files_target)}
    missing = list(world.missing.values())
    client_known = strategies.Known(
        names=names_of(world.a) + names_of(world.b) + names_of(c) + missing
        + [world.note.name, world.note_file.name],
        emails=[world.a.contact.email, world.b.contact.email, c.contact.email])
    staff_known = strategies.Known(names=names_of(c) + missing, emails=[c.contact.email],
                                   big_numbers_only=True)

    async def person(role: int, organization: str = "") -> Metadata:
        return await stack.login((await stack.new_user(role, organization, name="fuzz")).email)

    callers = [
        Caller("client", world.a.client, client_known,
               lambda: person(auth_pb2.ROLE_CLIENT, world.a.org)),
        Caller("developer", await person(auth_pb2.ROLE_DEVELOPER), staff_known,
               lambda: person(auth_pb2.ROLE_DEVELOPER)),
        Caller("service", stack.service, staff_known),
    ]
    running = Fuzz(world, channels, callers)
    await assert_signed_in(running, callers[0])  # the relay works
    yield running
    for ch in channels.values():
        await ch.close()
    auth_relay.close()


# ------------------------------------------------------------------ sending anything


async def send(fuzz: Fuzz, method: d.MethodDescriptor, request, metadata: Metadata,
               ) -> tuple[grpc.StatusCode, str, str]:
    """One call of `method` with `request` (a message or raw bytes; a list of them for a
    client stream), read to its end: (status code, details, ErrorInfo reason).
    UNAVAILABLE is retried."""
    channel = fuzz.channels[service_of(method)]
    serialize = None if isinstance(request, bytes) or (
        isinstance(request, list) and request and isinstance(request[0], bytes)) \
        else (lambda m: m.SerializeToString())
    path, options = path_of(method), {"metadata": metadata, "timeout": DEADLINE}
    for attempt in range(5):
        try:
            if method.client_streaming:
                await channel.stream_unary(path, request_serializer=serialize)(
                    _stream(request), **options)
            elif method.server_streaming and method.name in WATCHES:
                try:
                    async for _ in channel.unary_stream(path, request_serializer=serialize)(
                            request, metadata=metadata, timeout=WATCH_SECONDS):
                        pass
                except grpc.aio.AioRpcError as error:
                    if error.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
                        raise
            elif method.server_streaming:
                async for _ in channel.unary_stream(path, request_serializer=serialize)(
                        request, **options):
                    pass
            else:
                await channel.unary_unary(path, request_serializer=serialize)(request, **options)
            return grpc.StatusCode.OK, "", ""
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.UNAVAILABLE and attempt < 4:
                await asyncio.sleep(0.5)
                continue
            return error.code(), error.details() or "", problem_of(error).reason
    raise AssertionError("unreachable")


def shorter(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


async def _stream(items):
    for item in items:
        yield item


def run_examples(loop: asyncio.AbstractEventLoop, strategy: SearchStrategy, examples: int,
                 check: Callable[[object], Awaitable[None]]) -> None:
    """Hypothesis in this (worker) thread; each example's calls on the servers' loop."""
    @settings(FUZZ_SETTINGS, max_examples=examples)
    @given(strategy)
    def example(request) -> None:
        asyncio.run_coroutine_threadsafe(check(request), loop).result(timeout=300)

    example()


async def fuzz_method(fuzz: Fuzz, method: d.MethodDescriptor, caller: Caller,
                      strategy: SearchStrategy, examples: int, what: str) -> None:
    fresh = caller.fresh and method.name in SESSION_ENDING
    metadata = await caller.fresh() if fresh else caller.metadata

    refused = is_internal(method) and caller.role != "service"

    async def check(request) -> None:
        code, details, reason = await send(fuzz, method, request, metadata)
        fuzz.tally[code.name] += 1
        fuzz.tally[what] += 1
        fuzz.fuzzed.add((caller.role, path_of(method)))
        assert code not in FORBIDDEN, (f"{caller.role} → {method.full_name}: {code.name} "
                                       f"{shorter(details)}\nrequest: {shorter(repr(request))}")
        if refused:
            fuzz.tally[SERVICE_ONLY_TALLY] += 1
            assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "SERVICE_ONLY"), (
                f"{caller.role} → {method.full_name} (internal): {code.name} {reason} "
                f"{shorter(details)}\nrequest: {shorter(repr(request))}")

    try:
        await asyncio.to_thread(run_examples, asyncio.get_running_loop(), strategy, examples,
                                check)
    except Exception as failure:  # the other methods are still fuzzed, then reported
        fuzz.failures.append(str(failure).split("\nassert ")[0])


def request_strategy(method: d.MethodDescriptor, known: strategies.Known) -> SearchStrategy:
    one = strategies.requests(method.input_type, known)
    return st.lists(one, max_size=4) if method.client_streaming else one


def raw_strategy(method: d.MethodDescriptor, known: strategies.Known) -> SearchStrategy:
    one = strategies.raw_requests(method.input_type, known)
    return st.lists(one, min_size=1, max_size=3) if method.client_streaming else one


# ------------------------------------------------------------------ what must hold


async def organization_b(stack: Stack, b: Side) -> dict[str, str]:
    """B as the service sees it: organization, tickets with comments, history and files,
    sites, users with their sessions, API tokens."""
    auth, tickets, files, service = (stack.clients.auth, stack.clients.tickets,
                                     stack.clients.files, stack.service)
    seen: dict[str, Message] = {
        "organization": await auth.GetOrganization(auth_pb2.GetOrganizationRequest(name=b.org),
                                                   metadata=service),
        "sites": await tickets.ListSites(tickets_pb2.ListSitesRequest(
            parent=b.org, show_inactive=True, page_size=100), metadata=service),
        "users": await auth.ListUsers(auth_pb2.ListUsersRequest(
            organization=b.org, show_inactive=True, page_size=100), metadata=service),
        "tickets": await tickets.ListTickets(tickets_pb2.ListTicketsRequest(
            organization=b.org, page_size=100), metadata=service),
    }
    for user in seen["users"].users:
        seen[f"sessions {user.name}"] = await auth.ListSessions(
            auth_pb2.ListSessionsRequest(parent=user.name, page_size=100), metadata=service)
    tokens = await auth.ListApiTokens(auth_pb2.ListApiTokensRequest(page_size=1000),
                                      metadata=service)
    seen["api tokens"] = [t for t in tokens.api_tokens if t.organization == b.org]
    for ticket in seen["tickets"].tickets:
        for name, call, request in (
                ("comments", tickets.ListComments, tickets_pb2.ListCommentsRequest),
                ("history", tickets.ListTicketHistory, tickets_pb2.ListTicketHistoryRequest),
                ("files", files.ListFiles, files_pb2.ListFilesRequest)):
            seen[f"{name} {ticket.name}"] = await call(request(parent=ticket.name, page_size=100),
                                                       metadata=service)
    return {key: str(value) for key, value in seen.items()}


async def assert_b_unchanged(fuzz: Fuzz, before: dict[str, str], after_whom: str) -> None:
    after = await organization_b(fuzz.stack, fuzz.world.b)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert not changed, (f"organization B changed after {after_whom}'s fuzzing: {changed}\n"
                         + "\n".join(f"{k}:\n{before.get(k)}\n→\n{after.get(k)}"
                                     for k in sorted(changed)))


async def assert_signed_in(fuzz: Fuzz, caller: Caller) -> None:
    """The caller's session still works: its requests were not refused wholesale."""
    code, details, _ = await send(fuzz, auth_pb2.DESCRIPTOR.services_by_name["AuthService"]
                               .methods_by_name["WhoAmI"], auth_pb2.WhoAmIRequest(),
                               caller.metadata)
    assert code == grpc.StatusCode.OK, f"{caller.role} is no longer signed in: {details}"


async def assert_serving(fuzz: Fuzz) -> None:
    for name, ch in fuzz.channels.items():
        answer = await health_pb2_grpc.HealthStub(ch).Check(
            health_pb2.HealthCheckRequest(service=""), timeout=DEADLINE)
        assert answer.status == health_pb2.HealthCheckResponse.SERVING, name


async def studio_settings(stack: Stack) -> tickets_pb2.StudioSettings:
    return await stack.clients.tickets.GetStudioSettings(
        tickets_pb2.GetStudioSettingsRequest(name="studioSettings"), metadata=stack.service)


async def restore_studio_settings(stack: Stack, original: tickets_pb2.StudioSettings) -> None:
    """The service may change the studio's settings; the tests after this one expect them."""
    await stack.clients.tickets.UpdateStudioSettings(tickets_pb2.UpdateStudioSettingsRequest(
        settings=original, update_mask=FieldMask(paths=SETTINGS_PATHS)), metadata=stack.service)
    now = await studio_settings(stack)
    now.ClearField("update_time")
    expected = tickets_pb2.StudioSettings()
    expected.CopyFrom(original)
    expected.ClearField("update_time")
    assert now == expected, "the studio's settings could not be restored"


def backend(fuzz: Fuzz) -> str:
    return "postgres" if fuzz.stack.settings.auth_database_url else "sqlite"


# ------------------------------------------------------------------ the tests


def test_every_rpc_of_every_service_is_fuzzed():
    """The fuzzed methods come from the descriptors; their number is that of the `rpc`
    declarations in the .proto sources, so no service or method is left out."""
    methods = all_methods()
    assert len({path_of(m) for m in methods}) == len(methods) == declared_rpc_count()
    assert {service_of(m) for m in methods} == {"auth", "tickets", "files"}
    assert {m.containing_service.full_name for m in methods} == \
        PUBLIC_SERVICES | INTERNAL_SERVICES
    assert {AUTH_INTERNAL, TICKETS_INTERNAL} == INTERNAL_SERVICES  # what the servers guard
    assert {path_of(m) for m in methods if is_internal(m)} >= {
        "/ticketdesk.auth.v1.AuthInternalService/Authenticate",
        "/ticketdesk.tickets.v1.TicketInternalService/RecordTransition",
        "/ticketdesk.tickets.v1.TicketInternalService/RecordSlaEvent",
        "/ticketdesk.tickets.v1.TicketInternalService/DeliverNotifications",
        "/ticketdesk.tickets.v1.TicketInternalService/MarkNotificationsEmailed"}


async def test_generated_requests_never_break_a_service(fuzz: Fuzz):
    """Any field values, from a client, a developer and the service: never UNKNOWN,
    INTERNAL or a hang; the servers stay SERVING; organization B is unchanged."""
    methods, before = all_methods(), await organization_b(fuzz.stack, fuzz.world.b)
    settings_before = await studio_settings(fuzz.stack)
    try:
        for caller in fuzz.callers:
            for method in methods:
                await fuzz_method(fuzz, method, caller, request_strategy(method, caller.known),
                                  GENERATED_PER_METHOD, "generated")
            await assert_b_unchanged(fuzz, before, caller.role)
            await assert_signed_in(fuzz, caller)
    finally:
        await restore_studio_settings(fuzz.stack, settings_before)
    assert not fuzz.failures, "\n\n".join(fuzz.failures)
    await assert_serving(fuzz)
    codes = ", ".join(f"{c} {n}" for c, n in sorted(fuzz.tally.items())
                      if c not in ("generated", "raw", SERVICE_ONLY_TALLY))
    assert len(fuzz.fuzzed) == declared_rpc_count() * len(fuzz.callers)
    summary.report(f"bad input ({backend(fuzz)}): {len(methods)} RPCs × {len(fuzz.callers)} "
                   f"callers, {fuzz.tally['generated']:,} generated requests; "
                   "INTERNAL/UNKNOWN/hang 0; internal methods called by the client and the "
                   f"developer {fuzz.tally[SERVICE_ONLY_TALLY]:,} times, refused (SERVICE_ONLY) "
                   f"every time; servers SERVING; organization B unchanged ({codes})")


async def test_arbitrary_bytes_never_break_a_service(fuzz: Fuzz):
    """Bytes that are not a valid request (random, truncated, corrupted encodings), from a
    client and the service: never UNKNOWN, INTERNAL or a hang; servers SERVING; B unchanged."""
    methods, before = all_methods(), await organization_b(fuzz.stack, fuzz.world.b)
    fuzz.tally.clear()
    fuzz.failures.clear()
    fuzz.fuzzed.clear()
    settings_before = await studio_settings(fuzz.stack)
    callers = [c for c in fuzz.callers if c.role in ("client", "service")]
    try:
        for caller in callers:
            for method in methods:
                await fuzz_method(fuzz, method, caller, raw_strategy(method, caller.known),
                                  RAW_PER_METHOD, "raw")
    finally:
        await restore_studio_settings(fuzz.stack, settings_before)
    assert not fuzz.failures, "\n\n".join(fuzz.failures)
    await assert_b_unchanged(fuzz, before, "the raw bytes")
    await assert_serving(fuzz)
    codes = ", ".join(f"{c} {n}" for c, n in sorted(fuzz.tally.items())
                      if c not in ("raw", SERVICE_ONLY_TALLY))
    assert len(fuzz.fuzzed) == declared_rpc_count() * len(callers)
    summary.report(f"bad bytes ({backend(fuzz)}): {len(methods)} RPCs × {len(callers)} callers, "
                   f"{fuzz.tally['raw']:,} raw byte strings; INTERNAL/UNKNOWN/hang 0; "
                   f"internal methods called by the client {fuzz.tally[SERVICE_ONLY_TALLY]:,} "
                   "times, refused (SERVICE_ONLY) every time; "
                   f"servers SERVING; organization B unchanged ({codes})")
