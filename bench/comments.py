"""Scenario 7: AddComment by a client, one after another, against a raw signal to a
trivial workflow plus a raw INSERT of a comment row on the same server and database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import insert

from bench import data
from bench.baseline import BASELINE_QUEUE, Counter
from bench.create import create_ticket
from bench.stats import side_by_side
from services.tickets import models
from tests.support.stack import Organization, Stack
from ticketdesk.tickets.v1 import tickets_pb2 as pb

COMMENTS = models.Comment.__table__
# Comments spread over a few tickets, as several clients write at once.
TICKETS = 4


async def run(stack: Stack, org: Organization, count: int) -> list[dict]:
    engine = data.raw_engine(stack.settings.database_url("tickets"))
    tickets = [await create_ticket(stack, org, i) for i in range(TICKETS)]
    counter = await stack.temporal.start_workflow(
        Counter.run, id=f"bench-comments-{uuid.uuid4().hex[:8]}", task_queue=BASELINE_QUEUE)

    async def comment(i: int) -> None:
        await stack.clients.tickets.AddComment(pb.AddCommentRequest(
            parent=tickets[i % TICKETS].name,
            comment=pb.Comment(body=f"Уточнение {i}: баннер нужен к пятнице."),
            request_id=uuid.uuid4().hex), metadata=org.client)

    async def raw(i: int) -> None:
        await counter.signal(Counter.noted, 1)
        async with engine.begin() as connection:
            await connection.execute(insert(COMMENTS), {
                "id": uuid.uuid4().hex, "ticket_number": tickets[i % TICKETS].number,
                "author": org.client_user.name, "author_display_name": "Клиент",
                "author_role": "client", "body": f"Уточнение {i}: баннер нужен к пятнице.",
                "internal": False, "action": "", "request_id": uuid.uuid4().hex,
                "create_time": datetime.now(UTC)})

    try:
        figures = await side_by_side(comment, raw, count)
    finally:
        await counter.signal(Counter.stop)
        await engine.dispose()
    return [{"scenario": "7 Comments", "case": "AddComment by a client",
             "baseline_is": "signal (trivial handler) + INSERT of the comment row",
             "unit": "comments/s", **figures, "goal": "median <= 1.5x baseline",
             "met": figures["ratio"]["median_ms"] <= 1.5}]
