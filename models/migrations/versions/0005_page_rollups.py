"""page rollups: running occupancy per office and local day

Revision ID: 0005
Revises: 0004i
Create Date: 2026-11-23 12:50:00

Existing door data is backfilled by ``pilotpuls db upgrade`` (it needs the
programme's time zone from the config): see ``ingest.rollups.backfill_door_occupancy``.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004i'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('door_day_occupancy',
    sa.Column('office_id', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('occupancy', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_door_day_occupancy_office_id_office')),
    sa.PrimaryKeyConstraint('office_id', 'day', name=op.f('pk_door_day_occupancy'))
    )


def downgrade() -> None:
    op.drop_table('door_day_occupancy')
