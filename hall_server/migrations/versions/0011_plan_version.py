"""plan version: a hall's plan_seq; when a window's pause began and which rota break it last took

Revision ID: 0011_plan_version
Revises: 0010_remote_issuing
Create Date: 2026-12-10 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.storage.models

revision = "0011_plan_version"
down_revision = "0010_remote_issuing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("plan_seq", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    with op.batch_alter_table("windows", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paused_at", hall_server.storage.models.UtcDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("last_break_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_windows_last_break_id_rota_breaks"),
            "rota_breaks",
            ["last_break_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # A window paused now began its pause when its status last changed, as far as anyone knows.
    op.execute("UPDATE windows SET paused_at = status_changed_at WHERE status = 'paused'")


def downgrade() -> None:
    with op.batch_alter_table("windows", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_windows_last_break_id_rota_breaks"), type_="foreignkey")
        batch_op.drop_column("last_break_id")
        batch_op.drop_column("paused_at")
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.drop_column("plan_seq")
