"""break rota: each window's planned breaks, and how long a window's pause is meant to last

Revision ID: 0008_break_rota
Revises: 0007_one_head
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.storage.models

revision = "0008_break_rota"
down_revision = "0007_one_head"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rota_breaks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["window_id"], ["windows.id"], name=op.f("fk_rota_breaks_window_id_windows")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rota_breaks")),
    )
    op.create_index(op.f("ix_rota_breaks_window_id"), "rota_breaks", ["window_id"], unique=False)
    with op.batch_alter_table("windows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pause_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "last_break_started_at",
                hall_server.storage.models.UtcDateTime(),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("windows", schema=None) as batch_op:
        batch_op.drop_column("last_break_started_at")
        batch_op.drop_column("pause_minutes")
    op.drop_index(op.f("ix_rota_breaks_window_id"), table_name="rota_breaks")
    op.drop_table("rota_breaks")
