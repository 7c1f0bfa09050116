"""door_day_occupancy: the hours as packed integers instead of JSON

The occupancy pages read a period's running occupancy for every office-day
(4 600 days for a quarter at 50 offices). Parsing that JSON value by value was
most of the page's time; packed little-endian 32-bit integers
(``models.tables.HourValues``) are read in one ``numpy.frombuffer`` call.
The stored values are converted here, on SQLite and PostgreSQL alike.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 17:50:00
"""

import struct
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "door_day_occupancy"


# the stored format, as models.tables.HourValues writes it (kept here as it
# was at this revision)
def pack_hours(values: list[int]) -> bytes:
    return struct.pack(f"<{len(values)}i", *values)


def unpack_hours(stored: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(stored) // 4}i", stored))


def _convert(old_type: sa.types.TypeEngine, new_type: sa.types.TypeEngine, change) -> None:
    """Add the new column, fill it from the old one with ``change``, drop the
    old one and give the new one its name."""
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("converted", new_type, nullable=True))
    table = sa.table(
        TABLE,
        sa.column("office_id", sa.String),
        sa.column("day", sa.Date),
        sa.column("occupancy", old_type),
        sa.column("converted", new_type),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(table.c.office_id, table.c.day, table.c.occupancy))
    values = [
        {"office": office, "on": day, "value": change(value)}
        for office, day, value in rows
    ]
    if values:
        conn.execute(
            sa.update(table)
            .where(
                table.c.office_id == sa.bindparam("office"),
                table.c.day == sa.bindparam("on"),
            )
            .values(converted=sa.bindparam("value")),
            values,
        )
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("occupancy")
        batch.alter_column(
            "converted",
            new_column_name="occupancy",
            existing_type=new_type,
            nullable=False,
        )


def upgrade() -> None:
    _convert(sa.JSON(), sa.LargeBinary(), pack_hours)


def downgrade() -> None:
    _convert(sa.LargeBinary(), sa.JSON(), unpack_hours)
