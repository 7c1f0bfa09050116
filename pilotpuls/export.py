"""Export the normalised data as stored: CSV for machines, .xlsx for Excel users.

Times are ISO 8601 with the Europe/Stockholm offset (``2025-03-03T08:15:00+01:00``).
CSV is comma-separated UTF-8 with a BOM (so Excel detects the encoding); .xlsx
keeps numbers as numbers. Rows are streamed in chunks, so a 5M-row door export
does not need 5M rows in memory (Excel itself stops at 1,048,576 rows).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from models import tables as t

EXCEL_MAX_ROWS = 1_048_575  # one row is the header
MEASURES = (
    "networking",
    "belonging",
    "atmosphere",
    "inspiration",
    "wifi",
    "coffee",
    "parking",
    "accessibility",
    "opening_hours",
)


def _window(
    column: sa.ColumnElement,
    start: date | None,
    end: date | None,
    zone: ZoneInfo,
    is_date: bool = False,
) -> list[sa.ColumnElement]:
    """From the start of local day ``start`` to the end of local day ``end``."""

    def midnight(day: date) -> date | datetime:
        return day if is_date else datetime.combine(day, time(0), zone)

    conditions = []
    if start:
        conditions.append(column >= midnight(start))
    if end:
        conditions.append(column < midnight(end + timedelta(days=1)))
    return conditions


def export_query(
    kind: str, office_id: str, start: date | None, end: date | None, zone: ZoneInfo
) -> tuple[list[str], sa.Select]:
    if kind == "bookings":
        b = t.Booking
        return (
            [
                "office_id",
                "source_id",
                "resource",
                "start",
                "end",
                "status",
                "all_day",
                "price",
            ],
            sa.select(
                b.office_id,
                b.external_id,
                b.resource,
                b.start_at,
                b.end_at,
                b.status,
                b.all_day,
                b.price,
            )
            .where(b.office_id == office_id, *_window(b.start_at, start, end, zone))
            .order_by(b.start_at, b.id),
        )
    if kind == "door":
        d = t.DoorCount
        return (
            ["office_id", "door", "period_start", "minutes", "entries", "exits"],
            sa.select(
                d.office_id, d.door, d.period_start, d.minutes, d.entries, d.exits
            )
            .where(d.office_id == office_id, *_window(d.period_start, start, end, zone))
            .order_by(d.period_start, d.door),
        )
    if kind == "members":
        m = t.Membership
        return (
            [
                "office_id",
                "member",
                "membership_type",
                "monthly_fee",
                "start",
                "end",
                "target_group",
                "home_kommun",
            ],
            sa.select(
                m.office_id,
                m.member_pseudonym,
                m.membership_type,
                m.monthly_fee,
                m.start_date,
                m.end_date,
                m.target_group,
                m.home_kommun,
            )
            .where(
                m.office_id == office_id,
                *_window(m.start_date, start, end, zone, is_date=True),
            )
            .order_by(m.start_date, m.id),
        )
    if kind == "surveys":
        return _survey_query(office_id, start, end, zone)
    raise ValueError(f"unknown export {kind!r}")


def _survey_query(office_id, start, end, zone):
    r, a = t.SurveyResponse, t.SurveyAnswer
    measure_columns = [
        sa.select(sa.func.max(a.value))
        .where(a.response_id == r.id, a.measure == m)
        .scalar_subquery()
        .label(m)
        for m in MEASURES
    ]
    return (
        [
            "office_id",
            "response_id",
            "submitted_at",
            "recommend_score",
            "target_group",
            "home_kommun",
            "survey_id",
            *MEASURES,
        ],
        sa.select(
            r.office_id,
            r.response_id,
            r.submitted_at,
            r.recommend_score,
            r.target_group,
            r.home_kommun,
            r.survey_id,
            *measure_columns,
        )
        .where(r.office_id == office_id, *_window(r.submitted_at, start, end, zone))
        .order_by(r.submitted_at, r.id),
    )


def _rows(engine: sa.Engine, query: sa.Select, zone: ZoneInfo) -> Iterator[list]:
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=10_000).execute(
            query
        )
        for row in result:
            yield [
                value.astimezone(zone) if isinstance(value, datetime) else value
                for value in row
            ]


def export(
    engine: sa.Engine,
    kind: str,
    office_id: str,
    target: Path,
    zone: ZoneInfo,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """Write the export to ``target`` (.csv or .xlsx); return the number of rows."""
    header, query = export_query(kind, office_id, start, end, zone)
    rows = _rows(engine, query, zone)
    if target.suffix.lower() == ".xlsx":
        return _write_xlsx(target, header, rows, kind)
    if target.suffix.lower() == ".csv":
        return _write_csv(target, header, rows)
    raise ValueError(f"export to .csv or .xlsx, not {target.suffix or 'no suffix'}")


def _write_csv(target: Path, header: list[str], rows: Iterator[list]) -> int:
    count = 0
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
            count += 1
    return count


def _write_xlsx(
    target: Path, header: list[str], rows: Iterator[list], kind: str
) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind)
    sheet.append(header)
    count = 0
    for row in rows:
        if count == EXCEL_MAX_ROWS:
            raise ValueError(
                f"more than {EXCEL_MAX_ROWS:,} rows: too many for Excel; export to "
                ".csv or choose a shorter period with --from/--to"
            )
        # Excel has no time zones: write local wall-clock time
        sheet.append(
            [v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in row]
        )
        count += 1
    book.save(target)
    return count
