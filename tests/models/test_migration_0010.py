"""Migration 0010 turns door_day_occupancy's JSON hours into packed integers
and back, keeping every value; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models import migrate
from models.db import make_engine, transaction
from models.sync import sync_programme
from models.tables import HourValues

DAYS = {
    ("boda", date(2025, 3, 30)): [0] * 8 + [3, 5, 7] + [2] * 12,  # 23 hours
    ("boda", date(2025, 10, 26)): list(range(25)),  # 25 hours
    ("figeholm", date(2025, 6, 2)): [0] * 9 + [40_000] + [1] * 14,
}
JSON_TABLE = sa.table(
    "door_day_occupancy",
    sa.column("office_id", sa.String),
    sa.column("day", sa.Date),
    sa.column("occupancy", sa.JSON),
)
# the table as 0010 leaves it (0011 moves the values into door_daily)
PACKED_TABLE = sa.table(
    "door_day_occupancy",
    sa.column("office_id", sa.String),
    sa.column("day", sa.Date),
    sa.column("occupancy", HourValues),
)


def test_hours_survive_the_conversion_both_ways(db_url, programme):
    migrate.upgrade(db_url, "0009")
    engine = make_engine(db_url, writer=True)
    with transaction(engine) as session:
        sync_programme(session, programme)
    rows = [{"office_id": o, "day": d, "occupancy": v} for (o, d), v in DAYS.items()]
    with engine.begin() as conn:
        conn.execute(sa.insert(JSON_TABLE), rows)
    migrate.upgrade(db_url, "0010")
    with engine.connect() as conn:
        stored = {
            (o, date.fromisoformat(str(d))): v
            for o, d, v in conn.execute(sa.select(PACKED_TABLE))
        }
    assert stored == DAYS
    migrate.downgrade(db_url, "0009")
    with engine.connect() as conn:
        back = conn.execute(sa.select(JSON_TABLE)).all()
    assert {(o, date.fromisoformat(str(d))): v for o, d, v in back} == DAYS
    engine.dispose()
