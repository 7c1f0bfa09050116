"""Data-quality queries on SQLite and PostgreSQL: files, quarantine, runs, gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dashboard.access import Scope
from dashboard.filters import Period, month, year
from dashboard.queries import quality
from models import tables as t
from models.db import transaction

ZONE = "Europe/Stockholm"
REGION = Scope(1, "r", "region", frozenset({"boda", "figeholm"}), True)
KOMMUN = Scope(1, "x", "kommun", frozenset({"boda"}), False)
RECEIVED = datetime(2025, 11, 24, 23, 30, tzinfo=UTC)  # 00:30 on the 25th locally


def add_file(session, office, name, status="loaded", message="", when=RECEIVED):
    source = t.SourceFile(
        office_id=office, kind="door", format="counter-15", sha256=name * 2,
        original_name=name, archived_path=f"archive/{name}", size_bytes=10,
        received_at=when, status=status, message=message,
    )  # fmt: skip
    session.add(source)
    session.flush()
    return source


def test_imports_rejected_files_and_quarantined_rows(engine):
    with transaction(engine) as session:
        good = add_file(session, "figeholm", "dorr-2025-11.csv")
        add_file(
            session, "figeholm", "tom.csv", "rejected", "the file holds no data rows"
        )
        add_file(session, "boda", "boda.csv", when=RECEIVED - timedelta(days=40))
        add_file(  # an earlier rejection in the period: the later one is shown
            session, "figeholm", "gammal.csv", "rejected", "old reason",
            when=RECEIVED - timedelta(days=5),
        )  # fmt: skip
        session.add(
            t.QuarantinedRow(
                source_file_id=good.id, row_number=17, column="In",
                reason="not a count (value: 'Gate broken')", raw="secret raw row",
            )
        )  # fmt: skip
    with transaction(engine) as session:
        offices = sorted(REGION.office_ids)
        period = month(date(2025, 11, 1))
        imports = quality.imports(session, REGION, offices, period, ZONE)
        rejected = quality.rejected_files(session, REGION, offices, period, ZONE)
        rows = quality.quarantine(session, REGION, offices, period, ZONE)
        counted = quality.quarantined_count(session, REGION, offices, period, ZONE)
        theirs = quality.quarantined_count(session, KOMMUN, offices, period, ZONE)
        mine = quality.imports(session, KOMMUN, ["boda", "figeholm"], period, ZONE)
    assert (counted, theirs) == (1, 0)  # Boda's scope does not see Figeholm's row
    figeholm = imports[imports["office"] == "Kontoret Figeholm"].iloc[0]
    assert (figeholm["files_loaded"], figeholm["files_rejected"]) == (1, 2)
    assert figeholm["last_rejection"] == "tom.csv: the file holds no data rows"
    # local time, without a zone (Excel cannot store zones)
    assert str(figeholm["last_import"]) == "2025-11-25 00:30:00"
    boda = imports[imports["office"] == "Bodakontoret"].iloc[0]
    assert boda["files_loaded"] == 0 and boda["last_import"].month == 10
    assert list(rejected["file"]) == ["tom.csv", "gammal.csv"]  # newest first
    assert rows.to_dict("records") == [
        {
            "received_at": rows["received_at"].iloc[0],
            "office": "Kontoret Figeholm",
            "kind": "door",
            "file": "dorr-2025-11.csv",
            "row": 17,
            "column": "In",
            "reason": "not a count (value: 'Gate broken')",
        }
    ]
    assert "secret raw row" not in rows.to_csv()
    assert list(mine["office"]) == ["Bodakontoret"]  # the scope, not the request


def test_runs_are_newest_first_with_their_duration(engine):
    with transaction(engine) as session:
        for i in range(3):
            began = datetime(2025, 11, 1 + i, 6, tzinfo=UTC)
            session.add(
                t.IngestRun(
                    started_at=began, finished_at=began + timedelta(seconds=30 + i),
                    trigger="scheduler", status="ok", files_seen=2, files_loaded=2,
                    rows_loaded=100,
                )
            )  # fmt: skip
        session.add(
            t.IngestRun(started_at=datetime(2025, 10, 1, tzinfo=UTC), trigger="cli")
        )
    with transaction(engine) as session:
        runs = quality.runs(session, REGION, [], month(date(2025, 11, 1)), ZONE)
        limited = quality.runs(session, REGION, [], year(2025), ZONE, limit=2)
        kommun = quality.runs(session, KOMMUN, [], year(2025), ZONE)
    assert list(runs["seconds"]) == [32.0, 31.0, 30.0]
    assert str(runs["started_at"].iloc[0]) == "2025-11-03 07:00:00"
    assert len(limited) == 2
    assert kommun.empty  # programme-wide runs are for region users


def test_gaps_are_runs_of_missing_days_with_an_open_day(engine):
    period = Period("custom", date(2025, 11, 3), date(2025, 11, 30))
    missing = {date(2025, 11, 10) + timedelta(days=i) for i in range(14)}
    with transaction(engine) as session:
        for offset in range(28):
            day = period.start + timedelta(days=offset)
            if day not in missing:
                session.add(
                    t.DoorDaily(
                        office_id="figeholm", day=day, entries=5, exits=5,
                        hours_with_data=10,
                    )
                )  # fmt: skip
            session.add(
                t.DoorDaily(
                    office_id="boda", day=day, entries=1, exits=1, hours_with_data=1
                )
            )
    with transaction(engine) as session:
        gaps = quality.gaps(session, REGION, ["boda", "figeholm"], period)
        # a week without data but no opening day in it is no gap
        tuesday_to_thursday = Period("custom", date(2025, 11, 11), date(2025, 11, 13))
        closed = quality.gaps(session, REGION, ["figeholm"], tuesday_to_thursday)
    assert closed.empty
    assert gaps.to_dict("records") == [
        {
            "office": "Kontoret Figeholm",
            "first_day": date(2025, 11, 10),
            "last_day": date(2025, 11, 23),
            "days": 14,
            "open_days": 4,  # the fixture's Figeholm opens Mondays and Fridays
        }
    ]


def test_missing_runs_skip_closed_days_and_holidays():
    start, end = date(2025, 12, 22), date(2025, 12, 28)
    weekdays = {0, 1, 2, 3, 4}
    holidays = {date(2025, 12, 24), date(2025, 12, 25), date(2025, 12, 26)}
    with_data = {date(2025, 12, 22), date(2025, 12, 23)}
    assert quality.missing_runs(start, end, with_data, weekdays, holidays) == []
    assert quality.missing_runs(start, end, with_data, weekdays) == [
        (date(2025, 12, 24), date(2025, 12, 28), 3)
    ]
