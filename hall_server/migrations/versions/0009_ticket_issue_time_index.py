"""indexes by hall and time: tickets issued since a hall's forecast, a window's last action

Revision ID: 0009_ticket_issue_time_index
Revises: 0008_break_rota
Create Date: 2026-12-06 23:00:00

On PostgreSQL both indexes are built CONCURRENTLY, outside the migration's transaction: a
city's tickets and their events run to millions of rows, and a plain CREATE INDEX would hold
every kiosk's and counter's writes until it finished.
"""

from __future__ import annotations

from hall_server.storage.online_indexes import create_indexes, drop_indexes

revision = "0009_ticket_issue_time_index"
down_revision = "0008_break_rota"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_tickets_hall_issued", "tickets", ["hall_id", "issued_at"]),
    ("ix_ticket_events_hall_at", "ticket_events", ["hall_id", "at"]),
)


def upgrade() -> None:
    create_indexes(INDEXES)


def downgrade() -> None:
    drop_indexes(INDEXES)
