"""indexes by hall and time: tickets issued since a hall's forecast, a window's last action

Revision ID: 0009_ticket_issue_time_index
Revises: 0008_break_rota
Create Date: 2026-12-06 23:00:00

On PostgreSQL both indexes are built CONCURRENTLY, outside the migration's transaction: a
city's tickets and their events run to millions of rows, and a plain CREATE INDEX would hold
every kiosk's and counter's writes until it finished.
"""

from __future__ import annotations

from alembic import op

revision = "0009_ticket_issue_time_index"
down_revision = "0008_break_rota"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_tickets_hall_issued", "tickets", ["hall_id", "issued_at"]),
    ("ix_ticket_events_hall_at", "ticket_events", ["hall_id", "at"]),
)


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _on_postgresql():
        with op.get_context().autocommit_block():
            for name, table, columns in INDEXES:
                op.create_index(
                    name, table, columns, postgresql_concurrently=True, if_not_exists=True
                )
    else:
        for name, table, columns in INDEXES:
            op.create_index(name, table, columns)


def downgrade() -> None:
    if _on_postgresql():
        with op.get_context().autocommit_block():
            for name, table, _columns in reversed(INDEXES):
                op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
    else:
        for name, table, _columns in reversed(INDEXES):
            op.drop_index(name, table_name=table)
