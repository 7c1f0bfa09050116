"""Occupancy (beläggning): door counts against capacity, opening hours and bookings.

Reads the rollups only (``door_daily`` with its running occupancy, and the desk
columns of ``booking_daily``), the offices' plan steps and opening hours.
Definitions, the same as the page's "?" texts:

- **Occupancy in an hour**: entries − exits since local midnight (Europe/
  Stockholm) up to and including that hour, never below zero. Hours are local
  wall-clock hours, so a DST day has 23 or 25 of them.
- **A day with door data**: a ``door_daily`` row with at least
  ``min(20, the office's opening hours that day)`` hours of data. A people
  counter reports every hour, empty ones included, so fewer hours mean it was
  out for part of the day. An access-control event log only has hours with
  passages, so for an office whose door data comes from one any row counts.
- **An open day**: a weekday with opening hours, not a Swedish public or
  de facto holiday, from the office's opening day on. An office without any
  configured opening hours counts as open Monday–Friday 08–17.
- **Utilisation**: average occupancy during opening hours ÷ the seats of the
  plan step valid that day, over open days with door data only. Several
  offices: the sum of their averages ÷ the sum of their seats.
- Days without door data are gaps (NaN), never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from dashboard.access import Scope
from dashboard.filters import Period
from dashboard.queries import (
    Names,
    allowed_offices,
    frame,
    in_scope,
    once_per_session,
    zone_or_default,
)
from models import tables as t
from models.days import closed_days, day_bounds
from models.sql import day_number, days_since_epoch

COMPLETE_HOURS = 20
EVENT_LOG_FORMATS = ("access_log",)
DEFAULT_HOURS = dict.fromkeys(range(5), (8 * 60, 17 * 60))  # Monday–Friday 08–17

DAY_COLUMNS = [
    "office_id",
    "day",
    "open",
    "has_data",
    "entries",
    "exits",
    "seats",
    "target_utilisation",
    "avg_occupancy",
    "peak_occupancy",
]
HOUR_COLUMNS = ["office_id", "day", "weekday", "hour", "occupancy", "in_hours"]


@dataclass
class Occupancy:
    """Per office and local day (as arrays in ``grid``, and as rows in
    ``days``), and per office and local hour of days with data (``hours``).
    The rows are built on first use: most panels only need the arrays, and
    the hours are tens of thousands of rows at 50 offices."""

    offices: pd.DataFrame = field(default_factory=pd.DataFrame)
    first: date | None = None
    last: date | None = None
    grid: _Grid | None = field(default=None, repr=False)

    @property
    def empty(self) -> bool:
        """No office-day in the period (no office had opened)."""
        return self.grid is None or not self.grid.exists.any()

    @cached_property
    def days(self) -> pd.DataFrame:
        if self.grid is None:
            return pd.DataFrame(columns=DAY_COLUMNS)
        return self.grid.frame(DAY_COLUMNS)

    @cached_property
    def hours(self) -> pd.DataFrame:
        if self.grid is None:
            return pd.DataFrame(columns=HOUR_COLUMNS)
        return self.grid.hour_rows()


# --- reads ---------------------------------------------------------------------


def _offices(session: so.Session, scope: Scope, offices: list[str]) -> pd.DataFrame:
    """The selected active offices by name, with whether each ever had door
    data (``door_data``) and whether it came from an access log (``logged``):
    one statement, read once per session (a panel and its note both ask)."""

    def read() -> pd.DataFrame:
        o, f = t.Office, t.SourceFile
        # min(), not EXISTS: PostgreSQL may plan an EXISTS as a scan of the
        # whole table (150 ms at 50 offices), min() is always one index seek
        first_door_day = (
            sa.select(sa.func.min(t.DoorDaily.day))
            .where(t.DoorDaily.office_id == o.id)
            .scalar_subquery()
        )
        logged = sa.exists().where(
            f.office_id == o.id,
            f.kind == "door",
            f.format.in_(EVENT_LOG_FORMATS),
            f.status == "loaded",
        )
        return frame(
            session.connection().execute(
                sa.select(
                    o.id.label("office_id"),
                    o.name,
                    o.opened_on,
                    first_door_day.is_not(None).label("door_data"),
                    logged.label("logged"),
                )
                .where(in_scope(o.id, scope, offices), o.active.is_(True))
                .order_by(o.name)
            )
        )

    key = ("occupancy offices", allowed_offices(scope, offices))
    return once_per_session(session, key, read)


def _minutes(clock: str) -> int:
    hours, _, minutes = clock.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def opening_hours(session: so.Session, ids: list[str]) -> list[tuple]:
    """(office_id, weekday, opens, closes) rows, in minutes after midnight; the
    default hours for an office without any."""
    h = t.OfficeHours
    rows = (
        session.connection()
        .execute(
            sa.select(h.office_id, h.weekday, h.opens, h.closes).where(
                h.office_id.in_(ids)
            )
        )
        .all()
    )
    known = {office for office, *_ in rows}
    out = [(o, w, _minutes(a), _minutes(b)) for o, w, a, b in rows]
    out += [
        (o, w, a, b)
        for o in ids
        if o not in known
        for w, (a, b) in DEFAULT_HOURS.items()
    ]
    return out


def _plan(session: so.Session, ids: list[str]) -> pd.DataFrame:
    p = t.OfficePlanStep
    return frame(
        session.connection().execute(
            sa.select(p.office_id, p.valid_from, p.seats, p.target_utilisation).where(
                p.office_id.in_(ids)
            )
        )
    )


def _door_days(
    session: so.Session,
    ids: list[str],
    first: date,
    last: date,
    with_occupancy: bool = False,
) -> list[tuple]:
    """``door_daily`` as columns: office ids, the grid column of each day (days
    since ``first``), entries, exits, hours with data and, ``with_occupancy``,
    the running occupancy as stored (packed integers, unpacked all at once by
    :func:`measure_days`). Days come as numbers: SQLAlchemy would parse
    SQLite's date texts one by one."""
    d = t.DoorDaily
    columns = [
        d.office_id,
        day_number(d.day) - days_since_epoch(first),
        d.entries,
        d.exits,
        d.hours_with_data,
    ]
    if with_occupancy:
        columns.append(sa.type_coerce(d.occupancy, sa.LargeBinary))
    query = sa.select(*columns).where(
        d.office_id.in_(ids), d.day >= first, d.day <= last
    )
    rows = session.connection().execute(query).fetchall()
    return list(zip(*rows, strict=True)) if rows else [()] * len(columns)


def has_door_data(session: so.Session, scope: Scope, offices: list[str]) -> bool:
    """Whether any door data was ever loaded for these (active) offices."""
    return bool(_offices(session, scope, offices)["door_data"].any())


def desk_bookings(
    session: so.Session, scope: Scope, offices: list[str], first: date, last: date
) -> pd.DataFrame:
    """Desk bookings and booked desk-hours per office and local day of their start
    (``booking_daily``'s desk columns: meeting rooms are not desks)."""
    d = t.BookingDaily
    query = _desk_days(scope, offices, first, last, d.day)
    return frame(session.connection().execute(query))


def _desk_days(
    scope: Scope, offices: list[str], first: date, last: date, day: sa.ColumnElement
) -> sa.Select:
    """Office, ``day`` (the day or a number for it), desk bookings and hours of
    the office-days with desk bookings."""
    d = t.BookingDaily
    return sa.select(d.office_id, day, d.desk_bookings, d.desk_hours).where(
        in_scope(d.office_id, scope, offices),
        d.day >= first,
        d.day <= last,
        d.desk_bookings > 0,
    )


# --- the core: office-days and office-hours ----------------------------------------


def occupancy(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
    measured: bool = True,
) -> Occupancy:
    """Occupancy per office-day and office-hour for the period (see module doc).
    Without ``measured``, no average or peak occupancy, no hours and so no
    ``days`` rows (they hold both): a panel that needs none of them skips
    reading the days' stored running occupancy."""
    zone = zone_or_default(zone)
    info = _offices(session, scope, offices)
    if info.empty:
        return Occupancy(offices=info)
    # no rows before the first office opened (a forged range can be centuries)
    first = max(period.start, min(info["opened_on"]))
    last = period.end
    if first > last:
        return Occupancy(offices=info, first=period.start, last=period.end)
    grid = _grid(session, info, first, last, zone, measured)
    if measured:
        _measure(session, grid, zone)
    return Occupancy(info, first, last, grid)


def door_coverage(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
) -> dict:
    """Office-days of the period (from each office's opening) and how many of
    them have door data, by this page's definition (for the panel notes).
    Reads no hourly rows."""
    info = _offices(session, scope, offices)
    found = {"offices": len(info), "days": 0, "days_with_data": 0}
    first = max(period.start, min(info["opened_on"], default=period.start))
    if info.empty or first > period.end:
        return found
    grid = _grid(session, info, first, period.end, zone_or_default(zone))
    return found | {
        "days": int(grid.exists.sum()),
        "days_with_data": int(grid.has_data[grid.exists].sum()),
    }


# --- the office × day grid -----------------------------------------------------------
#
# Every per office-day value is a (offices × days) array: offices in id order,
# days from ``first`` to ``last``. A day before an office opened does not
# exist. A handful of array operations replace some thirty DataFrame merges,
# whose fixed cost made the page slow even for a few offices.


@dataclass
class _Grid:
    ids: list[str]
    dates: np.ndarray  # the days, as date objects
    weekday: np.ndarray  # per day, Monday = 0
    exists: np.ndarray  # (offices × days): the office had opened
    opens: np.ndarray  # (offices × 7): opening minute per weekday, NaN: closed
    closes: np.ndarray
    open: np.ndarray
    has_data: np.ndarray
    values: dict[str, np.ndarray] = field(default_factory=dict)  # NaN: none
    # the hours of the office-days with door data: (rows, columns, DayHours)
    hours: tuple[np.ndarray, np.ndarray, DayHours] | None = None
    # door_daily's running occupancy as read: (rows, columns, packed values)
    stored: tuple[np.ndarray, np.ndarray, tuple] | None = None

    def hour_rows(self) -> pd.DataFrame:
        """The hours of the office-days with door data as rows (HOUR_COLUMNS)."""
        if self.hours is None:
            return pd.DataFrame(columns=HOUR_COLUMNS)
        rows, days, hours = self.hours
        offices = np.array(self.ids, dtype=object)[rows]
        return hours.rows(offices, self.dates[days], self.weekday[days])

    def rows_of(self, office_ids) -> np.ndarray:
        """The grid row of each office id."""
        at = {office: i for i, office in enumerate(self.ids)}
        return np.fromiter(
            (at[o] for o in office_ids), dtype=int, count=len(office_ids)
        )

    def frame(self, columns: list[str]) -> pd.DataFrame:
        """One row per existing office-day, by office and day."""
        rows, days = np.nonzero(self.exists)
        cells = {
            "office_id": np.array(self.ids, dtype=object)[rows],
            "day": self.dates[days],
            "weekday": self.weekday[days],
            "open": self.open[rows, days],
            "has_data": self.has_data[rows, days],
        } | {name: values[rows, days] for name, values in self.values.items()}
        return pd.DataFrame({name: cells[name] for name in columns})


def _grid(
    session: so.Session,
    info: pd.DataFrame,
    first: date,
    last: date,
    zone: str,
    measured: bool = False,
) -> _Grid:
    """The offices' days between first and last, built once per session (a
    panel and its completeness note read the same); ``measured``: with the
    days' running occupancy, read in the same statement."""
    ids = sorted(info["office_id"])
    return once_per_session(
        session,
        ("office_day_grid", tuple(ids), first, last, zone),
        lambda: _build_grid(session, info, ids, first, last, zone, measured),
    )


def _build_grid(
    session: so.Session,
    info: pd.DataFrame,
    ids: list[str],
    first: date,
    last: date,
    zone: str,
    measured: bool = False,
) -> _Grid:
    """Which office-days exist, are open and have door data; their entries,
    exits and plan; ``measured``: also their stored running occupancy (turned
    into average and peak by :func:`_measure`)."""
    dates = np.array(
        [first + timedelta(days=i) for i in range((last - first).days + 1)],
        dtype=object,
    )
    weekday = np.fromiter((d.weekday() for d in dates), dtype=int, count=len(dates))
    holiday = closed_days(first.year, last.year)
    closed = np.fromiter((d in holiday for d in dates), dtype=bool, count=len(dates))
    opened = dict(zip(info["office_id"], info["opened_on"], strict=True))
    since = np.array([(opened[office] - first).days for office in ids])
    exists = np.arange(len(dates))[None, :] >= since[:, None]
    opens, closes = np.full((len(ids), 7), np.nan), np.full((len(ids), 7), np.nan)
    at = {office: i for i, office in enumerate(ids)}
    for office, weekday_no, opens_at, closes_at in opening_hours(session, ids):
        opens[at[office], weekday_no] = opens_at
        closes[at[office], weekday_no] = closes_at
    open_minutes = (closes - opens)[:, weekday]
    grid = _Grid(
        ids,
        dates,
        weekday,
        exists,
        opens,
        closes,
        open=exists & ~np.isnan(open_minutes) & ~closed[None, :],
        has_data=np.zeros(exists.shape, dtype=bool),
    )
    event_logs = set(info["office_id"][info["logged"].astype(bool)])
    logged = np.array([office in event_logs for office in ids])
    office_ids, columns, *counts = _door_days(session, ids, first, last, measured)
    rows, columns = grid.rows_of(office_ids), np.array(columns, dtype=int)
    if measured:
        grid.stored = (rows, columns, counts.pop())
    _add_door_days(grid, rows, columns, counts, open_minutes, logged)
    for name in ("entries", "exits"):
        grid.values[name] = np.where(grid.has_data, grid.values[name], np.nan)
    _add_plan(grid, _plan(session, ids))
    return grid


def _measure(session: so.Session, grid: _Grid, zone: str) -> None:
    """Add each office-day's average and peak occupancy and its hours to the
    grid, once (reading the stored occupancy if the grid was built without)."""
    if "avg_occupancy" in grid.values:
        return
    if grid.stored is None:
        first, last = grid.dates[0], grid.dates[-1]
        office_ids, columns, *_, stored = _door_days(
            session, grid.ids, first, last, with_occupancy=True
        )
        grid.stored = (grid.rows_of(office_ids), np.array(columns, dtype=int), stored)
    _add_occupancy(grid, *grid.stored, zone)


def _add_door_days(
    grid: _Grid,
    rows: np.ndarray,
    columns: np.ndarray,
    daily: list[tuple],
    open_minutes: np.ndarray,
    logged: np.ndarray,
) -> None:
    """Entries, exits and hours with data from door_daily (at ``rows`` and
    ``columns`` of the grid); a day has door data with at least min(20, its
    opening hours) hours of it, or any hour for an office whose door data is an
    access log (``logged``: per office)."""
    for name, values in zip(
        ("entries", "exits", "hours_with_data"), daily, strict=True
    ):
        grid.values[name] = np.full(grid.exists.shape, np.nan)
        grid.values[name][rows, columns] = np.array(values, dtype=float)
    open_hours = np.minimum(
        np.nan_to_num(open_minutes, nan=24 * 60) / 60, COMPLETE_HOURS
    )
    needed = np.where(logged[:, None], 1, np.ceil(open_hours))
    hours = np.nan_to_num(grid.values["hours_with_data"], nan=0.0)
    grid.has_data = grid.exists & (hours >= needed)


def _add_plan(grid: _Grid, plan: pd.DataFrame) -> None:
    """Seats and target utilisation of the plan step valid on each day: the
    latest ``valid_from`` on or before it (none before the first step)."""
    shape = grid.exists.shape
    for name in ("seats", "target_utilisation"):
        grid.values[name] = np.full(shape, np.nan)
    known = plan["office_id"].isin(grid.ids).to_numpy()
    if not known.any():
        return
    # every step and every cell as one sortable number, office by office: the
    # step valid on a day is the last one at or before it
    width = shape[1] + 2  # a step before the grid counts as day -1
    step_row = grid.rows_of(plan["office_id"][known])
    start = np.array(
        [(d - grid.dates[0]).days for d in plan["valid_from"][known]], dtype=int
    )
    order = np.lexsort((start, step_row))  # stable: the config's order
    step_key = step_row * width + np.clip(start, -1, shape[1]) + 1
    rows, days = np.indices(shape)
    at = np.searchsorted(step_key[order], rows * width + days + 1, "right") - 1
    step = order[np.maximum(at, 0)]
    valid = (at >= 0) & (step_row[step] == rows)
    for name in ("seats", "target_utilisation"):
        values = plan[name].to_numpy(dtype=float)[known]
        grid.values[name][valid] = values[step[valid]]


@lru_cache(maxsize=4096)
def _day_hours(day: date, zone: str) -> tuple[int, ...]:
    """The local hour of each UTC hour of a local day (23, 24 or 25 of them)."""
    start, end = day_bounds(day, day, zone)
    moment, tz, hours = start.astimezone(UTC), ZoneInfo(zone), []
    while moment < end:
        hours.append(moment.astimezone(tz).hour)
        moment += timedelta(hours=1)
    return tuple(hours)


def _hour_matrix(days: np.ndarray, zone: str) -> np.ndarray:
    """Per row, the local hour of each slot of its day's occupancy (-1 past the
    day's end): computed once per distinct day, then spread to the rows."""
    codes, distinct = pd.factorize(days)
    per_day = np.full((len(distinct), 25), -1)
    for i, day in enumerate(distinct):
        local = _day_hours(day, zone)
        per_day[i, : len(local)] = local
    return per_day[codes]


def _running_values(stored) -> tuple[np.ndarray, np.ndarray]:
    """The days' packed hours as one (rows × 25) matrix, NaN-padded, and
    their lengths."""
    size = np.dtype(t.HourValues.DTYPE).itemsize
    lengths = np.fromiter(map(len, stored), dtype=int, count=len(stored)) // size
    values = np.frombuffer(b"".join(stored), dtype=t.HourValues.DTYPE)
    occupied = np.full((len(stored), 25), np.nan)
    occupied[np.arange(25) < lengths[:, None]] = values
    return occupied, lengths


def _add_occupancy(
    grid: _Grid, rows: np.ndarray, days: np.ndarray, stored: tuple, zone: str
) -> None:
    """Peak and average occupancy of each office-day with door data, and its
    hours (see :func:`measure_days`); ``stored`` is the running occupancy of
    the grid's ``rows`` and ``days`` (None: not yet backfilled, unknown)."""
    shape = grid.exists.shape
    grid.values["avg_occupancy"] = np.full(shape, np.nan)
    grid.values["peak_occupancy"] = np.full(shape, np.nan)
    known = np.fromiter((s is not None for s in stored), bool, len(stored))
    kept = grid.has_data[rows, days] & known
    if not kept.any():
        return
    order = np.lexsort((days[kept], rows[kept]))  # by office, then day
    rows, days = rows[kept][order], days[kept][order]
    stored = np.array(stored, dtype=object)[kept][order]
    weekday = grid.weekday[days]
    peak, average, hours = measure_days(
        stored,
        grid.dates[days],
        grid.opens[rows, weekday],
        grid.closes[rows, weekday],
        zone,
    )
    grid.values["peak_occupancy"][rows, days] = peak
    grid.values["avg_occupancy"][rows, days] = average
    grid.hours = (rows, days, hours)


@dataclass
class DayHours:
    """The hours of some days, a row each: the local hour of each slot of the
    day (-1 past its end), the running occupancy then, and whether it is open."""

    hour: np.ndarray
    occupied: np.ndarray
    in_hours: np.ndarray

    def select(self, keep: np.ndarray) -> DayHours:
        return DayHours(self.hour[keep], self.occupied[keep], self.in_hours[keep])

    def rows(self, offices, days, weekdays) -> pd.DataFrame:
        """The hours as rows (``HOUR_COLUMNS``), given each day's office,
        date and weekday."""
        valid = self.hour >= 0
        per_row = valid.sum(axis=1)
        return pd.DataFrame(
            {
                "office_id": np.repeat(np.asarray(offices), per_row),
                "day": np.repeat(np.asarray(days), per_row),
                "weekday": np.repeat(np.asarray(weekdays), per_row),
                "hour": self.hour[valid],
                "occupancy": self.occupied[valid],
                "in_hours": self.in_hours[valid],
            }
        )


def measure_days(
    stored, days: np.ndarray, opens: np.ndarray, closes: np.ndarray, zone: str
) -> tuple[np.ndarray, np.ndarray, DayHours]:
    """Each day's peak (any hour) and average (opening hours) occupancy from its
    running occupancy per hour (``door_daily.occupancy``, as stored), given the
    day's opening and closing minute (NaN: closed); and its hours.

    An hour is open if it overlaps the opening hours (07:30 opens the 07 hour);
    a DST day's repeated hour counts twice in the average, as it happened twice.
    """
    occupied, lengths = _running_values(stored)
    hour = _hour_matrix(days, zone)
    hour[np.arange(25) >= lengths[:, None]] = -1
    valid = hour >= 0
    opens = np.asarray(opens, dtype=float)[:, None]
    closes = np.asarray(closes, dtype=float)[:, None]
    in_hours = valid & (hour * 60 < closes) & ((hour + 1) * 60 > opens)
    counted = in_hours.sum(axis=1)
    total = np.where(in_hours, occupied, 0.0).sum(axis=1)
    peak = np.where(valid, occupied, 0.0).max(axis=1)  # never < 0
    average = np.divide(
        total, counted, out=np.full(len(days), np.nan), where=counted > 0
    )
    return peak, average, DayHours(hour, occupied, in_hours)


def _attach(
    result: pd.DataFrame, occ: Occupancy, period: Period, ever: bool
) -> pd.DataFrame:
    """What a figure needs besides the rows: the period's first day (to align a
    comparison), the offices' names and whether they ever had door data."""
    result.attrs.update(
        start=period.start,
        office_ids=Names(occ.offices.get("office_id", [])),
        office_names=Names(occ.offices.get("name", [])),
        door_data=ever,
    )
    return result


# --- panel queries -------------------------------------------------------------------

DAILY_COLUMNS = [
    "day",
    "status",
    "offices_open",
    "offices_with_data",
    "planned_seats",
    "seats",
    "target_utilisation",
    "avg_occupancy",
    "peak_occupancy",
    "utilisation",
]


def daily(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
) -> pd.DataFrame:
    """Per local day over the selected offices: utilisation against the seats
    valid that day, average and peak occupancy, and the day's status:
    ``closed`` (no office open), ``gap`` (open, no door data) or ``ok``.

    ``seats`` are those of the offices counted that day (open, with door data),
    the utilisation's denominator; ``planned_seats`` and the seat-weighted
    ``target_utilisation`` cover every selected office that has opened."""
    occ = occupancy(session, scope, offices, period, zone)
    ever = has_door_data(session, scope, offices)
    if occ.empty:
        return _attach(pd.DataFrame(columns=DAILY_COLUMNS), occ, period, ever)
    grid = occ.grid
    seats = np.where(grid.exists, grid.values["seats"], np.nan)
    counted = grid.open & grid.has_data & (np.nan_to_num(seats) > 0)
    with_data = counted.sum(axis=0)

    def counted_sum(values: np.ndarray) -> np.ndarray:
        """Per day over the counted offices; NaN on a day with none."""
        total = np.where(counted, np.nan_to_num(values), 0.0).sum(axis=0)
        return np.where(with_data > 0, total, np.nan)

    # the plan of every selected office that has opened, open that day or not,
    # so that the target and seats lines do not jump on Saturdays
    planned_seats = np.nansum(seats, axis=0)
    weighted_target = np.nansum(seats * grid.values["target_utilisation"], axis=0)
    offices_open = grid.open.sum(axis=0)
    measured_seats = counted_sum(seats)
    average = counted_sum(grid.values["avg_occupancy"])
    with np.errstate(divide="ignore", invalid="ignore"):
        result = pd.DataFrame(
            {
                "day": grid.dates,
                "status": np.select(
                    [offices_open == 0, with_data == 0], ["closed", "gap"], "ok"
                ),
                "offices_open": offices_open,
                "offices_with_data": with_data,
                "planned_seats": planned_seats,
                "seats": measured_seats,
                "target_utilisation": weighted_target / planned_seats,
                "avg_occupancy": average,
                "peak_occupancy": counted_sum(grid.values["peak_occupancy"]),
                "utilisation": average / measured_seats,
            }
        )
    return _attach(result, occ, period, ever)


def weekday_hours(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
) -> pd.DataFrame:
    """Average occupancy per weekday and local hour over open days with data.

    The selected offices' occupancies are added up per hour; hours run from the
    earliest opening to the latest closing among them. The repeated hour of the
    October DST day is averaged first, so it is not counted twice.
    """
    occ = occupancy(session, scope, offices, period, zone)
    ever = has_door_data(session, scope, offices)
    if occ.grid is None or occ.grid.hours is None:
        return _attach(pd.DataFrame(columns=WEEKDAY_HOUR_COLUMNS), occ, period, ever)
    rows, days, hours = occ.grid.hours
    open_day = occ.grid.open[rows, days]
    result = weekday_hour_average(
        hours.select(open_day), days[open_day], occ.grid.weekday[days[open_day]]
    )
    return _attach(result, occ, period, ever)


WEEKDAY_HOUR_COLUMNS = ["weekday", "hour", "occupancy", "days"]


def weekday_hour_average(
    hours: DayHours, days: np.ndarray, weekdays: np.ndarray
) -> pd.DataFrame:
    """weekday, hour, occupancy, days (see :func:`weekday_hours`) from the hours
    of some office-days, given each one's day (any number standing for the
    date: offices on the same day are added up) and weekday."""
    if not hours.in_hours.any():
        return pd.DataFrame(columns=WEEKDAY_HOUR_COLUMNS)
    open_hours = hours.hour[hours.in_hours]
    row, slot = np.nonzero(
        (hours.hour >= open_hours.min()) & (hours.hour <= open_hours.max())
    )
    hour = hours.hour[row, slot]
    # per office-day and hour: the mean (the DST day's repeated hour once)
    cells, size = row * 24 + hour, len(days) * 24
    sums = np.bincount(cells, hours.occupied[row, slot], size).reshape(-1, 24)
    counts = np.bincount(cells, minlength=size).reshape(-1, 24)
    mean = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    # per day and hour: added up over the offices
    distinct, day_of_row = np.unique(days, return_inverse=True)
    per_day = _sum_rows(day_of_row, mean, len(distinct))
    seen = _sum_rows(day_of_row, counts > 0, len(distinct))
    weekday_of_day = np.zeros(len(distinct), dtype=int)
    weekday_of_day[day_of_row] = weekdays
    # per weekday and hour: the mean over the days that have it
    totals = _sum_rows(weekday_of_day, np.where(seen > 0, per_day, 0.0), 7)
    day_counts = _sum_rows(weekday_of_day, seen > 0, 7)
    weekday, hour = np.nonzero(day_counts)
    return pd.DataFrame(
        {
            "weekday": weekday,
            "hour": hour,
            "occupancy": totals[weekday, hour] / day_counts[weekday, hour],
            "days": day_counts[weekday, hour].astype(int),
        }
    )


def _sum_rows(groups: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """The rows of an (n × 24) matrix added up per group (0 … count − 1), in
    row order (``np.add.at`` would be ten times slower)."""
    cells = (groups[:, None] * 24 + np.arange(24)).ravel()
    weights = values.ravel().astype(float)
    return np.bincount(cells, weights, count * 24).reshape(count, 24)


WEEKLY_COLUMNS = [
    "week_start",
    "iso_year",
    "week",
    "visits",
    "open_days",
    "open_days_with_data",
    "desk_bookings",
    "desk_hours",
]


def weekly(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
) -> pd.DataFrame:
    """Per ISO week: visits (entries at the door, days with data only), open days
    with and without data, desk bookings and booked desk-hours."""
    zone = zone_or_default(zone)
    occ = occupancy(session, scope, offices, period, zone, measured=False)
    ever = has_door_data(session, scope, offices)
    if occ.empty:
        return _attach(pd.DataFrame(columns=WEEKLY_COLUMNS), occ, period, ever)
    grid = occ.grid
    booked, booked_hours = _desk_grid(session, scope, offices, grid)
    week_start = [day - timedelta(days=day.weekday()) for day in grid.dates]
    weeks, codes = np.unique(np.array(week_start, dtype=object), return_inverse=True)

    def per_week(values: np.ndarray) -> np.ndarray:
        """Summed over offices and the days of each week (NaN counts as 0)."""
        per_day = np.nansum(np.where(grid.exists, values, np.nan), axis=0)
        return np.bincount(codes, weights=per_day, minlength=len(weeks))

    # a week without any door data is a gap, not zero visits
    with_data = per_week(grid.has_data.astype(float)) > 0
    iso = [week.isocalendar() for week in weeks]
    result = pd.DataFrame(
        {
            "week_start": weeks,
            "iso_year": [i.year for i in iso],
            "week": [i.week for i in iso],
            "visits": np.where(with_data, per_week(grid.values["entries"]), np.nan),
            "open_days": per_week(grid.open.astype(float)).astype(int),
            "open_days_with_data": per_week(
                (grid.open & grid.has_data).astype(float)
            ).astype(int),
            "desk_bookings": per_week(booked),
            "desk_hours": per_week(booked_hours),
        }
    )
    return _attach(result, occ, period, ever)


def _desk_grid(
    session: so.Session, scope: Scope, offices: list[str], grid: _Grid
) -> tuple[np.ndarray, np.ndarray]:
    """Desk bookings and booked desk-hours per office-day (0 where none). Days
    come as grid columns computed in the database, as in :func:`_door_days`."""
    booked, hours = np.zeros(grid.exists.shape), np.zeros(grid.exists.shape)
    first, last = grid.dates[0], grid.dates[-1]
    column = day_number(t.BookingDaily.day) - days_since_epoch(first)
    in_grid = [office for office in offices if office in grid.ids]
    query = _desk_days(scope, in_grid, first, last, column)
    rows = session.connection().execute(query).all()
    if rows:
        office_ids, days, bookings, desk_hours = zip(*rows, strict=True)
        at = (grid.rows_of(office_ids), np.array(days, dtype=int))
        booked[at] = np.array(bookings, dtype=float)
        hours[at] = np.array(desk_hours, dtype=float)
    return booked, hours


RECONCILIATION_COLUMNS = [
    "day",
    "desk_bookings",
    "present",
    "booked_present",
    "no_show",
    "unbooked",
    "booked_without_door_data",
    "offices_without_door_data",
]


def reconciliation(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
) -> pd.DataFrame:
    """Desk bookings against people present (peak occupancy) per day.

    Per office and day: booked and present = min(booked, present), no-shows =
    max(0, booked − present), unbooked use = max(0, present − booked); then
    summed over offices. An office-day without door data adds its bookings to
    ``booked_without_door_data`` only, never to the no-shows.
    """
    zone = zone_or_default(zone)
    occ = occupancy(session, scope, offices, period, zone)
    ever = has_door_data(session, scope, offices)
    if occ.empty:
        return _attach(pd.DataFrame(columns=RECONCILIATION_COLUMNS), occ, period, ever)
    grid = occ.grid
    booked, _ = _desk_grid(session, scope, offices, grid)
    present = np.where(grid.has_data, grid.values["peak_occupancy"], np.nan)
    known = ~np.isnan(present)
    cells = {
        "desk_bookings": booked,
        "present": present,
        "booked_present": np.where(known, np.fmin(booked, present), np.nan),
        "no_show": np.maximum(booked - present, 0),  # NaN without door data
        "unbooked": np.maximum(present - booked, 0),
        "booked_without_door_data": np.where(grid.has_data, 0.0, booked),
        "offices_without_door_data": (grid.open & ~grid.has_data).astype(float),
    }
    # days nobody could have used: closed and nothing booked or counted
    kept = grid.exists & (grid.open | (booked > 0) | (np.nan_to_num(present) > 0))
    shown = kept.any(axis=0)
    sums = {}
    for name, values in cells.items():
        values = np.where(kept, values, np.nan)
        total = np.nansum(values, axis=0)
        sums[name] = np.where((~np.isnan(values)).any(axis=0), total, np.nan)[shown]
    result = pd.DataFrame({"day": grid.dates[shown], **sums})
    result["offices_without_door_data"] = result["offices_without_door_data"].fillna(0)
    return _attach(result[RECONCILIATION_COLUMNS], occ, period, ever)


HEALTH_COLUMNS = [
    "office",
    "days",
    "days_with_data",
    "open_days_without_data",
    "longest_gap_first",
    "longest_gap_last",
    "longest_gap_days",
    "imbalance",
]


def counter_health(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
) -> pd.DataFrame:
    """Per office: days in the period (from its opening), days with door data,
    open days without, the longest gap and the in−out imbalance.

    A gap is a run of days without data holding at least one open day (a closed
    Sunday without data is no gap). Imbalance = Σ(entries − exits) / Σ entries:
    a counter that misses exits (or counts them twice) drifts away from 0 %.
    """
    occ = occupancy(session, scope, offices, period, zone, measured=False)
    ever = has_door_data(session, scope, offices)
    if occ.empty:
        return _attach(pd.DataFrame(columns=HEALTH_COLUMNS), occ, period, ever)
    grid = occ.grid
    names = dict(zip(occ.offices["office_id"], occ.offices["name"], strict=True))
    days = grid.exists.sum(axis=1)
    with_data = grid.has_data.sum(axis=1)
    without_data = (grid.open & ~grid.has_data).sum(axis=1)
    entries = np.nansum(grid.values["entries"], axis=1)  # NaN: no door data
    exits = np.nansum(grid.values["exits"], axis=1)
    rows = [
        (
            names[office],
            int(days[row]),
            int(with_data[row]),
            int(without_data[row]),
            *longest_gap(
                grid.dates[grid.exists[row]],
                grid.has_data[row, grid.exists[row]],
                grid.open[row, grid.exists[row]],
            ),
            (entries[row] - exits[row]) / entries[row] if entries[row] else None,
        )
        for row, office in enumerate(grid.ids)
        if days[row]  # an office opening after the period has no row
    ]
    result = pd.DataFrame(rows, columns=HEALTH_COLUMNS)
    return _attach(
        result.sort_values("office").reset_index(drop=True), occ, period, ever
    )


def longest_gap(
    days: np.ndarray, has_data: np.ndarray, is_open: np.ndarray
) -> tuple[date | None, date | None, int]:
    """(first, last, days) of the longest run of ``days`` without data that
    holds an open day; (None, None, 0) if there is none. ``days``: one
    office's, in order."""
    longest: tuple[date | None, date | None, int] = (None, None, 0)
    first, any_open = None, False
    for day, data, opened in zip(
        days.tolist(), has_data.tolist(), is_open.tolist(), strict=True
    ):
        if data:
            first, any_open = None, False
            continue
        first = first or day
        any_open = any_open or opened
        length = (day - first).days + 1
        if any_open and length > longest[2]:
            longest = (first, day, length)
    return longest
