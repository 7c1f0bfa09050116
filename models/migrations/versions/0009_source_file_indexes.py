"""source_file: indexes for an office's last load, its files of a period, and
its formats

A live office sends a counter file a day (a thousand files a year); the pages
read the last load of each kind, the files received in a period and whether an
office's door data is an access log. Without these indexes each of those read
every file the office ever sent.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 17:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_source_file_last_load": ["office_id", "kind", "status", "received_at"],
    "ix_source_file_received": ["office_id", "received_at"],
    "ix_source_file_format": ["office_id", "kind", "format"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "source_file", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="source_file")
