"""Reading a received message: what its author wrote, and whether a person wrote it."""

from __future__ import annotations

from email.message import EmailMessage

from services.tickets.mail.loops import loop_reason
from services.tickets.mail.messages import message_id, parse, reply_text


def message(body: str, subtype: str = "plain", **headers: str) -> EmailMessage:
    built = EmailMessage()
    built["From"] = headers.pop("From", "Анна <anna@client.example>")
    built["To"] = "support+abc@studio.example"
    for name, value in headers.items():
        built[name.replace("_", "-")] = value
    built.set_content(body, subtype=subtype)
    return parse(bytes(built))


def test_the_quote_below_a_russian_attribution_line_is_dropped():
    text = ("Да, всё верно.\n\nС уважением,\nАнна\n\n"
            "пн, 7 дек. 2026 г. в 14:00, TicketDesk <support@studio.example>:\n\n"
            "> Тикет #12: требуются уточнения\n>\n> Какой баннер?\n")
    assert reply_text(message(text)) == "Да, всё верно.\n\nС уважением,\nАнна"


def test_an_english_mail_program_and_a_signature():
    text = ("Accepted, thanks.\n-- \nAnna Petrova\nClient Co.\n\n"
            "On Mon, Dec 7, 2026 at 2:00 PM TicketDesk <support@studio.example> wrote:\n"
            "> Ticket #12 awaits acceptance\n")
    assert reply_text(message(text)) == "Accepted, thanks."


def test_an_html_reply_without_its_blockquote():
    html = ("<div>Готово, <b>спасибо</b>!</div><div><br></div>"
            "<blockquote><p>Тикет #12 ожидает приёмки</p></blockquote>")
    assert reply_text(message(html, "html")) == "Готово, спасибо!"


def test_a_reply_of_only_a_quote_is_empty():
    assert reply_text(message("\n> Какой баннер?\n")) == ""


def test_messages_no_person_wrote():
    assert loop_reason(message("x", Auto_Submitted="auto-replied")) == "AUTO_SUBMITTED"
    assert loop_reason(message("x", Auto_Submitted="no")) == ""
    assert loop_reason(message("x", Precedence="bulk")) == "BULK"
    assert loop_reason(message("x", X_Autoreply="yes")) == "AUTO_REPLY"
    assert loop_reason(message("x", X_TicketDesk_Notice="comment")) == "OWN_NOTICE"
    assert loop_reason(message("x", From="MAILER-DAEMON@mx.example")) == "SYSTEM_SENDER"
    assert loop_reason(message("Спасибо")) == ""


def test_a_message_without_a_message_id_is_known_by_its_bytes():
    raw = b"From: a@b.example\r\nSubject: x\r\n\r\nhi\r\n"
    first, again = message_id(parse(raw), raw), message_id(parse(raw), raw)
    assert first == again and first.startswith("<sha256-")
    assert message_id(parse(raw + b"!"), raw + b"!") != first
