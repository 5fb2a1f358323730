"""manager dashboard: alert thresholds per hall, the alerts raised and cleared, board notices

Revision ID: 0004_manager
Revises: 0001
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.storage.models

revision = "0004_manager"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("alert_settings", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    op.create_table(
        "hall_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("raised_at", hall_server.storage.models.UtcDateTime(), nullable=False),
        sa.Column("cleared_at", hall_server.storage.models.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_hall_alerts_hall_id_halls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_alerts")),
    )
    op.create_index(
        "ix_hall_alerts_hall_cleared", "hall_alerts", ["hall_id", "cleared_at"], unique=False
    )
    op.create_table(
        "board_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("sent_by_user_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", hall_server.storage.models.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_board_notices_hall_id_halls")
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_user_id"], ["users.id"], name=op.f("fk_board_notices_sent_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_notices")),
    )
    op.create_index(op.f("ix_board_notices_hall_id"), "board_notices", ["hall_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_board_notices_hall_id"), table_name="board_notices")
    op.drop_table("board_notices")
    op.drop_index("ix_hall_alerts_hall_cleared", table_name="hall_alerts")
    op.drop_table("hall_alerts")
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.drop_column("alert_settings")
