"""Data quality: imports per office and source, rejected files, quarantined
rows, ingest runs and gaps in the door-counter data. Region users only.

Times come back as local wall-clock time without a zone (Excel cannot store
zones). Files, quarantined rows and runs belong to the period in which they
were received; gaps are days of the period without door data.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from dashboard.access import Scope
from dashboard.filters import Period
from dashboard.queries import (
    frame,
    in_scope,
    last_load,
    once_per_session,
    zone_or_default,
)
from models import tables as t
from models.days import closed_days, day_bounds

RUNS_SHOWN = 50
IMPORT_COLUMNS = [
    "office",
    "kind",
    "last_import",
    "files_loaded",
    "files_rejected",
    "last_rejection",
]


def _local(column: pd.Series, zone: str) -> pd.Series:
    """Aware UTC times -> naive local times (None stays missing)."""
    if column.empty:
        return column
    stamps = pd.to_datetime(column, utc=True)
    return stamps.dt.tz_convert(zone).dt.tz_localize(None)


def _files(scope: Scope, offices: list[str]) -> sa.Select:
    f = t.SourceFile
    return (
        sa.select(
            f.id,
            f.received_at,
            t.Office.name.label("office"),
            f.kind,
            f.format,
            f.original_name.label("file"),
            f.status,
            f.rows_read,
            f.rows_loaded,
            f.rows_quarantined,
            f.message,
        )
        .join(t.Office, t.Office.id == f.office_id)
        .where(in_scope(f.office_id, scope, offices))
    )


def imports(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
) -> pd.DataFrame:
    """Per office and source kind it ever sent a file of: the last successful
    import (ever) and the files loaded and rejected in the period, with the
    latest rejection.

    Read by index: an office sends thousands of files (a counter file a day),
    so the last load is one seek per office and kind, and only the period's
    files are counted."""
    zone = zone_or_default(zone)
    start, end = day_bounds(period.start, period.end, zone)
    latest = _latest_rejections(session, scope, offices, start, end)
    result = pd.DataFrame(
        [
            {
                "office": name,
                "kind": kind,
                "last_import": last,
                "files_loaded": loaded,
                "files_rejected": rejected,
                "last_rejection": latest.get((name, kind), ""),
            }
            for office, name, kind, last, loaded, rejected in _sources(
                session, scope, offices, start, end
            )
        ],
        columns=IMPORT_COLUMNS,
    )
    result["last_import"] = _local(result["last_import"], zone)
    return result


def _sources(
    session: so.Session, scope: Scope, offices: list[str], start, end
) -> list[tuple]:
    """(office id, office name, kind, last load or None, files loaded and
    files rejected in [start, end)) of every kind an office ever sent a file
    of, by office name and kind. Each figure is a correlated subquery: a seek
    in the index of (office, kind, status, received) per office and kind."""
    o, f = t.Office, t.SourceFile
    rows = []
    for kind in t.SOURCE_KINDS:
        sent = sa.exists().where(f.office_id == o.id, f.kind == kind)
        files = [
            sa.select(sa.func.count())
            .where(
                f.office_id == o.id,
                f.kind == kind,
                f.status == status,
                f.received_at >= start,
                f.received_at < end,
            )
            .scalar_subquery()
            for status in ("loaded", "rejected")
        ]
        query = sa.select(o.id, o.name, sa.literal(kind), last_load(o.id, kind), *files)
        rows += session.connection().execute(
            query.where(in_scope(o.id, scope, offices), sent)
        )
    return sorted(rows, key=lambda row: (row[1], row[2]))


def _latest_rejections(
    session: so.Session, scope: Scope, offices: list[str], start, end
) -> dict[tuple[str, str], str]:
    """(office name, kind) -> "file: reason" of its newest rejection in [start, end)."""
    f = t.SourceFile
    query = (
        _files(scope, offices)
        .where(f.status == "rejected", f.received_at >= start, f.received_at < end)
        .order_by(f.received_at, f.id)
    )
    latest = {}
    for row in session.connection().execute(query):  # oldest first: newest wins
        latest[(row.office, row.kind)] = f"{row.file}: {row.message}"
    return latest


def rejected_files(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
) -> pd.DataFrame:
    """Files refused whole in the period, newest first, with the reason."""
    zone = zone_or_default(zone)
    start, end = day_bounds(period.start, period.end, zone)
    f = t.SourceFile
    query = (
        _files(scope, offices)
        .where(f.status == "rejected", f.received_at >= start, f.received_at < end)
        .order_by(f.received_at.desc(), f.id.desc())
    )
    result = frame(session.connection().execute(query))
    result["received_at"] = _local(result["received_at"], zone)
    return result[["received_at", "office", "kind", "format", "file", "message"]]


def quarantine(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
) -> pd.DataFrame:
    """Rows set aside in files received in the period, newest file first.

    Not the raw row: it may hold names or e-mail addresses.
    """
    zone = zone_or_default(zone)
    f, q = t.SourceFile, t.QuarantinedRow
    query = (
        _quarantined(scope, offices, period, zone)
        .add_columns(
            f.received_at,
            t.Office.name.label("office"),
            f.kind,
            f.original_name.label("file"),
            q.row_number.label("row"),
            q.column,
            q.reason,
        )
        .join(t.Office, t.Office.id == f.office_id)
        .order_by(f.received_at.desc(), f.id.desc(), q.row_number, q.id)
    )
    result = frame(session.connection().execute(query))
    result["received_at"] = _local(result["received_at"], zone)
    return result


def quarantined_count(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
) -> int:
    """How many rows :func:`quarantine` lists."""
    query = _quarantined(scope, offices, period, zone_or_default(zone))
    return session.connection().scalar(query.add_columns(sa.func.count())) or 0


def _quarantined(
    scope: Scope, offices: list[str], period: Period, zone: str
) -> sa.Select:
    """The quarantined rows of files received in the period (no columns yet)."""
    start, end = day_bounds(period.start, period.end, zone)
    f, q = t.SourceFile, t.QuarantinedRow
    return (
        sa.select()
        .select_from(q)
        .join(f, f.id == q.source_file_id)
        .where(
            in_scope(f.office_id, scope, offices),
            f.received_at >= start,
            f.received_at < end,
        )
    )


def runs(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    zone: str | None = None,
    limit: int = RUNS_SHOWN,
) -> pd.DataFrame:
    """The latest ingest runs started in the period (programme-wide: region only)."""
    zone = zone_or_default(zone)
    start, end = day_bounds(period.start, period.end, zone)
    r = t.IngestRun
    query = (
        sa.select(
            r.started_at,
            r.finished_at,
            r.trigger,
            r.job,
            r.status,
            r.files_seen,
            r.files_loaded,
            r.files_rejected,
            r.rows_loaded,
            r.rows_quarantined,
            r.message,
        )
        .where(
            sa.true() if scope.role == "region" else sa.false(),
            r.started_at >= start,
            r.started_at < end,
        )
        .order_by(r.started_at.desc(), r.id.desc())
        .limit(limit)
    )
    result = frame(session.connection().execute(query))
    seconds = [
        (done - began).total_seconds() if done is not None else None
        for began, done in zip(result["started_at"], result["finished_at"], strict=True)
    ]
    result.insert(1, "seconds", seconds)
    result["started_at"] = _local(result["started_at"], zone)
    return result.drop(columns="finished_at")


# --- gaps in door data --------------------------------------------------------


def gaps(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Stretches of days without door-counter data, longest first.

    A stretch counts only if the office was open on at least one of its days
    (weekday with opening hours, not a public holiday): a closed Sunday or
    midsummer without visitors is no gap. Only days from the opening day on.
    """
    return once_per_session(
        session,
        ("quality_gaps", tuple(offices), period),
        lambda: _gaps(session, scope, offices, period),
    )


def _gaps(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    columns = ["office", "first_day", "last_day", "days", "open_days"]
    out = []
    closed = closed_days(period.start.year, period.end.year)
    found = _offices(session, scope, offices)
    ids = [office_id for office_id, _, _ in found]
    weekdays = _open_weekdays(session, ids)
    with_data = _door_days(session, ids, period.start, period.end)
    for office_id, name, opened in found:
        start = max(period.start, opened)
        if start > period.end:
            continue
        stretches = missing_runs(
            start,
            period.end,
            with_data.get(office_id, set()),
            weekdays.get(office_id) or set(range(7)),  # no hours known: every day
            closed,
        )
        for first, last, open_days in stretches:
            out.append((name, first, last, (last - first).days + 1, open_days))
    result = pd.DataFrame(out, columns=columns)
    return result.sort_values(
        ["open_days", "first_day", "office"], ascending=[False, True, True]
    ).reset_index(drop=True)


def _offices(session: so.Session, scope: Scope, offices: list[str]) -> list:
    return list(
        session.connection().execute(
            sa.select(t.Office.id, t.Office.name, t.Office.opened_on)
            .where(in_scope(t.Office.id, scope, offices), t.Office.active.is_(True))
            .order_by(t.Office.name)
        )
    )


def _open_weekdays(session: so.Session, ids: list[str]) -> dict[str, set[int]]:
    """Office -> the weekdays it has opening hours on (absent: none known)."""
    h = t.OfficeHours
    found: dict[str, set[int]] = {}
    rows = session.connection().execute(
        sa.select(h.office_id, h.weekday).where(h.office_id.in_(ids))
    )
    for office_id, weekday in rows:
        found.setdefault(office_id, set()).add(weekday)
    return found


def _door_days(
    session: so.Session, ids: list[str], start: date, end: date
) -> dict[str, set[date]]:
    """Office -> the days with a door_daily row between start and end."""
    d = t.DoorDaily
    found: dict[str, set[date]] = {}
    rows = session.connection().execute(
        sa.select(d.office_id, d.day).where(
            d.office_id.in_(ids), d.day >= start, d.day <= end
        )
    )
    for office_id, day in rows:
        found.setdefault(office_id, set()).add(day)
    return found


def missing_runs(
    start: date,
    end: date,
    with_data: set[date],
    weekdays: set[int],
    closed: Container[date] = (),
) -> list[tuple[date, date, int]]:
    """(first, last, open days) for each stretch of days without data that
    holds at least one open day (an open weekday not in ``closed``)."""
    found: list[tuple[date, date, int]] = []
    first, open_days, day = None, 0, start
    while day <= end + timedelta(days=1):
        if day in with_data or day > end:
            if first is not None and open_days:
                found.append((first, day - timedelta(days=1), open_days))
            first, open_days = None, 0
        else:
            first = first or day
            open_days += day.weekday() in weekdays and day not in closed
        day += timedelta(days=1)
    return found
