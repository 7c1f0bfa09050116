"""Desk bookings per office and local start day come from ``booking_daily``
(kept by ingest) and equal a count over the raw bookings: meeting rooms,
cancelled bookings, bookings over midnight and both DST days; on SQLite and
PostgreSQL. And ``pilotpuls db upgrade``'s backfill fills rows from before."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from dashboard.access import Scope
from dashboard.queries import occupancy as queries
from ingest import rollups
from models import tables as t
from models.db import transaction

TZ = ZoneInfo("Europe/Stockholm")
REGION = Scope(1, "r@region.se", "region", frozenset({"boda", "figeholm"}), True)
FIRST, LAST = date(2025, 3, 28), date(2025, 10, 28)  # both DST changes


def load_random_bookings(engine, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    rows, number, day = [], 0, FIRST
    while day <= LAST:
        for office in ("boda", "figeholm"):
            for _ in range(rng.randint(0, 4)):
                number += 1
                start = datetime.combine(day, time(rng.randint(0, 23)), TZ)
                rows.append(
                    {
                        "office_id": office,
                        "source": "csv:test",
                        "external_id": f"b{number}",
                        "resource": rng.choice(["Plats 1", "Plats 2", "Rummet"]),
                        "resource_type": rng.choice(
                            ["desk", "", "Meeting_Room", "meeting_room"]
                        ),
                        "start_at": start,
                        # some run past midnight into the next day
                        "end_at": start + timedelta(minutes=rng.randint(15, 900)),
                        "all_day": False,
                        "status": rng.choice(["confirmed", "tentative", "cancelled"]),
                        "price": None,
                    }
                )
        day += timedelta(days=1)
    with engine.begin() as conn:
        conn.execute(sa.insert(t.Booking), rows)
        for office in ("boda", "figeholm"):
            rollups.refresh_bookings(
                conn, office, *rollups.day_bounds(FIRST, LAST, TZ), TZ
            )
    return rows


def counted_from_raw(rows: list[dict]) -> pd.DataFrame:
    """An independent count: desk bookings held, by local start day."""
    kept = [
        {
            "office_id": r["office_id"],
            "day": r["start_at"].astimezone(TZ).date(),
            "hours": (r["end_at"] - r["start_at"]).total_seconds() / 3600,
        }
        for r in rows
        if r["status"] != "cancelled" and r["resource_type"].lower() != "meeting_room"
    ]
    return (
        pd.DataFrame(kept)
        .groupby(["office_id", "day"], as_index=False)
        .agg(desk_bookings=("hours", "size"), desk_hours=("hours", "sum"))
    )


def read_rollup(engine) -> pd.DataFrame:
    with transaction(engine) as session:
        found = queries.desk_bookings(
            session, REGION, ["boda", "figeholm"], FIRST, LAST
        )
    return found.sort_values(["office_id", "day"], ignore_index=True)


def test_desk_bookings_equal_a_count_over_the_raw_bookings(engine):
    expected = counted_from_raw(load_random_bookings(engine))
    found = read_rollup(engine)
    assert len(found) > 150  # most days of both offices
    pd.testing.assert_frame_equal(found, expected, check_dtype=False)


def test_the_backfill_fills_rows_from_before_the_desk_columns(engine):
    load_random_bookings(engine)
    expected = read_rollup(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.update(t.BookingDaily).values(desk_bookings=None, desk_hours=None)
        )
        assert rollups.backfill_desk_bookings(conn, TZ) == 2
        assert rollups.backfill_desk_bookings(conn, TZ) == 0  # nothing left
    pd.testing.assert_frame_equal(read_rollup(engine), expected)
