"""Reconciliation: an open ticket without a running workflow gets one back."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import grpc
from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus, WorkflowQueryFailedError
from temporalio.service import RPCError

from services.common.client.channels import channel
from services.common.server.database import create_engine, sessionmaker
from services.tickets import models
from services.tickets.gateways.lifecycle import Lifecycle
from services.tickets.usecases.reconcile import reconcile
from tests.support.processes import child_env, free_port, wait_for_health
from tests.support.summary import report
from tests.support.tcp_proxy import TcpProxy
from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ticketdesk.tickets.v1 import tickets_pb2_grpc
from workflows.ticket.rules import Status
from workflows.ticket.workflows import TicketWorkflow

STARTUP_TIMEOUT = 90.0
# Seconds a started service is given to repair: the repair itself takes well under one.
REPAIR_GRACE = 5.0


async def test_lost_workflows_are_started_again_from_the_stored_state(stack):
    """A terminated workflow of an open ticket, and a ticket stored without one, both
    get a running workflow from reconcile, in the ticket's stored status."""
    world = await World.create(stack)
    terminated = await world.ticket_in(Status.IN_PROGRESS)
    handle = stack.temporal.get_workflow_handle(f"ticket-{terminated.number}")
    await handle.terminate("an operator's mistake")
    engine = create_engine(stack.settings.database_url("tickets"))
    sessions = sessionmaker(engine)
    orphan = await insert_ticket_without_workflow(sessions, world.org.name)
    lifecycle = Lifecycle(stack.temporal, stack.settings.task_queue)
    await until_not_running(lifecycle, terminated.number)

    started = await reconcile(sessions, lifecycle)
    assert started >= 2
    for number, status in ((terminated.number, "in_progress"), (orphan, "queued")):
        assert await until_workflow(stack, number) == status
    await engine.dispose()
    report(f"faults: reconcile ({backend(stack)}): a terminated workflow and a ticket stored "
           f"without one; {started} workflows started again, from the stored status")


async def insert_ticket_without_workflow(sessions, organization: str) -> int:
    """What a crash right after CreateTicket's commit leaves behind."""
    now = datetime.now(UTC)
    async with sessions() as session:
        row = models.Ticket(organization=organization, title="Осиротевший тикет",
                            description="Сервис упал сразу после сохранения", priority="normal",
                            status="queued", creator="users/x", create_time=now,
                            update_time=now)
        session.add(row)
        await session.commit()
        return row.number


async def until_not_running(lifecycle: Lifecycle, number: int) -> None:
    async with asyncio.timeout(15):
        while number in await lifecycle.running_numbers():
            await asyncio.sleep(0.2)


def backend(stack) -> str:
    return stack.settings.database_url("tickets").split("+")[0].split(":")[0]


async def test_a_tickets_service_killed_between_storing_and_starting_repairs_on_restart(
        stack, tmp_path):
    """A real tickets service process is SIGKILLed after CreateTicket committed the
    ticket but before its workflow started (Temporal held unreachable, so the start
    hangs there): started again, the service's reconciliation starts the workflow, and
    the caller's retry with the same request_id answers the same ticket."""
    world = await World.create(stack)
    temporal = stack.temporal.service_client.config.target_host
    host, port = temporal.rsplit(":", 1)
    proxy = TcpProxy(host, int(port)).start()
    tickets = TicketsProcess(stack, tmp_path, f"127.0.0.1:{proxy.port}")
    engine = create_engine(stack.settings.database_url("tickets"))
    title = f"Упал между записью и запуском {uuid.uuid4().hex[:8]}"
    request = pb.CreateTicketRequest(ticket=pb.Ticket(title=title, description="Сбой"),
                                     request_id=f"crash-{uuid.uuid4().hex}")
    try:
        await tickets.start()
        proxy.cut()  # the workflow start now waits for Temporal
        create = tickets.stub.CreateTicket(request, metadata=world.people["client"],
                                           timeout=60)
        number = await until_stored(sessionmaker(engine), title)
        tickets.kill()
        crashed = await code_of(create)
        assert await workflow_status(stack, number) is None, "the workflow started anyway"
        proxy.restore()
        await tickets.start()  # reconciles on start
        status = await until_workflow(stack, number)
        # The channel saw the process die: wait for it to reconnect, as clients retry.
        again = await tickets.stub.CreateTicket(request, metadata=world.people["client"],
                                                timeout=60, wait_for_ready=True)
    finally:
        await tickets.stop()
        proxy.close()
        await engine.dispose()
    assert status == "queued"
    assert again.name == f"tickets/{number}", "the retried create made another ticket"
    report(f"faults: tickets service SIGKILLed between storing #{number} and starting its "
           f"workflow ({backend(stack)}); caller saw {crashed}; after restart the "
           f"workflow runs ({status}), the retry answered the same ticket")


async def test_repair_on_start_off_leaves_tickets_without_workflows_alone(stack, tmp_path):
    """With TICKETDESK_REPAIR_ON_START=false (rows loaded without workflows on purpose, as
    the reports benchmark does) a starting tickets service starts no workflow; the same
    ticket gets one from the next start with the repair on."""
    world = await World.create(stack)
    engine = create_engine(stack.settings.database_url("tickets"))
    orphan = await insert_ticket_without_workflow(sessionmaker(engine), world.org.name)
    await engine.dispose()
    temporal = stack.temporal.service_client.config.target_host
    tickets = TicketsProcess(stack, tmp_path, temporal, TICKETDESK_REPAIR_ON_START="false")
    try:
        await tickets.start()
        await asyncio.sleep(REPAIR_GRACE)
        assert await workflow_status(stack, orphan) is None, "the repair ran anyway"
        await tickets.stop()
        tickets = TicketsProcess(stack, tmp_path, temporal)
        await tickets.start()
        assert await until_workflow(stack, orphan) == "queued"
    finally:
        await tickets.stop()


class TicketsProcess:
    """`python -m services.tickets` beside the stack's: same database, auth and files,
    its own port, and Temporal at `temporal` (a proxy the test can cut)."""

    def __init__(self, stack, directory: Path, temporal: str, **settings: str):
        self.port = free_port()
        self.log = directory / "tickets.log"
        self.env = child_env({
            "TICKETDESK_TICKETS_DATABASE_URL": stack.settings.database_url("tickets"),
            "TICKETDESK_AUTH_ADDRESS": stack.settings.auth_target,
            "TICKETDESK_FILES_ADDRESS": stack.settings.files_target,
            "TICKETDESK_TEMPORAL_ADDRESS": temporal,
            "TICKETDESK_SERVICE_TOKEN": stack.settings.service_token.get_secret_value(),
            "TICKETDESK_TICKETS_PORT": str(self.port), "TICKETDESK_TICKETS_METRICS_PORT": "0",
            "TICKETDESK_DATA_DIR": str(directory), "TICKETDESK_MIGRATE_ON_START": "false",
            "TICKETDESK_LOG_LEVEL": "WARNING", **settings})
        self.process: subprocess.Popen | None = None
        self.channel = channel(f"127.0.0.1:{self.port}")
        self.stub = tickets_pb2_grpc.TicketServiceStub(self.channel)

    async def start(self) -> None:
        with self.log.open("ab") as handle:
            self.process = subprocess.Popen([sys.executable, "-m", "services.tickets"],
                                            env=self.env, stdout=handle,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            await asyncio.to_thread(wait_for_health, [f"127.0.0.1:{self.port}"],
                                    STARTUP_TIMEOUT, self.process)
        except AssertionError as error:
            raise AssertionError(f"{error}; its log:\n{self.log.read_text()[-3000:]}") from None

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    async def stop(self) -> None:
        await self.channel.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            await asyncio.to_thread(self.process.wait, 30)


async def until_stored(sessions, title: str) -> int:
    """The number of the ticket once its row is committed."""
    async with asyncio.timeout(30):
        while True:
            async with sessions() as session:
                number = (await session.execute(select(models.Ticket.number).where(
                    models.Ticket.title == title))).scalar_one_or_none()
            if number is not None:
                return number
            await asyncio.sleep(0.05)


async def code_of(call) -> str:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error.code().name
    return "OK"


async def workflow_status(stack, number: int) -> str | None:
    """The status its running workflow reports; None when it has no running one (a
    closed run would still answer queries) or that one answers none yet."""
    handle = stack.temporal.get_workflow_handle(f"ticket-{number}")
    try:
        if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
            return None
        return await handle.query(TicketWorkflow.current_status)
    except (RPCError, WorkflowQueryFailedError):  # none yet, or no first task run yet
        return None


async def until_workflow(stack, number: int) -> str:
    """The status its workflow reports, once it answers queries: a workflow just started
    answers none before a worker has run its first task (busy machines)."""
    try:
        async with asyncio.timeout(60):
            while (status := await workflow_status(stack, number)) is None:
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"ticket #{number} has no running workflow after 60 s") from None
    return status
