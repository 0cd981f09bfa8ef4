"""Records the histories that test_replay replays: `python -m tests.workflows.record_histories`
records the scenarios that have no history yet; name scenarios to record them again.

Histories recorded by older code must keep replaying (they are why a file is never
overwritten unasked): a change to TicketWorkflow that breaks them needs `workflow.patched`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.support.stack import start_stack, temporal_binary
from tests.support.tickets import World
from workflows.ticket.rules import Action, Status
from workflows.ticket.visibility import SEARCH_ATTRIBUTES

HERE = Path(__file__).parent / "histories"


async def full_life(world: World) -> int:
    """Questions, an answer, remarks, rework and acceptance with a rating."""
    ticket = await world.ticket_in(Status.QUEUED)
    await world.comment(ticket.name, "developer", "Оценка: 3 часа")
    await world.act(ticket.name, "developer", Action.START_WORK)
    await world.act(ticket.name, "developer", Action.ASK_CLARIFICATION)
    await world.comment(ticket.name, "client", "Ответ на вопрос")
    await world.until(ticket.name, lambda t: t.status != 3)
    await world.act(ticket.name, "developer", Action.SUBMIT_FOR_ACCEPTANCE)
    await world.comment(ticket.name, "client", "Есть замечание")
    await world.until(ticket.name, lambda t: t.has_remarks)
    await world.act(ticket.name, "developer", Action.TAKE_BACK)
    await world.act(ticket.name, "developer", Action.SUBMIT_FOR_ACCEPTANCE)
    await world.act(ticket.name, "client", Action.ACCEPT, rating=5)
    return ticket.number


async def assigned(world: World) -> int:
    """«Взять в работу» on an unassigned ticket assigns it (the `assign-on-start` patch)."""
    ticket = await world.ticket_in(Status.QUEUED)
    await world.act(ticket.name, "developer", Action.START_WORK)
    await world.act(ticket.name, "developer", Action.CLOSE)
    return ticket.number


async def withdrawn(world: World) -> int:
    ticket = await world.ticket_in(Status.IN_PROGRESS)
    await world.act(ticket.name, "client", Action.WITHDRAW)
    return ticket.number


async def timers(world: World, env: WorkflowEnvironment) -> int:
    """A reminder, SLA warnings and a breach, then automatic acceptance."""
    ticket = await world.ticket_in(Status.AWAITING_ACCEPTANCE)
    handle = env.client.get_workflow_handle(f"ticket-{ticket.number}")
    await env.fast_forward(handle, timedelta(days=30))
    await handle.result()
    return ticket.number


async def policy_at_start(world: World, env: WorkflowEnvironment) -> int:
    """The service passes the policy with the start (no load_policy first); the timers
    still load it afresh when they fire."""
    ticket = await world.ticket_in(Status.IN_PROGRESS)
    await world.act(ticket.name, "developer", Action.SUBMIT_FOR_ACCEPTANCE)
    handle = env.client.get_workflow_handle(f"ticket-{ticket.number}")
    await env.fast_forward(handle, timedelta(days=30))
    await handle.result()
    return ticket.number


# name -> (world, env) -> the ticket's number
SCENARIOS = {"full-life": lambda world, env: full_life(world),
             "withdrawn": lambda world, env: withdrawn(world),
             "timers": timers,
             "assigned": lambda world, env: assigned(world),
             "policy-at-start": policy_at_start,
             # The notices go to the outbox with their records (the `notices-outbox` patch).
             "outbox-life": lambda world, env: full_life(world),
             "outbox-timers": timers}


async def main(names: list[str]) -> None:
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    names = names or [n for n in SCENARIOS if not (HERE / f"{n}.json").exists()]
    if not names:
        print("every scenario has its history; name one to record it again")
        return
    env = await WorkflowEnvironment.start_time_skipping_v2(
        dev_server_existing_path=temporal_binary(), search_attributes=SEARCH_ATTRIBUTES,
        dev_server_extra_args=["--dynamic-config-value",
                               "frontend.WorkflowTimeSkippingEnabled=true"])
    stack = await start_stack(env, Path(tempfile.mkdtemp()))
    try:
        world = await World.create(stack)
        numbers = {name: await SCENARIOS[name](world, env) for name in names}
        await asyncio.sleep(2)  # let background notices finish
        for name, number in numbers.items():
            handle = env.client.get_workflow_handle(f"ticket-{number}")
            await handle.result()
            history = await handle.fetch_history()
            (HERE / f"{name}.json").write_text(history.to_json())
            print(f"{name}: ticket-{number}, {len(history.events)} events")
    finally:
        await stack.stop()
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
