"""ticket list: priority rank, casefolded search text, indexes for every sort and filter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:00:00

Hand-written. `priority_rank` and `search_text` are derived from `priority`,
`title` and `description` on every write (models._derive); existing rows are
filled here, in Python, because SQLite's lower() folds ASCII only.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "critical": 3}
NEW_INDEXES = {
    "ix_tickets_updated": ["update_time", "number"],
    "ix_tickets_created": ["create_time", "number"],
    "ix_tickets_priority_updated": ["priority_rank", "update_time"],
    "ix_tickets_desired": ["desired_date", "number"],
    "ix_tickets_assignee_updated": ["assignee", "update_time"],
    "ix_tickets_site_updated": ["site_id", "update_time"],
}
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority_rank', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=True))
    _fill_derived_columns()
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.alter_column('priority_rank', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('search_text', existing_type=sa.Text(), nullable=False)
        for name, columns in NEW_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def _fill_derived_columns() -> None:
    connection = op.get_bind()
    tickets = sa.table('tickets', sa.column('number', sa.Integer()),
                       sa.column('priority', sa.String()), sa.column('title', sa.String()),
                       sa.column('description', sa.Text()),
                       sa.column('priority_rank', sa.Integer()),
                       sa.column('search_text', sa.Text()))
    rows = connection.execute(sa.select(tickets.c.number, tickets.c.priority, tickets.c.title,
                                        tickets.c.description)).all()
    update = (tickets.update().where(tickets.c.number == sa.bindparam('n'))
              .values(priority_rank=sa.bindparam('rank'), search_text=sa.bindparam('text')))
    for start in range(0, len(rows), BATCH):
        connection.execute(update, [
            {"n": number, "rank": PRIORITY_RANK.get(priority, 1),
             "text": f"{title}\n{description}".casefold()}
            for number, priority, title, description in rows[start:start + BATCH]])


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in NEW_INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_column('search_text')
        batch_op.drop_column('priority_rank')
