"""Answer a TicketDesk notice by e-mail, as its recipient's mail program would: the
reply goes to the notice's Reply-To, from the person it was sent to, with the notice
quoted below the text (TicketDesk keeps only the text).

With `make run`, notices are files in var/mail/ and the e-mail receiver listens on
127.0.0.1:2525:

    .venv/bin/python examples/reply_by_email.py var/mail/<notice>.eml "Баннер прикладываю"

Standard library only.
"""

from __future__ import annotations

import argparse
import smtplib
import sys
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path


def reply_to(notice: EmailMessage, text: str) -> EmailMessage:
    if not notice["Reply-To"]:
        raise SystemExit("the notice has no Reply-To: e-mail in is off "
                         "(TICKETDESK_MAIL_REPLY_SECRET)")
    answer = EmailMessage()
    answer["From"] = str(notice["To"])
    answer["To"] = str(notice["Reply-To"])
    answer["Subject"] = "Re: " + str(notice["Subject"])
    answer["Message-ID"] = make_msgid(domain="client.example")
    answer["In-Reply-To"] = str(notice["Message-ID"])
    original = notice.get_body(preferencelist=("plain",))
    quoted = "".join(f"> {line}\n" for line in
                     (original.get_content() if original else "").splitlines())
    answer.set_content(f"{text}\n\n{notice['Date']}, {notice['From']}:\n{quoted}")
    return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notice", type=Path, help="the notice, an .eml file")
    parser.add_argument("text", help="what to answer")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    args = parser.parse_args()
    notice = BytesParser(policy=policy.default).parsebytes(args.notice.read_bytes())
    answer = reply_to(notice, args.text)
    with smtplib.SMTP(args.host, args.port, timeout=30) as smtp:
        smtp.send_message(answer)
    print(f"sent to {answer['To']} as {answer['Message-ID']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
