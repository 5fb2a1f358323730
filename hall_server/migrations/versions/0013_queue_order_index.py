"""a queue's order in its index: queue time, then id

Revision ID: 0013_queue_order_index
Revises: 0012_issuing_indexes
Create Date: 2026-12-07 13:10:00

Call-next reads each queue's first waiting ticket by queue time. Tickets share a queue time
(the booked visitors of one appointment slot queue at the slot), and among equals PostgreSQL's
index returned them in the order their rows happened to lie, not the order they were issued,
while a visitor's "people ahead" counted by id. The queue's order is now queue time, then id,
and the index holds id as its last column so the head is still one seek. SQLite's index
already ended with the row id; it is rebuilt alike so both databases carry the same schema.

On PostgreSQL the new index is built CONCURRENTLY before the old one is dropped, so calls go
on during the upgrade (hall_server/storage/online_indexes.py).
"""

from __future__ import annotations

from hall_server.storage.online_indexes import create_indexes, drop_indexes

revision = "0013_queue_order_index"
down_revision = "0012_issuing_indexes"
branch_labels = None
depends_on = None

QUEUE_COLUMNS = ["hall_id", "status", "service_id", "visitor_class", "queue_key"]
NEW = (("ix_tickets_queue_order", "tickets", [*QUEUE_COLUMNS, "id"]),)
OLD = (("ix_tickets_queue", "tickets", QUEUE_COLUMNS),)


def upgrade() -> None:
    create_indexes(NEW)
    drop_indexes(OLD)


def downgrade() -> None:
    create_indexes(OLD)
    drop_indexes(NEW)
