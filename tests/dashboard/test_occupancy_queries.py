"""Occupancy queries on SQLite and PostgreSQL: capacity valid on the day, holidays
and closed days, gaps, DST days, bookings against door counts, and the scope.

Figeholm (fixture programme) is open Monday 07–21 and Friday 07–18 and has 8
seats (target 35 %) from 2024-09-02, 14 seats (target 50 %) from 2025-03-01.
Boda has no opening hours configured: it counts as open Monday–Friday 08–17.
"""

from __future__ import annotations

import math
import shutil
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.access import Scope
from dashboard.filters import Period, month
from dashboard.queries import occupancy as queries
from ingest import rollups
from ingest.pipeline import ingest_file
from models import tables as t
from models.config import load_config
from models.db import transaction
from tests.conftest import FIXTURES

ZONE = "Europe/Stockholm"
TZ = ZoneInfo(ZONE)
REGION = Scope(1, "r@region.se", "region", frozenset({"boda", "figeholm"}), True)
KOMMUN = Scope(
    user_id=1,
    email="x",
    role="kommun",
    office_ids=frozenset({"boda"}),
    all_offices=False,
)


def local_hours(day: date) -> list[datetime]:
    """Every UTC hour of a local day: 23, 24 or 25 of them."""
    start = datetime.combine(day, time(), TZ).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), TZ).astimezone(UTC)
    return [
        start + timedelta(hours=i) for i in range((end - start) // timedelta(hours=1))
    ]


def add_door(engine, office: str, day: date, people: int = 0, arrive=8, leave=12,
             hours: int | None = None, exits: int | None = None):  # fmt: skip
    """Door rollups for one local day: ``people`` enter in the local hour
    ``arrive`` and leave in ``leave``; ``hours`` bins reported (default all)."""
    slots = local_hours(day)[:hours]
    exits = people if exits is None else exits
    with transaction(engine) as session:
        for slot in slots:
            local_hour = slot.astimezone(TZ).hour
            session.add(
                t.DoorHourly(
                    office_id=office, hour_start=slot, bins=4,
                    entries=people if local_hour == arrive else 0,
                    exits=exits if local_hour == leave else 0,
                )
            )  # fmt: skip
        session.add(
            t.DoorDaily(
                office_id=office, day=day, entries=people, exits=exits,
                hours_with_data=len(slots),
            )
        )  # fmt: skip
    refresh_occupancy(engine, office, day)


def refresh_occupancy(engine, office: str, day: date) -> None:
    """The occupancy rollup of a day, as ingest keeps it after its hourly rows."""
    with engine.begin() as conn:
        rollups.refresh_door_occupancy(
            conn, office, *rollups.day_bounds(day, day, TZ), TZ
        )


def add_booking(engine, office: str, day: date, number: int, room: bool = False):
    start = datetime.combine(day, time(9), TZ)
    with transaction(engine) as session:
        session.add(
            t.Booking(
                office_id=office,
                source="ics:motesrum" if room else "csv:skrivbordsbokning",
                external_id=f"{office}-{day}-{number}-{room}",
                resource="Mötesrummet" if room else "Flexplats",
                resource_type="meeting_room" if room else "",
                start_at=start,
                end_at=start + timedelta(hours=8),
                status="confirmed",
            )
        )
    with engine.begin() as conn:  # as ingest does after loading bookings
        rollups.refresh_bookings(conn, office, *rollups.day_bounds(day, day, TZ), TZ)


def run(engine, query, scope=REGION, offices=("figeholm",), period=None):
    with transaction(engine) as session:
        return query(session, scope, list(offices), period or month(date(2025, 6, 1)),
                     zone=ZONE)  # fmt: skip


def by_day(frame):
    return frame.set_index("day")


def test_utilisation_uses_the_capacity_valid_on_each_day(engine):
    # Mondays and Fridays around the step from 8 to 14 seats on 2025-03-01
    days = [date(2025, 2, 24), date(2025, 2, 28), date(2025, 3, 3), date(2025, 3, 7)]
    for day in days:
        add_door(engine, "figeholm", day, people=4, arrive=8, leave=12)
    period = Period("custom", date(2025, 2, 24), date(2025, 3, 7))
    rows = by_day(run(engine, queries.daily, period=period))

    assert [rows.loc[d, "seats"] for d in days] == [8, 8, 14, 14]
    assert [rows.loc[d, "target_utilisation"] for d in days] == [0.35, 0.35, 0.5, 0.5]
    # 4 people present 08–12 (4 hours); Monday open 07–21 (14 h), Friday 07–18 (11 h)
    assert rows.loc[days[0], "avg_occupancy"] == pytest.approx(16 / 14)
    assert rows.loc[days[0], "utilisation"] == pytest.approx(16 / 14 / 8)
    assert rows.loc[days[1], "utilisation"] == pytest.approx(16 / 11 / 8)
    assert rows.loc[days[2], "utilisation"] == pytest.approx(16 / 14 / 14)
    assert rows.loc[days[0], "peak_occupancy"] == 4
    # Tuesday to Thursday Figeholm is closed: no row in any denominator
    assert rows.loc[date(2025, 2, 25), "status"] == "closed"
    assert math.isnan(rows.loc[date(2025, 2, 25), "utilisation"])


def test_holidays_are_closed_and_missing_days_are_gaps_not_zero(engine):
    add_door(engine, "figeholm", date(2025, 6, 2), people=2)  # Monday
    add_door(engine, "figeholm", date(2025, 6, 6), people=9)  # Nationaldagen (Fri)
    add_door(engine, "figeholm", date(2025, 6, 13), people=3, hours=10)  # counter out
    rows = by_day(run(engine, queries.daily))

    assert rows.loc[date(2025, 6, 2), "status"] == "ok"
    assert rows.loc[date(2025, 6, 6), "status"] == "closed"  # a holiday, not a gap
    assert math.isnan(rows.loc[date(2025, 6, 6), "utilisation"])
    for gap in (date(2025, 6, 9), date(2025, 6, 13)):  # no data / 10 of 24 hours
        assert rows.loc[gap, "status"] == "gap"
        assert math.isnan(rows.loc[gap, "utilisation"])  # NaN, never 0
    health = run(engine, queries.counter_health).iloc[0]
    assert health["days_with_data"] == 2  # 2 June and the holiday
    # 3–5 June are closed days (no gap); from 7 June on nothing but 10 hours
    assert health["longest_gap_first"] == date(2025, 6, 7)
    assert health["longest_gap_last"] == date(2025, 6, 30)
    assert health["longest_gap_days"] == 24
    # Mondays and Fridays 9–30 June, but Midsummer Eve (20 June) is closed
    assert health["open_days_without_data"] == 6
    heatmap = run(engine, queries.weekday_hours)
    assert set(heatmap["weekday"]) == {0}  # only the open Monday with data


def test_a_dst_day_has_25_or_23_hours_and_nothing_is_counted_twice(engine):
    with transaction(engine) as session:  # open on Sundays, all day
        session.add(t.OfficeHours(office_id="figeholm", weekday=6, opens="00:00",
                                  closes="24:00"))  # fmt: skip
    autumn, spring = date(2025, 10, 26), date(2025, 3, 30)
    assert len(local_hours(autumn)) == 25 and len(local_hours(spring)) == 23
    # two people in during the first 02:00 hour, out during the repeated one
    add_door(engine, "figeholm", autumn)
    first, repeated = local_hours(autumn)[2:4]
    assert first.astimezone(TZ).hour == repeated.astimezone(TZ).hour == 2
    with transaction(engine) as session:
        session.get(t.DoorHourly, ("figeholm", first)).entries = 2
        session.get(t.DoorHourly, ("figeholm", repeated)).exits = 2
    refresh_occupancy(engine, "figeholm", autumn)
    add_door(engine, "figeholm", spring, people=1, arrive=9, leave=10)
    period = Period("custom", date(2025, 3, 24), date(2025, 10, 31))
    with transaction(engine) as session:
        occ = queries.occupancy(session, REGION, ["figeholm"], period, ZONE)
    hours = occ.hours.groupby("day").size()
    assert hours[autumn] == 25 and hours[spring] == 23
    rows = by_day(run(engine, queries.daily, period=period))
    assert rows.loc[autumn, "peak_occupancy"] == 2
    assert rows.loc[autumn, "avg_occupancy"] == pytest.approx(2 / 25)
    assert rows.loc[spring, "peak_occupancy"] == 1
    heatmap = run(engine, queries.weekday_hours, period=period).set_index(
        ["weekday", "hour"]
    )
    # the 02 hour happened twice (2 then 0 present): averaged, not added up
    assert heatmap.loc[(6, 2), "occupancy"] == pytest.approx(1.0)


def test_bookings_against_door_counts(engine):
    add_door(engine, "figeholm", date(2025, 6, 2), people=5)
    add_door(engine, "figeholm", date(2025, 6, 16), people=1)
    for number in range(3):
        add_booking(engine, "figeholm", date(2025, 6, 2), number)
    add_booking(engine, "figeholm", date(2025, 6, 2), 9, room=True)  # not a desk
    for number in range(2):
        add_booking(engine, "figeholm", date(2025, 6, 9), number)  # no door data
    for number in range(4):
        add_booking(engine, "figeholm", date(2025, 6, 16), number)
    rows = by_day(run(engine, queries.reconciliation))

    june_2 = rows.loc[date(2025, 6, 2)]
    assert (june_2["desk_bookings"], june_2["present"]) == (3, 5)
    assert (june_2["booked_present"], june_2["no_show"], june_2["unbooked"]) == (
        3,
        0,
        2,
    )
    june_16 = rows.loc[date(2025, 6, 16)]
    assert (june_16["booked_present"], june_16["no_show"], june_16["unbooked"]) == (
        1,
        3,
        0,
    )
    june_9 = rows.loc[date(2025, 6, 9)]  # the counter says nothing: no no-shows
    assert june_9["booked_without_door_data"] == 2
    assert math.isnan(june_9["no_show"]) and math.isnan(june_9["present"])
    assert june_9["offices_without_door_data"] == 1

    weekly = run(engine, queries.weekly).set_index("week")
    assert weekly.loc[23, "visits"] == 5 and weekly.loc[23, "desk_bookings"] == 3
    assert weekly.loc[23, "desk_hours"] == pytest.approx(24)
    assert math.isnan(weekly.loc[24, "visits"])  # a week without door data: a gap


def test_counter_health_imbalance(engine):
    add_door(engine, "figeholm", date(2025, 6, 2), people=10, exits=8)
    health = run(engine, queries.counter_health).iloc[0]
    assert health["office"] == "Kontoret Figeholm"
    assert health["days"] == 30
    assert health["imbalance"] == pytest.approx(0.2)


def test_counter_health_is_per_office_and_a_gap_never_runs_into_the_next(engine):
    june = [date(2025, 6, 1) + timedelta(days=i) for i in range(30)]
    boda_gaps = {date(2025, 6, 10), date(2025, 6, 11)} | set(june[27:])  # 28–30 June
    for day in june:
        if day not in boda_gaps:
            add_door(engine, "boda", day, people=2, exits=1)
    add_door(engine, "figeholm", date(2025, 6, 30), people=4)
    health = run(engine, queries.counter_health, offices=("figeholm", "boda"))
    boda, figeholm = (row for _, row in health.iterrows())

    assert list(health["office"]) == ["Bodakontoret", "Kontoret Figeholm"]
    assert (boda["days"], boda["days_with_data"]) == (30, 25)
    assert boda["open_days_without_data"] == 3  # 10, 11 and Monday 30 June
    assert (boda["longest_gap_first"], boda["longest_gap_last"]) == (
        date(2025, 6, 28),
        date(2025, 6, 30),
    )
    assert boda["imbalance"] == pytest.approx(0.5)
    # Boda's gap at the end of June does not run into Figeholm's first days
    assert figeholm["longest_gap_first"] == date(2025, 6, 1)
    assert figeholm["longest_gap_days"] == 29
    assert figeholm["days_with_data"] == 1


def test_only_panels_showing_occupancy_read_the_running_occupancy(engine):
    add_door(engine, "figeholm", date(2025, 6, 2), people=3)
    statements: list[str] = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    def reads_hours(query) -> bool:
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", remember)
        try:
            run(engine, query)
        finally:
            sa.event.remove(engine, "before_cursor_execute", remember)
        assert statements
        return any("door_daily.occupancy" in statement for statement in statements)

    assert not reads_hours(queries.weekly)
    assert not reads_hours(queries.counter_health)
    assert reads_hours(queries.daily) and reads_hours(queries.reconciliation)


def test_a_grid_read_without_occupancy_reads_it_when_a_panel_needs_it(engine):
    add_door(engine, "figeholm", date(2025, 6, 2), people=3)
    add_door(engine, "figeholm", date(2025, 6, 9), people=5)  # Mondays: open
    alone = run(engine, queries.daily)
    june = month(date(2025, 6, 1))
    with transaction(engine) as session:  # a note first, then its panel
        queries.door_coverage(session, REGION, ["figeholm"], june, ZONE)
        after_note = queries.daily(session, REGION, ["figeholm"], june, ZONE)
    pd.testing.assert_frame_equal(after_note, alone)
    assert by_day(alone).loc[date(2025, 6, 9), "peak_occupancy"] == 5


def test_a_kommun_scope_never_returns_another_office(engine):
    for office, people in (("figeholm", 7), ("boda", 3)):
        add_door(engine, office, date(2025, 6, 2), people=people)
        add_booking(engine, office, date(2025, 6, 2), 1)
    asked = ["figeholm", "boda"]  # as a forged callback would ask
    daily = by_day(run(engine, queries.daily, KOMMUN, asked))
    assert daily.loc[date(2025, 6, 2), "peak_occupancy"] == 3
    assert daily.loc[date(2025, 6, 2), "planned_seats"] == 4  # Boda's 4 seats
    assert list(daily.attrs["office_ids"]) == ["boda"]
    health = run(engine, queries.counter_health, KOMMUN, asked)
    assert list(health["office"]) == ["Bodakontoret"]
    rec = run(engine, queries.reconciliation, KOMMUN, asked)
    assert rec["present"].max() == 3 and rec["desk_bookings"].sum() == 1
    for query in (
        queries.daily,
        queries.weekday_hours,
        queries.weekly,
        queries.reconciliation,
        queries.counter_health,
    ):
        only_figeholm = run(engine, query, KOMMUN, ["figeholm"])
        assert only_figeholm.empty, query.__name__
        assert "figeholm" not in str(only_figeholm.attrs).lower()
    with transaction(engine) as session:
        bookings = queries.desk_bookings(
            session, KOMMUN, asked, date(2025, 6, 1), date(2025, 6, 30)
        )
        coverage = queries.door_coverage(
            session, KOMMUN, asked, month(date(2025, 6, 1)), ZONE
        )
    assert set(bookings["office_id"]) == {"boda"}
    assert coverage["offices"] == 1 and coverage["days_with_data"] == 1


def test_no_door_data_at_all_is_said_so(engine):
    frame = run(engine, queries.daily)
    assert frame.attrs["door_data"] is False
    assert (frame["status"] != "ok").all()


@pytest.fixture
def config_in_tmp(tmp_path, db_url, engine, monkeypatch):
    shutil.copy(FIXTURES / "programme.yaml", tmp_path / "config.yaml")
    monkeypatch.setenv("PILOTPULS_DATABASE_URL", db_url)
    monkeypatch.setenv("PILOTPULS_PSEUDONYM_KEY", "test-key-not-secret")
    return load_config(tmp_path / "config.yaml")


def test_a_counter_file_through_the_ingest(engine, config_in_tmp, tmp_path):
    """Rollups written by the real ingest read back the same on both databases."""
    lines = ["Datum;Tid;Dörr;In;Ut"]
    for quarter in range(24 * 4):
        clock = f"{quarter // 4:02d}:{quarter % 4 * 15:02d}"
        entries = 3 if clock == "08:15" else 0
        exits = 3 if clock == "15:30" else 0
        lines.append(f"2025-06-02;{clock};Entré;{entries};{exits}")
    path = tmp_path / "personraknare-2025-06.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert result.status == "loaded", result
    rows = by_day(run(engine, queries.daily))
    # 3 present from the 08 hour to the 14 hour: 7 of Monday's 14 open hours
    assert rows.loc[date(2025, 6, 2), "peak_occupancy"] == 3
    assert rows.loc[date(2025, 6, 2), "avg_occupancy"] == pytest.approx(21 / 14)
    assert rows.loc[date(2025, 6, 2), "utilisation"] == pytest.approx(21 / 14 / 14)
