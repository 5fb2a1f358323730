"""remote issuing: a hall's settings for tickets taken on the phone, and which tickets were

Revision ID: 0010_remote_issuing
Revises: 0009_ticket_issue_time_index
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_remote_issuing"
down_revision = "0009_ticket_issue_time_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "remote_issuing_settings",
                sa.JSON(),
                nullable=False,
                server_default=sa.text("'{}'"),
            )
        )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        # Every ticket issued before this revision was taken in the hall.
        batch_op.add_column(
            sa.Column("issued_remotely", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("issued_remotely")
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.drop_column("remote_issuing_settings")
