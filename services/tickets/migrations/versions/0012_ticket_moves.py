"""backlog by status over time: every move of a ticket between (status, assignee,
priority, site) kept by triggers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 21:00:00

Hand-written. The service report draws the open tickets by status at the end of each
week. A ticket's row says only where it is now; `ticket_moves` says when it got there: a
created ticket adds +1 to its place, a change of status, assignee, priority or site -1 to
the old place and +1 to the new one, at the ticket's update time. The backlog at a moment
is then today's count less the moves since, which reads only the moves of the weeks
shown. Triggers, like ticket_counts (0004), so that every writer keeps them.

Tickets that exist already get no moves: before this revision the backlog by status is
today's, less what moved since.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_PLACE = "organization, site_id, assignee, priority, status"
_CHANGED = ("OLD.status IS {ne} NEW.status OR OLD.assignee IS {ne} NEW.assignee "
            "OR OLD.priority IS {ne} NEW.priority OR OLD.site_id IS {ne} NEW.site_id "
            "OR OLD.organization IS {ne} NEW.organization")
_COLUMNS = f"(moment, {_PLACE}, delta)"


def _values(row: str, moment: str, delta: int) -> str:
    return (f"({moment}, {row}.organization, {row}.site_id, {row}.assignee, "
            f"{row}.priority, {row}.status, {delta})")


_SQLITE_TRIGGERS = {
    "ticket_moves_insert": f"""
        AFTER INSERT ON tickets BEGIN
          INSERT INTO ticket_moves {_COLUMNS} VALUES {_values('NEW', 'NEW.create_time', 1)};
        END""",
    "ticket_moves_update": f"""
        AFTER UPDATE OF {_PLACE} ON tickets WHEN {_CHANGED.format(ne='NOT')} BEGIN
          INSERT INTO ticket_moves {_COLUMNS} VALUES
            {_values('OLD', 'NEW.update_time', -1)}, {_values('NEW', 'NEW.update_time', 1)};
        END""",
}

# PostgreSQL: a bulk load's rows in one statement; a change row by row.
_PG_FUNCTIONS = {
    "ticket_moves_add": f"""
        CREATE FUNCTION ticket_moves_add() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO ticket_moves {_COLUMNS}
          SELECT create_time, {_PLACE}, 1 FROM added;
          RETURN NULL;
        END $$""",
    "ticket_moves_move": f"""
        CREATE FUNCTION ticket_moves_move() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO ticket_moves {_COLUMNS} VALUES
            {_values('OLD', 'NEW.update_time', -1)}, {_values('NEW', 'NEW.update_time', 1)};
          RETURN NULL;
        END $$""",
}
_PG_TRIGGERS = {
    "ticket_moves_insert": "AFTER INSERT ON tickets REFERENCING NEW TABLE AS added "
                           "FOR EACH STATEMENT EXECUTE FUNCTION ticket_moves_add()",
    "ticket_moves_update": f"AFTER UPDATE OF {_PLACE} ON tickets FOR EACH ROW "
                           f"WHEN ({_CHANGED.format(ne='DISTINCT FROM')}) "
                           "EXECUTE FUNCTION ticket_moves_move()",
}


def upgrade() -> None:
    op.create_table(
        'ticket_moves',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('moment', sa.DateTime(timezone=True), nullable=False),
        sa.Column('organization', sa.String(length=64), nullable=False),
        sa.Column('site_id', sa.String(length=32), nullable=True),
        sa.Column('assignee', sa.String(length=64), nullable=False),
        sa.Column('priority', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('delta', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_moves')),
    )
    # Covering: the report's unfiltered backlog reads a range of moments without the rows.
    op.create_index('ix_ticket_moves_moment', 'ticket_moves', ['moment', 'status', 'delta'])
    if op.get_bind().dialect.name == "sqlite":
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        return
    for body in _PG_FUNCTIONS.values():
        op.execute(body)
    for name, body in _PG_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in _SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else " ON tickets"))
    if not sqlite:
        for name in _PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index('ix_ticket_moves_moment', table_name='ticket_moves')
    op.drop_table('ticket_moves')
