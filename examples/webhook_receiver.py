"""Receive TicketDesk's webhooks: check each request's signature, print its event.

    TICKETDESK_WEBHOOK_SECRET=whsec_... python examples/webhook_receiver.py --port 8099

Give TicketDesk http://127.0.0.1:8099/ as the webhook's URL (https in production, behind
your web server). A request whose signature does not match, or that was signed more than
five minutes ago (a replay), is answered 400 and not printed; an event seen before (a
redelivery) is answered 200 and printed once.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_SECONDS = 300


def verified(body: bytes, header: str, secret: str, now: float | None = None) -> bool:
    """TicketDesk-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        moment = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - moment) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts.get("v1", ""))


def handler(secret: str):
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not verified(body, self.headers.get("TicketDesk-Signature", ""), secret):
                self.send_response(400)
                self.end_headers()
                return
            event = json.loads(body)
            if event["id"] not in seen:
                seen.add(event["id"])
                print(json.dumps(event, ensure_ascii=False), flush=True)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args()
    secret = os.environ.get("TICKETDESK_WEBHOOK_SECRET", "")
    if not secret:
        sys.exit("set TICKETDESK_WEBHOOK_SECRET to the secret CreateWebhook returned")
    server = HTTPServer(("127.0.0.1", args.port), handler(secret))
    print(f"listening on http://127.0.0.1:{args.port}/", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
