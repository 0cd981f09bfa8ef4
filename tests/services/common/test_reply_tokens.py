"""Reply addresses: a token names its ticket only under the secret that signed it."""

from __future__ import annotations

from services.common.platform.reply_tokens import (reply_address, reply_token,
                                                   ticket_of_token, tokens_in)

SECRET = "s3cret-of-the-studio"


def test_a_token_names_its_ticket_and_survives_case_folding():
    token = reply_token(SECRET, 4217)
    assert ticket_of_token(SECRET, token) == 4217
    assert ticket_of_token(SECRET, token.upper()) == 4217  # a server that upper-cases
    assert token.isalnum() and token == token.lower()


def test_forged_altered_and_foreign_tokens_name_nothing():
    token = reply_token(SECRET, 7)
    flipped = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert ticket_of_token(SECRET, flipped) is None
    assert ticket_of_token("another studio", token) is None
    other = reply_token(SECRET, 8)
    assert ticket_of_token(SECRET, other[:13] + token[13:]) is None  # 8's number, 7's mac
    for junk in ("", "x", "!!!!", "a" * 200, "0189"):
        assert ticket_of_token(SECRET, junk) is None


def test_the_reply_address_is_a_plus_address_of_the_support_mailbox():
    token = reply_token(SECRET, 12)
    address = reply_address("TicketDesk <Support@Studio.example>", token)
    assert address == f"Support+{token}@Studio.example"
    found = tokens_in([f"Анна <{address}>, other@studio.example",
                       f"support+{token.upper()}@studio.example"], "support@studio.example")
    assert found == [token]
    assert tokens_in(["support@studio.example", f"sales+{token}@studio.example",
                      f"support+{token}@elsewhere.example"], "support@studio.example") == []
