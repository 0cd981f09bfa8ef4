"""TicketDesk's words and formats for people, in Russian (the source and the default) and
English: labels of statuses, priorities and actions, dates and times, error messages.

Framework-free: every function takes the language (and, for moments, the time zone) as an
argument, so the web UI (`ui/i18n.py` binds the reader's language) and the worker's
e-mails (`workflows/notify/`) say the same things the same way. The msgids are the Russian
texts themselves; `locale/en/LC_MESSAGES/messages.po` holds the English ones.
"""

from texts.catalog import DEFAULT, LANGUAGES, N_, language_or_default, translate

__all__ = ["DEFAULT", "LANGUAGES", "N_", "language_or_default", "translate"]
