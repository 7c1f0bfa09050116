"""Figures for members and target groups."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import TARGET_GROUP_COLOURS, base_layout, empty_figure
from dashboard.i18n import text


def members_over_time(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Stacked areas: active members per day by target group."""
    if frame.empty:
        return empty_figure(text("no_data", lang), lang)
    figure = go.Figure()
    for group, rows in frame.groupby("target_group", sort=False):
        figure.add_trace(
            go.Scatter(
                x=rows["day"],
                y=rows["members"],
                name=group,
                stackgroup="members",
                mode="lines",
                line={"width": 0.5, "color": TARGET_GROUP_COLOURS.get(group, "#888")},
                hovertemplate="%{x|%Y-%m-%d}: %{y}<extra>" + str(group) + "</extra>",
            )
        )
    return base_layout(
        figure, lang, yaxis={"title": text("term_members", lang), "rangemode": "tozero"}
    )
