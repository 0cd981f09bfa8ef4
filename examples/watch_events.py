"""Follow TicketDesk's ticket events and print each as one JSON line.

The cursor of the last event printed is kept in a file: run it again (after a crash, a
deploy, a lost connection) and it resumes right after that event. It may print the last
event once more if it stopped between printing and saving: deduplicate on `eventId`.

    TICKETDESK_API_TOKEN=<token> python examples/watch_events.py \\
        --address 127.0.0.1:50052 --cursor-file var/events.cursor

A client-role token sees its organization's tickets; a developer's or manager's, all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

import grpc
from google.protobuf.json_format import MessageToDict

from ticketdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc


async def follow(address: str, token: str, cursor_file: Path, *, ticket: str = "",
                 from_beginning: bool = False, count: int = 0) -> None:
    cursor = cursor_file.read_text().strip() if cursor_file.exists() else ""
    async with grpc.aio.insecure_channel(address) as channel:
        call = tickets_pb2_grpc.TicketServiceStub(channel).WatchTicketEvents(
            tickets_pb2.WatchTicketEventsRequest(cursor=cursor, ticket=ticket,
                                                 from_beginning=from_beginning),
            metadata=[("authorization", f"Bearer {token}")])
        printed = 0
        async for event in call:
            print(json.dumps(MessageToDict(event), ensure_ascii=False), flush=True)
            cursor_file.write_text(event.cursor)
            printed += 1
            if printed == count:
                call.cancel()
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="127.0.0.1:50052", help="the tickets service")
    parser.add_argument("--cursor-file", type=Path, default=Path("events.cursor"))
    parser.add_argument("--ticket", default="", help="only this ticket (tickets/{number})")
    parser.add_argument("--from-beginning", action="store_true",
                        help="without a saved cursor: every event kept, not only new ones")
    parser.add_argument("--count", type=int, default=0, help="stop after this many (0: never)")
    args = parser.parse_args()
    token = os.environ.get("TICKETDESK_API_TOKEN", "")
    if not token:
        sys.exit("set TICKETDESK_API_TOKEN to an API token (ticketdesk tokens create)")
    try:
        asyncio.run(follow(args.address, token, args.cursor_file, ticket=args.ticket,
                           from_beginning=args.from_beginning, count=args.count))
    except grpc.aio.AioRpcError as error:
        sys.exit(f"{error.code().name}: {error.details()}")
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
