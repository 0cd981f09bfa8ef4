"""gRPC clients of the three services, as every caller (UI, worker, tests) uses them."""

from __future__ import annotations

import grpc

from services.common.platform import tracing
from ticketdesk.auth.v1 import auth_pb2_grpc
from ticketdesk.files.v1 import files_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2_grpc

CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", 8 * 1024 * 1024),
    ("grpc.enable_retries", 1),
    # A target may list several replicas (`ipv4:10.0.0.1:50052,10.0.0.2:50052`, or a DNS
    # name with several addresses): spread the calls over all of them.
    ("grpc.lb_policy_name", "round_robin"),
    # A restarted service is tried again within 5 s. gRPC's default backoff grows to
    # 120 s: calls kept failing fast with UNAVAILABLE for a minute or more after the
    # service was back (tests/faults/test_service_faults.py).
    ("grpc.max_reconnect_backoff_ms", 5000),
]


def channel(target: str) -> grpc.aio.Channel:
    """The one way TicketDesk's processes open a channel to a service."""
    return grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS,
                                     interceptors=tracing.client_interceptors() or None)


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    """Call metadata that authenticates as the holder of `token`."""
    return (("authorization", f"Bearer {token}"),)


class Clients:
    """One channel per service; stubs shared by every caller in the process."""

    def __init__(self, auth_target: str, tickets_target: str, files_target: str):
        self._channels = [channel(t) for t in (auth_target, tickets_target, files_target)]
        auth, tickets, files = self._channels
        self.auth_channel, self.tickets_channel = auth, tickets
        self.auth = auth_pb2_grpc.AuthServiceStub(auth)
        self.tickets = tickets_pb2_grpc.TicketServiceStub(tickets)
        self.files = files_pb2_grpc.FileServiceStub(files)

    @classmethod
    def from_settings(cls, settings) -> Clients:
        return cls(settings.auth_target, settings.tickets_target, settings.files_target)

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()
