"""background work leases and the log of background runs

Revision ID: 0005_leases
Revises: 0001
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.storage.models

revision = "0005_leases"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("token", sa.Integer(), nullable=False),
        sa.Column("acquired_at", hall_server.storage.models.UtcDateTime(), nullable=False),
        sa.Column("expires_at", hall_server.storage.models.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "background_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=60), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("lease_token", sa.Integer(), nullable=False),
        sa.Column("started_at", hall_server.storage.models.UtcDateTime(), nullable=False),
        sa.Column("finished_at", hall_server.storage.models.UtcDateTime(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_runs")),
    )
    op.create_index(
        "ix_background_runs_job_started", "background_runs", ["job", "started_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_background_runs_job_started", table_name="background_runs")
    op.drop_table("background_runs")
    op.drop_table("leases")
