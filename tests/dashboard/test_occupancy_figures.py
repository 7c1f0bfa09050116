"""Occupancy figures (and the pure occupancy arithmetic) on small hand-made frames:
empty, one office, missing days (a gap is NaN, never 0), DST days."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import plotly.io

from dashboard.figures import occupancy as figures
from dashboard.queries import occupancy as queries
from ingest import rollups
from models import tables as t

ZONE = "Europe/Stockholm"
MONDAY = date(2025, 6, 2)


def with_attrs(frame: pd.DataFrame, start=MONDAY, door_data=True) -> pd.DataFrame:
    frame.attrs.update(
        start=start,
        office_ids=["boda"],
        office_names=["Bodakontoret"],
        door_data=door_data,
    )
    return frame


def daily(statuses: str, start=MONDAY, utilisation=0.25) -> pd.DataFrame:
    """One row per day from ``start``: o = ok, g = gap, c = closed."""
    rows = []
    for i, status in enumerate(statuses):
        status = {"o": "ok", "g": "gap", "c": "closed"}[status]
        ok = status == "ok"
        rows.append(
            {
                "day": start + timedelta(days=i),
                "status": status,
                "offices_open": 0 if status == "closed" else 1,
                "offices_with_data": int(ok),
                "planned_seats": 8,
                "seats": 8 if ok else math.nan,
                "target_utilisation": 0.35,
                "avg_occupancy": 8 * utilisation if ok else math.nan,
                "peak_occupancy": 5 if ok else math.nan,
                "utilisation": utilisation if ok else math.nan,
            }
        )
    return with_attrs(pd.DataFrame(rows, columns=queries.DAILY_COLUMNS), start)


def message(figure) -> str:
    return figure.layout.annotations[0].text.replace("<br>", " ")  # as read


def test_empty_frames_give_an_empty_state_that_says_what_to_do():
    never = with_attrs(pd.DataFrame(columns=queries.DAILY_COLUMNS), door_data=False)
    for build in (
        figures.utilisation,
        figures.occupancy_per_day,
        figures.weekday_heatmap,
        figures.weekly_trend,
        figures.reconciliation,
    ):
        figure = build(never, "sv")
        assert "Inga dörrräkningar ännu för Bodakontoret" in message(figure)
        assert "data/inbox/boda/door/" in message(figure)
        assert figure.data == ()
    english = figures.utilisation(never, "en")
    assert message(english).startswith("No door counts yet for Bodakontoret")
    # door data exists, just not in this period
    quiet = with_attrs(pd.DataFrame(columns=queries.DAILY_COLUMNS))
    assert message(figures.utilisation(quiet, "sv")) == "Inga data för urvalet."
    only_gaps = daily("ggcc")
    assert "Inga öppetdagar" in message(figures.utilisation(only_gaps, "sv"))


def test_utilisation_leaves_gaps_as_gaps_and_closed_days_out():
    frame = daily("ogoocco")  # Mon ok, Tue gap, Wed-Thu ok, Fri-Sat closed, Sun ok
    figure = figures.utilisation(frame, "sv")
    line, target, gap_legend = figure.data
    # days travel as their ISO text, as plotly writes dates
    days = [MONDAY + timedelta(days=i) for i in (0, 1, 2, 3, 6)]
    assert list(line.x) == [day.isoformat() for day in days]
    assert math.isnan(line.y[1])  # a gap, not 0
    assert line.y[0] == 25 and line.connectgaps is False
    assert "snitt 25" in line.name
    assert list(target.y) == [35] * 5 and target.line.dash == "dash"
    assert len(figure.layout.shapes) == 1  # the gap's grey band
    assert gap_legend.name == "Dörrdata saknas"
    assert figure.layout.separators == ", "
    assert figure.layout.yaxis.ticksuffix == "\u00a0%"
    assert figures.utilisation(frame, "en").layout.separators == ".,"


def test_a_short_period_has_one_tick_per_day_and_a_month_is_left_to_plotly():
    # four days: plotly alone would tick every 12 hours, each date twice
    short = daily("oooo", start=date(2026, 12, 1))
    axes = [
        figures.utilisation(short, "sv").layout.xaxis,
        figures.occupancy_per_day(short, "sv").layout.xaxis,
        figures.reconciliation(reconciliation_frame(), "sv").layout.xaxis,
    ]
    starts = ["2026-12-01", "2026-12-01", MONDAY.isoformat()]
    for axis, start in zip(axes, starts, strict=True):
        assert axis.dtick == 24 * 60 * 60 * 1000 and axis.tick0 == start
        assert axis.tickformat == "%-d/%-m"
    month = daily("o" * 31, start=date(2026, 12, 1))
    axis = figures.utilisation(month, "sv").layout.xaxis
    assert axis.dtick is None and axis.tickformat is None
    formats = [stop.value for stop in axis.tickformatstops]
    assert formats == ["%-d/%-m", "%b %Y"]  # days or weeks apart; months apart


def test_compare_draws_the_previous_period_dashed_aligned_by_day():
    current = daily("oooo", start=date(2025, 6, 1), utilisation=0.3)
    previous = daily("oogo", start=date(2025, 5, 1), utilisation=0.2)
    figure = figures.utilisation_compare(current, previous, "sv")
    before = figure.data[-1]
    assert before.name == "Föregående period" and before.line.dash == "dash"
    days = [date(2025, 6, 1) + timedelta(days=i) for i in range(4)]
    assert list(before.x) == [day.isoformat() for day in days]
    assert list(before.customdata)[0] == "2025-05-01"
    assert before.y[0] == 20 and math.isnan(before.y[2])
    # nothing before: just this period
    empty = with_attrs(pd.DataFrame(columns=queries.DAILY_COLUMNS))
    assert len(figures.utilisation_compare(current, empty, "sv").data) == 2


def test_compare_draws_the_previous_average_over_as_many_days():
    current = daily("oo", start=date(2025, 6, 1), utilisation=0.3)
    previous = daily("ogoo", start=date(2025, 5, 1), utilisation=0.2)
    figure = figures.occupancy_per_day_compare(current, previous, "sv")
    before = figure.data[-1]
    assert before.name == "Föregående period" and before.line.dash == "dash"
    # two days this period: the previous period's first two, its gap a gap
    assert list(before.x) == ["2025-06-01", "2025-06-02"]
    assert before.y[0] == 8 * 0.2 and math.isnan(before.y[1])
    assert list(before.customdata) == ["2025-05-01", "2025-05-02"]
    utilisation = figures.utilisation_compare(current, previous, "sv").data[-1]
    assert len(utilisation.x) == 2  # the utilisation line is cut the same way


def test_average_and_peak_per_day():
    figure = figures.occupancy_per_day(daily("og"), "sv")
    average, peak, seats, _gap = figure.data
    assert average.y[0] == 2 and math.isnan(average.y[1])
    assert peak.y[0] == 5 and math.isnan(peak.y[1])
    assert list(seats.y) == [8, 8]


def heatmap_frame() -> pd.DataFrame:
    return with_attrs(
        pd.DataFrame(
            {
                "weekday": [0, 0, 4, 6],
                "hour": [8, 9, 8, 10],
                "occupancy": [2.5, 3.0, 1.0, 0.5],
                "days": [4, 4, 3, 1],
            }
        )
    )


def test_heatmap_monday_first_with_swedish_and_english_weekdays():
    figure = figures.weekday_heatmap(heatmap_frame(), "sv")
    heatmap = figure.data[0]
    assert list(heatmap.y) == ["må", "fr", "sö"]
    assert list(heatmap.x) == ["08", "09", "10"]
    assert heatmap.z[0][1] == 3.0 and math.isnan(heatmap.z[1][1])
    assert figure.layout.yaxis.autorange == "reversed"  # Monday on top
    english = figures.weekday_heatmap(heatmap_frame(), "en").data[0]
    assert list(english.y) == ["Mon", "Fri", "Sun"]
    assert figures.weekday_names("sv") == "må ti on to fr lö sö".split()


def test_heatmap_cells_average_repeated_rows_and_say_how_many_days():
    frame = heatmap_frame()
    repeated = with_attrs(
        pd.concat([frame, frame.assign(occupancy=[3.5, 5.0, 1.0, 0.5], days=6)])
    )
    heatmap = figures.weekday_heatmap(repeated, "sv").data[0]
    assert heatmap.z[0][0] == 3.0 and heatmap.z[0][1] == 4.0
    assert "6" in heatmap.customdata[0][0]  # the most days behind the cell
    assert "0" in heatmap.customdata[1][1]  # no Friday 09 hour: no days


def local_day_counts(day: date, moves: dict[int, tuple[int, int]]) -> pd.DataFrame:
    """door_hourly-like rows for a local day: {index of the UTC hour: (in, out)}."""
    tz = ZoneInfo(ZONE)
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    return pd.DataFrame(
        [
            {
                "office_id": "boda",
                "hour_start": start + timedelta(hours=i),
                "entries": e,
                "exits": x,
            }
            for i, (e, x) in moves.items()
        ]
    )


def occupancy_of(
    day: date, moves: dict
) -> tuple[pd.DataFrame, pd.DataFrame, queries.DayHours]:
    """The pure steps of the occupancy query for one open Sunday with data: the
    ingest rollup of the day, then the page's arithmetic on it."""
    counts = local_day_counts(day, moves)
    net = {
        hour.to_pydatetime(): entries - exits
        for hour, entries, exits in zip(
            counts["hour_start"], counts["entries"], counts["exits"], strict=True
        )
    }
    # as the page reads it: the stored bytes; open all day
    stored = t.pack_hours(rollups.running_occupancy(day, net, ZoneInfo(ZONE)))
    peak, average, hours = queries.measure_days(
        [stored], np.array([day], dtype=object), [0], [24 * 60], ZONE
    )
    days = pd.DataFrame(
        {
            "office_id": ["boda"],
            "day": [day],
            "open": [True],
            "peak_occupancy": peak,
            "avg_occupancy": average,
        }
    )
    return hours.rows(["boda"], [day], [day.weekday()]), days, hours


def test_the_autumn_dst_day_has_25_hours_and_the_repeated_hour_counts_once():
    autumn = date(2025, 10, 26)
    # 3 in during the first 02:00 (UTC index 2), out during the repeated 02:00
    hourly, days, hours = occupancy_of(autumn, {2: (3, 0), 3: (0, 3)})
    assert len(hourly) == 25
    assert list(hourly["hour"][:5]) == [0, 1, 2, 2, 3]
    assert days.loc[0, "peak_occupancy"] == 3
    assert days.loc[0, "avg_occupancy"] == 3 / 25
    heatmap = queries.weekday_hour_average(hours, np.array([0]), np.array([6]))
    heatmap = heatmap.set_index(["weekday", "hour"])
    assert heatmap.loc[(6, 2), "occupancy"] == 1.5  # (3 + 0) / 2, not 3
    assert len(heatmap) == 24
    figure = figures.weekday_heatmap(with_attrs(heatmap.reset_index()), "sv")
    assert len(figure.data[0].x) == 24


def test_the_spring_dst_day_has_23_hours_and_occupancy_never_goes_below_zero():
    spring = date(2025, 3, 30)
    # an exit before anyone came in (a miscount) must not make occupancy negative
    hourly, days, _ = occupancy_of(spring, {1: (0, 2), 8: (4, 0), 14: (0, 4)})
    assert len(hourly) == 23
    assert 2 not in set(hourly["hour"])  # 02:00 never happened
    assert hourly["occupancy"].min() == 0
    assert days.loc[0, "peak_occupancy"] == 2  # 4 in after −2: clipped at the end


def weekly_frame(weeks=(52, 1, 2), years=(2025, 2026, 2026)) -> pd.DataFrame:
    starts = [date(2025, 12, 22), date(2025, 12, 29), date(2026, 1, 5)]
    return with_attrs(
        pd.DataFrame(
            {
                "week_start": starts,
                "iso_year": list(years),
                "week": list(weeks),
                "visits": [40.0, math.nan, 12.0],
                "open_days": [5, 5, 5],
                "open_days_with_data": [5, 0, 3],
                "desk_bookings": [10, 8, 4],
                "desk_hours": [80.0, 64.0, 32.0],
            }
        )
    )


def test_weekly_trend_labels_iso_weeks_and_marks_incomplete_weeks():
    figure = figures.weekly_trend(weekly_frame(), "sv")
    bars, line = figure.data
    assert list(bars.x) == ["v. 52", "v. 1", "v. 2"]
    assert math.isnan(bars.y[1])  # a week without door data: no bar, not 0
    assert list(bars.marker.pattern.shape) == ["", "/", "/"]
    assert bars.customdata[2] == "2026-01-05 · 3 av 5 öppetdagar med dörrdata"
    assert line.yaxis == "y2"
    # a whole year: week 1 at both ends, so those two get their ISO year
    repeating = figures.weekly_trend(weekly_frame((1, 52, 1), (2025, 2025, 2026)), "en")
    assert list(repeating.data[0].x) == ["wk 1 2025", "wk 52", "wk 1 2026"]
    many = weekly_frame().loc[[0, 1, 2] * 10].assign(week=range(1, 31))
    ticks = figures.weekly_trend(with_attrs(many), "sv").layout.xaxis.tickvals
    assert len(ticks) <= 14 and ticks[0] == "v. 1"


def reconciliation_frame() -> pd.DataFrame:
    return with_attrs(
        pd.DataFrame(
            {
                "day": [MONDAY, MONDAY + timedelta(days=1)],
                "desk_bookings": [3.0, 2.0],
                "present": [5.0, math.nan],
                "booked_present": [3.0, math.nan],
                "no_show": [0.0, math.nan],
                "unbooked": [2.0, math.nan],
                "booked_without_door_data": [0.0, 2.0],
                "offices_without_door_data": [0, 1],
            }
        )
    )


def test_reconciliation_stacks_and_marks_days_without_door_data():
    frame = reconciliation_frame()
    figure = figures.reconciliation(frame, "sv")
    names = [trace.name for trace in figure.data]
    assert names == [
        "Bokat och närvarande",
        "Bokat men frånvarande",
        "Obokad användning",
        "Bokat, dörrdata saknas",
    ]
    no_show, missing = figure.data[1], figure.data[3]
    assert math.isnan(no_show.y[1])  # unknown, not "nobody came"
    assert missing.marker.pattern.shape == "/" and missing.y[1] == 2
    assert figure.layout.barmode == "stack"
    complete = frame.assign(booked_without_door_data=0.0)
    assert len(figures.reconciliation(complete, "sv").data) == 3


def test_a_year_of_days_stays_light():
    year = daily("ooooocc" * 52, start=date(2025, 1, 6))
    for build in (figures.utilisation, figures.occupancy_per_day):
        size = len(json.dumps(plotly.io.to_json(build(year, "sv"))))
        assert size < 250_000, (build.__name__, size)


def test_a_day_with_only_some_offices_counted_gets_a_hollow_marker():
    frame = daily("oo")
    frame.loc[1, "offices_open"] = 2  # one of two open offices had door data
    line = figures.utilisation(frame, "sv").data[0]
    assert list(line.marker.symbol) == ["circle", "circle-open"]
    assert line.customdata[1] == "1 av 2 kontor med dörrdata"


def test_the_longest_gap_needs_an_open_day():
    """A run of days without data counts once it holds an open day: a run of
    closed days only (a weekend) is no gap."""
    friday = date(2025, 6, 6)
    days = np.array([friday + timedelta(days=i) for i in range(6)], dtype=object)
    is_open = np.array([True, False, False, True, True, True])

    def gap(*has_data: bool):
        return queries.longest_gap(days, np.array(has_data), is_open)

    assert gap(False, False, False, True, True, True) == (friday, days[2], 3)
    assert gap(True, False, False, True, True, True) == (None, None, 0)
    assert gap(True, False, False, True, False, True) == (days[4], days[4], 1)
    # the longer of two gaps, and a gap running to the last day
    assert gap(False, True, False, False, False, False) == (days[2], days[5], 4)
    assert gap(*[True] * 6) == (None, None, 0)
