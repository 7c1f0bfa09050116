"""Portable date arithmetic in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from models.config import quarter_of
from models.sql import (
    day_number,
    days_since_epoch,
    epoch_seconds,
    month_start,
    quarter_of_day,
)
from models.tables import UTCDateTime


@pytest.mark.parametrize(
    "day",
    [date(1970, 1, 1), date(1969, 12, 31), date(2024, 2, 29), date(2026, 3, 29)],
)
def test_day_number_counts_days_since_1970_in_the_database(engine, day):
    with engine.connect() as conn:
        stored = sa.select(sa.literal(day, sa.Date).label("day")).subquery()
        number = conn.scalar(sa.select(day_number(stored.c.day)))
    assert number == days_since_epoch(day)
    assert isinstance(number, int)


def test_day_number_of_no_day_is_none(engine):
    with engine.connect() as conn:
        assert conn.scalar(sa.select(day_number(sa.null()))) is None


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (date(2024, 2, 29), date(2024, 2, 1)),
        (date(2025, 12, 31), date(2025, 12, 1)),
        (date(2026, 1, 1), date(2026, 1, 1)),
    ],
)
def test_month_start_is_the_first_day_of_the_month(engine, day, first):
    with engine.connect() as conn:
        stored = sa.select(sa.literal(day, sa.Date).label("day")).subquery()
        assert conn.scalar(sa.select(month_start(stored.c.day))) == first


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2026, 3, 28, 22, 59, 59, 999_999, tzinfo=UTC),  # 23:59:59 local
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC),  # local midnight
        datetime(2026, 10, 24, 22, 0, 0, 500_000, tzinfo=UTC),
    ],
)
def test_epoch_seconds_are_whole_seconds_rounded_down(engine, moment):
    with engine.connect() as conn:
        stored = sa.select(sa.literal(moment, UTCDateTime).label("at")).subquery()
        seconds = conn.scalar(sa.select(epoch_seconds(stored.c.at)))
    assert seconds == int(moment.timestamp() // 1)
    assert isinstance(seconds, int)


@pytest.mark.parametrize(
    "day",
    [date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 1), date(2026, 12, 31)],
)
def test_quarter_of_day_labels_as_the_config_does(engine, day):
    with engine.connect() as conn:
        stored = sa.select(sa.literal(day, sa.Date).label("day")).subquery()
        assert conn.scalar(sa.select(quarter_of_day(stored.c.day))) == quarter_of(day)
