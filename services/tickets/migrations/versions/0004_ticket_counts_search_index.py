"""ticket list at a million tickets: counts per status kept by triggers, a text index

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 23:45:00

Hand-written. The list's header shows the counts per status of its scope; counted
from the tickets they cost a staff queue a scan of every open ticket (83 ms at
100,000). `ticket_counts` holds them, kept by triggers so that every writer (the
service, an import, a bulk load with Core) keeps them right without knowing.

Text search ("every word is a substring of search_text") gets an index that serves
substrings in any language, Russian included: a trigram one. PostgreSQL: pg_trgm's GIN
index on (organization, search_text), which serves `LIKE '%word%'` itself. SQLite: an FTS5 table with the trigram
tokenizer over tickets.search_text (external content, kept by triggers), queried with
a phrase per word. Words shorter than three characters have no trigram: the list
matches them with LIKE alone (store.listing).

Note for later migrations: on SQLite a batch_alter_table of `tickets` copies the table
and drops its triggers; such a migration must create them again (see _SQLITE_TRIGGERS).
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = {
    # Counts per (organization, status).
    "ticket_counts_insert": """
        AFTER INSERT ON tickets BEGIN
          INSERT INTO ticket_counts (organization, status, n)
          VALUES (NEW.organization, NEW.status, 1)
          ON CONFLICT (organization, status) DO UPDATE SET n = n + 1;
        END""",
    "ticket_counts_update": """
        AFTER UPDATE OF organization, status ON tickets
        WHEN OLD.organization IS NOT NEW.organization OR OLD.status IS NOT NEW.status BEGIN
          UPDATE ticket_counts SET n = n - 1
          WHERE organization = OLD.organization AND status = OLD.status;
          INSERT INTO ticket_counts (organization, status, n)
          VALUES (NEW.organization, NEW.status, 1)
          ON CONFLICT (organization, status) DO UPDATE SET n = n + 1;
        END""",
    "ticket_counts_delete": """
        AFTER DELETE ON tickets BEGIN
          UPDATE ticket_counts SET n = n - 1
          WHERE organization = OLD.organization AND status = OLD.status;
        END""",
    # The text index follows search_text (the FTS5 documentation's external content).
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

# PostgreSQL: a statement's inserted and deleted rows counted at once (a bulk load of
# 10,000 rows is one upsert, not 10,000); a changed status row by row. Upserts lock the
# count rows in the order of their key, so that two transitions in opposite directions
# (queued -> in progress, in progress -> queued) cannot deadlock.
_PG_FUNCTIONS = {
    "ticket_counts_add": """
        CREATE FUNCTION ticket_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO ticket_counts AS c (organization, status, n)
          SELECT organization, status, count(*) FROM added
          GROUP BY organization, status ORDER BY organization, status
          ON CONFLICT (organization, status) DO UPDATE SET n = c.n + EXCLUDED.n;
          RETURN NULL;
        END $$""",
    "ticket_counts_remove": """
        CREATE FUNCTION ticket_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE ticket_counts AS c SET n = c.n - gone.n
          FROM (SELECT organization, status, count(*) AS n FROM removed
                GROUP BY organization, status ORDER BY organization, status) AS gone
          WHERE c.organization = gone.organization AND c.status = gone.status;
          RETURN NULL;
        END $$""",
    "ticket_counts_move": """
        CREATE FUNCTION ticket_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO ticket_counts AS c (organization, status, n)
          SELECT organization, status, delta FROM (VALUES
            (OLD.organization, OLD.status, -1), (NEW.organization, NEW.status, 1))
            AS moved (organization, status, delta)
          ORDER BY organization, status
          ON CONFLICT (organization, status) DO UPDATE SET n = c.n + EXCLUDED.n;
          RETURN NULL;
        END $$""",
}
_PG_TRIGGERS = {
    "ticket_counts_insert": "AFTER INSERT ON tickets REFERENCING NEW TABLE AS added "
                            "FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_add()",
    "ticket_counts_delete": "AFTER DELETE ON tickets REFERENCING OLD TABLE AS removed "
                            "FOR EACH STATEMENT EXECUTE FUNCTION ticket_counts_remove()",
    "ticket_counts_update": "AFTER UPDATE OF organization, status ON tickets FOR EACH ROW "
                            "WHEN (OLD.organization IS DISTINCT FROM NEW.organization "
                            "OR OLD.status IS DISTINCT FROM NEW.status) "
                            "EXECUTE FUNCTION ticket_counts_move()",
}


def upgrade() -> None:
    op.create_table(
        'ticket_counts',
        sa.Column('organization', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('organization', 'status', name=op.f('pk_ticket_counts')),
    )
    op.execute("INSERT INTO ticket_counts (organization, status, n) "
               "SELECT organization, status, count(*) FROM tickets GROUP BY organization, status")
    if op.get_bind().dialect.name == "sqlite":
        # case_sensitive: search_text and the words are casefolded already; the index
        # then matches exactly what LIKE would.
        op.execute("CREATE VIRTUAL TABLE ticket_search USING fts5(search_text, "
                   "content='tickets', content_rowid='number', "
                   "tokenize='trigram case_sensitive 1', columnsize=0)")
        op.execute("INSERT INTO ticket_search (ticket_search) VALUES ('rebuild')")
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        return
    # Trusted extensions: the database's owner may create them. btree_gin puts the
    # organization in the same GIN index, so that a client's search reads the postings
    # of its own organization's matches, not every organization's (at 1,000,000
    # tickets, 400 rows to check instead of 20,000 for a word in one ticket in fifty).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute("CREATE INDEX ix_tickets_search_trgm ON tickets "
               "USING gin (organization, search_text gin_trgm_ops)")
    for body in _PG_FUNCTIONS.values():
        op.execute(body)
    for name, body in _PG_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS ticket_search")
    else:
        for name in _PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON tickets")
        for name in _PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        op.execute("DROP INDEX IF EXISTS ix_tickets_search_trgm")
        # The extensions stay: other objects of the database may use them.
    op.drop_table('ticket_counts')
