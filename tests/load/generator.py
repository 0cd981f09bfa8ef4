"""An asyncio load generator on loopback: simulated clients and developers use the gRPC
APIs as the web UI does, with small think times. Every call is timed; every failure is
kept, except the refusals the API asks to retry, which are retried and counted
(see `retried`)."""

from __future__ import annotations

import asyncio
import math
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import grpc
from google.protobuf.field_mask_pb2 import FieldMask

from services.common.client.channels import Clients, bearer
from services.common.client.errors import error_details
from tests.support.stack import PASSWORD
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

Metadata = tuple[tuple[str, str], ...]
CALL_TIMEOUT = 30.0
# Think times in seconds: a person reads a page or types; small, never zero.
CLIENT_THINK = (0.5, 1.5)
DEVELOPER_THINK = (0.2, 0.8)
# A client creates a ticket in this share of its rounds, comments in this share of the
# cards it opens, and attaches a file to this share of its new tickets.
CREATE_SHARE, COMMENT_SHARE, ATTACH_SHARE = 0.03, 0.3, 0.3
WAITING = [pb.STATUS_NEEDS_INFO, pb.STATUS_AWAITING_ACCEPTANCE]
RAMP_UP = 3.0  # seconds over which the people arrive
RETRY_PAUSE = 0.5
RETRIES = 10


@dataclass
class Person:
    email: str
    user: str  # users/{id}
    organization: str = ""
    metadata: Metadata = ()


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    done: Counter = field(default_factory=Counter)  # business actions that succeeded
    retries: Counter = field(default_factory=Counter)  # by kind, see `retried`

    def record(self, name: str, seconds: float) -> None:
        self.latencies[name].append(seconds)

    @property
    def calls(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def p99_ms(self, name: str) -> int:
        values = sorted(self.latencies[name])
        return round(values[min(len(values) - 1, int(len(values) * 0.99))] * 1000)


class Load:
    """Shared by every simulated person: the channels, the clock and the statistics.
    The run lasts `seconds` from the moment the last of the `people` has signed in."""

    def __init__(self, clients: Clients, seconds: float, people: int):
        self.clients, self.stats, self.seconds = clients, Stats(), seconds
        self.arriving, self.deadline = people, math.inf
        self.everyone_in = asyncio.Event()

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def arrived(self) -> None:
        self.arriving -= 1
        if self.arriving == 0:
            self.deadline = time.monotonic() + self.seconds
            self.everyone_in.set()

    async def call(self, name: str, invoke, *, answered: bool = False):
        """One API call, timed; None when it failed (the failure is kept). The refusals
        the API asks to retry (`retried`) are retried with the same request and counted."""
        for _ in range(RETRIES):
            started = time.perf_counter()
            try:
                answer = await invoke()
            except grpc.aio.AioRpcError as error:
                self.stats.record(name, time.perf_counter() - started)
                kind = retried(name, error, answered)
                if kind is None:
                    self.stats.errors.append(f"{name}: {error.code().name} {error.details()}")
                    return None
                self.stats.retries[kind] += 1
                await asyncio.sleep(RETRY_PAUSE)
                continue
            self.stats.record(name, time.perf_counter() - started)
            return answer
        self.stats.errors.append(f"{name}: still refused after {RETRIES} tries")
        return None

    async def login(self, person: Person) -> bool:
        answer = await self.call("Login", lambda: self.clients.auth.Login(
            auth_pb2.LoginRequest(email=person.email, password=PASSWORD),
            timeout=CALL_TIMEOUT))
        self.arrived()  # signed in or failed (an error): the run does not wait for them
        if answer is not None:
            person.metadata = bearer(answer.session_token)
        return answer is not None

    async def open_card(self, person: Person, name: str) -> pb.Ticket | None:
        """What the ticket card shows: the ticket, its comments, history and files."""
        tickets, meta = self.clients.tickets, person.metadata
        ticket = await self.call("GetTicket", lambda: tickets.GetTicket(
            pb.GetTicketRequest(name=name), metadata=meta, timeout=CALL_TIMEOUT))
        await self.call("ListComments", lambda: tickets.ListComments(
            pb.ListCommentsRequest(parent=name), metadata=meta, timeout=CALL_TIMEOUT))
        await self.call("ListTicketHistory", lambda: tickets.ListTicketHistory(
            pb.ListTicketHistoryRequest(parent=name), metadata=meta, timeout=CALL_TIMEOUT))
        await self.call("ListFiles", lambda: self.clients.files.ListFiles(
            files_pb2.ListFilesRequest(parent=name, page_size=50), metadata=meta,
            timeout=CALL_TIMEOUT))
        return ticket

    async def list(self, person: Person, **filters) -> pb.ListTicketsResponse | None:
        return await self.call("ListTickets", lambda: self.clients.tickets.ListTickets(
            pb.ListTicketsRequest(page_size=25, **filters), metadata=person.metadata,
            timeout=CALL_TIMEOUT))

    async def comment(self, person: Person, name: str, body: str) -> bool:
        comment = pb.Comment(body=body, visibility=pb.VISIBILITY_PUBLIC)
        answer = await self.call("AddComment", lambda: self.clients.tickets.AddComment(
            pb.AddCommentRequest(parent=name, comment=comment, request_id=uuid.uuid4().hex),
            metadata=person.metadata, timeout=CALL_TIMEOUT))
        return answer is not None

    async def transition(self, person: Person, name: str, action: int, text: str = "",
                         rating: int = 0, answered: bool = False) -> bool:
        request = pb.TransitionTicketRequest(name=name, action=action, text=text,
                                             rating=rating, request_id=uuid.uuid4().hex)
        answer = await self.call("TransitionTicket", lambda: self.clients.tickets.
                                 TransitionTicket(request, metadata=person.metadata,
                                                  timeout=CALL_TIMEOUT), answered=answered)
        if answer is not None:
            self.stats.done[pb.Action.Name(action)] += 1
        return answer is not None


def retried(name: str, error: grpc.aio.AioRpcError, answered: bool) -> str | None:
    """Which documented «retry» this failure is, or None when it is an error.

    * ABORTED: another change of the ticket is in progress (TransitionTicket's contract);
    * UNAVAILABLE of a transition: its workflow did not answer within the service's
      bound (the update is idempotent by request_id, so the retry cannot apply it twice);
    * FAILED_PRECONDITION of a developer's first move after a client's answer
      (`answered`): the answer is stored before the ticket's workflow has taken it in,
      so for a moment the card is ahead of the workflow."""
    code = error.code()
    if code == grpc.StatusCode.ABORTED:
        return "ABORTED"
    if code == grpc.StatusCode.UNAVAILABLE and name == "TransitionTicket":
        return "slow transition"
    if (code == grpc.StatusCode.FAILED_PRECONDITION and answered
            and error_details(error)[0] == "INVALID_TRANSITION"):
        return "answer race"
    return None


async def think(rng: random.Random, span: tuple[float, float]) -> None:
    await asyncio.sleep(rng.uniform(*span))


# ---------------------------------------------------------------------- clients


async def client(load: Load, me: Person, rng: random.Random) -> None:
    """Browses the organization's list, opens cards, comments, sometimes creates a
    ticket; answers and accepts its own tickets that wait for it."""
    if not await load.login(me):
        return
    while load.running():
        page = await load.list(me)
        if page is not None:
            await client_round(load, me, rng, page)
        await think(rng, CLIENT_THINK)


async def client_round(load: Load, me: Person, rng: random.Random,
                       page: pb.ListTicketsResponse) -> None:
    waiting = sum(c.count for c in page.status_counts if c.status in WAITING)
    mine = []
    if waiting:  # the highlighted counts: the tickets that wait for the client
        filtered = await load.list(me, statuses=WAITING)
        mine = [t for t in filtered.tickets if t.creator == me.user] if filtered else []
    if mine:
        await reply(load, me, rng, rng.choice(mine))
    elif rng.random() < CREATE_SHARE or not page.tickets:
        await create(load, me, rng)
    else:
        ticket = await load.open_card(me, rng.choice(page.tickets).name)
        if ticket is not None and rng.random() < COMMENT_SHARE:
            if await load.comment(me, ticket.name, "Уточните, пожалуйста, сроки."):
                load.stats.done["client comment"] += 1


async def reply(load: Load, me: Person, rng: random.Random, ticket: pb.Ticket) -> None:
    await load.open_card(me, ticket.name)
    if ticket.status == pb.STATUS_NEEDS_INFO:
        if await load.comment(me, ticket.name, "Отвечаем: баннер в приложении к тикету."):
            load.stats.done["answer"] += 1
    else:
        await load.transition(me, ticket.name, pb.ACTION_ACCEPT, rating=rng.randint(1, 5))


async def create(load: Load, me: Person, rng: random.Random) -> None:
    ticket = pb.Ticket(title=f"Поменять баннер {rng.randint(1, 999)}",
                       description="Нужно заменить баннер на https://example.test/",
                       priority=rng.choice([pb.PRIORITY_LOW, pb.PRIORITY_NORMAL,
                                            pb.PRIORITY_HIGH]))
    request = pb.CreateTicketRequest(ticket=ticket, request_id=uuid.uuid4().hex)
    created = await load.call("CreateTicket", lambda: load.clients.tickets.CreateTicket(
        request, metadata=me.metadata, timeout=CALL_TIMEOUT))
    if created is None:
        return
    load.stats.done["created"] += 1
    if rng.random() < ATTACH_SHARE:
        await attach(load, me, created.name)
    await load.open_card(me, created.name)


async def attach(load: Load, me: Person, ticket: str) -> None:
    data = ("Текст для баннера: «Скидки до 30 %».\n" * 200).encode()

    async def parts():
        yield files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(
            ticket=ticket, display_name="баннер.txt", declared_size=len(data),
            declared_content_type="text/plain", request_id=uuid.uuid4().hex))
        for start in range(0, len(data), 4096):
            yield files_pb2.UploadFileRequest(chunk=data[start:start + 4096])

    uploaded = await load.call("UploadFile", lambda: load.clients.files.UploadFile(
        parts(), metadata=me.metadata, timeout=CALL_TIMEOUT))
    if uploaded is not None:
        load.stats.done["uploaded"] += 1


# ------------------------------------------------------------------- developers


@dataclass
class Desk:
    """A developer's own view: its share of the queue and the tickets it asked about."""

    index: int
    of: int
    asked: set[str] = field(default_factory=set)

    def takes(self, ticket: pb.Ticket) -> bool:
        # Each queued ticket belongs to one developer's share: two never race to take it.
        return not ticket.assignee and ticket.number % self.of == self.index


async def developer(load: Load, me: Person, desk: Desk, rng: random.Random) -> None:
    """Works its tickets: takes one from the queue, starts it, asks the client once,
    then submits it for acceptance."""
    if not await load.login(me):
        return
    while load.running():
        ticket = await next_ticket(load, me, desk)
        if ticket is not None:
            await work_on(load, me, desk, rng, ticket)
        await think(rng, DEVELOPER_THINK)


async def next_ticket(load: Load, me: Person, desk: Desk) -> pb.Ticket | None:
    mine = await load.list(me, assignee=me.user, order_by="update_time",
                           statuses=[pb.STATUS_QUEUED, pb.STATUS_IN_PROGRESS])
    if mine is None:
        return None
    if mine.tickets:
        return mine.tickets[0]
    queue = await load.list(me, statuses=[pb.STATUS_QUEUED], order_by="create_time")
    free = [t for t in queue.tickets if desk.takes(t)] if queue else []
    if not free:
        return None
    take = pb.UpdateTicketRequest(ticket=pb.Ticket(name=free[0].name, assignee=me.user),
                                  update_mask=FieldMask(paths=["assignee"]))
    taken = await load.call("UpdateTicket", lambda: load.clients.tickets.UpdateTicket(
        take, metadata=me.metadata, timeout=CALL_TIMEOUT))
    return taken


async def work_on(load: Load, me: Person, desk: Desk, rng: random.Random,
                  ticket: pb.Ticket) -> None:
    card = await load.open_card(me, ticket.name)
    if card is None:
        return
    await think(rng, DEVELOPER_THINK)
    name = card.name
    if card.status == pb.STATUS_QUEUED:
        await load.transition(me, name, pb.ACTION_START_WORK)
    elif name not in desk.asked:
        if await load.transition(me, name, pb.ACTION_ASK_CLARIFICATION,
                                 text="Пришлите, пожалуйста, текст баннера."):
            desk.asked.add(name)
    else:
        await load.transition(me, name, pb.ACTION_SUBMIT_FOR_ACCEPTANCE,
                              text="Баннер заменён, проверьте.", answered=True)


async def run(load: Load, customers: list[Person], developers: list[Person],
              seed: int = 9) -> Stats:
    """Every simulated person at once; each ends its round after the run, then stops.
    They arrive over the first few seconds, as people do (a login hashes a password)."""

    async def arriving(rng: random.Random, person) -> None:
        await asyncio.sleep(rng.uniform(0, RAMP_UP))
        await person

    rngs = [random.Random(seed + i) for i in range(len(customers) + len(developers))]
    people = [client(load, p, rngs[i]) for i, p in enumerate(customers)]
    people += [developer(load, p, Desk(i, len(developers)), rngs[len(customers) + i])
               for i, p in enumerate(developers)]
    await asyncio.gather(*(arriving(rng, p) for rng, p in zip(rngs, people, strict=True)))
    return load.stats
