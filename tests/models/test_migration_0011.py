"""Migration 0011 moves door_day_occupancy's hours into door_daily and back,
keeping every value (a day without hours stays without); on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models import migrate
from models import tables as t
from models.db import make_engine, transaction
from models.sync import sync_programme

HOURS = {
    ("boda", date(2025, 3, 30)): [0] * 8 + [3, 5, 7] + [2] * 12,  # 23 hours
    ("boda", date(2025, 10, 26)): list(range(25)),  # 25 hours
    ("figeholm", date(2025, 6, 2)): [0] * 9 + [40_000] + [1] * 14,
}
WITHOUT_HOURS = ("figeholm", date(2025, 6, 3))  # loaded before 0005's table
OLD_TABLE = sa.table(
    "door_day_occupancy",
    sa.column("office_id", sa.String),
    sa.column("day", sa.Date),
    sa.column("occupancy", t.HourValues),
)
DAILY_AT_0010 = sa.table(
    "door_daily",
    *(sa.column(name) for name in ("office_id", "day", "entries", "exits")),
    sa.column("hours_with_data"),
)


def test_hours_move_into_door_daily_and_back(db_url, programme):
    migrate.upgrade(db_url, "0010")
    engine = make_engine(db_url, writer=True)
    with transaction(engine) as session:
        sync_programme(session, programme)
    days = [*HOURS, WITHOUT_HOURS]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(DAILY_AT_0010),
            [
                {
                    "office_id": o,
                    "day": d,
                    "entries": 5,
                    "exits": 5,
                    "hours_with_data": 24,
                }
                for o, d in days
            ],
        )
        conn.execute(
            sa.insert(OLD_TABLE),
            [{"office_id": o, "day": d, "occupancy": v} for (o, d), v in HOURS.items()],
        )
    migrate.upgrade(db_url, "0011")
    with transaction(engine) as session:
        moved = {
            (r.office_id, r.day): r.occupancy
            for r in session.scalars(sa.select(t.DoorDaily))
        }
    assert moved == HOURS | {WITHOUT_HOURS: None}
    assert not sa.inspect(engine).has_table("door_day_occupancy")
    migrate.downgrade(db_url, "0010")
    with engine.connect() as conn:
        back = conn.execute(sa.select(OLD_TABLE)).all()
        assert conn.scalar(sa.select(sa.func.count()).select_from(DAILY_AT_0010)) == 4
    assert {(o, date.fromisoformat(str(d))): v for o, d, v in back} == HOURS
    engine.dispose()
