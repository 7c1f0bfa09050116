"""Figures for occupancy: utilisation, occupancy per day, weekday × hour, weekly
trend and bookings against door counts.

The frames come from :mod:`dashboard.queries.occupancy`. A day without door data
is a gap (NaN: a break in the line, a shaded band, a hatched bar), never zero;
closed days are left out of the day charts. ``frame.attrs`` carries the period's
first day and whether the offices ever had door data (for the empty state).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import formatting
from dashboard.figures import (
    BLUES,
    PREVIOUS_COLOUR,
    common_layout,
    day_axis,
    empty_figure,
    figure,
    laid_on,
)
from dashboard.i18n import add, text

add(
    {
        "occ_no_door_data": (
            "Inga dörrräkningar ännu för {names} — konfigurera en källa eller lägg en "
            "fil i data/inbox/{folder}/door/",
            "No door counts yet for {names} — configure a source or put a file in "
            "data/inbox/{folder}/door/",
        ),
        "occ_no_open_days": (
            "Inga öppetdagar med dörrdata under perioden.",
            "No open days with door data in this period.",
        ),
        "occ_utilisation": ("Beläggning", "Utilisation"),
        "occ_average": ("snitt", "average"),
        "occ_target": ("Mål", "Target"),
        "occ_gap": ("Dörrdata saknas", "No door data"),
        "occ_avg_occupancy": ("Närvaro, snitt under öppettid", "Average occupancy"),
        "occ_peak": ("Toppnärvaro", "Peak occupancy"),
        "occ_seats": ("Platser", "Seats"),
        "occ_people": ("Personer", "People"),
        "occ_day": ("Dag", "Day"),
        "occ_hour": ("Timme", "Hour"),
        "occ_week": ("Vecka", "Week"),
        "occ_week_label": ("v. {week}", "wk {week}"),
        "occ_visits": ("Besök (inpassager)", "Visits (entries)"),
        "occ_desk_hours": ("Bokade skrivbordstimmar", "Booked desk-hours"),
        "occ_incomplete_week": (
            "{with_data} av {open} öppetdagar med dörrdata",
            "{with_data} of {open} open days with door data",
        ),
        "occ_booked_present": ("Bokat och närvarande", "Booked and present"),
        "occ_booked_no_door": (
            "Bokat, dörrdata saknas",
            "Booked, no door data",
        ),
        "occ_offices_with_data": (
            "{with_data} av {open} kontor med dörrdata",
            "{with_data} of {open} offices with door data",
        ),
        "occ_days_in_average": ("{days} dagar i snittet", "{days} days averaged"),
        "occ_weekdays": ("må ti on to fr lö sö", "Mon Tue Wed Thu Fri Sat Sun"),
    }
)

OCCUPANCY_COLOUR = "#1f77b4"
PEAK_COLOUR = "#ff7f0e"
TARGET_COLOUR = "#2ca02c"
SEATS_COLOUR = "#555555"
GAP_COLOUR = "rgba(127, 127, 127, 0.15)"
RECONCILIATION_COLOURS = {
    "booked_present": "#2ca02c",
    "no_show": "#d62728",
    "unbooked": "#1f77b4",
    "booked_without_door_data": "#bbbbbb",
}
RECONCILIATION_LABELS = {
    "booked_present": "occ_booked_present",
    "no_show": "term_no_show",
    "unbooked": "term_unbooked",
    "booked_without_door_data": "occ_booked_no_door",
}
DAY_HOVER = "%{x|%Y-%m-%d}"


def weekday_names(lang: str = "sv") -> list[str]:
    """Monday first: må ti on to fr lö sö (Swedish), Mon … Sun (English)."""
    return text("occ_weekdays", lang).split()


def percent_suffix(lang: str) -> str:
    return "\u00a0%" if lang == "sv" else "%"


def no_data_figure(frame: pd.DataFrame, lang: str) -> go.Figure:
    """The empty state: tells where door files go when there never were any."""
    if frame.attrs.get("door_data", True):
        return empty_figure(text("no_data", lang), lang)
    ids = frame.attrs.get("office_ids") or []
    names = ", ".join(frame.attrs.get("office_names") or []) or "–"
    folder = ids[0] if len(ids) == 1 else "<kontor>" if lang == "sv" else "<office>"
    message = text("occ_no_door_data", lang).format(names=names, folder=folder)
    return empty_figure(message, lang)


def _no_figure(frame: pd.DataFrame, lang: str) -> go.Figure | None:
    """The empty state if there is nothing to draw, else None."""
    if frame.empty or not frame.attrs.get("door_data", True):
        return no_data_figure(frame, lang)
    if "status" in frame and not (frame["status"] == "ok").any():
        return empty_figure(text("occ_no_open_days", lang), lang)
    return None


def _gap_bands(frame: pd.DataFrame, lang: str) -> tuple[list[dict], list[dict]]:
    """(shapes, traces): a grey band over each run of open days without door
    data, and the bands' legend entry; both empty when no day is missing."""
    gap_days = sorted(frame.loc[frame["status"] == "gap", "day"])
    if not gap_days:
        return [], []
    # the shapes add_vrect would add: a band the height of the plot
    bands = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "y domain",
            "x0": pd.Timestamp(first) - pd.Timedelta(hours=12),
            "x1": pd.Timestamp(last) + pd.Timedelta(hours=12),
            "y0": 0,
            "y1": 1,
            "fillcolor": GAP_COLOUR,
            "line": {"width": 0},
            "layer": "below",
        }
        for first, last in _runs(gap_days)
    ]
    legend = {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "name": text("occ_gap", lang),
        "marker": {"symbol": "square", "size": 12, "color": "rgba(127,127,127,0.4)"},
    }
    return bands, [legend]


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days grouped: [(first, last), ...] (closed days in between
    do not break a run, since they are not drawn)."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and (day - runs[-1][1]).days <= 3:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _drawn(frame: pd.DataFrame) -> pd.DataFrame:
    """Open days only (closed days are left out, so the line runs Friday to
    Monday); gap days stay, with no value, so the line breaks there."""
    return frame[frame["status"] != "closed"].sort_values("day")


# --- 1. utilisation ------------------------------------------------------------------


def _period_average(frame: pd.DataFrame) -> float | None:
    counted = frame[frame["status"] == "ok"]
    seats = counted["seats"].sum()
    return counted["avg_occupancy"].sum() / seats if seats else None


def _utilisation_traces(frame: pd.DataFrame, lang: str) -> list[dict]:
    shown = _drawn(frame)
    suffix = percent_suffix(lang)
    values = (shown["utilisation"] * 100).where(shown["status"] == "ok")
    average = formatting.percent(_period_average(frame), lang)
    # a day on which only some of the open offices had door data: a hollow marker
    partial = shown["offices_with_data"] < shown["offices_open"]
    note = text("occ_offices_with_data", lang)
    hover_note = [
        note.format(with_data=with_data, open=open_)
        for with_data, open_ in zip(
            shown["offices_with_data"], shown["offices_open"], strict=True
        )
    ]
    days = shown["day"].tolist()
    return [
        {
            "type": "scatter",
            "x": days,
            "y": values.tolist(),
            "name": f"{text('occ_utilisation', lang)} ({text('occ_average', lang)} "
            f"{average})",
            "mode": "lines+markers",
            "marker": {
                "size": [7 if p else 4 for p in partial],
                "symbol": ["circle-open" if p else "circle" for p in partial],
            },
            "line": {"color": OCCUPANCY_COLOUR},
            "connectgaps": False,
            "customdata": hover_note,
            "hovertemplate": DAY_HOVER + ": %{y:.0f}" + suffix + "<br>%{customdata}"
            "<extra></extra>",
        },
        {
            "type": "scatter",
            "x": days,
            "y": (shown["target_utilisation"] * 100).tolist(),
            "name": text("occ_target", lang),
            "mode": "lines",
            "line": {"color": TARGET_COLOUR, "dash": "dash", "shape": "hv"},
            "hovertemplate": DAY_HOVER
            + ": %{y:.0f}"
            + suffix
            + "<extra>"
            + text("occ_target", lang)
            + "</extra>",
        },
    ]


def _utilisation_parts(frame: pd.DataFrame, lang: str) -> tuple[list[dict], dict]:
    """The utilisation chart's traces and layout, gap bands included."""
    bands, legend = _gap_bands(frame, lang)
    layout = common_layout(
        lang,
        xaxis=day_axis(frame["day"].tolist()),
        yaxis={
            "title": {"text": text("occ_utilisation", lang)},
            "ticksuffix": percent_suffix(lang),
            "rangemode": "tozero",
        },
    )
    if bands:
        layout["shapes"] = bands
    return [*_utilisation_traces(frame, lang), *legend], layout


def utilisation(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Utilisation per open day against the target line; gaps shaded."""
    empty = _no_figure(frame, lang)
    if empty is not None:
        return empty
    return figure(*_utilisation_parts(frame, lang))


def utilisation_compare(
    frame: pd.DataFrame, previous: pd.DataFrame, lang: str = "sv"
) -> go.Figure:
    """This period's utilisation with the previous period's as a dashed line,
    aligned by day index: the previous period's n-th day is drawn on this
    period's n-th day (its own date in the hover)."""
    if _no_figure(frame, lang) is not None or previous.empty:
        return utilisation(frame, lang)
    traces, layout = _utilisation_parts(frame, lang)
    shown = _aligned(previous, frame.attrs.get("start"), max(frame["day"]))
    suffix = percent_suffix(lang)
    before = {
        "type": "scatter",
        "x": shown["aligned_day"].to_numpy(),
        "y": (shown["utilisation"] * 100).where(shown["status"] == "ok").to_numpy(),
        "name": text("previous_period", lang),
        "mode": "lines",
        "line": {"color": PREVIOUS_COLOUR, "dash": "dash", "width": 1.5},
        "connectgaps": False,
        "customdata": [str(day) for day in shown["day"]],
        "hovertemplate": "%{customdata}: %{y:.0f}"
        + suffix
        + "<extra>"
        + text("previous_period", lang)
        + "</extra>",
    }
    return figure([*traces, before], layout)


def _aligned(previous: pd.DataFrame, start: date | None, last: date) -> pd.DataFrame:
    """The previous period's open days, laid on this period's calendar (see
    :func:`laid_on`)."""
    shown = _drawn(previous)
    own_start = previous.attrs.get("start") or (
        shown["day"].min() if len(shown) else None
    )
    if start is None or own_start is None:
        return shown.assign(aligned_day=shown["day"])
    return laid_on(shown, own_start, start, last)


# --- 2. average and peak occupancy ---------------------------------------------------


def occupancy_per_day(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Average occupancy during opening hours and peak occupancy per open day,
    with the seats valid that day for scale."""
    empty = _no_figure(frame, lang)
    if empty is not None:
        return empty
    return figure(*_per_day_parts(frame, lang))


def _per_day_parts(frame: pd.DataFrame, lang: str) -> tuple[list[dict], dict]:
    shown = _drawn(frame)
    days = shown["day"].to_numpy()
    ok = shown["status"] == "ok"
    traces = [
        {
            "type": "scatter",
            "x": days,
            "y": shown[column].where(ok).to_numpy(),
            "name": text(key, lang),
            "mode": "lines+markers",
            "marker": {"size": 4},
            "line": {"color": colour},
            "connectgaps": False,
            "hovertemplate": DAY_HOVER
            + ": %{y:.1f}<extra>"
            + text(key, lang)
            + "</extra>",
        }
        for column, key, colour in (
            ("avg_occupancy", "occ_avg_occupancy", OCCUPANCY_COLOUR),
            ("peak_occupancy", "occ_peak", PEAK_COLOUR),
        )
    ]
    traces.append(
        {
            "type": "scatter",
            "x": days,
            "y": shown["planned_seats"].to_numpy(),
            "name": text("occ_seats", lang),
            "mode": "lines",
            "line": {"color": SEATS_COLOUR, "dash": "dot", "shape": "hv", "width": 1},
            "connectgaps": False,
            "hovertemplate": DAY_HOVER
            + ": %{y}<extra>"
            + text("occ_seats", lang)
            + "</extra>",
        }
    )
    bands, legend = _gap_bands(frame, lang)
    layout = common_layout(
        lang,
        xaxis=day_axis(frame["day"].tolist()),
        yaxis={"title": {"text": text("occ_people", lang)}, "rangemode": "tozero"},
    )
    if bands:
        layout["shapes"] = bands
    return [*traces, *legend], layout


def occupancy_per_day_compare(
    frame: pd.DataFrame, previous: pd.DataFrame, lang: str = "sv"
) -> go.Figure:
    """Average and peak occupancy per day, with the previous period's average
    as a grey dashed line, aligned by day as on the utilisation chart."""
    if _no_figure(frame, lang) is not None or previous.empty:
        return occupancy_per_day(frame, lang)
    traces, layout = _per_day_parts(frame, lang)
    shown = _aligned(previous, frame.attrs.get("start"), max(frame["day"]))
    name = text("previous_period", lang)
    before = {
        "type": "scatter",
        "x": shown["aligned_day"].to_numpy(),
        "y": shown["avg_occupancy"].where(shown["status"] == "ok").to_numpy(),
        "name": name,
        "mode": "lines",
        "line": {"color": PREVIOUS_COLOUR, "dash": "dash", "width": 1.5},
        "connectgaps": False,
        "customdata": [str(day) for day in shown["day"]],
        "hovertemplate": "%{customdata}: %{y:.1f}<extra>" + name + "</extra>",
    }
    return figure([*traces, before], layout)


# --- 3. weekday × hour ---------------------------------------------------------------


def weekday_heatmap(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Average occupancy per weekday (Monday on top) and local hour."""
    if frame.empty or not frame.attrs.get("door_data", True):
        return no_data_figure(frame, lang)
    names = weekday_names(lang)
    weekdays, grid, days = _weekday_hour_grid(frame)
    hours = list(range(int(frame["hour"].min()), int(frame["hour"].max()) + 1))
    note = text("occ_days_in_average", lang)
    heatmap = {
        "type": "heatmap",
        "z": grid,
        "x": [f"{hour:02d}" for hour in hours],
        "y": [names[w] for w in weekdays],
        "colorscale": BLUES,
        "zmin": 0,
        "texttemplate": "%{z:.1f}",
        "customdata": [[note.format(days=_int(d)) for d in row] for row in days],
        "hovertemplate": "%{y} kl. %{x}: %{z:.1f}<br>%{customdata}<extra></extra>"
        if lang == "sv"
        else "%{y} %{x}:00: %{z:.1f}<br>%{customdata}<extra></extra>",
        "colorbar": {"title": {"text": text("occ_people", lang)}},
    }
    layout = common_layout(
        lang,
        xaxis={"title": {"text": text("occ_hour", lang)}, "type": "category"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return figure([heatmap], layout)


def _weekday_hour_grid(frame: pd.DataFrame) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The weekdays present and, per weekday and hour (from the first to the
    last hour present), the mean occupancy and most days; NaN where none.
    Arrays, not a pandas pivot: the frame has at most 168 rows, and pivoting
    them cost more than the query that found them."""
    weekday = frame["weekday"].to_numpy(dtype=int)
    hour = frame["hour"].to_numpy(dtype=int)
    occupancy = frame["occupancy"].to_numpy(dtype=float)
    weekdays = sorted(set(weekday.tolist()))
    width = hour.max() - hour.min() + 1
    size = len(weekdays) * width
    cell = np.searchsorted(weekdays, weekday) * width + (hour - hour.min())
    counted = ~np.isnan(occupancy)
    found = np.bincount(cell[counted], minlength=size)
    total = np.bincount(cell[counted], occupancy[counted], minlength=size)
    with np.errstate(invalid="ignore"):
        mean = np.where(found > 0, total / found, np.nan)
    most = np.full(size, np.nan)
    np.fmax.at(most, cell, frame["days"].to_numpy(dtype=float))
    shape = (len(weekdays), width)
    return weekdays, mean.reshape(shape), most.reshape(shape)


def _int(value: float) -> int:
    return 0 if value is None or np.isnan(value) else int(value)


# --- 4. weekly trend -----------------------------------------------------------------


def week_labels(frame: pd.DataFrame, lang: str = "sv") -> list[str]:
    """'v. 12'; a week number that occurs twice (v. 1 at both ends of a year)
    gets its ISO year: 'v. 1 2026'."""
    label = text("occ_week_label", lang)
    repeated = frame["week"].duplicated(keep=False)
    return [
        label.format(week=week) + (f" {year}" if twice else "")
        for year, week, twice in zip(
            frame["iso_year"], frame["week"], repeated, strict=True
        )
    ]


def _every_nth(labels: list[str], most: int = 14) -> list[str]:
    """Tick labels for at most ``most`` bars, so they stay readable upright."""
    step = max(1, -(-len(labels) // most))
    return labels[::step]


def weekly_trend(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Visits per ISO week as bars (hatched when some open days lack door data)
    and booked desk-hours as a line on the right axis."""
    if frame.empty or not frame.attrs.get("door_data", True):
        return no_data_figure(frame, lang)
    frame = frame.sort_values("week_start")
    labels = week_labels(frame, lang)
    incomplete = frame["open_days_with_data"] < frame["open_days"]
    notes = [
        f"{row.week_start:%Y-%m-%d} · "
        + text("occ_incomplete_week", lang).format(
            with_data=int(row.open_days_with_data), open=int(row.open_days)
        )
        for row in frame.itertuples()
    ]
    visits = {
        "type": "bar",
        "x": labels,
        "y": frame["visits"].to_numpy(),
        "name": text("occ_visits", lang),
        "marker": {
            "color": OCCUPANCY_COLOUR,
            "pattern": {"shape": ["/" if i else "" for i in incomplete]},
        },
        "customdata": notes,
        "hovertemplate": "%{x}: %{y}<br>%{customdata}<extra>"
        + text("occ_visits", lang)
        + "</extra>",
    }
    desk_hours = {
        "type": "scatter",
        "x": labels,
        "y": frame["desk_hours"].to_numpy(),
        "name": text("occ_desk_hours", lang),
        "mode": "lines+markers",
        "yaxis": "y2",
        "line": {"color": PEAK_COLOUR},
        "hovertemplate": "%{x}: %{y:.0f}<extra>"
        + text("occ_desk_hours", lang)
        + "</extra>",
    }
    layout = common_layout(
        lang,
        margin={"l": 50, "r": 50},  # room for the right axis
        xaxis={"type": "category", "tickvals": _every_nth(labels), "tickangle": 0},
        yaxis={"title": {"text": text("occ_visits", lang)}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": text("occ_desk_hours", lang)},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
    )
    return figure([visits, desk_hours], layout)


# --- 5. bookings against door counts -------------------------------------------------


def reconciliation(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Stacked bars per day: booked and present, no-shows, unbooked use, and
    (hatched grey) bookings on days whose door data is missing."""
    if frame.empty or not frame.attrs.get("door_data", True):
        return no_data_figure(frame, lang)
    frame = frame.sort_values("day")
    days = frame["day"].to_numpy()
    traces = []
    for column, key in RECONCILIATION_LABELS.items():
        values = frame[column]
        if column == "booked_without_door_data" and not values.fillna(0).any():
            continue
        name = text(key, lang)
        traces.append(
            {
                "type": "bar",
                "x": days,
                "y": values.to_numpy(),
                "name": name,
                "marker": {
                    "color": RECONCILIATION_COLOURS[column],
                    "pattern": {
                        "shape": "/" if column == "booked_without_door_data" else ""
                    },
                },
                "hovertemplate": DAY_HOVER + ": %{y}<extra>" + name + "</extra>",
            }
        )
    layout = common_layout(
        lang,
        barmode="stack",
        bargap=0.15,
        xaxis=day_axis(frame["day"].tolist()),
        yaxis={"title": {"text": text("occ_people", lang)}, "rangemode": "tozero"},
    )
    return figure(traces, layout)
