"""ingest speed: no per-row foreign key from door_count to source_file

door_count is the one table that receives millions of rows per file, and
PostgreSQL checks a foreign key once per row (~4 µs each, more than the insert
itself). ``source_file_id`` is provenance written by ``ingest.pipeline`` in the
same transaction that inserts that ``source_file`` row, and source files are
never deleted, so the per-row check proves nothing the pipeline does not.
The office foreign key stays: it guards the natural key.

On SQLite the table is rebuilt WITHOUT ROWID (clustered on its primary key):
one B-tree to write per row instead of a table and an index.

Revision ID: 0004i
Revises: 0003
Create Date: 2026-11-23 12:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004i"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table(
        "door_count", table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.drop_constraint(
            "fk_door_count_source_file_id_source_file", type_="foreignkey"
        )


def downgrade() -> None:
    with op.batch_alter_table(
        "door_count", table_kwargs={"sqlite_with_rowid": True}
    ) as batch_op:
        batch_op.create_foreign_key(
            "fk_door_count_source_file_id_source_file",
            "source_file",
            ["source_file_id"],
            ["id"],
        )
