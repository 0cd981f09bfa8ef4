"""Reading a received message: its identity, addresses and the text its author wrote
above the quoted notice."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

# The parser's languages for the «On … wrote:» line above a quote.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "pl", "nl"]
MAX_TEXT = 20_000
ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
SIGNATURE = "-- "  # RFC 3676's signature separator line
SUBJECT_PREFIXES = {"re", "fw", "fwd", "ответ", "отв", "пересл", "aw", "wg", "sv", "tr"}
# A host in a link (https://site.example/...) or written bare (site.example, www.site.ru).
HOST = re.compile(r"(?:https?://)?((?:[\w-]+\.)+[a-zа-яё]{2,})(?=[/:\s,;.!?)»\"']|$)",
                  re.IGNORECASE)


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]


def message_id(message: EmailMessage, raw: bytes) -> str:
    """The Message-ID; for a message without one, a digest of its bytes."""
    given = str(message.get("Message-ID", "")).strip()
    return given[:998] if given else f"<sha256-{hashlib.sha256(raw).hexdigest()}@ticketdesk>"


def addressed_to(message: EmailMessage) -> list[str]:
    return [str(value) for name in ADDRESS_HEADERS for value in message.get_all(name, [])]


def subject(message: EmailMessage) -> str:
    """The subject without the «Re:»/«Fwd:» prefixes mail programs add."""
    text = " ".join(str(message.get("Subject", "")).split())
    while True:
        head, colon, rest = text.partition(":")
        if not colon or head.strip().lower() not in SUBJECT_PREFIXES:
            return text
        text = rest.strip()


def hosts_in(text: str) -> set[str]:
    """The host names of the links and bare domains a text mentions, lower case."""
    return {match.lower().rstrip(".") for match in HOST.findall(text)}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def attachments(message: EmailMessage) -> list[Attachment]:
    """The files attached to the message (inline pictures of a signature included: the
    studio may need a screenshot pasted into the text)."""
    found = []
    for number, part in enumerate(message.iter_attachments(), 1):
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            continue  # an attached message or an empty part
        name = part.get_filename() or f"attachment-{number}"
        found.append(Attachment(name[:255], part.get_content_type(), data))
    return found


def failed_dmarc(message: EmailMessage) -> bool:
    """The receiving mail server found the From forged (its Authentication-Results, RFC
    8601, say dmarc=fail): the only check of a sender's address TicketDesk has."""
    return any(re.search(r"\bdmarc\s*=\s*fail\b", str(value), re.IGNORECASE)
               for value in message.get_all("Authentication-Results", []))


def reply_text(message: EmailMessage) -> str:
    """What the sender wrote: the plain-text body (or the HTML one as text), without the
    quoted message below it and without the signature."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_subtype() == "html":
        text = _html_text(text)
    text = text.replace("\r\n", "\n")
    text = _without_signature(text)
    text = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text) or text
    return _without_quote(text).strip()[:MAX_TEXT]


def _without_signature(text: str) -> str:
    """Up to the signature separator (often sent without its trailing space)."""
    lines = text.split("\n")
    for at, line in enumerate(lines):
        if line.rstrip() == SIGNATURE.rstrip():
            return "\n".join(lines[:at])
    return text


def _without_quote(text: str) -> str:
    """Without the trailing block of `>` lines and the attribution line just above it
    (one ending in ':', in whatever language the sender's mail program wrote it)."""
    lines = text.rstrip().split("\n")
    end = len(lines)
    while end and (lines[end - 1].startswith(">") or not lines[end - 1].strip()):
        end -= 1
    if end == len(lines):
        return text
    attribution = end - 1
    while attribution >= 0 and not lines[attribution].strip():
        attribution -= 1
    if attribution >= 0 and lines[attribution].rstrip().endswith(":"):
        end = attribution
    return "\n".join(lines[:end])


class _Text(HTMLParser):
    BREAKS = {"br", "p", "div", "li", "tr", "blockquote", "h1", "h2", "h3"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.quoted = 0  # inside <blockquote>: the quoted notice

    def handle_starttag(self, tag, attrs):
        if tag == "blockquote":
            self.quoted += 1
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self.quoted = max(0, self.quoted - 1)
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.quoted:
            self.parts.append(data)


def _html_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    text = html.unescape("".join(parser.parts))
    return re.sub(r"\n{3,}", "\n\n", text)
