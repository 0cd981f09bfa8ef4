"""Open a TicketDesk ticket when a site does not answer.

Run it every few minutes (cron, a systemd timer) with a client-role API token of the
site's organization. A site that answers with an error (5xx) or not at all within the
timeout gets one ticket a day, however often the check runs: the request_id is the URL
and the day, and TicketDesk creates a ticket once per request_id.

    TICKETDESK_API_TOKEN=<token> python examples/site_monitor.py https://romashka.example.com/ \\
        --address 127.0.0.1:50052 [--site organizations/{org}/sites/{site}]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime

import grpc

from ticketdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc


def problem(url: str, timeout: float) -> str:
    """Why the site is down; empty when it answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            answer.read(1)
        return ""
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code} {error.reason}" if error.code >= 500 else ""
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return f"no answer: {getattr(error, 'reason', error)}"


async def report(address: str, token: str, url: str, why: str, site: str = "") -> str:
    """The ticket of today's outage (created by the first report of the day)."""
    day = datetime.now(UTC).date().isoformat()
    request_id = hashlib.sha256(f"site-monitor {url} {day}".encode()).hexdigest()[:32]
    async with grpc.aio.insecure_channel(address) as channel:
        ticket = await tickets_pb2_grpc.TicketServiceStub(channel).CreateTicket(
            tickets_pb2.CreateTicketRequest(request_id=request_id, ticket=tickets_pb2.Ticket(
                title=f"Сайт не отвечает: {url}",
                description=f"Мониторинг: {url} — {why} ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC).",
                priority=tickets_pb2.PRIORITY_CRITICAL, site=site)),
            metadata=[("authorization", f"Bearer {token}")], timeout=30)
    return ticket.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--address", default="127.0.0.1:50052", help="the tickets service")
    parser.add_argument("--site", default="", help="when the organization has several sites")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds for an answer")
    args = parser.parse_args()
    token = os.environ.get("TICKETDESK_API_TOKEN", "")
    if not token:
        sys.exit("set TICKETDESK_API_TOKEN to a client-role API token (ticketdesk tokens create)")
    why = problem(args.url, args.timeout)
    if not why:
        print(f"{args.url}: up")
        return
    try:
        name = asyncio.run(report(args.address, token, args.url, why, args.site))
    except grpc.aio.AioRpcError as error:
        sys.exit(f"{args.url}: {why}; the ticket could not be opened: "
                 f"{error.code().name}: {error.details()}")
    print(f"{args.url}: {why} -> {name}")


if __name__ == "__main__":
    main()
