"""online pre-review and appointments: platforms, their pushes, the outbox, calling settings

Revision ID: 0003_prereview
Revises: 0001
Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hall_server.storage.models

revision = "0003_prereview"
down_revision = "0001"
branch_labels = None
depends_on = None

UtcDateTime = hall_server.storage.models.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("calling_settings", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    op.create_table(
        "platforms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_platforms_hall_id_halls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platforms")),
        sa.UniqueConstraint("code", name=op.f("uq_platforms_code")),
    )
    op.create_table(
        "platform_signatures",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("seen_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platforms.id"],
            name=op.f("fk_platform_signatures_platform_id_platforms"),
        ),
        sa.PrimaryKeyConstraint("platform_id", "signature", name=op.f("pk_platform_signatures")),
    )
    op.create_index(
        op.f("ix_platform_signatures_seen_at"), "platform_signatures", ["seen_at"], unique=False
    )
    op.create_table(
        "pre_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False),
        sa.Column("applicant_name", sa.String(length=60), nullable=True),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_pre_reviews_hall_id_halls")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_pre_reviews_platform_id_platforms")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_pre_reviews_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_pre_reviews_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pre_reviews")),
        sa.UniqueConstraint(
            "platform_id", "application_id", name="uq_pre_reviews_platform_id_application_id"
        ),
        sa.UniqueConstraint("platform_id", "code", name="uq_pre_reviews_platform_id_code"),
    )
    op.create_index(
        "ix_pre_reviews_hall_id_hash", "pre_reviews", ["hall_id", "id_number_hash"], unique=False
    )
    op.create_index(op.f("ix_pre_reviews_ticket_id"), "pre_reviews", ["ticket_id"], unique=False)
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.String(length=64), nullable=False),
        sa.Column("booking_code", sa.String(length=40), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("slot_start", UtcDateTime(), nullable=False),
        sa.Column("slot_end", UtcDateTime(), nullable=True),
        sa.Column("applicant_name", sa.String(length=60), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("application_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("checked_in_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_appointments_hall_id_halls")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_appointments_platform_id_platforms")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_appointments_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_appointments_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint(
            "hall_id", "booking_code", name="uq_appointments_hall_id_booking_code"
        ),
        sa.UniqueConstraint(
            "platform_id", "appointment_id", name="uq_appointments_platform_id_appointment_id"
        ),
    )
    op.create_index(
        "ix_appointments_hall_status_slot",
        "appointments",
        ["hall_id", "status", "slot_start"],
        unique=False,
    )
    op.create_index(
        op.f("ix_appointments_ticket_id"), "appointments", ["ticket_id"], unique=False
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_outbox_messages_hall_id_halls")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platforms.id"],
            name=op.f("fk_outbox_messages_platform_id_platforms"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    op.create_index(
        "ix_outbox_messages_status_next",
        "outbox_messages",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_outbox_messages_hall_id"), "outbox_messages", ["hall_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("outbox_messages")
    op.drop_table("appointments")
    op.drop_table("pre_reviews")
    op.drop_index(op.f("ix_platform_signatures_seen_at"), table_name="platform_signatures")
    op.drop_table("platform_signatures")
    op.drop_table("platforms")
    with op.batch_alter_table("halls", schema=None) as batch_op:
        batch_op.drop_column("calling_settings")
