"""Booking charges per office and month (``booking_monthly``) equal a sum over
the raw bookings, stay whole when a load touches a few days of a month, and
are summed from booking_daily by migration 0008; on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from ingest import rollups
from models import migrate
from models import tables as t
from models.db import make_engine, transaction
from models.sync import sync_programme

TZ = ZoneInfo("Europe/Stockholm")
FIRST, LAST = date(2025, 1, 20), date(2025, 4, 10)


def random_bookings(seed: int = 5) -> list[dict]:
    rng, rows, day = random.Random(seed), [], FIRST
    while day <= LAST:
        for office in ("boda", "figeholm"):
            for _ in range(rng.randint(0, 3)):
                # 00:30 local on a month's first day is the month before in
                # UTC: the month is the local start day's
                at = rng.choice([time(0, 30), time(13), time(23)])
                start = datetime.combine(day, at, TZ)
                rows.append(
                    {
                        "office_id": office,
                        "source": "csv:test",
                        "external_id": f"b{len(rows)}",
                        "resource": "Rummet",
                        "resource_type": "meeting_room",
                        "start_at": start,
                        "end_at": start + timedelta(hours=2),
                        "all_day": False,
                        "status": rng.choice(["confirmed", "cancelled"]),
                        "price": rng.choice([None, 150.0, 300.0]),
                    }
                )
        day += timedelta(days=1)
    return rows


def monthly(conn: sa.Connection) -> dict[tuple[str, date], float]:
    m = t.BookingMonthly
    rows = conn.execute(sa.select(m.office_id, m.month, m.revenue)).all()
    return {(o, date.fromisoformat(str(month))): r for o, month, r in rows}


def summed_from_raw(rows: list[dict]) -> dict[tuple[str, date], float]:
    sums: Counter = Counter()
    for r in rows:
        if r["status"] != "cancelled":
            month = r["start_at"].astimezone(TZ).date().replace(day=1)
            sums[(r["office_id"], month)] += r["price"] or 0.0
    return dict(sums)


def test_monthly_charges_equal_a_sum_over_the_raw_bookings(engine):
    rows = random_bookings()
    with engine.begin() as conn:
        conn.execute(sa.insert(t.Booking), rows)
        for office in ("boda", "figeholm"):
            bounds = rollups.day_bounds(FIRST, LAST, TZ)
            rollups.refresh_bookings(conn, office, *bounds, TZ)
        expected = summed_from_raw(rows)
        assert monthly(conn) == pytest.approx(expected)
        # a later load that touches one day recomputes its whole month
        one_day = rollups.day_bounds(date(2025, 2, 14), date(2025, 2, 14), TZ)
        rollups.refresh_bookings(conn, "boda", *one_day, TZ)
        assert monthly(conn) == pytest.approx(expected)
    assert len(expected) == 8  # four months, two offices


def test_migration_0008_sums_existing_booking_days(db_url, programme):
    migrate.upgrade(db_url, "0007")
    engine = make_engine(db_url, writer=True)
    with transaction(engine) as session:
        sync_programme(session, programme)
    daily = sa.table(
        "booking_daily",
        *(sa.column(c) for c in ("office_id", "day", "bookings", "booked_hours")),
        *(sa.column(c) for c in ("resources", "revenue")),
    )
    days = [("boda", date(2025, 1, 31), 100.0), ("boda", date(2025, 2, 1), 40.0)]
    days += [("boda", date(2025, 2, 28), 2.5), ("figeholm", date(2025, 2, 3), 7.0)]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(daily),
            [
                {"office_id": o, "day": d, "bookings": 1, "booked_hours": 1.0}
                | {"resources": 1, "revenue": r}
                for o, d, r in days
            ],
        )
    migrate.upgrade(db_url)
    with engine.connect() as conn:
        assert monthly(conn) == {
            ("boda", date(2025, 1, 1)): 100.0,
            ("boda", date(2025, 2, 1)): 42.5,
            ("figeholm", date(2025, 2, 1)): 7.0,
        }
    engine.dispose()
