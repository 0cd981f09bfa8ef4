"""Every open ticket has a running workflow: repaired on start-up.

CreateTicket commits the ticket, then starts its workflow. A crash between the
two leaves a ticket without a workflow; so does an operator terminating one.
On start-up the service compares the open tickets with the running workflows
and starts what is missing, from the ticket's stored state.
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.tickets.gateways.lifecycle import Lifecycle
from services.tickets.store import tickets as store
from workflows.ticket.messages import TicketStarted

log = structlog.get_logger()
CONCURRENCY = 16


async def reconcile(sessions: async_sessionmaker, lifecycle: Lifecycle) -> int:
    """Start the workflow of every open ticket that has none; returns how many."""
    running = await lifecycle.running_numbers()
    async with sessions() as session:
        rows = await store.open_tickets(session)
    missing = [row for row in rows if row.number not in running]
    gate = asyncio.Semaphore(CONCURRENCY)

    async def start(row) -> None:
        async with gate:
            await lifecycle.start(started_from(row))

    await asyncio.gather(*(start(row) for row in missing))
    if missing:
        log.warning("reconcile.started_missing_workflows",
                    tickets=[row.number for row in missing][:50], count=len(missing))
    return len(missing)


def started_from(row) -> TicketStarted:
    return TicketStarted(number=row.number, organization=row.organization, title=row.title,
                         priority=row.priority, status=row.status, assignee=row.assignee,
                         has_remarks=row.has_remarks, announced=True)


async def reconcile_in_background(sessions: async_sessionmaker, lifecycle: Lifecycle) -> None:
    try:
        await reconcile(sessions, lifecycle)
    except Exception:  # the next start tries again; serving must not depend on it
        log.exception("reconcile.failed")
