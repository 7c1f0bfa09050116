"""Local calendar days as UTC instants.

Times are stored in UTC; people count in local days. This is the one place
that turns a range of local days into the ``[start, end)`` bounds stored times
are compared with — 23, 24 or 25 hours a day around the DST changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def day_bounds(
    first: date, last: date, zone: str | ZoneInfo
) -> tuple[datetime, datetime]:
    """UTC instants of local midnight before ``first`` and after ``last``."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end
