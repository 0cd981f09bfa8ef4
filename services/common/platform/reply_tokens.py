"""Reply addresses of notification e-mails: `support+<token>@domain`, where the token
names the ticket and is signed, so nobody can write into a ticket by guessing.

The token is lower-case base32 (a mail server may fold the local part's case): the
ticket number, then 10 bytes of HMAC-SHA256 over it with the studio's reply secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from email.utils import getaddresses, parseaddr

MAC_BYTES = 10
PURPOSE = b"ticketdesk-reply:"


def reply_token(secret: str, number: int) -> str:
    plain = number.to_bytes(8, "big")
    return _b32(plain + _mac(secret, plain))


def ticket_of_token(secret: str, token: str) -> int | None:
    """The ticket a token names; None for a forged, altered or malformed one."""
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
    except (binascii.Error, ValueError):
        return None
    plain, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    if len(plain) != 8 or not hmac.compare_digest(mac, _mac(secret, plain)):
        return None
    return int.from_bytes(plain, "big")


def reply_address(support: str, token: str) -> str:
    """`support+token@domain` for the support mailbox `support@domain`."""
    local, _, domain = parseaddr(support)[1].rpartition("@")
    return f"{local}+{token}@{domain}"


def tokens_in(addresses: list[str], support: str) -> list[str]:
    """The tokens of the support mailbox's plus-addresses among `addresses` (To, Cc,
    Delivered-To ...), in order."""
    local, _, domain = parseaddr(support)[1].lower().rpartition("@")
    found = []
    for _, address in getaddresses(addresses):
        name, _, at = address.lower().rpartition("@")
        base, plus, token = name.partition("+")
        if plus and base == local and at == domain and token and token not in found:
            found.append(token)
    return found


def _mac(secret: str, plain: bytes) -> bytes:
    return hmac.new(secret.encode(), PURPOSE + plain, hashlib.sha256).digest()[:MAC_BYTES]


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=").lower()
