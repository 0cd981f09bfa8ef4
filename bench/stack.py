"""Scenario 8: the whole `make run` stack under a load of people.

`ticketdesk dev` as users run it (Temporal, auth, tickets, files, the worker and the web
UI, each its own process) with its demo data. The demo manager creates organizations
(a site each), their clients and developers through the admin APIs; each person logs in,
chooses its own password as a new account must, and acts through the gRPC APIs with its
session token and a think time of 0.2–1 s between calls: clients list their tickets,
open one, create, comment and accept work; developers list the queue, take tickets into
work, comment and submit them for acceptance. A closed loop: the rates are what these
people ask for, not the system's capacity.

Reported: p50/p99 and counts per call (a conflict, ABORTED or FAILED_PRECONDITION when
another person moved the ticket first, is an answer; anything else is an error), the
tickets created per second next to the bare Temporal server's raw start_workflow and
execute_update rates (a worker for the baseline queue in this process, on the same
server, half before the load and half after it), and each process's share of a core."""

from __future__ import annotations

import asyncio
import math
import os
import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from temporalio.client import Client
from temporalio.worker import Worker

from bench.baseline import BASELINE_QUEUE, Counter, Trivial
from bench.processes import (alive, cpu_shares, cpu_snapshot, drain, max_backlog, raw_rates,
                             ticketdesk_dev)
from bench.sizes import Sizes
from bench.stats import Figures, compare, merged
from cli.demo import login as demo_login
from cli.dev import StartupError, temporal_binary
from services.common.client.channels import bearer, channel
from services.common.client.errors import problem_of
from services.common.platform.config import Settings
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ticketdesk.tickets.v1 import tickets_pb2_grpc

SCENARIO = "8 Stack"
PASSWORD = "load-test-password-8"
OWN_PASSWORD = "my-own-load-password-8"
THINK = (0.2, 1.0)  # seconds between one person's calls
CALL_TIMEOUT = 30.0
CLIENTS_PER_ORGANIZATION = 5
SETUP_CONCURRENCY = 4  # password hashing in the auth process is bounded anyway
RAW_CALLERS = 16  # as scenario 1
DRAIN_SECONDS = 120.0
# What a person meets when another changed the ticket first: answered, not an error.
CONFLICTS = {grpc.StatusCode.ABORTED, grpc.StatusCode.FAILED_PRECONDITION}
TICKETS_QUEUE = Settings.model_fields["task_queue"].default  # the worker's, in `make run`
Metadata = tuple[tuple[str, str], ...]


@dataclass
class Person:
    user: auth_pb2.User
    me: Metadata
    site: str = ""


@dataclass
class Calls:
    """Every call of the load: latencies of the answered ones, conflicts and errors."""

    api: tickets_pb2_grpc.TicketServiceStub
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    conflicts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    async def __call__(self, key: str, method: str, request, person: Person):
        """The answer, or None when the call was refused (a conflict) or failed."""
        started = time.perf_counter()
        try:
            answer = await getattr(self.api, method)(request, metadata=person.me,
                                                      timeout=CALL_TIMEOUT)
        except grpc.aio.AioRpcError as error:
            if error.code() not in CONFLICTS:
                problem = problem_of(error)
                self.errors[key].append(f"{problem.code.name} {problem.reason}: "
                                        f"{problem.message[:200]}")
                return None
            self.conflicts[key] += 1
            answer = None
        self.samples[key].append(time.perf_counter() - started)
        return answer


async def people(auth: auth_pb2_grpc.AuthServiceStub, api: tickets_pb2_grpc.TicketServiceStub,
                 clients: int, developers: int) -> tuple[list[Person], list[Person]]:
    """New organizations (a site each, CLIENTS_PER_ORGANIZATION clients) and developers,
    created by the demo manager; every one of them logged in."""
    manager_login = demo_login("manager")
    manager = bearer((await auth.Login(auth_pb2.LoginRequest(
        email=manager_login.email, password=manager_login.password))).session_token)
    run, gate = uuid.uuid4().hex[:6], asyncio.Semaphore(SETUP_CONCURRENCY)
    sites: list[tuple[str, str]] = []
    for i in range(math.ceil(clients / CLIENTS_PER_ORGANIZATION)):
        org = await auth.CreateOrganization(auth_pb2.CreateOrganizationRequest(
            organization=auth_pb2.Organization(display_name=f"Нагрузка {run} {i + 1}")),
            metadata=manager)
        site = await api.CreateSite(pb.CreateSiteRequest(parent=org.name, site=pb.Site(
            url=f"https://load{i + 1}-{run}.example.com", display_name=f"Сайт {i + 1}")),
            metadata=manager)
        sites.append((org.name, site.name))

    async def person(role: int, email: str, organization: str = "", site: str = "") -> Person:
        async with gate:
            await auth.CreateUser(auth_pb2.CreateUserRequest(
                user=auth_pb2.User(email=email, full_name=email.split("@")[0], role=role,
                                   organization=organization, phone="+7 900 000-00-00",
                                   language="ru"),
                initial_password=PASSWORD), metadata=manager)
            session = await auth.Login(auth_pb2.LoginRequest(email=email, password=PASSWORD))
            # As a new account does first: its own password, and with it a fresh session.
            changed = await auth.ChangePassword(auth_pb2.ChangePasswordRequest(
                current_password=PASSWORD, new_password=OWN_PASSWORD),
                metadata=bearer(session.session_token))
        return Person(session.user, bearer(changed.session_token), site)

    made_clients = await asyncio.gather(*(
        person(auth_pb2.ROLE_CLIENT, f"client{i + 1}-{run}@load.example.com",
               *sites[i // CLIENTS_PER_ORGANIZATION]) for i in range(clients)))
    made_developers = await asyncio.gather(*(
        person(auth_pb2.ROLE_DEVELOPER, f"developer{i + 1}-{run}@studio.example.com")
        for i in range(developers)))
    return list(made_clients), list(made_developers)


async def new_ticket(calls: Calls, person: Person, rng: random.Random) -> pb.Ticket | None:
    return await calls("client: CreateTicket", "CreateTicket", pb.CreateTicketRequest(
        ticket=pb.Ticket(title=f"Поправить страницу {rng.randrange(1000)}", site=person.site,
                         description="На странице контактов съехала вёрстка, поправьте."),
        request_id=uuid.uuid4().hex), person)


async def client_life(person: Person, calls: Calls, until: float, rng: random.Random) -> None:
    """A client: mostly lists and opens its tickets; creates, comments, accepts."""
    mine: list[str] = []  # open tickets of the organization, from the last list
    awaiting: list[str] = []
    while time.monotonic() < until:
        await asyncio.sleep(rng.uniform(*THINK))
        roll = rng.random()
        if awaiting and roll < 0.4:
            await calls("client: TransitionTicket accept", "TransitionTicket",
                        pb.TransitionTicketRequest(
                            name=awaiting.pop(), action=pb.ACTION_ACCEPT, rating=5,
                            expected_status=pb.STATUS_AWAITING_ACCEPTANCE,
                            request_id=uuid.uuid4().hex), person)
        elif roll < 0.15 or not mine:
            if (ticket := await new_ticket(calls, person, rng)) is not None:
                mine.append(ticket.name)
        elif roll < 0.5:
            listed = await calls("client: ListTickets", "ListTickets",
                                 pb.ListTicketsRequest(page_size=50), person)
            if listed is not None:
                mine = [t.name for t in listed.tickets if t.status < pb.STATUS_DONE]
                awaiting = [t.name for t in listed.tickets
                            if t.status == pb.STATUS_AWAITING_ACCEPTANCE]
        elif roll < 0.8:
            name = rng.choice(mine)  # opening the card: the ticket and its comments
            await calls("client: GetTicket", "GetTicket", pb.GetTicketRequest(name=name),
                        person)
            await calls("client: ListComments", "ListComments",
                        pb.ListCommentsRequest(parent=name, page_size=100), person)
        else:
            await calls("client: AddComment", "AddComment", pb.AddCommentRequest(
                parent=rng.choice(mine), comment=pb.Comment(body="Уточнение: и на мобильных."),
                request_id=uuid.uuid4().hex), person)


async def developer_life(person: Person, calls: Calls, until: float,
                         rng: random.Random) -> None:
    """A developer: lists the queue, takes tickets into work (up to 3 at a time),
    comments on them and submits them for acceptance."""
    queue: list[str] = []
    held: list[str] = []
    while time.monotonic() < until:
        await asyncio.sleep(rng.uniform(*THINK))
        roll = rng.random()
        if roll < 0.3 or not (queue or held):
            listed = await calls("developer: ListTickets (queue)", "ListTickets",
                                 pb.ListTicketsRequest(
                                     page_size=50, statuses=[pb.STATUS_QUEUED],
                                     unassigned_only=True, order_by="sla_due_time"), person)
            queue = [t.name for t in listed.tickets] if listed is not None else queue
        elif queue and len(held) < 3 and roll < 0.55:
            # Among the first few, as people do: now and then two take the same one.
            name = queue.pop(rng.randrange(min(5, len(queue))))
            taken = await calls("developer: TransitionTicket start_work", "TransitionTicket",
                                pb.TransitionTicketRequest(
                                    name=name, action=pb.ACTION_START_WORK,
                                    expected_status=pb.STATUS_QUEUED,
                                    request_id=uuid.uuid4().hex), person)
            if taken is not None and taken.assignee == person.user.name:
                held.append(name)
        elif held and roll < 0.8:
            await calls("developer: AddComment", "AddComment", pb.AddCommentRequest(
                parent=rng.choice(held), comment=pb.Comment(body="Смотрю, скоро поправлю."),
                request_id=uuid.uuid4().hex), person)
        elif held:
            await calls("developer: TransitionTicket submit", "TransitionTicket",
                        pb.TransitionTicketRequest(
                            name=held.pop(0), action=pb.ACTION_SUBMIT_FOR_ACCEPTANCE,
                            text="Готово: вёрстка поправлена, проверьте.",
                            expected_status=pb.STATUS_IN_PROGRESS,
                            request_id=uuid.uuid4().hex), person)


def unavailable() -> str | None:
    """Why the stack cannot start here, or None."""
    try:
        temporal_binary()
    except StartupError as error:
        return str(error)
    return None


async def run(sizes: Sizes, data_dir: Path) -> list[dict]:
    clock = time.monotonic()
    async with ticketdesk_dev(data_dir) as (ports, processes):
        print(f"  stack: ticketdesk dev up in {time.monotonic() - clock:.0f} s", flush=True)
        auth_channel = channel(f"127.0.0.1:{ports['auth']}")
        tickets_channel = channel(f"127.0.0.1:{ports['tickets']}")
        temporal = await Client.connect(f"127.0.0.1:{ports['temporal']}", namespace="default")
        try:
            async with Worker(temporal, task_queue=BASELINE_QUEUE,
                              workflows=[Trivial, Counter]):
                return await _measured(sizes, processes, temporal, auth_channel,
                                       tickets_channel)
        finally:
            await auth_channel.close()
            await tickets_channel.close()


async def _measured(sizes: Sizes, processes: dict[str, int], temporal: Client,
                    auth_channel: grpc.aio.Channel, tickets_channel: grpc.aio.Channel
                    ) -> list[dict]:
    api, clock = tickets_pb2_grpc.TicketServiceStub(tickets_channel), time.monotonic()
    clients, developers = await people(auth_pb2_grpc.AuthServiceStub(auth_channel), api,
                                       sizes.stack_clients, sizes.stack_developers)
    setup = Calls(api)  # one ticket per client before the load: unmeasured
    await asyncio.gather(*(new_ticket(setup, c, random.Random(i))
                           for i, c in enumerate(clients)))
    print(f"  stack: {len(clients) + len(developers)} people ready in "
          f"{time.monotonic() - clock:.0f} s", flush=True)
    starts, updates = max(16, sizes.creates // 4), max(16, sizes.transitions // 2)  # a round
    raw = [await raw_rates(temporal, starts, updates, RAW_CALLERS)]
    calls, rng = Calls(api), random.Random(8)
    cpu_before, clock = cpu_snapshot({**processes, "bench": os.getpid()}), time.monotonic()
    until = clock + sizes.stack_seconds
    backlog, *_ = await asyncio.gather(
        max_backlog(temporal, TICKETS_QUEUE, until),
        *(client_life(c, calls, until, random.Random(rng.random())) for c in clients),
        *(developer_life(d, calls, until, random.Random(rng.random())) for d in developers))
    wall = time.monotonic() - clock
    watched = {"cpu": cpu_shares(cpu_before, cpu_snapshot({**processes, "bench": os.getpid()}),
                                 wall),
               "backlog": backlog,
               "stopped": [role for role, pid in processes.items() if not alive(pid)],
               # The bare server again once the worker has caught up with the load.
               "drained_s": await drain(temporal, TICKETS_QUEUE, DRAIN_SECONDS)}
    raw.append(await raw_rates(temporal, starts, updates, RAW_CALLERS))
    watched["raw_failures"] = sum(r[2] for r in raw)
    return rows(sizes, calls, wall, merged([r[0] for r in raw]),
                merged([r[1] for r in raw]), watched)


def rows(sizes: Sizes, calls: Calls, wall: float, raw_starts: Figures,
         raw_updates: Figures, watched: dict) -> list[dict]:
    people_are = f"{sizes.stack_clients} clients + {sizes.stack_developers} developers"
    result, total = [], 0
    for key in sorted(set(calls.samples) | set(calls.errors)):
        figures = Figures(calls.samples[key], wall)
        errors, conflicts = len(calls.errors[key]), calls.conflicts[key]
        total += len(figures.samples)
        d = figures.as_dict() if figures.samples else {"n": 0, "throughput": 0.0}
        extra = "".join([f", {conflicts} conflicts" if conflicts else "",
                         f", {errors} errors" if errors else ""])
        result.append({
            "scenario": SCENARIO, "case": key, "calls": {**d, "conflicts": conflicts,
                                                         "errors": errors},
            "summary": (f"p50 {d.get('median_ms', 0):.1f} ms, p99 {d.get('p99_ms', 0):.1f} ms; "
                        f"{d['n']} calls ({d['throughput']:.1f}/s){extra}"),
            "goal": "", "met": None})
    created = Figures(calls.samples["client: CreateTicket"], wall)
    transitions = merged([Figures(samples, wall) for key, samples in calls.samples.items()
                          if "TransitionTicket" in key] or [Figures([], wall)])
    for case, figures, raw, unit, raw_is in (
            ("tickets created under load (rate vs raw starts)", created, raw_starts,
             "tickets/s", f"start_workflow (trivial workflow), {RAW_CALLERS} callers, "
                          "bare server"),
            ("transitions under load (rate vs raw updates)", transitions, raw_updates,
             "transitions/s", f"execute_update (trivial handler), {RAW_CALLERS} callers, "
                              "bare server")):
        if figures.samples:
            result.append({"scenario": SCENARIO, "case": f"{case}, {people_are}",
                           "unit": unit, "baseline_is": raw_is, **compare(figures, raw),
                           "goal": "", "met": None})
    errors = sum(len(e) for e in calls.errors.values())
    per_second = created.as_dict()["throughput"] if created.samples else 0.0
    raw_rate = raw_starts.as_dict()["throughput"]
    conflicts = sum(calls.conflicts.values())
    cpu, backlog, stopped = watched["cpu"], watched["backlog"], watched["stopped"]
    shares = ", ".join(f"{role} {share:.0%}" for role, share in
                       sorted(cpu.items(), key=lambda item: -item[1]))
    result.append({
        "scenario": SCENARIO, "case": "every call answered, no errors",
        "answered_calls": total, "errors": errors, "conflicts": conflicts, "seconds": wall,
        "tickets_per_second": per_second, "raw_starts_per_second": raw_rate,
        "raw_updates_per_second": raw_updates.as_dict()["throughput"],
        "cpu_share_of_a_core": cpu, "worker_backlog_max": backlog,
        "drained_after_load_s": watched["drained_s"], "raw_failures": watched["raw_failures"],
        "processes_stopped": stopped,
        "errors_by_call": {key: sorted(set(found))[:3] for key, found in calls.errors.items()
                           if found},
        "summary": (f"{total} calls by {people_are} in {wall:.0f} s ({total / wall:.1f}/s), "
                    f"{conflicts} conflicts, {errors} errors; {per_second:.1f} tickets/s = "
                    f"{per_second / raw_rate:.2f}x the raw starts ({raw_rate:.1f}/s); "
                    f"worker's queue up to {backlog['workflow_tasks']:.0f} workflow tasks "
                    f"({backlog['workflow_task_age_s']:.1f} s old), drained "
                    f"{watched['drained_s']:.0f} s after; {watched['raw_failures']} raw calls "
                    f"failed; CPU (share of a core): {shares}"
                    + (f"; stopped: {', '.join(stopped)}" if stopped else "")),
        "goal": "every call answered (conflicts allowed), no process lost",
        "met": errors == 0 and not stopped})
    return result
