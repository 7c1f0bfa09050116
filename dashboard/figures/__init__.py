"""Pure figure builders: ``DataFrame -> go.Figure``, no Dash, no database.

One module per page. Every builder takes the language for its labels and
returns an explicit empty figure for an empty frame. Missing values stay
missing (a gap in the line), never zero.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.formatting import plotly_separators

# The common template, as plotly's default: it is added when a figure is
# serialised (the same JSON), instead of being validated and deep-copied into
# every figure built (about 10 ms a figure, most of a small callback).
pio.templates.default = "plotly_white"

# the programme's colours: one per target group, stable across charts
TARGET_GROUP_COLOURS = {
    "Företagare": "#1f77b4",
    "Pendlare": "#ff7f0e",
    "Resande": "#2ca02c",
    "Nätverk": "#9467bd",
    "Okänd": "#c7c7c7",
}


def base_layout(figure: go.Figure, lang: str, **layout) -> go.Figure:
    """The common look: Swedish number format, compact margins, legend on top."""
    figure.update_layout(
        separators=plotly_separators(lang),
        margin={"l": 40, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        height=320,
        **layout,
    )
    return figure


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
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return base_layout(figure, lang)
