"""Figures for the economy page: revenue against plan, planned costs, subsidy per
funder, the self-financing ratio and the path to the end of the start phase.

Money is drawn in tkr (thousand kronor) where axes are tight, and shown in full
("1 234 567 kr") on hover. Quarters read "Q3 2025"; the quarter in progress has
a star ("Q4 2026*"): counted until today, with its plan scaled to the days passed.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import formatting
from dashboard.figures import PREVIOUS_COLOUR, common_layout, empty_figure, figure
from dashboard.i18n import add, text

add(
    {
        "eco_empty": (
            "Ingen ekonomi att visa för {offices} under perioden — planen "
            "(revenue_plan, cost_plan, subsidy_plan) läggs i config.yaml och "
            "intäkterna kommer från medlemsregistret och bokningarna "
            "(data/inbox/<kontor>/members/ och bookings/).",
            "No economy to show for {offices} in the period — the plan "
            "(revenue_plan, cost_plan, subsidy_plan) goes in config.yaml and revenue "
            "comes from the member register and bookings "
            "(data/inbox/<office>/members/ and bookings/).",
        ),
        "eco_chosen_offices": ("de valda kontoren", "the chosen offices"),
        "eco_tkr": ("tkr", "SEK thousand"),
        "eco_fees": ("Medlemsavgifter", "Membership fees"),
        "eco_bookings": ("Bokningsavgifter", "Booking charges"),
        "eco_revenue_plan": ("Intäktsplan", "Revenue plan"),
        "eco_planned": ("plan", "plan"),
        "eco_used": ("använt", "used"),
        "eco_ratio": ("Självfinansieringsgrad", "Self-financing ratio"),
        "eco_expected": ("{office} – egen plan", "{office} – own plan"),
        "eco_full": (
            "100 % = självfinansierat (målet för efterfrågestyrda)",
            "100 % = self-financed (the goal for demand-driven offices)",
        ),
        "eco_remaining_plan": (
            "Kvar av planerat stöd enligt plan",
            "Planned subsidy left, by plan",
        ),
        "eco_remaining_actual": (
            "Kvar av planerat stöd efter utfall",
            "Planned subsidy left, after actuals",
        ),
        "eco_projection": (
            "Prognos (linjär, senaste fyra kvartalen)",
            "Projection (linear, last four quarters)",
        ),
        "eco_phase_end": ("Startfasen slutar {day}", "Start phase ends {day}"),
        "eco_projected_end": (
            "Prognos vid startfasens slut: {ratio}",
            "Projected at the start phase's end: {ratio}",
        ),
        "steering_demand_driven": ("Efterfrågestyrda", "Demand-driven"),
        "steering_compensation_driven": ("Kompensationsstyrda", "Compensation-driven"),
        "cost_rent": ("Hyra", "Rent"),
        "cost_operation": ("Drift (el, värme)", "Operation (power, heating)"),
        "cost_consumables": ("Förbrukning", "Consumables"),
        "cost_reception": ("Reception", "Reception"),
        "cost_cleaning": ("Städning", "Cleaning"),
        "cost_security": ("Larm och säkerhet", "Alarm and security"),
        "cost_other": ("Övrigt", "Other"),
        "funder_region": ("Regionen", "The region"),
        "funder_kommun": ("Kommunen", "The municipality"),
        "funder_leader": ("LEADER", "LEADER"),
        "funder_": ("Utan stödplan", "No subsidy plan"),
    }
)

FEES_COLOUR = "#1f77b4"
BOOKINGS_COLOUR = "#9ecae1"
PLAN_COLOUR = "#d62728"
COST_COLOURS = {
    "rent": "#3b4cc0",
    "operation": "#6f92f3",
    "consumables": "#aac7fd",
    "reception": "#f7b89c",
    "cleaning": "#e7745b",
    "security": "#b40426",
    "other": "#bbbbbb",
}
FUNDER_COLOURS = ("#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#7f7f7f")
# offices of one steering model share a colour family, so the model reads at once
STEERING_COLOURS = {
    "demand_driven": ("#1f77b4", "#08519c", "#6baed6", "#2171b5", "#4292c6"),
    "compensation_driven": ("#ff7f0e", "#a63603", "#fdae6b", "#d94801", "#f16913"),
}


# --- labels -----------------------------------------------------------------


def quarter_text(label: str, partial: bool = False) -> str:
    """``2025Q3`` -> ``Q3 2025`` (``*`` for the quarter in progress)."""
    year, number = label.split("Q")
    return f"Q{number} {year}" + ("*" if partial else "")


def _keyed(prefix: str, value: str, lang: str) -> str:
    label = text(f"{prefix}_{value}", lang)
    return value if label == f"{prefix}_{value}" else label


def money(value: float | None, lang: str = "sv") -> str:
    """Full kronor for hover texts; a dash for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return formatting.kr(value, lang)


def ratio_text(value: float | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return formatting.percent(value, lang)


def no_economy(frame: pd.DataFrame, lang: str) -> go.Figure:
    names = frame.attrs.get("offices") or [text("eco_chosen_offices", lang)]
    message = text("eco_empty", lang).format(offices=", ".join(names))
    return empty_figure(message, lang)


def _quarter_axis(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The quarters in order, and their labels (a star on one in progress)."""
    partial = frame.groupby("quarter")["partial"].any().sort_index()
    return list(partial.index), [quarter_text(q, p) for q, p in partial.items()]


def _sums(frame: pd.DataFrame, columns: list[str], quarters: list[str]) -> pd.DataFrame:
    """Per quarter, summed over offices; NaN where no office has a value."""
    return (
        frame.groupby("quarter")[columns]
        .sum(min_count=1)
        .reindex(quarters)
        .astype(float)
    )


def _money_layout(lang: str, **layout: Any) -> dict[str, Any]:
    return common_layout(
        lang,
        yaxis={"title": {"text": text("eco_tkr", lang)}, "rangemode": "tozero"},
        **layout,
    )


def _bar(
    x: list[str], values: pd.Series, name: str, colour: str, lang: str, **style: Any
) -> dict[str, Any]:
    """Bars in tkr, with full kronor in the hover."""
    return {
        "type": "bar",
        "x": x,
        "y": (values / 1000).to_numpy(),
        "name": name,
        "marker": {"color": colour},
        "customdata": [money(v, lang) for v in values],
        "hovertemplate": "%{x}: %{customdata}<extra>" + name + "</extra>",
        **style,
    }


# --- figures ------------------------------------------------------------------


def revenue_vs_plan(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Stacked bars of fees and booking charges per quarter; the plan as a line."""
    if frame.empty:
        return no_economy(frame, lang)
    return figure(_revenue_traces(frame, lang), _money_layout(lang, barmode="stack"))


def _revenue_traces(frame: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    quarters, x = _quarter_axis(frame)
    columns = ["membership_revenue", "booking_revenue", "revenue_plan"]
    sums = _sums(frame, columns, quarters)
    fees, bookings, plan = (sums[column] for column in columns)
    name = text("eco_revenue_plan", lang)
    plan_line = {
        "type": "scatter",
        "x": x,
        "y": (plan / 1000).to_numpy(),
        "name": name,
        "mode": "lines+markers",
        "line": {"color": PLAN_COLOUR, "dash": "dash"},
        "customdata": [money(v, lang) for v in plan],
        "hovertemplate": "%{x}: %{customdata}<extra>" + name + "</extra>",
    }
    return [
        _bar(x, fees, text("eco_fees", lang), FEES_COLOUR, lang),
        _bar(x, bookings, text("eco_bookings", lang), BOOKINGS_COLOUR, lang),
        plan_line,
    ]


def revenue_compare(
    frame: pd.DataFrame, previous: pd.DataFrame, lang: str = "sv"
) -> go.Figure:
    """The revenue chart with the previous quarters' revenue as grey diamonds,
    matched by position: the previous period's n-th quarter on this period's
    n-th (its own quarter and amount in the hover)."""
    if frame.empty or previous.empty:
        return revenue_vs_plan(frame, lang)
    _, x = _quarter_axis(frame)
    quarters, labels = _quarter_axis(previous)
    before = _sums(previous, ["revenue"], quarters)["revenue"]
    shown = min(len(x), len(before))
    name = text("previous_period", lang)
    diamonds = {
        "type": "scatter",
        "x": x[:shown],
        "y": (before[:shown] / 1000).to_numpy(),
        "name": name,
        "mode": "markers",
        "marker": {"symbol": "diamond", "size": 11, "color": PREVIOUS_COLOUR},
        "customdata": [
            f"{label}: {money(value, lang)}"
            for label, value in zip(labels[:shown], before[:shown], strict=True)
        ],
        "hovertemplate": "%{customdata}<extra>" + name + "</extra>",
    }
    traces = [*_revenue_traces(frame, lang), diamonds]
    return figure(traces, _money_layout(lang, barmode="stack"))


def costs_by_category(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Planned costs per quarter, stacked by category."""
    if frame.empty:
        return no_economy(frame, lang)
    quarters, x = _quarter_axis(frame)
    # per quarter, a column per category (NaN where it has no line)
    amounts = (
        frame.groupby(["quarter", "category"])["amount"]
        .sum(min_count=1)
        .unstack()
        .reindex(quarters)
    )
    traces = []
    for category in [c for c in COST_COLOURS if c in set(frame.category)] + sorted(
        set(frame.category) - set(COST_COLOURS)
    ):
        traces.append(
            _bar(
                x,
                amounts[category].astype(float),
                _keyed("cost", category, lang),
                COST_COLOURS.get(category, "#999"),
                lang,
            )
        )
    return figure(traces, _money_layout(lang, barmode="stack"))


def subsidy_by_funder(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Per quarter two stacks side by side: planned subsidy per funder (light)
    and subsidy used per funder (solid)."""
    if frame.empty:
        return no_economy(frame, lang)
    quarters, x = _quarter_axis(frame)
    funders = sorted(set(frame.funder), key=lambda f: (f == "", f))
    # one grouping for every funder's bars, not one per bar
    sums = frame.groupby(["funder", "quarter"])[["planned", "used"]].sum(min_count=1)
    traces = []
    for index, funder in enumerate(funders):
        own = sums.loc[funder]
        colour = FUNDER_COLOURS[index % len(FUNDER_COLOURS)]
        name = _keyed("funder", funder, lang)
        for column, group, opacity in (("planned", "plan", 0.35), ("used", "used", 1)):
            label = f"{name} – {text(f'eco_{column}', lang)}"
            # a funder with no line in a quarter has 0 planned: a NaN would
            # break the stack it sits in
            values = own[column].reindex(quarters).astype(float)
            values[~values.index.isin(own.index)] = 0.0
            traces.append(
                _bar(
                    x,
                    values,
                    label,
                    colour,
                    lang,
                    offsetgroup=group,
                    legendgroup=funder,
                    opacity=opacity,
                )
            )
    return figure(traces, _money_layout(lang, barmode="relative"))


def _office_colours(frame: pd.DataFrame) -> dict[str, str]:
    colours = {}
    for model, rows in frame.groupby("steering_model"):
        palette = STEERING_COLOURS.get(model, ("#7f7f7f",))
        for index, office in enumerate(sorted(set(rows.office))):
            colours[office] = palette[index % len(palette)]
    return colours


def _office_rows(frame: pd.DataFrame):
    """((steering model, office), {column: list of values}) per office, in the
    frame's order: one pass over plain values instead of a frame per office."""
    columns = ["quarter", "self_financing", "plan_ratio"]
    grouped: dict[tuple[str, str], dict[str, list]] = {}
    for model, office, *values in frame[
        ["steering_model", "office", *columns]
    ].itertuples(index=False):
        rows = grouped.setdefault((model, office), {c: [] for c in columns})
        for column, value in zip(columns, values, strict=True):
            rows[column].append(value)
    return grouped.items()


def _ratio_trace(
    x: list[str], ratios: list[float], name: str, lang: str, **style: Any
) -> dict[str, Any]:
    """A line of ratios per quarter, in % on the axis and as text in the hover."""
    return {
        "type": "scatter",
        "x": x,
        "y": [ratio * 100 for ratio in ratios],
        "name": name,
        "mode": "lines+markers",
        "customdata": [ratio_text(ratio, lang) for ratio in ratios],
        "hovertemplate": "%{x}: %{customdata}<extra>" + name + "</extra>",
        **style,
    }


def self_financing(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Revenue ÷ cost per office and quarter, against each office's expectation.

    Demand-driven offices (blues) are held to 100 % self-financing; a
    compensation-driven office (oranges) to its own revenue plan, drawn as a
    dotted line (planned revenue ÷ planned cost).
    """
    if frame.empty:
        return no_economy(frame, lang)
    quarters, x = _quarter_axis(frame)
    labels = dict(zip(quarters, x, strict=True))
    colours = _office_colours(frame)
    ordered = frame.sort_values(["steering_model", "office", "quarter"])
    traces = []
    # plain lists per office: one trace each, 50 offices make 50 of them, and
    # pandas objects would be converted once per trace
    for (model, office), rows in _office_rows(ordered):
        group = {
            "legendgroup": model,
            "legendgrouptitle": {"text": _keyed("steering", model, lang)},
        }
        quarter_labels = [labels[q] for q in rows["quarter"]]
        traces.append(
            _ratio_trace(
                quarter_labels,
                rows["self_financing"],
                office,
                lang,
                line={"color": colours[office], "width": 2},
                **group,
            )
        )
        if model == "compensation_driven":
            traces.append(
                _ratio_trace(
                    quarter_labels,
                    rows["plan_ratio"],
                    text("eco_expected", lang).format(office=office),
                    lang,
                    marker={"size": 5, "symbol": "diamond-open"},
                    line={"color": colours[office], "width": 1.5, "dash": "dot"},
                    **group,
                )
            )
    layout = common_layout(
        lang,
        xaxis={"categoryorder": "array", "categoryarray": x, "type": "category"},
        yaxis={
            "title": {"text": text("eco_ratio", lang)},
            "ticksuffix": " %",
            "rangemode": "tozero",
        },
    )
    if (frame.steering_model == "demand_driven").any():
        line, note = _full_line(lang)
        layout.update(shapes=[line], annotations=[note])
    return figure(traces, layout)


def _full_line(lang: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The 100 % line across the plot and its note above its left end: the
    shape and annotation ``add_hline(annotation_position="top left")`` makes."""
    line = {
        "type": "line",
        "xref": "x domain",
        "yref": "y",
        "x0": 0,
        "x1": 1,
        "y0": 100,
        "y1": 100,
        "line": {"color": "#555", "dash": "dash", "width": 1},
    }
    note = {
        "text": text("eco_full", lang),
        "showarrow": False,
        "font": {"size": 11},
        "xref": "x domain",
        "yref": "y",
        "x": 0,
        "xanchor": "left",
        "y": 100,
        "yanchor": "bottom",
    }
    return line, note


def self_financing_path(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """The planned subsidy left per quarter (bars, tkr, left) and the
    self-financing ratio with its projection to the start phase's end (right)."""
    if frame.empty:
        return no_economy(frame, lang)
    x = [quarter_text(q) for q in frame.quarter]
    traces = [
        _bar(
            x,
            frame.remaining_plan,
            text("eco_remaining_plan", lang),
            "#c6dbef",
            lang,
        ),
        _bar(
            x,
            frame.remaining_actual,
            text("eco_remaining_actual", lang),
            "#2171b5",
            lang,
        ),
        *_ratio_lines(frame, x, lang),
    ]
    layout = common_layout(
        lang,
        barmode="group",
        xaxis={"type": "category"},
        yaxis={"title": {"text": text("eco_tkr", lang)}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": text("eco_ratio", lang)},
            "overlaying": "y",
            "side": "right",
            "ticksuffix": " %",
            "rangemode": "tozero",
            "showgrid": False,
        },
    )
    end = frame.attrs.get("start_phase_end")
    if isinstance(end, date):
        line, note = _phase_end(frame, end, lang)
        layout.update(shapes=[line], annotations=[note])
    return figure(traces, layout)


def _ratio_lines(frame: pd.DataFrame, x: list[str], lang: str) -> list[dict]:
    """The self-financing ratio and its projection, on the right axis."""
    lines = []
    for column, style in (
        ("self_financing", {"color": "#ff7f0e", "width": 2.5}),
        ("projection", {"color": "#ff7f0e", "width": 2, "dash": "dash"}),
    ):
        name = text(
            "eco_ratio" if column == "self_financing" else "eco_projection", lang
        )
        lines.append(
            {
                "type": "scatter",
                "x": x,
                "y": (frame[column] * 100).to_numpy(),
                "name": name,
                "yaxis": "y2",
                "mode": "lines+markers" if column == "self_financing" else "lines",
                "line": style,
                "customdata": [ratio_text(v, lang) for v in frame[column]],
                "hovertemplate": "%{x}: %{customdata}<extra>" + name + "</extra>",
            }
        )
    return lines


def _phase_end(
    frame: pd.DataFrame, end: date, lang: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A line after the start phase's last quarter, with the projected ratio
    below its left side: the shape and annotation ``add_vline`` makes with
    ``annotation_position="bottom left"``."""
    x = len(frame) - 1 + 0.45
    label = text("eco_phase_end", lang).format(day=formatting.day(end, lang))
    projected = frame.projection.iloc[-1]
    if not np.isnan(projected):
        label += "<br>" + text("eco_projected_end", lang).format(
            ratio=ratio_text(projected, lang)
        )
    line = {
        "type": "line",
        "xref": "x",
        "yref": "y domain",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": "#555", "dash": "dot", "width": 1},
    }
    note = {
        "text": label,
        "showarrow": False,
        "align": "right",
        "font": {"size": 11},
        "xref": "x",
        "yref": "y domain",
        "x": x,
        "xanchor": "right",
        "y": 0,
        "yanchor": "bottom",
    }
    return line, note
