"""TransitionTicket: the ticket's workflow decides by the rules; the store shows the result
once the workflow has recorded it."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.errors import ApiError
from services.common.server.principal import Principal
from services.tickets.gateways.lifecycle import Lifecycle
from services.tickets.store import tickets as store
from services.tickets.usecases.tickets import Shown, shown
from ticketdesk.errors.v1 import errors_pb2 as reasons
from workflows.ticket.messages import TransitionRequest


class Transitions:
    def __init__(self, sessions: async_sessionmaker, lifecycle: Lifecycle):
        self._sessions, self._lifecycle = sessions, lifecycle

    async def transition(self, principal: Principal, number: int,
                         request: TransitionRequest) -> Shown:
        async with self._sessions() as session:  # another organization's: NOT_FOUND
            await store.visible_ticket(session, principal, number)
        # Every transition has an id, by which the workflow records it once.
        request = replace(request, request_id=request.request_id or uuid.uuid4().hex)
        # The update returns once the workflow's record_transition activity has written it.
        try:
            await self._lifecycle.transition(number, request)
        except ApiError as error:
            # Closed by this very transition: an attempt answered "workflow task failed"
            # may still have been applied, and the workflow ended with it (the retry then
            # finds no workflow). The record says so.
            if error.reason != reasons.TICKET_CLOSED or not await self._recorded(request):
                raise
        async with self._sessions() as session:
            return await shown(session, await store.visible_ticket(session, principal, number))

    async def _recorded(self, request: TransitionRequest) -> bool:
        async with self._sessions() as session:
            return await store.already_applied(session, request.request_id)
