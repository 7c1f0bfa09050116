"""desk bookings per office and day in booking_daily

The occupancy page compared desk bookings with people present by reading every
booking of the period (tens of thousands of rows at 50 offices). The booking
rollup now also counts desk bookings (not meeting rooms) and their booked hours
per local start day. Existing rows get NULL here and are filled by
``pilotpuls db upgrade`` (it needs the programme's time zone from the config):
see ``ingest.rollups.backfill_desk_bookings``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking_daily") as batch_op:
        batch_op.add_column(sa.Column("desk_bookings", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("desk_hours", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("booking_daily") as batch_op:
        batch_op.drop_column("desk_hours")
        batch_op.drop_column("desk_bookings")
