"""one head again: join the feature branches 0002..0006 that each grew from 0001

The features were built side by side, each with a revision on top of 0001. This revision
changes no table; it only joins those branches, so `hallq db upgrade` goes to the one "head"
and the next revision has a single parent again.

Revision ID: 0007_one_head
Revises: 0002_display_settings, 0002_ratings, 0003_prereview, 0004_manager, 0005_leases,
    0006_predictions
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

revision = "0007_one_head"
down_revision = (
    "0002_display_settings",
    "0002_ratings",
    "0003_prereview",
    "0004_manager",
    "0005_leases",
    "0006_predictions",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
