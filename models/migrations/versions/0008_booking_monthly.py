"""booking charges per office and month

The economy pages summed three years of booking_daily per month on every call
(39 000 rows at 50 offices, most of the path chart's query). booking_monthly
keeps those sums; ingest refreshes the months a file touched. Existing data is
summed here, in SQL: a month is a calendar month of booking_daily's local days,
so no time zone is needed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.sql import month_start

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    monthly = op.create_table(
        "booking_monthly",
        sa.Column("office_id", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("revenue", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_booking_monthly_office_id_office"),
        ),
        sa.PrimaryKeyConstraint("office_id", "month", name=op.f("pk_booking_monthly")),
    )
    daily = sa.table(
        "booking_daily",
        sa.column("office_id", sa.String),
        sa.column("day", sa.Date),
        sa.column("revenue", sa.Double),
    )
    month = month_start(daily.c.day)
    op.execute(
        sa.insert(monthly).from_select(
            ["office_id", "month", "revenue"],
            sa.select(daily.c.office_id, month, sa.func.sum(daily.c.revenue)).group_by(
                daily.c.office_id, month
            ),
        )
    )


def downgrade() -> None:
    op.drop_table("booking_monthly")
