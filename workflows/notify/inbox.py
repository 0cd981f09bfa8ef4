"""The notify activity's in-app side: the tickets service keeps the bell."""

from __future__ import annotations

from services.common.client.channels import bearer
from ticketdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc
from workflows.ticket.messages import Notice


class TicketInbox:
    """Stores in-app notifications once per event and recipient."""

    def __init__(self, tickets: tickets_pb2_grpc.TicketServiceStub, service_token: str):
        self._tickets = tickets
        self._metadata = bearer(service_token)

    async def deliver(self, notice: Notice, titles: dict[str, str]) -> list[str]:
        answer = await self._tickets.DeliverNotifications(
            tickets_pb2.DeliverNotificationsRequest(
                event_id=notice.event_id, ticket=f"tickets/{notice.number}", kind=notice.kind,
                deliveries=[tickets_pb2.Delivery(recipient=r, title=t) for r, t in titles.items()]),
            metadata=self._metadata, timeout=20)
        return list(answer.to_email)

    async def mark_emailed(self, notice: Notice, recipient: str) -> None:
        await self._tickets.MarkNotificationsEmailed(
            tickets_pb2.MarkNotificationsEmailedRequest(event_id=notice.event_id,
                                                        recipients=[recipient]),
            metadata=self._metadata, timeout=20)
