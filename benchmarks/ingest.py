"""Benchmark: a 1M-row people-counter CSV into SQLite and PostgreSQL.

Prints rows/s for the real pipeline (``ingest_file``: read, validate, upsert,
rollups, one transaction) next to the raw floors measured in the same run:
``sqlite3.executemany`` of an upsert, and PostgreSQL ``COPY`` of the same rows.
Each path runs in its own process so its peak memory (max RSS) is its own.

    .venv/bin/python benchmarks/ingest.py [--rows 1000000] [--postgres URL]

PostgreSQL is skipped without ``--postgres`` or ``$PILOTPULS_TEST_POSTGRES_URL``
(an admin URL; a throwaway database is created and dropped).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

ZONE = ZoneInfo("Europe/Stockholm")
CONFIG = """
database_url: {url}
offices:
  - id: bench
    name: Benchmarkkontoret
    kommun: "0880"
    opened: 2020-01-01
    operator: kommun
    steering_model: demand_driven
    start_phase_end: 2030-01-01
    plan:
      - {{from: 2020-01-01, capacity: {{flexible_desks: 20}}, targets: {{members: 20}}}}
    membership_types: [{{id: flexibel, name: Flexibel, monthly_price: 1995}}]
"""


def write_counter_csv(path: Path, rows: int, doors: int = 10) -> None:
    """Datum;Tid;Dörr;In;Ut — 15-minute bins, local time, several doors."""
    per_door = rows // doors
    start = datetime(2022, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Datum", "Tid", "Dörr", "In", "Ut"])
        for step in range(per_door):
            local = (start + timedelta(minutes=15 * step)).astimezone(ZONE)
            day, clock = local.strftime("%Y-%m-%d"), local.strftime("%H:%M")
            for door in range(doors):
                writer.writerow(
                    [day, clock, f"Dörr {door}", (step + door) % 7, step % 5]
                )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pipeline(csv_path: Path, url: str) -> dict:
    """The real pipeline; ``url`` "sqlite" means a new SQLite file of its own."""
    with tempfile.TemporaryDirectory(prefix="pilotpuls-bench-") as name:
        folder = Path(name)
        if url == "sqlite":
            url = f"sqlite:///{folder / 'bench.db'}"
        return _run_pipeline(folder, csv_path, url)


def _run_pipeline(folder: Path, csv_path: Path, url: str) -> dict:
    from ingest.pipeline import ingest_file
    from models import migrate
    from models.config import load_config
    from models.db import make_engine, transaction
    from models.sync import sync_programme

    (folder / "config.yaml").write_text(CONFIG.format(url=url), encoding="utf-8")
    os.environ["PILOTPULS_PSEUDONYM_KEY"] = "benchmark"
    config = load_config(folder / "config.yaml")
    migrate.upgrade(url)
    engine = make_engine(url, writer=True)
    with transaction(engine) as session:
        sync_programme(session, config)
    began = time.perf_counter()
    result = ingest_file(engine, config, csv_path, "bench", "door", "counter")
    seconds = time.perf_counter() - began
    assert result.status == "loaded", result.message
    rerun_began = time.perf_counter()
    copy = folder / "again.csv"
    shutil.copyfile(csv_path, copy)  # streamed: the peak is the pipeline's own
    with copy.open("ab") as handle:
        handle.write(b"\n")  # new SHA, same rows: all unchanged
    again = ingest_file(engine, config, copy, "bench", "door", "counter")
    rerun = time.perf_counter() - rerun_began
    engine.dispose()
    return {
        "rows": result.rows_read,
        "seconds": seconds,
        "rerun_seconds": rerun,
        "rerun_unchanged": again.rows_unchanged,
        "peak_mb": _peak_mb(),
    }


def _raw_rows(csv_path: Path):
    """The same rows as plain tuples: the floor any loader has to beat. The
    repeated autumn hour is told apart like the real reader does (the second
    02:15 of a door on the fall-back day is winter time)."""
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        cache: dict[str, str] = {}
        seen_ambiguous: set[tuple[str, str]] = set()
        for day, clock, door, entries, exits in reader:
            stamp = f"{day} {clock}"
            utc = cache.get(stamp)
            if utc is None:
                local = datetime.fromisoformat(stamp).replace(tzinfo=ZONE)
                if local.utcoffset() != local.replace(fold=1).utcoffset():
                    fold = int((door, stamp) in seen_ambiguous)
                    seen_ambiguous.add((door, stamp))
                    local = local.replace(fold=fold)
                    yield (
                        "bench",
                        door,
                        _utc_text(local),
                        15,
                        int(entries),
                        int(exits),
                    )
                    continue
                utc = cache[stamp] = _utc_text(local)
            yield ("bench", door, utc, 15, int(entries), int(exits))


def _utc_text(local: datetime) -> str:
    return local.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.000000")


def run_raw_sqlite(csv_path: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="pilotpuls-bench-") as name:
        return _run_raw_sqlite(csv_path, Path(name) / "raw.db")


def _run_raw_sqlite(csv_path: Path, path: Path) -> dict:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE door_count (office_id TEXT, door TEXT, period_start TEXT,"
        " minutes INT, entries INT, exits INT,"
        " PRIMARY KEY (office_id, door, period_start));"
    )
    began = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO door_count VALUES (?,?,?,?,?,?) ON CONFLICT DO UPDATE SET "
        "minutes=excluded.minutes, entries=excluded.entries, exits=excluded.exits",
        _raw_rows(csv_path),
    )
    conn.execute("COMMIT")
    seconds = time.perf_counter() - began
    rows = conn.execute("SELECT count(*) FROM door_count").fetchone()[0]
    conn.close()
    return {"rows": rows, "seconds": seconds, "peak_mb": _peak_mb()}


def run_raw_copy(csv_path: Path, url: str) -> dict:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("DROP TABLE IF EXISTS raw_door")
        conn.execute(
            "CREATE TABLE raw_door (office_id TEXT, door TEXT, period_start TIMESTAMP,"
            " minutes INT, entries INT, exits INT, PRIMARY KEY (office_id, door,"
            " period_start))"
        )
        began = time.perf_counter()
        with conn.cursor().copy(
            "COPY raw_door (office_id, door, period_start, minutes, entries, exits)"
            " FROM STDIN"
        ) as copy:
            for row in _raw_rows(csv_path):
                copy.write_row(row)
        conn.commit()
        seconds = time.perf_counter() - began
        rows = conn.execute("SELECT count(*) FROM raw_door").fetchone()[0]
    return {"rows": rows, "seconds": seconds, "peak_mb": _peak_mb()}


def in_subprocess(kind: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _postgres_database(admin_url: str):
    import sqlalchemy as sa

    name = f"pilotpuls_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


def rate(run: dict) -> float:
    return run["rows"] / run["seconds"]


def compare(
    label: str,
    rounds: int,
    ours: Callable[[], dict],
    floor: Callable[[], dict],
    floor_label: str,
    target: float,
) -> None:
    """Run the pipeline and its floor in turns, ``rounds`` times, and judge the
    median ratio: the floor moves with whatever else the machine does, so a
    ratio is only fair between runs made side by side."""
    ratios = []
    for number in range(1, rounds + 1):
        # alternate who goes first, so neither always gets the warmer cache
        first, second = (ours, floor) if number % 2 else (floor, ours)
        a, b = first(), second()
        mine, base = (a, b) if number % 2 else (b, a)
        ratios.append(rate(mine) / rate(base))
        print(
            f"{label} round {number}: pipeline {rate(mine):,.0f} rows/s "
            f"({mine['seconds']:.1f} s, peak {mine['peak_mb']:.0f} MB); "
            f"{floor_label} {rate(base):,.0f} rows/s (peak {base['peak_mb']:.0f} MB);"
            f" ratio {ratios[-1]:.2f}×"
        )
        print(
            f"{label} round {number}: re-run of the same rows "
            f"{mine['rows'] / mine['rerun_seconds']:,.0f} rows/s, "
            f"{mine['rerun_unchanged']:,} unchanged"
        )
    median = statistics.median(ratios)
    verdict = "meets" if median >= target else "MISSES"
    print(
        f"{label}: median ratio {median:.2f}× of {rounds} rounds "
        f"({', '.join(f'{r:.2f}' for r in ratios)}) — {verdict} the target "
        f"≥ {target}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--postgres", default=os.environ.get("PILOTPULS_TEST_POSTGRES_URL")
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        runner = {
            "pipeline": run_pipeline,
            "sqlite": run_raw_sqlite,
            "copy": run_raw_copy,
        }
        print(json.dumps(runner[kind](Path(rest[0]), *rest[1:])))
        return
    with tempfile.TemporaryDirectory(prefix="pilotpuls-bench-") as name:
        folder = Path(name)
        csv_path = folder / "personraknare.csv"
        write_counter_csv(csv_path, args.rows)
        size = csv_path.stat().st_size / 1e6
        print(f"{args.rows:,} rows, {size:.0f} MB CSV; machine: {os.cpu_count()} cores")
        compare(
            "SQLite",
            args.rounds,
            lambda: in_subprocess("pipeline", str(csv_path), "sqlite"),
            lambda: in_subprocess("sqlite", str(csv_path)),
            "raw sqlite3 executemany upsert",
            0.6,
        )
        if not args.postgres:
            print("PostgreSQL: skipped (give --postgres URL)")
            return
        compare(
            "PostgreSQL",
            args.rounds,
            lambda: _on_new_database(args.postgres, "pipeline", str(csv_path)),
            lambda: _on_new_database(args.postgres, "copy", str(csv_path)),
            "plain COPY",
            0.5,
        )


def _on_new_database(admin_url: str, kind: str, csv_path: str) -> dict:
    url, drop = _postgres_database(admin_url)
    try:
        return in_subprocess(kind, csv_path, url)
    finally:
        drop()


if __name__ == "__main__":
    main()
