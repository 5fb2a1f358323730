"""Adding and dropping indexes in a migration without holding the hall's writes.

On PostgreSQL an index is built CONCURRENTLY, outside the migration's transaction: a city's
tickets and their events run to millions of rows, and a plain CREATE INDEX would hold every
kiosk's and counter's writes until it finished. A build that failed half-way left an invalid
index; the next upgrade drops it and builds it again. SQLite builds it in the migration's
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

# (index name, table, columns)
IndexSpec = tuple[str, str, list[str]]


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _invalid_index(name: str) -> bool:
    """A CREATE INDEX CONCURRENTLY that failed or was interrupted leaves its index behind,
    marked invalid: never used, yet IF NOT EXISTS would skip building it again."""
    found = (
        op.get_bind()
        .execute(
            text(
                "SELECT NOT index.indisvalid FROM pg_index AS index"
                " JOIN pg_class AS class ON class.oid = index.indexrelid"
                " WHERE class.relname = :name AND pg_catalog.pg_table_is_visible(class.oid)"
            ),
            {"name": name},
        )
        .scalar()
    )
    return bool(found)


def create_indexes(indexes: Sequence[IndexSpec]) -> None:
    if _on_postgresql():
        with op.get_context().autocommit_block():
            for name, table, columns in indexes:
                if _invalid_index(name):
                    op.drop_index(
                        name, table_name=table, postgresql_concurrently=True, if_exists=True
                    )
                op.create_index(
                    name, table, columns, postgresql_concurrently=True, if_not_exists=True
                )
    else:
        for name, table, columns in indexes:
            op.create_index(name, table, columns)


def drop_indexes(indexes: Sequence[IndexSpec]) -> None:
    if _on_postgresql():
        with op.get_context().autocommit_block():
            for name, table, _columns in reversed(indexes):
                op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
    else:
        for name, table, _columns in reversed(indexes):
            op.drop_index(name, table_name=table)
