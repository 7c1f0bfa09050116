"""Benchmark: every steering report of one quarter, PDF and Excel.

Uses the configured database (``config.yaml``, or ``$PILOTPULS_DATABASE_URL``),
e.g. the demo programme after ``bash scripts/start.sh``. If the quarter is not
closed yet it is closed first (timed on its own: it runs once per quarter,
while exports are made every time someone downloads). Then it renders the programme
report and one report per office, as PDF and as .xlsx, and prints the time of
each and the total (target: ≤ 5 s for all offices, PDF + xlsx).

    .venv/bin/python benchmarks/reports.py [--quarter 2026Q3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.filters import quarter as quarter_of_day  # noqa: E402
from models.config import load_config  # noqa: E402
from models.db import engine_for, session_factory  # noqa: E402
from pilotpuls.report import exports, snapshot  # noqa: E402


def last_finished_quarter(today: date) -> str:
    return quarter_of_day(quarter_of_day(today).start - timedelta(days=1)).key()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quarter", default=last_finished_quarter(date.today()))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = load_config()
    engine = engine_for(config, writer=True)
    with session_factory(engine)() as session:
        closed = snapshot.latest(session, args.quarter) is not None
    if not closed:
        started = time.perf_counter()
        snapshot.close(engine, config, args.quarter, "benchmark", datetime.now(UTC))
        print(f"closed {args.quarter} in {time.perf_counter() - started:.2f} s")
    with session_factory(engine)() as session:
        whole = snapshot.document(session, config, args.quarter)
        scopes = [s.report.scope for s in whole.sections]
        documents = [whole] + [
            snapshot.document(session, config, args.quarter, scopes=[scope])
            for scope in scopes[1:]
        ]
    best = None
    for _ in range(args.repeat):
        timings = []
        for document in documents:
            for suffix in (".pdf", ".xlsx"):
                started = time.perf_counter()
                data = exports.render(document, suffix)
                timings.append(
                    (
                        exports.file_name(document, suffix),
                        len(data),
                        time.perf_counter() - started,
                    )
                )
        total = sum(seconds for *_, seconds in timings)
        if best is None or total < best[0]:
            best = (total, timings)
    total, timings = best
    for name, size, seconds in timings:
        print(f"{name:55} {size / 1024:8.0f} KB {seconds * 1000:8.0f} ms")
    print(
        f"all reports of {args.quarter} ({len(documents)} documents, PDF + xlsx): "
        f"{total:.2f} s (best of {args.repeat}; target ≤ 5 s)"
    )


if __name__ == "__main__":
    main()
