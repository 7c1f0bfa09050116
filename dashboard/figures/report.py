"""Charts of a stored report version (the Kvartalsrapport page).

The frames are a stored table's rows; the path to self-financing reuses the
economy page's chart, so both pages draw it alike.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import common_layout, empty_figure, figure
from dashboard.i18n import add, text

add(
    {
        "rp_fig_utilisation": ("Beläggning", "Utilisation"),
        "rp_fig_target": ("Mål", "Target"),
        "rp_fig_no_door_data": (
            "Ingen dörrdata för kvartalet",
            "No door data for the quarter",
        ),
    }
)


def utilisation_by_month(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Bars of the month's utilisation with its target as a marker; a month
    without door data has no bar (a gap, not 0 %)."""
    if frame.empty or frame["utilisation"].isna().all():
        return empty_figure(text("rp_fig_no_door_data", lang), lang)
    months = frame["month"].to_numpy()
    bars = {
        "type": "bar",
        "x": months,
        "y": (frame["utilisation"] * 100).to_numpy(),
        "name": text("rp_fig_utilisation", lang),
        "marker": {"color": "#2171b5"},
        "hovertemplate": "%{x}: %{y:.0f} %<extra></extra>",
    }
    targets = {
        "type": "scatter",
        "x": months,
        "y": (frame["target"] * 100).to_numpy(),
        "name": text("rp_fig_target", lang),
        "mode": "markers",
        "marker": {
            "symbol": "line-ew",
            "size": 40,
            "line": {"width": 3, "color": "#d62728"},
        },
        "hovertemplate": "%{x}: %{y:.0f} %<extra></extra>",
    }
    layout = common_layout(
        lang,
        xaxis={"type": "category"},
        yaxis={"ticksuffix": " %", "rangemode": "tozero"},
    )
    return figure([bars, targets], layout)
