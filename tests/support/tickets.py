"""Driving tickets through their life in tests, as the people in them would."""

from __future__ import annotations

import asyncio
import uuid

from services.tickets.convert import ACTION_TO_PROTO, STATUS_FROM_PROTO
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action, Status

# How a fresh ticket reaches each status: (role, action) steps.
PATHS = {
    Status.QUEUED: [],
    Status.IN_PROGRESS: [("developer", Action.START_WORK)],
    Status.NEEDS_INFO: [("developer", Action.ASK_CLARIFICATION)],
    Status.AWAITING_ACCEPTANCE: [("developer", Action.START_WORK),
                                 ("developer", Action.SUBMIT_FOR_ACCEPTANCE)],
    Status.DONE: [("developer", Action.START_WORK), ("developer", Action.SUBMIT_FOR_ACCEPTANCE),
                  ("client", Action.ACCEPT)],
    Status.CANCELLED: [("client", Action.WITHDRAW)],
}


class World:
    """One client organization, a developer and a manager, and their tickets."""

    def __init__(self, stack, org, people):
        self.stack, self.org, self.people = stack, org, people

    @classmethod
    async def create(cls, stack) -> World:
        org = await stack.new_organization()
        people = {"client": org.client, "developer": await stack.staff("developer"),
                  "manager": await stack.staff("manager")}
        return cls(stack, org, people)

    async def act(self, ticket: str, role: str, action: Action, request_id: str = "",
                  **extra) -> pb.Ticket:
        return await self.stack.clients.tickets.TransitionTicket(pb.TransitionTicketRequest(
            name=ticket, action=ACTION_TO_PROTO[action], text="текст",
            request_id=request_id or uuid.uuid4().hex, **extra), metadata=self.people[role])

    async def ticket_in(self, status: Status, **fields) -> pb.Ticket:
        ticket = await self.stack.new_ticket(self.org, **fields)
        for role, action in PATHS[status]:
            ticket = await self.act(ticket.name, role, action)
        assert STATUS_FROM_PROTO[ticket.status] is status
        return ticket

    async def get(self, name: str, role: str = "client") -> pb.Ticket:
        return await self.stack.clients.tickets.GetTicket(pb.GetTicketRequest(name=name),
                                                          metadata=self.people[role])

    async def history(self, name: str, role: str = "developer") -> list[pb.HistoryEntry]:
        answer = await self.stack.clients.tickets.ListTicketHistory(
            pb.ListTicketHistoryRequest(parent=name), metadata=self.people[role])
        return list(answer.entries)

    async def comment(self, name: str, role: str, body: str) -> pb.Comment:
        return await self.stack.clients.tickets.AddComment(pb.AddCommentRequest(
            parent=name, comment=pb.Comment(body=body)), metadata=self.people[role])

    async def notices(self, role: str) -> list[pb.Notification]:
        answer = await self.stack.clients.tickets.ListNotifications(
            pb.ListNotificationsRequest(page_size=100), metadata=self.people[role])
        return list(answer.notifications)

    async def until(self, name: str, check, timeout: float = 10.0, role: str = "client"):
        """Signals and timers act in the background: wait for their effect."""
        async with asyncio.timeout(timeout):
            while not check(ticket := await self.get(name, role)):
                await asyncio.sleep(0.1)
        return ticket
