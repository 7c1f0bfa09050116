"""What users trust the ingest for, tested with real processes, files and servers:
a crash half-way leaves nothing, two loaders never double-load, rollups equal the
raw data (also across DST), every pass is recorded, feeds are fetched for real."""

from __future__ import annotations

import csv
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from openpyxl import load_workbook

from ingest.pipeline import ingest_file
from ingest.runner import run_once
from ingest.scheduler import JOB_DEFAULTS, build_scheduler
from models import tables as t
from models.config import load_config
from pilotpuls.export import export

ZONE = ZoneInfo("Europe/Stockholm")
ROOT = Path(__file__).parents[2]


def write_counter(path: Path, start: date, days: int, doors: int = 1) -> int:
    """A demo-style counter export (Datum;Tid;Dörr;In;Ut); returns the row count."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Datum", "Tid", "Dörr", "In", "Ut"])
        moment = datetime.combine(start, datetime.min.time(), ZONE).astimezone(UTC)
        end = moment + timedelta(days=days)
        while moment < end:
            local = moment.astimezone(ZONE)
            for door in range(doors):
                writer.writerow(
                    [
                        f"{local:%Y-%m-%d}",
                        f"{local:%H:%M}",
                        f"Dörr {door}",
                        (local.hour + door) % 5,
                        local.hour % 3,
                    ]
                )
                rows += 1
            moment += timedelta(minutes=15)
    return rows


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model))


def cli_process(config_path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pilotpuls.cli import main; main()",
            "--config",
            str(config_path),
            *args,
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_kill_9_half_way_leaves_nothing_and_the_rerun_completes(
    engine, config_in_tmp, tmp_path
):
    big = tmp_path / "personraknare-stor.csv"
    rows = write_counter(big, date(2022, 1, 1), days=900, doors=6)  # ~520k rows
    loader = cli_process(
        tmp_path / "config.yaml",
        "ingest",
        "file",
        str(big),
        "--office",
        "figeholm",
        "--kind",
        "door",
    )
    archive = tmp_path / "data" / "archive" / "figeholm" / "door"
    deadline = time.monotonic() + 60
    while not any(archive.rglob("*.csv")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # well into the load's single transaction
    loader.send_signal(signal.SIGKILL)
    loader.wait()
    assert loader.returncode == -signal.SIGKILL, "the load finished before the kill"
    assert count(engine, t.DoorCount) == 0
    assert count(engine, t.SourceFile) == 0
    assert count(engine, t.DoorHourly) == 0
    result = ingest_file(engine, config_in_tmp, big, "figeholm", "door")
    assert (result.status, result.rows_loaded) == ("loaded", rows)
    assert count(engine, t.DoorCount) == rows


def test_two_processes_loading_the_same_file_load_it_once(
    engine, config_in_tmp, tmp_path
):
    path = tmp_path / "personraknare-2025-03.csv"
    rows = write_counter(path, date(2025, 3, 1), days=60, doors=3)
    args = (
        "ingest",
        "file",
        str(path),
        "--office",
        "figeholm",
        "--kind",
        "door",
        "--json",
    )
    first, second = (cli_process(tmp_path / "config.yaml", *args) for _ in range(2))
    finished = [p.communicate(timeout=600) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], finished
    statuses = sorted('"already_loaded"' in out for out, _ in finished)
    assert statuses == [False, True], finished
    assert count(engine, t.DoorCount) == rows
    assert count(engine, t.SourceFile) == 1


def test_rollups_equal_raw_counts_across_dst(engine, config_in_tmp, tmp_path):
    path = tmp_path / "personraknare-2025-10.csv"
    write_counter(path, date(2025, 10, 24), days=5, doors=2)  # includes 26 Oct
    ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    with engine.connect() as conn:
        daily = {row.day: row for row in conn.execute(sa.select(t.DoorDaily))}
        raw = conn.execute(sa.select(sa.func.sum(t.DoorCount.entries))).scalar()
    assert sum(r.entries for r in daily.values()) == raw
    assert daily[date(2025, 10, 26)].hours_with_data == 25  # the fall-back day
    assert daily[date(2025, 10, 25)].hours_with_data == 24


def test_a_later_overlapping_counter_export_updates_rollups(
    engine, config_in_tmp, tmp_path
):
    first = tmp_path / "v1.csv"
    write_counter(first, date(2025, 5, 5), days=1)
    ingest_file(engine, config_in_tmp, first, "figeholm", "door")
    second = tmp_path / "v2.csv"
    text = first.read_text(encoding="utf-8").replace(
        "2025-05-05;09:00;Dörr 0;4;0", "2025-05-05;09:00;Dörr 0;40;0"
    )
    second.write_text(text, encoding="utf-8")
    result = ingest_file(engine, config_in_tmp, second, "figeholm", "door")
    assert (result.rows_loaded, result.rows_unchanged) == (1, 95)
    with engine.connect() as conn:
        day = conn.execute(sa.select(t.DoorDaily.entries)).scalar_one()
        raw = conn.execute(sa.select(sa.func.sum(t.DoorCount.entries))).scalar()
    # four 15-minute bins an hour with hour % 5 entries; the 09:00 bin went 4 -> 40
    assert day == raw == 4 * sum(h % 5 for h in range(24)) + 40 - 4


def test_a_pass_over_the_inbox_is_recorded_and_catches_up(
    engine, config_in_tmp, tmp_path
):
    inbox = tmp_path / "data" / "inbox" / "figeholm" / "door"
    inbox.mkdir(parents=True)
    write_counter(inbox / "a.csv", date(2025, 4, 1), days=2)
    write_counter(inbox / "b.csv", date(2025, 4, 3), days=2)
    (inbox / "trasig.csv").write_bytes(b"\x00\xff" * 50)
    summary = run_once(engine, config_in_tmp, trigger="test")
    assert (summary.count("loaded"), summary.count("rejected")) == (2, 1)
    again = run_once(engine, config_in_tmp, trigger="test")
    assert again.count("loaded") == again.count("rejected") == 0
    assert again.count("already_loaded") == 2 and again.files[-1].repeated
    with engine.connect() as conn:
        runs = conn.execute(sa.select(t.IngestRun).order_by(t.IngestRun.id)).all()
    assert [(r.files_seen, r.files_loaded, r.files_rejected) for r in runs] == [
        (3, 2, 1),
        (3, 0, 0),
    ]
    assert runs[0].status == "warnings" and "trasig.csv" in runs[0].message
    assert all(r.finished_at is not None for r in runs)


class _Calendar(http.server.BaseHTTPRequestHandler):
    body = b""
    failures_left = 0

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        if _Calendar.failures_left:
            _Calendar.failures_left -= 1
            self.send_error(503)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.end_headers()
        self.wfile.write(_Calendar.body)

    def log_message(self, *args) -> None:
        pass


def test_a_calendar_feed_is_fetched_with_retries_and_loaded(
    engine, db_url, tmp_path, monkeypatch
):
    _Calendar.body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Pilotpuls test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:feed-1@example.se\r\nDTSTAMP:20250101T000000Z\r\n"
        "DTSTART;TZID=Europe/Stockholm:20250310T090000\r\n"
        "DTEND;TZID=Europe/Stockholm:20250310T100000\r\nSUMMARY:Kundmöte\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    _Calendar.failures_left = 2  # two 503s, then the calendar
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Calendar)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    text = (ROOT / "tests/fixtures/programme.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    membership_types:\n      - {id: lounge",
        "    sources:\n      - {kind: bookings, url: "
        f"'http://127.0.0.1:{server.server_port}/rum.ics', options: {{calendar: rum}}}}"
        "\n    membership_types:\n      - {id: lounge",
        1,
    )
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("PILOTPULS_DATABASE_URL", db_url)
    monkeypatch.setenv("PILOTPULS_PSEUDONYM_KEY", "test")
    config = load_config(tmp_path / "config.yaml")
    try:
        summary = run_once(engine, config, "figeholm")
    finally:
        server.shutdown()
    assert summary.feed_errors == []
    assert [f.status for f in summary.files] == ["loaded"]
    with engine.connect() as conn:
        start = conn.execute(sa.select(t.Booking.start_at)).scalar_one()
    assert start == datetime(2025, 3, 10, 8, 0, tzinfo=UTC)


def test_an_unreachable_feed_is_reported_not_fatal(
    engine, db_url, tmp_path, monkeypatch
):
    text = (ROOT / "tests/fixtures/programme.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    membership_types:\n      - {id: lounge",
        "    sources:\n      - {kind: bookings, url: 'http://127.0.0.1:9/x.ics'}"
        "\n    membership_types:\n      - {id: lounge",
        1,
    )
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("PILOTPULS_DATABASE_URL", db_url)
    config = load_config(tmp_path / "config.yaml")
    summary = run_once(engine, config, "figeholm")
    [problem] = summary.feed_errors
    assert "could not be fetched" in problem


def test_exports_write_iso_times_with_offset_and_real_numbers(
    engine, config_in_tmp, tmp_path
):
    path = tmp_path / "p.csv"
    write_counter(path, date(2025, 7, 1), days=1)
    ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    target = tmp_path / "door.csv"
    assert export(engine, "door", "figeholm", target, ZONE) == 96
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "office_id,door,period_start,minutes,entries,exits"
    assert lines[1].startswith("figeholm,Dörr 0,2025-07-01T00:00:00+02:00,15,")
    workbook = tmp_path / "door.xlsx"
    day = date(2025, 7, 1)
    export(engine, "door", "figeholm", workbook, ZONE, day, day)
    sheet = load_workbook(workbook).active
    assert [c.value for c in sheet[1]][:3] == ["office_id", "door", "period_start"]
    assert isinstance(sheet["E2"].value, int)


def test_the_scheduler_has_one_job_per_office_with_safe_defaults(config_in_tmp):
    scheduler = build_scheduler(config_in_tmp)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"ingest:figeholm", "ingest:boda"}
    assert JOB_DEFAULTS == {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": 3600,
    }
