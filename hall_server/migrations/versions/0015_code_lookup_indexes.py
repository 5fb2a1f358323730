"""booking and pre-review codes looked up by an index: hall, then the code upper-cased

Revision ID: 0015_code_lookup_indexes
Revises: 0014_printer_reported_at
Create Date: 2026-12-08 00:30:00

A code typed or scanned at a kiosk or counter is looked up in its hall upper-cased on both
sides (booked_arrival: `upper(code) = 'YY120801'`), so `yy120801` finds YY120801. No index held
the upper-cased code, and every scan read all of the hall's appointments or pre-reviews, which
in a city hall run to tens of thousands. The codes stay as the platform pushed them (it sees
them echoed back in every answer and status message); these expression indexes hold them
upper-cased, on SQLite as on PostgreSQL, where they are built CONCURRENTLY
(hall_server/storage/online_indexes.py).
"""

from __future__ import annotations

from sqlalchemy import text

from hall_server.storage.online_indexes import create_indexes, drop_indexes

revision = "0015_code_lookup_indexes"
down_revision = "0014_printer_reported_at"
branch_labels = None
depends_on = None

INDEXES = (
    (
        "ix_appointments_hall_id_upper_booking_code",
        "appointments",
        ["hall_id", text("upper(booking_code)")],
    ),
    ("ix_pre_reviews_hall_id_upper_code", "pre_reviews", ["hall_id", text("upper(code)")]),
)


def upgrade() -> None:
    create_indexes(INDEXES)  # type: ignore[arg-type]  # text() is a column alembic takes


def downgrade() -> None:
    drop_indexes(INDEXES)  # type: ignore[arg-type]
