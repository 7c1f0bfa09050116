"""Hourly and daily rollups, refreshed for the time range a load touched.

They are recomputed from the raw rows (not incremented) inside the load's own
transaction, so they always equal what a full scan would give and the pages
never scan raw tables. Hours are UTC; days are the office's local days
(Europe/Stockholm offsets are whole hours, so every UTC hour lies in one day).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from models import tables as t
from models.days import day_bounds
from models.sql import month_start

HOUR = timedelta(hours=1)


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def local_days(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """First and last local day touched by [start, end)."""
    return start.astimezone(zone).date(), (end - timedelta(microseconds=1)).astimezone(
        zone
    ).date()


def _clear(
    conn: sa.Connection,
    table: sa.Table,
    office_id: str,
    *within: sa.ColumnElement[bool],
) -> None:
    """Delete an office's rollup rows in a range before they are recomputed."""
    conn.execute(sa.delete(table).where(table.c.office_id == office_id, *within))


def _hour_bucket(
    conn: sa.Connection, column: sa.ColumnElement
) -> tuple[sa.ColumnElement, sa.ColumnElement]:
    """(the hour as stored, the key to group rows by): the same on PostgreSQL."""
    if conn.dialect.name == "sqlite":
        # cutting the stored text ("YYYY-MM-DD HH:MM:SS.ffffff", always this
        # long) is twice as fast as strftime, which parses every value; rows
        # are grouped (sorted) by the short "YYYY-MM-DD HH" and the stored
        # format, so keys compare, is built once per hour, not once per row
        key = sa.func.substr(column, 1, 13)
        return key.concat(":00:00.000000"), key
    hour = sa.func.date_trunc("hour", column)
    return hour, hour


def refresh_door(
    conn: sa.Connection,
    office_id: str,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
) -> None:
    """Recompute door_hourly and door_daily for the local days around [start, end)."""
    day_start, day_end = day_bounds(*local_days(start, end, zone), zone)
    count, hourly = t.DoorCount.__table__, t.DoorHourly.__table__
    _clear(
        conn,
        hourly,
        office_id,
        hourly.c.hour_start >= day_start,
        hourly.c.hour_start < day_end,
    )
    bucket, bucket_key = _hour_bucket(conn, count.c.period_start)
    conn.execute(
        sa.insert(hourly).from_select(
            ["office_id", "hour_start", "entries", "exits", "bins"],
            sa.select(
                count.c.office_id,
                bucket,
                sa.func.sum(count.c.entries),
                sa.func.sum(count.c.exits),
                sa.func.count(),
            )
            .where(
                count.c.office_id == office_id,
                count.c.period_start >= day_start,
                count.c.period_start < day_end,
            )
            .group_by(count.c.office_id, bucket_key),
        )
    )
    _refresh_door_daily(conn, office_id, day_start, day_end, zone)


def _hours_by_day(
    conn: sa.Connection,
    office_id: str,
    day_start: datetime,
    day_end: datetime,
    zone: ZoneInfo,
) -> dict[date, dict[datetime, tuple[int, int]]]:
    """The office's door_hourly rows between two local midnights, per local day:
    UTC hour -> (entries, exits)."""
    hourly = t.DoorHourly.__table__
    rows = conn.execute(
        sa.select(hourly.c.hour_start, hourly.c.entries, hourly.c.exits).where(
            hourly.c.office_id == office_id,
            hourly.c.hour_start >= day_start,
            hourly.c.hour_start < day_end,
        )
    )
    days: dict[date, dict[datetime, tuple[int, int]]] = defaultdict(dict)
    for hour_start, entries, exits in rows:
        moment = _aware(hour_start)
        days[moment.astimezone(zone).date()][moment] = (entries, exits)
    return days


def _refresh_door_daily(
    conn: sa.Connection,
    office_id: str,
    day_start: datetime,
    day_end: datetime,
    zone: ZoneInfo,
) -> None:
    """A door_daily row for each local day with door_hourly rows: its totals,
    hours with data and running occupancy."""
    daily = t.DoorDaily.__table__
    days = _hours_by_day(conn, office_id, day_start, day_end, zone)
    first, last = local_days(day_start, day_end, zone)
    _clear(conn, daily, office_id, daily.c.day >= first, daily.c.day <= last)
    if days:
        conn.execute(
            sa.insert(daily),
            [
                {
                    "office_id": office_id,
                    "day": day,
                    "entries": sum(entries for entries, _ in hours.values()),
                    "exits": sum(exits for _, exits in hours.values()),
                    "hours_with_data": len(hours),
                    "occupancy": running_occupancy(day, _net(hours), zone),
                }
                for day, hours in sorted(days.items())
            ],
        )


def _net(hours: dict[datetime, tuple[int, int]]) -> dict[datetime, int]:
    return {moment: entries - exits for moment, (entries, exits) in hours.items()}


def refresh_door_occupancy(
    conn: sa.Connection,
    office_id: str,
    day_start: datetime,
    day_end: datetime,
    zone: ZoneInfo,
) -> None:
    """Recompute the running occupancy of the office's door_daily rows between
    two local midnights (UTC instants, as :func:`day_bounds` gives) from
    door_hourly, leaving their totals as they are."""
    daily = t.DoorDaily.__table__
    days = _hours_by_day(conn, office_id, day_start, day_end, zone)
    if days:
        conn.execute(
            sa.update(daily)
            .where(
                daily.c.office_id == office_id,
                daily.c.day == sa.bindparam("on"),
            )
            .values(occupancy=sa.bindparam("running")),
            [
                {"on": day, "running": running_occupancy(day, _net(hours), zone)}
                for day, hours in sorted(days.items())
            ],
        )


def running_occupancy(day: date, net: dict[datetime, int], zone: ZoneInfo) -> list[int]:
    """Entries − exits since local midnight up to each UTC hour of the local day
    (``net`` per UTC hour, missing hours count 0), never below zero."""
    moment, end = day_bounds(day, day, zone)
    running, values = 0, []
    while moment < end:
        running += net.get(moment, 0)
        values.append(max(running, 0))
        moment += HOUR
    return values


def backfill_door_occupancy(conn: sa.Connection, zone: ZoneInfo) -> int:
    """Compute the running occupancy of every door_daily row without one (a
    database from before it was kept); returns the number of offices done."""
    daily = t.DoorDaily.__table__
    missing = conn.execute(
        sa.select(daily.c.office_id, sa.func.min(daily.c.day), sa.func.max(daily.c.day))
        .where(daily.c.occupancy.is_(None))
        .group_by(daily.c.office_id)
    ).all()
    for office_id, first, last in missing:
        refresh_door_occupancy(conn, office_id, *day_bounds(first, last, zone), zone)
    return len(missing)


def backfill_desk_bookings(conn: sa.Connection, zone: ZoneInfo) -> int:
    """Recompute the booking rollups of every office with booking_daily rows from
    before the desk columns (NULL); returns the number of offices done."""
    daily = t.BookingDaily.__table__
    missing = conn.execute(
        sa.select(daily.c.office_id, sa.func.min(daily.c.day), sa.func.max(daily.c.day))
        .where(daily.c.desk_bookings.is_(None))
        .group_by(daily.c.office_id)
    ).all()
    for office_id, first, last in missing:
        refresh_bookings(conn, office_id, *day_bounds(first, last, zone), zone)
    return len(missing)


def _aware(moment: datetime | str) -> datetime:
    # INSERT ... SELECT rows read back through Core keep the TypeDecorator, but a
    # value computed by strftime may come back as text on SQLite
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def refresh_bookings(
    conn: sa.Connection,
    office_id: str,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
) -> None:
    """Recompute booking_hourly, booking_daily and booking_monthly for the local
    days of [start, end) (and the rest of their months)."""
    first, last = local_days(start, end, zone)
    day_start, day_end = day_bounds(first, last, zone)
    booking = t.Booking.__table__
    rows = conn.execute(
        sa.select(
            booking.c.start_at,
            booking.c.end_at,
            booking.c.resource,
            booking.c.resource_type,
            booking.c.price,
        ).where(
            booking.c.office_id == office_id,
            booking.c.status.in_(t.BOOKED_STATUSES),
            booking.c.start_at < day_end,
            booking.c.end_at > day_start,
        )
    ).all()
    hours: dict[datetime, list[float]] = defaultdict(lambda: [0.0, 0])
    days: dict[date, dict] = defaultdict(
        lambda: {
            "bookings": 0,
            "booked_hours": 0.0,
            "resources": set(),
            "revenue": 0.0,
            "desk_bookings": 0,
            "desk_hours": 0.0,
        }
    )
    for start_at, end_at, resource, resource_type, price in rows:
        _spread(hours, days, max(start_at, day_start), min(end_at, day_end), zone)
        if day_start <= start_at < day_end:
            day = days[start_at.astimezone(zone).date()]
            day["bookings"] += 1
            day["resources"].add(resource)
            day["revenue"] += price or 0.0
            if resource_type.lower() not in t.ROOM_TYPES:
                day["desk_bookings"] += 1
                booked = (end_at - start_at).total_seconds() / 3600
                day["desk_hours"] += max(0.0, booked)
    _replace_booking_rollups(
        conn, office_id, day_start, day_end, first, last, hours, days
    )
    refresh_booking_months(conn, office_id, first, last)


def refresh_booking_months(
    conn: sa.Connection, office_id: str, first: date, last: date
) -> None:
    """Sum booking_daily again for the whole months of the days first…last."""
    monthly, daily = t.BookingMonthly.__table__, t.BookingDaily.__table__
    start = first.replace(day=1)
    end = (last.replace(day=1) + timedelta(days=31)).replace(day=1)
    _clear(conn, monthly, office_id, monthly.c.month >= start, monthly.c.month < end)
    month = month_start(daily.c.day)
    conn.execute(
        sa.insert(monthly).from_select(
            ["office_id", "month", "revenue"],
            sa.select(daily.c.office_id, month, sa.func.sum(daily.c.revenue))
            .where(
                daily.c.office_id == office_id, daily.c.day >= start, daily.c.day < end
            )
            .group_by(daily.c.office_id, month),
        )
    )


def _spread(hours, days, start: datetime, end: datetime, zone: ZoneInfo) -> None:
    """Add the booked time between start and end to each hour and day it covers."""
    cursor = start
    while cursor < end:
        hour = floor_hour(cursor)
        step_end = min(hour + HOUR, end)
        booked = (step_end - cursor).total_seconds() / 3600
        hours[hour][0] += booked
        hours[hour][1] += 1
        days[hour.astimezone(zone).date()]["booked_hours"] += booked
        cursor = step_end


def _replace_booking_rollups(
    conn, office_id, day_start, day_end, first, last, hours, days
):
    hourly, daily = t.BookingHourly.__table__, t.BookingDaily.__table__
    _clear(
        conn,
        hourly,
        office_id,
        hourly.c.hour_start >= day_start,
        hourly.c.hour_start < day_end,
    )
    _clear(conn, daily, office_id, daily.c.day >= first, daily.c.day <= last)
    if hours:
        conn.execute(
            sa.insert(hourly),
            [
                {
                    "office_id": office_id,
                    "hour_start": hour,
                    "booked_hours": booked,
                    "bookings": count,
                }
                for hour, (booked, count) in sorted(hours.items())
            ],
        )
    if days:
        conn.execute(
            sa.insert(daily),
            [
                {
                    "office_id": office_id,
                    "day": day,
                    "bookings": v["bookings"],
                    "booked_hours": v["booked_hours"],
                    "resources": len(v["resources"]),
                    "revenue": v["revenue"],
                    "desk_bookings": v["desk_bookings"],
                    "desk_hours": v["desk_hours"],
                }
                for day, v in sorted(days.items())
            ],
        )
