"""Pure figure builders: ``DataFrame -> go.Figure``, no Dash, no database.

One module per page. Every builder takes the language for its labels and
returns an explicit empty figure for an empty frame. Missing values stay
missing (a gap in the line), never zero.

A builder writes its traces and its layout as plain dicts, in plotly's own
names (``{"type": "scatter", "x": [...], "line": {"color": ...}}``, a title as
``{"text": ...}``), and wraps them once with :func:`figure`. Values are plain
lists or numpy arrays (``series.to_numpy()``), never pandas objects.
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import get_colorscale

from dashboard.formatting import plotly_separators

# The common look is plotly_white, as plotly's default template: it is added
# when a figure is serialised, instead of being validated and deep-copied into
# every figure built. Only the trace defaults of the trace types drawn here are
# kept: the template travels in every figure's JSON, and the full one carries
# defaults for 25 trace types (7 KB a figure, half of a small chart's answer).
_WHITE = pio.templates["plotly_white"]
pio.templates["pilotpuls"] = go.layout.Template(
    layout=_WHITE.layout,
    data={kind: _WHITE.data[kind] for kind in ("bar", "heatmap", "scatter")},
)
pio.templates.default = "pilotpuls"

# plotly.py's "Blues" spelt out, as its validator would: plotly.js has a
# "Blues" of its own, darker and with other stops
BLUES = get_colorscale("Blues")

# the previous period, when a page compares with it: grey, dashed or hollow
PREVIOUS_COLOUR = "#7f7f7f"

# the programme's colours: one per target group, stable across charts
TARGET_GROUP_COLOURS = {
    "Företagare": "#1f77b4",
    "Pendlare": "#ff7f0e",
    "Resande": "#2ca02c",
    "Nätverk": "#9467bd",
    "Okänd": "#c7c7c7",
}


# Figures are wrapped without validation in production, for speed: plotly's
# graph objects check, coerce and deep-copy every property they are given, about
# a millisecond a trace, most of a page callback's time (the self-financing
# chart's 67 lines at 50 offices took 88 ms; wrapped once unvalidated, 5 ms).
# Dash's maintainers advise plain dicts for speed
# (https://github.com/plotly/dash-core-components/issues/257) and plotly skips
# validation for its own templates (https://github.com/plotly/plotly.py/issues/1812).
# The tests turn validation on (tests/conftest.py), so a misspelt property fails
# there, and prove both ways give the same JSON (tests/dashboard/test_figure_kit.py).
VALIDATE = False


def figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """The figure of ``traces`` and ``layout`` (plain dicts, each trace with its
    ``type``), validated only when :data:`VALIDATE` is on."""
    data = [_dates_as_text(trace) for trace in traces]
    return go.Figure({"data": data, "layout": layout}, _validate=VALIDATE)


def _dates_as_text(trace: dict[str, Any]) -> dict[str, Any]:
    """The trace with date (and datetime) values on its axes as the ISO text
    plotly would write for them. Plotly deep-copies a figure twice and encodes
    a date one object at a time: a quarter of members by target group took
    7 ms to build and serialise with dates, 3 ms with their text."""
    changed = {
        axis: [_iso(value) for value in trace[axis]]
        for axis in ("x", "y")
        if _holds_dates(trace.get(axis))
    }
    return {**trace, **changed} if changed else trace


def _holds_dates(values: Any) -> bool:
    if isinstance(values, np.ndarray):
        if values.dtype != object:
            return False
    elif not isinstance(values, list | tuple):
        return False
    return len(values) > 0 and isinstance(values[0], date)


def _iso(value: Any) -> str | None:
    # NaT is a datetime that is not equal to itself: plotly writes it as null
    if value is None or value != value:
        return None
    return value.isoformat()


DAY_MS = 24 * 60 * 60 * 1000
# up to this many days, a tick a day: over a few days plotly ticks every 12
# hours, labelling each date twice or with clock times
TICK_EVERY_DAY_UP_TO = 14
# ticks days or weeks apart read 1/12; months apart, dec 2026
_DAY_TICK_FORMATS = [
    {"dtickrange": [None, "M1"], "value": "%-d/%-m"},
    {"dtickrange": ["M1", None], "value": "%b %Y"},
]


def day_axis(days: list) -> dict[str, Any]:
    """A date axis for one value per day: a tick a day over a short span,
    plotly's choice of ticks over a longer one, dates always without hours."""
    if len(days):
        first, last = min(days), max(days)
        if (last - first).days < TICK_EVERY_DAY_UP_TO:
            return {"tickformat": "%-d/%-m", "dtick": DAY_MS, "tick0": _iso(first)}
    return {"tickformatstops": _DAY_TICK_FORMATS}


def laid_on(
    previous: pd.DataFrame, own_start: date, start: date, last: date
) -> pd.DataFrame:
    """A previous period's rows (its ``day``s from ``own_start``) with each day
    moved onto this period's calendar as ``aligned_day`` (its n-th day on this
    period's n-th, from ``start``), up to this period's ``last`` day: a month in
    progress is compared with as many days of the month before."""
    offset = timedelta(days=(start - own_start).days)
    moved = previous.assign(aligned_day=[day + offset for day in previous["day"]])
    return moved[[day <= last for day in moved["aligned_day"]]]


def common_layout(lang: str, **changes: Any) -> dict[str, Any]:
    """The common look as a layout dict: Swedish number format, compact
    margins, legend on top; ``changes`` merged in (nested dicts are merged, so
    ``margin={"l": 50}`` keeps the other margins)."""
    return _merged(
        {
            "separators": plotly_separators(lang),
            "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
            "legend": {"orientation": "h", "y": -0.15},
            "height": 320,
        },
        changes,
    )


def _merged(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            value = _merged(merged[key], value)
        merged[key] = value
    return merged


# characters on a line of an empty chart's message: plotly does not wrap
# annotation text, and a half-width card holds about this many at 14 px
EMPTY_MESSAGE_WIDTH = 48


def _wrapped(message: str) -> str:
    """Lines of at most EMPTY_MESSAGE_WIDTH characters; a path or a long word
    stays whole."""
    lines = textwrap.wrap(
        message, EMPTY_MESSAGE_WIDTH, break_long_words=False, break_on_hyphens=False
    )
    return "<br>".join(lines) or message


def empty_figure(message: str, lang: str = "sv") -> go.Figure:
    """No traces, no axes, the message in the middle, wrapped to fit a card."""
    note = {
        "text": _wrapped(message),
        "showarrow": False,
        "font": {"size": 14},
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5,
    }
    return figure(
        [],
        common_layout(
            lang,
            annotations=[note],
            xaxis={"visible": False},
            yaxis={"visible": False},
        ),
    )
