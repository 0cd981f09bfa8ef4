"""Messages no person wrote: answering them would start a mail loop (RFC 3834)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import parseaddr

# Senders of bounces and other system mail.
SYSTEM_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply")


def loop_reason(message: EmailMessage) -> str:
    """Why the message is to be ignored ('' for a person's message)."""
    if message.get("X-TicketDesk-Notice"):
        return "OWN_NOTICE"  # one of ours came back (a forward rule, an alias)
    auto = str(message.get("Auto-Submitted", "no")).split(";")[0].strip().lower()
    if auto != "no":
        return "AUTO_SUBMITTED"  # RFC 3834: auto-replied or auto-generated
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "AUTO_REPLY"  # vacation responders that predate RFC 3834
    if str(message.get("Precedence", "")).strip().lower() in ("bulk", "junk", "list",
                                                              "auto_reply"):
        return "BULK"
    if message.get_content_type() == "multipart/report":
        return "BOUNCE"  # a delivery or read report (RFC 6522)
    sender = parseaddr(str(message.get("From", "")))[1].lower().partition("@")[0]
    if not sender or sender in SYSTEM_SENDERS or sender.startswith("bounce"):
        return "SYSTEM_SENDER"
    return ""
