"""Pure figure builders: ``DataFrame -> go.Figure``, no Dash, no database.

One module per page. Every builder takes the language for its labels and
returns an explicit empty figure for an empty frame. Missing values stay
missing (a gap in the line), never zero.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

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

# the programme's colours: one per target group, stable across charts
TARGET_GROUP_COLOURS = {
    "Företagare": "#1f77b4",
    "Pendlare": "#ff7f0e",
    "Resande": "#2ca02c",
    "Nätverk": "#9467bd",
    "Okänd": "#c7c7c7",
}


def set_layout(figure: go.Figure, **changes: Any) -> go.Figure:
    """``figure.update_layout(**changes)`` without its cost: the layout with the
    changes merged in is assigned in one go. update_layout walks plotly's
    property machinery path by path, a few milliseconds a call, the largest
    part of building a small chart. ``changes`` use plotly's names (``xaxis``,
    not the ``xaxis_title`` shorthand); nested dicts are merged."""
    current = figure.layout.to_plotly_json()
    current.pop("template", None)  # the default one is put back on assignment
    figure.layout = _merged(current, changes)
    return figure


def _merged(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            value = _merged(merged[key], value)
        merged[key] = value
    return merged


def base_layout(figure: go.Figure, lang: str, **layout: Any) -> go.Figure:
    """The common look: Swedish number format, compact margins, legend on top."""
    return set_layout(
        figure,
        separators=plotly_separators(lang),
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        height=320,
        **layout,
    )


def empty_figure(message: str, lang: str = "sv") -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(
        text=message,
        showarrow=False,
        font={"size": 14},
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
    )
    return base_layout(figure, lang, xaxis={"visible": False}, yaxis={"visible": False})
