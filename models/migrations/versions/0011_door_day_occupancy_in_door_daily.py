"""door_daily holds each day's running occupancy; door_day_occupancy goes

The occupancy pages read a period's door days twice: the totals from
door_daily, the running occupancy per hour from door_day_occupancy, the same
office-days by the same key (4 600 rows each for a quarter at 50 offices).
One table read once is one range scan and one result instead of two. The
stored values move as they are (``models.tables.HourValues``); a day that had
none stays NULL until ``pilotpuls db upgrade`` backfills it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

daily = sa.table(
    "door_daily",
    sa.column("office_id", sa.String),
    sa.column("day", sa.Date),
    sa.column("occupancy", sa.LargeBinary),
)
occupancy = sa.table(
    "door_day_occupancy",
    sa.column("office_id", sa.String),
    sa.column("day", sa.Date),
    sa.column("occupancy", sa.LargeBinary),
)


def upgrade() -> None:
    with op.batch_alter_table("door_daily") as batch:
        batch.add_column(sa.Column("occupancy", sa.LargeBinary(), nullable=True))
    stored = (
        sa.select(occupancy.c.occupancy)
        .where(
            occupancy.c.office_id == daily.c.office_id,
            occupancy.c.day == daily.c.day,
        )
        .scalar_subquery()
    )
    op.execute(sa.update(daily).values(occupancy=stored))
    op.drop_table("door_day_occupancy")


def downgrade() -> None:
    op.create_table(
        "door_day_occupancy",
        sa.Column("office_id", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("occupancy", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_door_day_occupancy_office_id_office"),
        ),
        sa.PrimaryKeyConstraint("office_id", "day", name=op.f("pk_door_day_occupancy")),
    )
    op.execute(
        sa.insert(occupancy).from_select(
            ["office_id", "day", "occupancy"],
            sa.select(daily.c.office_id, daily.c.day, daily.c.occupancy).where(
                daily.c.occupancy.is_not(None)
            ),
        )
    )
    with op.batch_alter_table("door_daily") as batch:
        batch.drop_column("occupancy")
