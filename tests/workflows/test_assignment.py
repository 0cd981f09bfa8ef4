"""«Взять в работу» assigns: a developer or manager who starts work on an unassigned
ticket becomes its assignee; an assignee chosen before stays.

First the workflow alone (its activities faked: what it records and publishes), then
through TicketService on the whole back end (what the tickets service keeps)."""

from __future__ import annotations

import uuid

import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.worker import Worker

from tests.support.stack import start_temporal
from tests.support.tickets import World
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.messages import Actor, Notice
from workflows.ticket.messages import RecordTransition, SlaEvent, TicketStarted, TransitionRequest
from workflows.ticket.policy import Policy
from workflows.ticket.rules import Action, Status, assignee_after
from workflows.ticket.visibility import ASSIGNEE
from workflows.ticket.workflows import TicketWorkflow

DEVELOPER = Actor(subject="users/7", role="developer", display_name="Иван")
COLLEAGUE = "users/8"


def test_the_rule():
    assert assignee_after(Action.START_WORK, "developer", "users/7", "") == "users/7"
    assert assignee_after(Action.START_WORK, "manager", "users/3", "") == "users/3"
    assert assignee_after(Action.START_WORK, "developer", "users/7", COLLEAGUE) == ""
    assert assignee_after(Action.START_WORK, "developer", "apiTokens/2", "") == ""
    for action in Action:
        if action is not Action.START_WORK:
            assert assignee_after(action, "developer", "users/7", "") == ""


class FakeTicketsService:
    """The workflow's activities, keeping what it records."""

    def __init__(self):
        self.records: list[RecordTransition] = []

    @activity.defn(name="record_transition")
    async def record_transition(self, record: RecordTransition) -> None:
        self.records.append(record)

    @activity.defn(name="record_sla")
    async def record_sla(self, event: SlaEvent) -> None:
        pass

    @activity.defn(name="load_policy")
    async def load_policy(self, organization: str) -> Policy:
        return Policy()

    @activity.defn(name="notify")
    async def notify(self, notice: Notice) -> int:
        return 0


@pytest.fixture(scope="module")
async def alone():
    env = await start_temporal()
    service = FakeTicketsService()
    task_queue = f"assignment-{uuid.uuid4().hex}"
    async with Worker(env.client, task_queue=task_queue, workflows=[TicketWorkflow],
                      activities=[service.record_transition, service.record_sla,
                                  service.load_policy, service.notify]):
        yield env.client, task_queue, service
    await env.shutdown()


async def start_work(alone, assignee: str) -> tuple[WorkflowHandle, RecordTransition]:
    client, task_queue, service = alone
    number = int(uuid.uuid4().int % 10**9)
    handle = await client.start_workflow(
        TicketWorkflow.run, TicketStarted(number=number, organization="organizations/1",
                                          title="Поменять баннер", assignee=assignee),
        id=f"ticket-{number}", task_queue=task_queue)
    await handle.execute_update(TicketWorkflow.transition, TransitionRequest(
        action=Action.START_WORK.value, actor=DEVELOPER, request_id=uuid.uuid4().hex))
    record, = [r for r in service.records if r.number == number]
    return handle, record


async def test_the_workflow_assigns_an_unassigned_ticket_to_whoever_starts_work(alone):
    handle, record = await start_work(alone, assignee="")
    assert (record.to_status, record.assignee) == (Status.IN_PROGRESS.value, DEVELOPER.subject)
    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(ASSIGNEE) == DEVELOPER.subject


async def test_the_workflow_keeps_an_assignee_chosen_before(alone):
    handle, record = await start_work(alone, assignee=COLLEAGUE)
    assert (record.to_status, record.assignee) == (Status.IN_PROGRESS.value, "")
    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(ASSIGNEE) == COLLEAGUE


@pytest.fixture
async def world(stack) -> World:
    return await World.create(stack)


async def subject(world: World, role: str) -> str:
    answer = await world.stack.clients.auth.WhoAmI(auth_pb2.WhoAmIRequest(),
                                                   metadata=world.people[role])
    return answer.principal.subject


async def assignments(world: World, ticket: pb.Ticket) -> list[tuple[str, str]]:
    """The ticket's history of assignees: (before, after)."""
    return [(h.old_value, h.new_value) for h in await world.history(ticket.name)
            if h.field == "assignee"]


async def test_starting_work_on_an_unassigned_ticket_assigns_the_developer(world):
    ticket = await world.ticket_in(Status.QUEUED)
    assert not ticket.assignee
    developer = await subject(world, "developer")
    started = await world.act(ticket.name, "developer", Action.START_WORK)
    assert (started.status, started.assignee) == (pb.STATUS_IN_PROGRESS, developer)
    assert await assignments(world, ticket) == [("", developer)]


async def test_starting_work_on_a_ticket_assigned_to_someone_else_keeps_its_assignee(world):
    ticket = await world.ticket_in(Status.QUEUED)
    colleague = await world.stack.new_user(auth_pb2.ROLE_DEVELOPER, name="colleague")
    await world.stack.clients.tickets.UpdateTicket(pb.UpdateTicketRequest(
        ticket=pb.Ticket(name=ticket.name, assignee=colleague.name),
        update_mask=FieldMask(paths=["assignee"])), metadata=world.people["manager"])
    started = await world.act(ticket.name, "developer", Action.START_WORK)
    assert (started.status, started.assignee) == (pb.STATUS_IN_PROGRESS, colleague.name)
    assert await assignments(world, ticket) == [("", colleague.name)]
