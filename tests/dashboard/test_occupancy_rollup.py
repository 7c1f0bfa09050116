"""The office-day occupancy rollup (``door_daily.occupancy``, kept by ingest) gives
the pages exactly what they computed per request before from ``door_hourly``
(``previous_occupancy``): random door counts over both DST days, days without
data (gaps, never zero), partial days, exits before entries, closed days; on
SQLite and PostgreSQL. And ``pilotpuls db upgrade``'s backfill fills it."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import sqlalchemy as sa

from dashboard.access import Scope
from dashboard.filters import Period
from dashboard.queries import occupancy as queries
from ingest import rollups
from models import tables as t
from models.days import day_bounds
from models.db import transaction
from tests.dashboard import previous_occupancy as previous

ZONE = "Europe/Stockholm"
TZ = ZoneInfo(ZONE)
REGION = Scope(1, "r@region.se", "region", frozenset({"boda", "figeholm"}), True)
FIRST, LAST = date(2025, 3, 24), date(2025, 11, 2)  # both DST changes
DST_DAYS = (date(2025, 3, 30), date(2025, 10, 26))


def load_random_counts(engine, seed: int = 7) -> None:
    """15-minute door counts through the ingest rollups, with gaps and odd days."""
    rng = random.Random(seed)
    rows = []
    for office in ("boda", "figeholm"):
        day = FIRST
        while day <= LAST:
            if rng.random() < 0.15 and day not in DST_DAYS:
                day += timedelta(days=1)  # the counter was out: no rows at all
                continue
            start, end = rollups.day_bounds(day, day, TZ)
            bins = int((end - start) / timedelta(minutes=15))
            if rng.random() < 0.1:
                bins = rng.randint(1, bins)  # out for part of the day
            for i in range(bins):
                moment = start + timedelta(minutes=15 * i)
                busy = 7 <= moment.astimezone(TZ).hour < 18
                rows.append(
                    {
                        "office_id": office,
                        "door": "Entré",
                        "period_start": moment,
                        "minutes": 15,
                        # an exit now and then before anyone came in
                        "entries": rng.randint(0, 3) if busy else 0,
                        "exits": rng.randint(0, 3)
                        if busy or rng.random() < 0.02
                        else 0,
                    }
                )
            day += timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(sa.insert(t.DoorCount), rows)
        for office in ("boda", "figeholm"):
            rollups.refresh_door(conn, office, *rollups.day_bounds(FIRST, LAST, TZ), TZ)


def previous_occupancy(session, period: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """days and hours as ``occupancy()`` computed them before the rollup."""
    info = queries._offices(session, REGION, ["boda", "figeholm"])
    ids = list(info["office_id"])
    first = max(period.start, min(info["opened_on"]))
    hours = pd.DataFrame(
        queries.opening_hours(session, ids),
        columns=["office_id", "weekday", "opens", "closes"],
    )
    days = previous.days_with_data(session, info, hours, first, period.end)
    days = previous.with_plan(days, queries._plan(session, ids))
    start, end = day_bounds(first, period.end, ZONE)
    h = t.DoorHourly
    counts = pd.DataFrame(
        session.execute(
            sa.select(h.office_id, h.hour_start, h.entries, h.exits).where(
                h.office_id.in_(ids), h.hour_start >= start, h.hour_start < end
            )
        ).all(),
        columns=["office_id", "hour_start", "entries", "exits"],
    )
    hourly = previous.hour_grid(counts, ids, start, end, ZONE)
    hourly = previous.running_occupancy(hourly, days, hours)
    days = previous.day_occupancy(days, hourly)
    return days[queries.DAY_COLUMNS], hourly[queries.HOUR_COLUMNS]


def test_the_rollup_gives_the_previous_days_and_hours(engine):
    with transaction(engine) as session:  # open on Sundays too, over the DST hour
        session.add(t.OfficeHours(office_id="figeholm", weekday=6, opens="01:30",
                                  closes="16:00"))  # fmt: skip
    load_random_counts(engine)
    period = Period("custom", FIRST, LAST)
    with transaction(engine) as session:
        occ = queries.occupancy(session, REGION, ["boda", "figeholm"], period, ZONE)
        days, hours = previous_occupancy(session, period)

    assert len(occ.days) == len(days) > 300
    assert not days["has_data"].all() and days["has_data"].any()
    # the same values; seats are floats now (NaN before an office's first plan
    # step), where the merges kept integers when every day had a step
    pd.testing.assert_frame_equal(
        occ.days.reset_index(drop=True), days.reset_index(drop=True), check_dtype=False
    )
    gaps = occ.days[~occ.days["has_data"]]
    assert gaps[["entries", "avg_occupancy", "peak_occupancy"]].isna().all().all()
    assert len(occ.hours) == len(hours) > 24 * 300
    pd.testing.assert_frame_equal(
        occ.hours.reset_index(drop=True),
        hours.reset_index(drop=True),
        check_dtype=False,
    )
    per_day = occ.hours[occ.hours["office_id"] == "figeholm"].groupby("day").size()
    assert per_day[DST_DAYS[0]] == 23 and per_day[DST_DAYS[1]] == 25

    for query in (queries.weekday_hours, queries.daily, queries.counter_health):
        with transaction(engine) as session:
            now = query(session, REGION, ["boda", "figeholm"], period, ZONE)
        assert not now.empty
        assert np.isfinite(now.select_dtypes("number").to_numpy(dtype=float)).any()


def test_a_reload_of_some_days_recomputes_only_those(engine):
    load_random_counts(engine)
    day = date(2025, 6, 2)
    with transaction(engine) as session:
        before = session.get(t.DoorDaily, ("boda", day)).occupancy
        other = session.get(t.DoorDaily, ("boda", day + timedelta(days=1)))
        other = other.occupancy if other else None
        session.execute(
            sa.update(t.DoorCount)
            .where(
                t.DoorCount.office_id == "boda",
                t.DoorCount.period_start
                == datetime.combine(day, time(9), TZ).astimezone(UTC),
            )
            .values(entries=t.DoorCount.entries + 5)
        )
    with engine.begin() as conn:
        start = datetime.combine(day, time(9), TZ)
        rollups.refresh_door(conn, "boda", start, start + timedelta(minutes=15), TZ)
    with transaction(engine) as session:
        after = session.get(t.DoorDaily, ("boda", day)).occupancy
        again = session.get(t.DoorDaily, ("boda", day + timedelta(days=1)))
    assert after[:9] == before[:9] and after[9] > before[9]
    assert (again.occupancy if again else None) == other


def test_the_backfill_fills_days_loaded_before_the_table(engine):
    load_random_counts(engine)
    with transaction(engine) as session:
        expected = {
            (r.office_id, r.day): r.occupancy
            for r in session.scalars(sa.select(t.DoorDaily))
        }
        session.execute(sa.update(t.DoorDaily).values(occupancy=None))
    with engine.begin() as conn:
        assert rollups.backfill_door_occupancy(conn, TZ) == 2
        assert rollups.backfill_door_occupancy(conn, TZ) == 0  # nothing left
    with transaction(engine) as session:
        filled = {
            (r.office_id, r.day): r.occupancy
            for r in session.scalars(sa.select(t.DoorDaily))
        }
    assert filled == expected and len(filled) > 300
