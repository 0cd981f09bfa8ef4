"""SQLite's text index keyed by organization

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 03:30:00

Hand-written, SQLite only (PostgreSQL's GIN index leads with the organization already).
A client's search read every organization's matches from the FTS5 table (rowid: the
ticket number) and then looked each ticket up to drop the other organizations' (20,000
lookups for a word in one ticket in fifty at 1,000,000 tickets, twice per list). The
index's rowid is now `organization key << 32 | number`: FTS5 seeks to one rowid range,
so a client's search reads its own organization's matches only. The keys are small
integers given to organizations as their first ticket arrives (`ticket_search_orgs`).

The table is contentless (its rowid is no column of `tickets`, so it cannot be external
content of it): the triggers give the old text to FTS5's 'delete', and a bulk load
inserts the new rows' keys and text itself instead of 'rebuild' (bench/data.py).
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# A ticket's key in the index: its organization's key, then its number (< 2**31).
_KEY = ("(SELECT id FROM ticket_search_orgs WHERE organization = {row}.organization) << 32"
        " | {row}.number")
_ADD_ORG = "INSERT OR IGNORE INTO ticket_search_orgs (organization) VALUES (NEW.organization);"
_TRIGGERS = {
    "ticket_search_insert": f"""
        AFTER INSERT ON tickets BEGIN
          {_ADD_ORG}
          INSERT INTO ticket_search (rowid, search_text)
          VALUES ({_KEY.format(row="NEW")}, NEW.search_text);
        END""",
    "ticket_search_update": f"""
        AFTER UPDATE OF organization, search_text ON tickets
        WHEN OLD.search_text IS NOT NEW.search_text
          OR OLD.organization IS NOT NEW.organization BEGIN
          INSERT INTO ticket_search (ticket_search, rowid, search_text)
          VALUES ('delete', {_KEY.format(row="OLD")}, OLD.search_text);
          {_ADD_ORG}
          INSERT INTO ticket_search (rowid, search_text)
          VALUES ({_KEY.format(row="NEW")}, NEW.search_text);
        END""",
    "ticket_search_delete": f"""
        AFTER DELETE ON tickets BEGIN
          INSERT INTO ticket_search (ticket_search, rowid, search_text)
          VALUES ('delete', {_KEY.format(row="OLD")}, OLD.search_text);
        END""",
}
# Revision 0004's index, for the downgrade.
_OLD_TRIGGERS = {
    "ticket_search_insert": """
        AFTER INSERT ON tickets BEGIN
          INSERT INTO ticket_search (rowid, search_text) VALUES (NEW.number, NEW.search_text);
        END""",
    "ticket_search_update": """
        AFTER UPDATE OF search_text ON tickets
        WHEN OLD.search_text IS NOT NEW.search_text BEGIN
          INSERT INTO ticket_search (ticket_search, rowid, search_text)
          VALUES ('delete', OLD.number, OLD.search_text);
          INSERT INTO ticket_search (rowid, search_text) VALUES (NEW.number, NEW.search_text);
        END""",
    "ticket_search_delete": """
        AFTER DELETE ON tickets BEGIN
          INSERT INTO ticket_search (ticket_search, rowid, search_text)
          VALUES ('delete', OLD.number, OLD.search_text);
        END""",
}
_FILL = ("INSERT INTO ticket_search_orgs (organization) "
         "SELECT DISTINCT organization FROM tickets",
         "INSERT INTO ticket_search (rowid, search_text) "
         "SELECT o.id << 32 | t.number, t.search_text FROM tickets AS t "
         "JOIN ticket_search_orgs AS o ON o.organization = t.organization")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop(_OLD_TRIGGERS)
    op.execute("CREATE TABLE ticket_search_orgs (id INTEGER PRIMARY KEY, "
               "organization VARCHAR(64) NOT NULL UNIQUE)")
    # detail=full (the default): a word is a phrase of trigrams, and phrases need the
    # positions. case_sensitive: search_text and the words are casefolded already.
    op.execute("CREATE VIRTUAL TABLE ticket_search USING fts5(search_text, content='', "
               "tokenize='trigram case_sensitive 1', columnsize=0)")
    for statement in _FILL:
        op.execute(statement)
    for name, body in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop(_TRIGGERS)
    op.execute("DROP TABLE ticket_search_orgs")
    op.execute("CREATE VIRTUAL TABLE ticket_search USING fts5(search_text, "
               "content='tickets', content_rowid='number', "
               "tokenize='trigram case_sensitive 1', columnsize=0)")
    op.execute("INSERT INTO ticket_search (ticket_search) VALUES ('rebuild')")
    for name, body in _OLD_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def _drop(triggers: dict[str, str]) -> None:
    for name in triggers:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS ticket_search")
