"""Benchmark: every page callback on a large programme, through the real route.

1. Builds a programme of 50 offices × 3 years (≈ 5M 15-minute door counts, desk
   bookings, members and surveys) in a fresh database, in a child process, and
   computes the rollups the way ingest does.
2. Signs in as a region user with Flask's test client and posts every callback
   found in ``/_dash-dependencies`` to ``/_dash-update-component`` (the page
   router for every page, and every panel) with a quarter selected: p50/p95 per
   callback, its largest response, and beside it the p95 of the panel's query
   and completeness note in a fresh read session (what the callback runs
   before drawing) and of their bare SQL (the same statements through the
   driver's cursor). Callbacks (and queries) take turns, one call each per
   round, as a page's panels follow each other. Targets: p95 ≤ 30 ms and
   ≤ 1.5× the bare SQL; no response > 250 KB.
3. Loads the overview page in headless Chromium: bytes transferred cold (empty
   cache) and warm (reload), gzip on. Targets: ≤ 1.2 MB cold, ≤ 100 KB warm.
4. Prints this worker's resident memory. Target: ≤ 300 MB.

    .venv/bin/python benchmarks/pages.py [--offices 50] [--years 3] [--calls 30]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

ZONE = ZoneInfo("Europe/Stockholm")
KOMMUNER = [
    "0821",
    "0834",
    "0840",
    "0860",
    "0861",
    "0862",
    "0880",
    "0881",
    "0882",
    "0883",
    "0884",
    "0885",
]
PASSWORD = "benchmark-password-1"


def office_yaml(number: int, opened: date) -> str:
    return f"""
  - id: kontor-{number:02d}
    name: Kontor {number:02d}
    kommun: "{KOMMUNER[number % len(KOMMUNER)]}"
    opened: {opened.isoformat()}
    operator: kommun
    steering_model: {"demand_driven" if number % 3 else "compensation_driven"}
    start_phase_end: {(opened + timedelta(days=1095)).isoformat()}
    opening_hours: {{mon: "07:00-21:00", tue: "07:00-21:00", wed: "07:00-21:00",
                    thu: "07:00-21:00", fri: "07:00-18:00"}}
    plan:
      - {{from: {opened.isoformat()}, capacity: {{flexible_desks: 8}},
         targets: {{members: 8, utilisation: 0.35}}}}
      - {{from: {(opened + timedelta(days=365)).isoformat()},
         capacity: {{fixed_desks: 6, flexible_desks: 14}},
         targets: {{members: 20, utilisation: 0.55}}}}
    membership_types:
      - {{id: lounge, name: Lounge, monthly_price: 250, seat: false}}
      - {{id: flexibel, name: Flexibel, monthly_price: 1995}}
      - {{id: fast, name: Fast plats, monthly_price: 2900}}
    revenue_plan: [{{from: {_q(opened)}, to: {_q(opened + timedelta(days=1095))},
                    per_quarter: 40000}}]
    subsidy_plan:
      - {{funder: region, from: {_q(opened)}, to: {_q(opened + timedelta(days=1095))},
         per_quarter: 20000}}
      - {{funder: kommun, from: {_q(opened)}, to: {_q(opened + timedelta(days=1095))},
         per_quarter: 20000}}
    cost_plan:
      - {{category: rent, from: {_q(opened)}, to: {_q(opened + timedelta(days=1095))},
         per_quarter: 45000}}
      - {{category: reception, from: {_q(opened)},
         to: {_q(opened + timedelta(days=1095))}, per_quarter: 15000}}
"""


def _q(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def write_config(folder: Path, url: str, offices: int, start: date) -> Path:
    body = "".join(office_yaml(n, start) for n in range(offices))
    path = folder / "config.yaml"
    path.write_text(
        f"database_url: {url}\nprivacy: {{min_group_size: 5}}\noffices:{body}",
        encoding="utf-8",
    )
    return path


# --- 1. the data (child process) ---------------------------------------------------


def build(config_path: Path, start: date, end: date) -> None:
    import sqlalchemy as sa

    from ingest import rollups
    from models import migrate
    from models import tables as t
    from models.config import load_config
    from models.db import engine_for, transaction
    from models.sync import sync_programme
    from models.users import create_user

    config = load_config(config_path)
    engine = engine_for(config, writer=True)
    migrate.upgrade(engine.url.render_as_string(hide_password=False))
    with transaction(engine) as session:
        sync_programme(session, config)
        create_user(session, "region@bench.example", "region", PASSWORD)
    rng = random.Random(1)
    began = time.perf_counter()
    total = 0
    with engine.begin() as conn:
        runs = _ingest_runs(conn, start, end, t)
    for office in config.offices:
        with engine.begin() as conn:
            total += _door_counts(conn, office.id, start, end, rng)
            _bookings_members_surveys(conn, office.id, start, end, rng, t)
            _file_history(conn, office.id, runs, rng, t)
            window = (
                datetime.combine(start, datetime.min.time(), ZONE),
                datetime.combine(end, datetime.min.time(), ZONE),
            )
            rollups.refresh_door(conn, office.id, *window, ZONE)
            rollups.refresh_bookings(conn, office.id, *window, ZONE)
        print(
            f"  {office.id}: {total:,} door rows so far "
            f"({time.perf_counter() - began:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    with engine.connect() as conn:
        rows = conn.scalar(sa.select(sa.func.count()).select_from(t.DoorCount))
    if engine.dialect.name == "postgresql":
        # as autovacuum leaves a live database; otherwise it would still be
        # vacuuming the new tables, on one of our two cores, while we time
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    print(json.dumps({"door_rows": rows, "seconds": time.perf_counter() - began}))


def _ingest_runs(conn, start: date, end: date, t) -> dict[date, int]:
    """One scheduled ingest run a night, as a live programme has: day -> run id."""
    import sqlalchemy as sa

    runs = {}
    day = start
    while day < end:
        at = datetime.combine(day, datetime.min.time(), ZONE) + timedelta(hours=2)
        runs[day] = conn.execute(
            sa.insert(t.IngestRun)
            .values(started_at=at, finished_at=at, trigger="schedule", status="ok")
            .returning(t.IngestRun.id)
        ).scalar_one()
        day += timedelta(days=1)
    return runs


def _file_history(conn, office_id: str, runs: dict[date, int], rng, t) -> None:
    """The files behind the data, as a live office sends them: a counter file a
    day, a booking export a week, a member register a month, a survey a
    quarter; now and then one rejected, some with quarantined rows. The pages
    read this history for their "last import" notes and the data-quality page."""
    import sqlalchemy as sa

    files = []
    for day, run in sorted(runs.items()):
        kinds = [("door", "counter")]
        if day.weekday() == 0:
            kinds.append(("bookings", "csv"))
        if day.day == 1:
            kinds.append(("members", "members"))
        if day.day == 1 and day.month % 3 == 1:
            kinds.append(("survey", "survey"))
        for kind, format_ in kinds:
            rejected = rng.random() < 0.01
            files.append(
                {
                    "office_id": office_id,
                    "kind": kind,
                    "format": format_,
                    "sha256": hashlib.sha256(
                        f"{office_id}/{kind}/{day}".encode()
                    ).hexdigest(),
                    "original_name": f"{kind}-{day.isoformat()}.csv",
                    "archived_path": f"archive/{office_id}/{kind}/{day.isoformat()}",
                    "received_at": datetime.combine(day, datetime.min.time(), ZONE)
                    + timedelta(hours=2),
                    "status": "rejected" if rejected else "loaded",
                    "size_bytes": 4_096,
                    "rows_read": 96,
                    "rows_loaded": 0 if rejected else 96,
                    "rows_quarantined": 0 if rejected else rng.choice([0] * 9 + [2]),
                    "message": "Okänd kolumn: Tid" if rejected else "",
                    "ingest_run_id": run,
                }
            )
    conn.execute(sa.insert(t.SourceFile), files)
    with_errors = conn.scalars(
        sa.select(t.SourceFile.id).where(
            t.SourceFile.office_id == office_id, t.SourceFile.rows_quarantined > 0
        )
    ).all()
    if not with_errors:
        return
    conn.execute(
        sa.insert(t.QuarantinedRow),
        [
            {
                "source_file_id": file_id,
                "row_number": row,
                "column": "In",
                "reason": "inte ett heltal: 'x'",
                "raw": "2025-03-04;08:15;Entré;x;0",
            }
            for file_id in with_errors
            for row in (17, 42)
        ],
    )


def _door_counts(conn, office_id: str, start: date, end: date, rng) -> int:
    moment = datetime.combine(start, datetime.min.time(), ZONE).astimezone(UTC)
    stop = datetime.combine(end, datetime.min.time(), ZONE).astimezone(UTC)
    rows = []
    while moment < stop:
        hour = moment.astimezone(ZONE).hour
        busy = 8 <= hour < 17
        text = moment.replace(tzinfo=None).isoformat(" ", "microseconds")
        rows.append(
            (
                office_id,
                "Entré",
                text,
                15,
                rng.randint(0, 3) if busy else 0,
                rng.randint(0, 3) if busy else 0,
            )
        )
        moment += timedelta(minutes=15)
    driver = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        driver.executemany(
            "INSERT INTO door_count (office_id, door, period_start, "
            "minutes, entries, exits) VALUES (?,?,?,?,?,?)",
            rows,
        )
    else:
        with driver.cursor().copy(
            "COPY door_count (office_id, door, period_start, "
            "minutes, entries, exits) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)


def _bookings_members_surveys(conn, office_id, start, end, rng, t) -> None:
    import sqlalchemy as sa

    bookings, day, number = [], start, 0
    while day < end:
        if day.weekday() < 5:
            for _ in range(rng.randint(2, 8)):
                number += 1
                begin = datetime.combine(day, datetime.min.time(), ZONE) + timedelta(
                    hours=rng.choice((8, 9, 10, 13))
                )
                bookings.append(
                    {
                        "office_id": office_id,
                        "source": "csv:bench",
                        "external_id": f"b{number}",
                        "resource": "Flexplats",
                        "resource_type": "",
                        "start_at": begin,
                        "end_at": begin + timedelta(hours=rng.randint(2, 8)),
                        "all_day": False,
                        "status": "confirmed",
                        "price": None,
                        "updated_at": datetime.now(UTC),
                    }
                )
        day += timedelta(days=1)
    conn.execute(sa.insert(t.Booking), bookings)
    groups = ["Företagare", "Pendlare", "Resande", "Nätverk"]
    members = [
        {
            "office_id": office_id,
            "member_pseudonym": f"{office_id}-{n:03d}",
            "membership_type": rng.choice(["lounge", "flexibel", "fast"]),
            "monthly_fee": 1995.0,
            "start_date": start + timedelta(days=rng.randint(0, 900)),
            "end_date": None,
            "target_group": rng.choice(groups),
            "home_kommun": "Kalmar",
        }
        for n in range(30)
    ]
    conn.execute(sa.insert(t.Membership), members)
    for round_no, month in enumerate(range(0, 36, 6)):
        when = datetime.combine(start, datetime.min.time(), ZONE) + timedelta(
            days=30 * month + 20
        )
        for n in range(rng.randint(3, 15)):
            response = conn.execute(
                sa.insert(t.SurveyResponse)
                .values(
                    office_id=office_id,
                    survey_id=f"enkat-{round_no}",
                    response_id=f"r{n}",
                    platform="google_forms",
                    submitted_at=when,
                    recommend_score=rng.randint(4, 10),
                    target_group=rng.choice(groups),
                    home_kommun="Kalmar",
                )
                .returning(t.SurveyResponse.id)
            ).scalar_one()
            conn.execute(
                sa.insert(t.SurveyAnswer),
                [
                    {
                        "response_id": response,
                        "question": q,
                        "measure": q,
                        "raw": str(v),
                        "value": float(v),
                    }
                    for q, v in (
                        ("networking", rng.randint(1, 5)),
                        ("wifi", rng.randint(1, 5)),
                        ("atmosphere", rng.randint(1, 5)),
                    )
                ],
            )


# --- 2. callbacks -------------------------------------------------------------------


def sign_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    token = token or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    response = client.post(
        "/login",
        data={
            "email": "region@bench.example",
            "password": PASSWORD,
            "csrf_token": token.group(1),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def input_value(item: dict, path: str, quarter: str):
    name = f"{item['id']}.{item['property']}"
    if item["property"] == "pathname":
        return path
    if item["property"] == "search":
        return f"?period=quarter&at={quarter}"
    values = {
        "-filter-office.value": [],
        "-filter-kind.value": "quarter",
        "-filter-at.value": quarter,
        "-filter-compare.value": False,
        "-filter-lang.data": "sv",
    }
    for suffix, value in values.items():
        if name.endswith(suffix):
            return value
    return None


def bodies(callback: dict, paths: list[str], quarter: str):
    outputs = [
        {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]}
        for o in callback["output"].strip(".").split("...")
    ]
    if any(i["property"] == "n_clicks" for i in callback["inputs"]):
        return  # downloads: only on a click
    for path in (
        paths
        if any(i["property"] == "pathname" for i in callback["inputs"])
        else [None]
    ):
        yield (
            path,
            {
                "output": callback["output"],
                "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": [
                    dict(i, value=input_value(i, path, quarter))
                    for i in callback["inputs"]
                ],
                "state": [
                    dict(s, value=input_value(s, path, quarter))
                    for s in callback["state"]
                ],
                "changedPropIds": [
                    f"{i['id']}.{i['property']}" for i in callback["inputs"]
                ][:1],
            },
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def time_callbacks(app, calls: int, quarter: str, only: str = "") -> list[dict]:
    """p50/p95 and largest response of every callback. The callbacks take
    turns, one call each per round, so a slow spell of the machine falls on
    all of them alike instead of on the few timed during it."""
    import dash

    client = app.server.test_client()
    sign_in(client)
    dependencies = client.get("/_dash-dependencies").get_json()
    paths = [p["path"] for p in dash.page_registry.values()]
    timed = [
        (path or callback["output"], body)
        for callback in dependencies
        if not callback.get("clientside_function") and only in callback["output"]
        for path, body in bodies(callback, paths, quarter)
    ]
    times: dict[str, list[float]] = {label: [] for label, _ in timed}
    sizes, statuses = dict.fromkeys(times, 0), dict.fromkeys(times, 0)
    for attempt in range(calls + 3):
        for label, body in timed:
            began = time.perf_counter()
            response = client.post("/_dash-update-component", json=body)
            elapsed = (time.perf_counter() - began) * 1000
            statuses[label] = response.status_code
            sizes[label] = max(sizes[label], len(response.data))
            if attempt >= 3:  # the first rounds warm caches up
                times[label].append(elapsed)
    return [
        {
            "callback": label,
            "status": statuses[label],
            "p50": percentile(times[label], 0.5),
            "p95": percentile(times[label], 0.95),
            "bytes": sizes[label],
        }
        for label, _ in timed
    ]


def time_queries(app, calls: int, quarter: str) -> dict[str, tuple[float, float]]:
    """Per panel, the p95 of (1) its query and completeness note in a fresh
    read session, with the scope of the region user, as the callback runs them
    before drawing (each call in its own session: a session shares work
    between a panel's query and its note; one session for all calls would
    time a memo, not the query), and (2) its bare SQL: the statements that run
    issued, with the same parameters, through the driver's own cursor and
    fetched, without SQLAlchemy or pandas."""
    from dashboard import database
    from dashboard.access import Scope
    from dashboard.filters import parse_period

    panels = [
        panel
        for module in list(sys.modules.values())
        if getattr(module, "__name__", "").startswith("pages.")
        for panel in getattr(module, "PANELS", [])
    ]
    period = parse_period("quarter", quarter, None, None, date.today())
    results = {}
    with app.server.app_context():
        import sqlalchemy as sa

        from models import tables as t

        with database.read_session() as session:
            offices = list(session.scalars(sa.select(t.Office.id)))
            engine = session.get_bind()
        scope = Scope(0, "bench", "region", frozenset(offices), True)
        timed = {}
        for panel in panels:
            run = functools.partial(_run_panel, panel, scope, offices, period)
            replay = functools.partial(_replay, engine, _statements_of(engine, run))
            timed[panel.id, "query"], timed[panel.id, "sql"] = run, replay
        # in turns, as the callbacks are timed
        times: dict[tuple[str, str], list[float]] = {key: [] for key in timed}
        for attempt in range(calls + 3):
            for key, run in timed.items():
                began = time.perf_counter()
                run()
                if attempt >= 3:
                    times[key].append((time.perf_counter() - began) * 1000)
        for panel in panels:
            results[panel.id] = tuple(
                percentile(times[panel.id, part], 0.95) for part in ("query", "sql")
            )
    return results


def _run_panel(panel, scope, offices: list[str], period) -> None:
    from dashboard import database

    with database.read_session() as session:
        panel.query(session, scope, offices, period)
        if panel.completeness:
            panel.completeness(session, scope, offices, period, "sv")


def _statements_of(engine, run) -> list[tuple[str, object]]:
    """The SQL statements and parameters ``run()`` sends to the database."""
    import sqlalchemy as sa

    sent = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", remember)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", remember)
    return sent


def _replay(engine, statements: list[tuple[str, object]]) -> None:
    """Run and fetch ``statements`` on a pooled connection's own cursor."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        cursor.close()
        connection.rollback()
    finally:
        connection.close()


# --- 3. page weight in a real browser ------------------------------------------------


def page_weight(app) -> tuple[int, int]:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get(
                    "PILOTPULS_CHROMIUM", "/usr/bin/chromium"
                ),
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            cold, warm = _transferred(browser, base)
            browser.close()
    finally:
        server.shutdown()
    return cold, warm


def _transferred(browser, base: str) -> tuple[int, int]:
    """Bytes on the wire for the overview with an empty cache, then on a reload."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=email]", "region@bench.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    totals = {"bytes": 0}
    session.on(
        "Network.loadingFinished",
        lambda event: totals.__setitem__(
            "bytes", totals["bytes"] + event["encodedDataLength"]
        ),
    )
    session.send("Network.clearBrowserCache")
    page.goto(base + "/?period=quarter")
    page.wait_for_load_state("networkidle")
    time.sleep(1.5)
    cold = totals["bytes"]
    totals["bytes"] = 0
    page.reload()
    page.wait_for_load_state("networkidle")
    time.sleep(1.5)
    warm = totals["bytes"]
    context.close()
    return cold, warm


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=50)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument(
        "--database",
        help="a database URL instead of a new SQLite file; reused when it "
        "already holds a programme",
    )
    parser.add_argument(
        "--folder",
        type=Path,
        help="keep the SQLite programme here; reuse it when it is already built",
    )
    parser.add_argument(
        "--only", default="", help="time only callbacks whose outputs contain this"
    )
    parser.add_argument("--child-build", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_build:
        config_path, start, end = args.child_build
        build(Path(config_path), date.fromisoformat(start), date.fromisoformat(end))
        return
    end = date.today().replace(day=1)
    start = end - timedelta(days=365 * args.years)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="pilotpuls-pages-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = args.database or f"sqlite:///{folder / 'pages.db'}"
    reuse = _holds_programme(url)
    config_path = write_config(folder, url, args.offices, start)
    os.environ.setdefault("PILOTPULS_SECRET_KEY", "benchmark-only")
    if not reuse:
        build_in_child(config_path, start, end, url, args)
    from dashboard.app import create_app, settle_for_serving
    from models.config import load_config

    app = create_app(load_config(config_path))
    settle_for_serving(app.server)  # as dashboard/wsgi.py and `pilotpuls serve` do
    last_quarter = _q(end - timedelta(days=1))
    callbacks = time_callbacks(app, args.calls, last_quarter, args.only)
    queries = time_queries(app, args.calls, last_quarter)
    print_table(callbacks, queries)
    if args.only:
        return
    cold, warm = page_weight(app)
    print(
        f"page weight: cold {cold / 1024:.0f} KB, warm {warm / 1024:.1f} KB "
        f"(targets ≤ 1 229 KB and ≤ 100 KB)"
    )
    print(f"web worker resident memory: {resident_mb():.0f} MB (target ≤ 300 MB)")


def _holds_programme(url: str) -> bool:
    """Whether the database was built by an earlier run (it has offices)."""
    import sqlalchemy as sa

    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("office"):
                return False
            return bool(conn.exec_driver_sql("SELECT count(*) FROM office").scalar())
    finally:
        engine.dispose()


def build_in_child(config_path: Path, start: date, end: date, url: str, args) -> None:
    print(
        f"Building {args.offices} offices × {args.years} years in {url} …", flush=True
    )
    built = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child-build",
            str(config_path),
            start.isoformat(),
            end.isoformat(),
        ],
        capture_output=True,
        text=True,
    )
    if built.returncode:
        raise SystemExit(built.stderr)
    data = json.loads(built.stdout.strip().splitlines()[-1])
    print(
        f"{data['door_rows']:,} door-count rows (+ rollups) in {data['seconds']:.0f} s"
    )


def print_table(callbacks: list[dict], queries: dict[str, tuple[float, float]]) -> None:
    if not callbacks:
        print("no callback matched")
        return
    print(
        "\nms; 'query': the panel's query and note as the callback runs them; "
        "'SQL': their statements alone, through the driver (the target's "
        "measure: p95 ≤ 30 ms and ≤ 1.5× SQL)"
    )
    print(
        f"{'callback':<58} {'p50':>6} {'p95':>6} {'query':>6} {'SQL':>5} "
        f"{'×query':>6} {'×SQL':>6} {'KB':>6}"
    )
    for row in callbacks:
        measured = next(
            (
                v
                for k, v in queries.items()
                if row["callback"].startswith(f"..{k}-")
                or row["callback"].startswith(f"{k}-")
            ),
            None,
        )
        over = row["p95"] > 30 or row["bytes"] > 250_000
        if measured is None:
            shown = f"{'–':>6} {'–':>5} {'–':>6} {'–':>6}"
        else:
            query, sql = measured
            shown = (
                f"{query:6.1f} {sql:5.1f} {row['p95'] / query:5.1f}× "
                f"{row['p95'] / sql:5.1f}×"
            )
            over = over or row["p95"] > 1.5 * sql
        print(
            f"{row['callback'][:58]:<58} {row['p50']:6.1f} {row['p95']:6.1f} "
            f"{shown} {row['bytes'] / 1024:6.1f}" + ("  ← over target" if over else "")
        )
    worst = max(callbacks, key=lambda r: r["p95"])
    print(
        f"\nslowest callback p95 {worst['p95']:.1f} ms ({worst['callback'][:50]}); "
        f"largest response {max(r['bytes'] for r in callbacks) / 1024:.1f} KB"
    )


if __name__ == "__main__":
    main()
