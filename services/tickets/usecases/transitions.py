"""TransitionTicket: the ticket's workflow decides by the rules; the store shows the result
once the workflow has recorded it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.principal import Principal
from services.tickets.gateways.lifecycle import Lifecycle
from services.tickets.store import tickets as store
from services.tickets.usecases.tickets import Shown, shown
from workflows.ticket.messages import TransitionRequest


class Transitions:
    def __init__(self, sessions: async_sessionmaker, lifecycle: Lifecycle):
        self._sessions, self._lifecycle = sessions, lifecycle

    async def transition(self, principal: Principal, number: int,
                         request: TransitionRequest) -> Shown:
        async with self._sessions() as session:  # another organization's: NOT_FOUND
            await store.visible_ticket(session, principal, number)
        # The update returns once the workflow's record_transition activity has written it.
        await self._lifecycle.transition(number, request)
        async with self._sessions() as session:
            return await shown(session, await store.visible_ticket(session, principal, number))
