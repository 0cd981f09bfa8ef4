"""The notify activity's in-app side: the tickets service keeps the bell
(TicketInternalService, the service token's calls only)."""

from __future__ import annotations

from services.common.client.channels import bearer
from ticketdesk.tickets.v1 import tickets_internal_pb2 as internal
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc
from workflows.messages import Notice


class TicketInbox:
    """Stores in-app notifications once per event and recipient."""

    def __init__(self, tickets: tickets_internal_pb2_grpc.TicketInternalServiceStub,
                 service_token: str):
        self._tickets = tickets
        self._metadata = bearer(service_token)

    async def deliver(self, notice: Notice, titles: dict[str, str]) -> list[str]:
        answer = await self._tickets.DeliverNotifications(
            internal.DeliverNotificationsRequest(
                event_id=notice.event_id, ticket=f"tickets/{notice.number}", kind=notice.kind,
                deliveries=[internal.Delivery(recipient=r, title=t) for r, t in titles.items()]),
            metadata=self._metadata, timeout=20)
        return list(answer.to_email)

    async def mark_emailed(self, notice: Notice, recipients: list[str]) -> None:
        await self._tickets.MarkNotificationsEmailed(
            internal.MarkNotificationsEmailedRequest(event_id=notice.event_id,
                                                     recipients=recipients),
            metadata=self._metadata, timeout=20)
