"""Figures for members and target groups: who, of what, from where, against target.

Frames come from :mod:`dashboard.queries.members`; an empty frame names the
offices whose member register is missing (``attrs["offices"]``) and where to
put the file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import (
    BLUES,
    PREVIOUS_COLOUR,
    TARGET_GROUP_COLOURS,
    common_layout,
    day_axis,
    empty_figure,
    figure,
    laid_on,
)
from dashboard.i18n import add, text

add(
    {
        "mem_no_register": (
            "Inget medlemsregister ännu för {offices} — lägg en fil i "
            "data/inbox/{folder}/members/",
            "No member register yet for {offices} — put a file in "
            "data/inbox/{folder}/members/",
        ),
        "mem_no_members": (
            "Inga aktiva medlemskap under perioden.",
            "No active memberships in the period.",
        ),
        "mem_chosen_offices": ("de valda kontoren", "the chosen offices"),
        "mem_office_folder": ("<kontor>", "<office>"),
        "mem_and": ("och", "and"),
        "mem_new": ("Nya", "New"),
        "mem_ended": ("Avslutade", "Ended"),
        "mem_net": ("Netto", "Net"),
        "mem_memberships": ("Medlemskap", "Memberships"),
        "mem_members_now": ("Medlemmar", "Members"),
        "mem_target": ("Medlemsmål", "Member target"),
        "mem_home_kommun": ("Hemkommun", "Home municipality"),
        "mem_median": (
            "Programmets median ({n} kontor)",
            "Programme median ({n} offices)",
        ),
        "mem_other_kommun": ("Övriga (utanför länet)", "Other (outside the county)"),
        "group_Pendlare": ("Pendlare", "Commuters"),
        "group_Företagare": ("Företagare", "Business owners"),
        "group_Resande": ("Resande", "Travellers"),
        "group_Nätverk": ("Nätverk", "Networkers"),
        "group_Okänd": ("Okänd", "Unknown"),
    }
)

GROUP_ORDER = ("Företagare", "Pendlare", "Resande", "Nätverk", "Okänd")
TYPE_COLOURS = ("#1f77b4", "#17becf", "#2ca02c", "#bcbd22", "#9467bd", "#8c564b")
MEMBERS_COLOUR = "#1f77b4"
TARGET_COLOUR = "#d62728"
MEDIAN_COLOUR = "#7f7f7f"


def _names(names: list[str], lang: str) -> str:
    if not names:
        return text("mem_chosen_offices", lang)
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {text('mem_and', lang)} {names[-1]}"


def no_members(frame: pd.DataFrame, lang: str) -> go.Figure:
    """The empty figure: which register is missing and where the file goes."""
    if frame.attrs.get("registered"):
        return empty_figure(text("mem_no_members", lang), lang)
    ids = frame.attrs.get("office_ids", [])
    folder = ids[0] if len(ids) == 1 else text("mem_office_folder", lang)
    message = text("mem_no_register", lang).format(
        offices=_names(frame.attrs.get("offices", []), lang), folder=folder
    )
    return empty_figure(message, lang)


def group_label(group: str, lang: str) -> str:
    """A target group in the reader's language (unknown names as written)."""
    label = text(f"group_{group}", lang)
    return group if label == f"group_{group}" else label


def _stacked(
    frame: pd.DataFrame, column: str, order: list, colours: dict, lang: str
) -> go.Figure:
    by_value = dict(list(frame.groupby(column, sort=False)))
    traces = []
    for value in order:
        rows = by_value[value]
        name = group_label(value, lang) if column == "target_group" else value
        traces.append(
            {
                "type": "scatter",
                "x": rows["day"].tolist(),
                "y": rows["members"].tolist(),
                "name": name,
                "stackgroup": "members",
                "mode": "lines",
                "line": {"width": 0.5, "color": colours.get(value, "#888")},
                "hovertemplate": "%{x|%Y-%m-%d}: %{y}<extra>" + name + "</extra>",
            }
        )
    return figure(traces, _members_layout(frame["day"].tolist(), lang))


def _members_layout(days: list, lang: str) -> dict:
    return common_layout(
        lang,
        xaxis=day_axis(days),
        yaxis={"title": {"text": text("term_members", lang)}, "rangemode": "tozero"},
    )


def members_over_time(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Stacked areas: active members per day by target group."""
    if frame.empty:
        return no_members(frame, lang)
    present = set(frame["target_group"])
    order = [g for g in GROUP_ORDER if g in present] + sorted(
        present - set(GROUP_ORDER)
    )
    return _stacked(frame, "target_group", order, TARGET_GROUP_COLOURS, lang)


def members_by_type(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Stacked areas: active members per day by membership type (its own name)."""
    if frame.empty:
        return no_members(frame, lang)
    # the largest type at the bottom, so the stack reads from the ground up
    order = list(frame.groupby("membership")["members"].sum().sort_values().index)[::-1]
    colours = {
        name: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, name in enumerate(order)
    }
    return _stacked(frame, "membership", order, colours, lang)


FEW_COUNTS = 5  # below this many, a tick per whole number


def joins_and_leaves(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Bars per month: new memberships up, ended ones down, and the net change."""
    if frame.empty:
        return no_members(frame, lang)
    new, ended = text("mem_new", lang), text("mem_ended", lang)
    months = frame["month"].to_numpy()
    traces = [
        {
            "type": "bar",
            "x": months,
            "y": frame["new"].to_numpy(),
            "name": new,
            "marker": {"color": "#2ca02c"},
            "hovertemplate": "%{x|%Y-%m}: %{y}<extra>" + new + "</extra>",
        },
        {
            "type": "bar",
            "x": months,
            "y": (-frame["ended"]).to_numpy(),
            "name": ended,
            "marker": {"color": "#d62728"},
            "customdata": frame["ended"].to_numpy(),
            "hovertemplate": "%{x|%Y-%m}: %{customdata}<extra>" + ended + "</extra>",
        },
        {
            "type": "scatter",
            "x": months,
            "y": (frame["new"] - frame["ended"]).to_numpy(),
            "name": text("mem_net", lang),
            "mode": "lines+markers",
            "line": {"color": "#333", "width": 1.5},
        },
    ]
    yaxis = {"title": {"text": text("mem_memberships", lang)}, "zeroline": True}
    if max(frame["new"].max(), frame["ended"].max()) < FEW_COUNTS:
        yaxis["dtick"] = 1  # whole memberships: no ticks at 0,5
    layout = common_layout(
        lang,
        barmode="relative",
        xaxis={"dtick": "M1", "tickformat": "%Y-%m"},
        yaxis=yaxis,
    )
    return figure(traces, layout)


def kommun_order(frame: pd.DataFrame) -> list[str]:
    """Kommuner by members, largest first; "Övriga" and "Okänd" last."""
    totals = frame.groupby("home_kommun")["members"].sum()
    last = [k for k in ("Övriga", "Okänd") if k in totals.index]
    rest = totals.drop(last).sort_values(ascending=False, kind="stable")
    return list(rest.index) + last


def home_kommun_heatmap(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Offices × home kommun: how many of the period's members live where."""
    if frame.empty:
        return no_members(frame, lang)
    columns = kommun_order(frame)
    matrix = (
        frame.groupby(["office", "home_kommun"])["members"]
        .sum()
        .unstack()
        .reindex(columns=columns)
    )
    labels = {
        "Övriga": text("mem_other_kommun", lang),
        "Okänd": group_label("Okänd", lang),
    }
    x = [labels.get(k, k) for k in columns]
    values = matrix.to_numpy(dtype=float)
    heatmap = {
        "type": "heatmap",
        "z": values,
        "x": x,
        "y": list(matrix.index),
        "text": [["" if np.isnan(v) else f"{v:.0f}" for v in row] for row in values],
        "texttemplate": "%{text}",
        "colorscale": BLUES,
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
    }
    layout = common_layout(
        lang,
        xaxis={"title": {"text": text("mem_home_kommun", lang)}, "side": "bottom"},
        yaxis={"autorange": "reversed"},
        # one row per office: the height follows, and office names need room
        height=max(220, 90 + 45 * len(matrix.index)),
        margin={"l": 180, "r": 10, "t": 10, "b": 60},
    )
    return figure([heatmap], layout)


def members_vs_target(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Active members per day as a line, the ramp-up member target as steps."""
    if frame.empty:
        return no_members(frame, lang)
    traces = _members_and_target(frame, lang)
    return figure(traces, _members_layout(frame["day"].tolist(), lang))


def _members_and_target(frame: pd.DataFrame, lang: str) -> list[dict]:
    days = frame["day"].to_numpy()
    return [
        {
            "type": "scatter",
            "x": days,
            "y": frame["members"].to_numpy(),
            "name": text("term_members", lang),
            "mode": "lines",
            "line": {"color": MEMBERS_COLOUR, "width": 2},
            "hovertemplate": "%{x|%Y-%m-%d}: %{y}<extra></extra>",
        },
        {
            "type": "scatter",
            "x": days,
            "y": frame["target"].to_numpy(),
            "name": text("mem_target", lang),
            "mode": "lines",
            "line": {"color": TARGET_COLOUR, "width": 2, "dash": "dash", "shape": "hv"},
            "hovertemplate": "%{x|%Y-%m-%d}: %{y}<extra></extra>",
        },
    ]


def members_vs_target_compare(
    frame: pd.DataFrame, previous: pd.DataFrame, lang: str = "sv"
) -> go.Figure:
    """Members against target, with the previous period's members as a grey
    dashed line laid on this period's days: its n-th day on this period's
    n-th (its own date in the hover), as far as this period goes."""
    if frame.empty or previous.empty:
        return members_vs_target(frame, lang)
    before = laid_on(
        previous.sort_values("day"),
        min(previous["day"]),
        min(frame["day"]),
        max(frame["day"]),
    )
    name = text("previous_period", lang)
    line = {
        "type": "scatter",
        "x": before["aligned_day"].tolist(),
        "y": before["members"].to_numpy(),
        "name": name,
        "mode": "lines",
        "line": {"color": PREVIOUS_COLOUR, "width": 1.5, "dash": "dot"},
        "customdata": [day.isoformat() for day in before["day"]],
        "hovertemplate": "%{customdata}: %{y}<extra>" + name + "</extra>",
    }
    traces = [*_members_and_target(frame, lang), line]
    return figure(traces, _members_layout(frame["day"].tolist(), lang))


def members_comparison(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Horizontal bars of members now, the member target as a red tick, per
    office (and the anonymous programme median, in grey, for users who see one
    office)."""
    if frame.empty:
        return no_members(frame, lang)
    labels = [
        text("mem_median", lang).format(n=row.offices)
        if row.kind == "median"
        else row.label
        for row in frame.itertuples()
    ]
    is_median = (frame["kind"] == "median").to_numpy()
    bars = {
        "type": "bar",
        "y": labels,
        "x": frame["members"].to_numpy(),
        "orientation": "h",
        "name": text("mem_members_now", lang),
        "marker": {
            "color": np.where(is_median, MEDIAN_COLOUR, MEMBERS_COLOUR).tolist()
        },
        "texttemplate": "%{x}",
        "textposition": "inside",
        "hovertemplate": "%{y}: %{x}<extra></extra>",
    }
    targets = {
        "type": "scatter",
        "y": labels,
        "x": frame["target_members"].to_numpy(),
        "name": text("mem_target", lang),
        "mode": "markers",
        "marker": {
            "symbol": "line-ns-open",
            "size": 26,
            "color": TARGET_COLOUR,
            "line": {"width": 3, "color": TARGET_COLOUR},
        },
        "hovertemplate": "%{y}: %{x}<extra>" + text("mem_target", lang) + "</extra>",
    }
    layout = common_layout(
        lang,
        margin={"l": 10},  # the office names sit in the automatic margin
        xaxis={"title": {"text": text("term_members", lang)}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return figure([bars, targets], layout)
