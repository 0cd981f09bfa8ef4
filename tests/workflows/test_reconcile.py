"""Reconciliation: an open ticket without a running workflow gets one back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from services.common.db import create_engine, sessionmaker
from services.tickets import models
from services.tickets.lifecycle import Lifecycle
from services.tickets.reconcile import reconcile
from tests.support.tickets import World
from workflows.ticket.rules import Status
from workflows.ticket.workflows import TicketWorkflow


async def test_lost_workflows_are_started_again_from_the_stored_state(stack):
    world = await World.create(stack)
    terminated = await world.ticket_in(Status.IN_PROGRESS)
    handle = stack.temporal.get_workflow_handle(f"ticket-{terminated.number}")
    await handle.terminate("an operator's mistake")
    engine = create_engine(stack.settings.database_url("tickets"))
    sessions = sessionmaker(engine)
    orphan = await insert_ticket_without_workflow(sessions, world.org.name)
    lifecycle = Lifecycle(stack.temporal, stack.settings.task_queue)
    await until_not_running(lifecycle, terminated.number)

    assert await reconcile(sessions, lifecycle) >= 2
    for number, status in ((terminated.number, "in_progress"), (orphan, "queued")):
        restarted = stack.temporal.get_workflow_handle(f"ticket-{number}")
        assert await restarted.query(TicketWorkflow.current_status) == status
    await engine.dispose()


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
