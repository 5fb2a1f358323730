"""indexes by hall and time: tickets issued since a hall's forecast, a window's last action

Revision ID: 0009_ticket_issue_time_index
Revises: 0008_break_rota
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0009_ticket_issue_time_index"
down_revision = "0008_break_rota"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_hall_issued", "tickets", ["hall_id", "issued_at"])
    op.create_index("ix_ticket_events_hall_at", "ticket_events", ["hall_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_ticket_events_hall_at", table_name="ticket_events")
    op.drop_index("ix_tickets_hall_issued", table_name="tickets")
