"""when a kiosk's print agent last reported its printer

Revision ID: 0014_printer_reported_at
Revises: 0013_queue_order_index
Create Date: 2026-12-07 14:00:00

A kiosk's page and its print agent share the device's token, and both keep `last_seen_at`
fresh: while the page stays open a print agent that has died went unnoticed. The agent alone
reports the printer, so `printer_reported_at` says when it was last heard (alerts.py raises
`printer_silent` when it falls quiet). A kiosk whose printer was ever reported starts from when
the device was last seen, as far as anyone knows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.storage.models

revision = "0014_printer_reported_at"
down_revision = "0013_queue_order_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "printer_reported_at", hall_server.storage.models.UtcDateTime(), nullable=True
            )
        )
    op.execute(
        "UPDATE devices SET printer_reported_at = last_seen_at"
        " WHERE kind = 'kiosk' AND printer_status IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("printer_reported_at")
