"""Local calendar days as UTC instants.

Times are stored in UTC; people count in local days. This is the one place
that turns a range of local days into the ``[start, end)`` bounds stored times
are compared with — 23, 24 or 25 hours a day around the DST changes — and that
knows which days every office is closed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


def day_bounds(
    first: date, last: date, zone: str | ZoneInfo
) -> tuple[datetime, datetime]:
    """UTC instants of local midnight before ``first`` and after ``last``."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


@lru_cache(maxsize=16)
def closed_days(first_year: int, last_year: int) -> frozenset[date]:
    """Swedish public holidays and de facto holidays (midsummer, Christmas and
    New Year's Eve) of these years: every office is closed then. Built once
    per year range; the ``holidays`` package takes milliseconds per call."""
    return frozenset(
        holidays.Sweden(
            years=range(first_year, last_year + 1), categories=("public", "de_facto")
        )
    )
