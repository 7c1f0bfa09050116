"""Figures for member surveys: NPS per office and over time, diverging bars.

The frames come from :mod:`dashboard.queries.satisfaction` already suppressed:
a hidden cell has a text such as "< 5" in ``respondents``/``answers`` and no
value. Here such a cell gets its label and no bar or point, never a zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import formatting
from dashboard.figures import PREVIOUS_COLOUR, common_layout, empty_figure, figure
from dashboard.i18n import add, text
from dashboard.queries.satisfaction import PROGRAMME_NAME
from dashboard.suppression import localise

add(
    {
        "sat_empty": (
            "Inga enkätsvar ännu för valda kontor och period — lägg en export från "
            "Google Forms eller Microsoft Forms i data/inbox/<kontor>/survey/.",
            "No survey answers yet for the chosen offices and period — put an export "
            "from Google Forms or Microsoft Forms in data/inbox/<office>/survey/.",
        ),
        "sat_respondents": ("svar", "respondents"),
        "sat_programme": ("Hela programmet", "Whole programme"),
        "sat_too_few": (
            "För få svar för att visas",
            "Too few respondents to be shown",
        ),
        "sat_negative": ("Missnöjd (1–2)", "Dissatisfied (1–2)"),
        "sat_neutral": ("Neutral (3)", "Neutral (3)"),
        "sat_positive": ("Nöjd (4–5)", "Satisfied (4–5)"),
        "sat_share": ("Andel svar", "Share of answers"),
        "sat_round": ("Enkätomgång", "Survey round"),
        "measure_networking": ("Nätverkande", "Networking"),
        "measure_belonging": ("Samhörighet", "Belonging"),
        "measure_atmosphere": ("Stämning", "Atmosphere"),
        "measure_inspiration": ("Inspiration", "Inspiration"),
        "measure_wifi": ("Wifi och uppkoppling", "Wifi and connection"),
        "measure_coffee": ("Kaffe och fika", "Coffee"),
        "measure_parking": ("Parkering", "Parking"),
        "measure_accessibility": ("Tillgänglighet", "Accessibility"),
        "measure_opening_hours": ("Öppettider", "Opening hours"),
    }
)

NPS_COLOUR = "#1f77b4"
PROGRAMME_COLOUR = "#555555"
HIDDEN_COLOUR = "#999999"
SHARE_COLOURS = {"negative": "#d6604d", "neutral": "#cccccc", "positive": "#4393c3"}
OFFICE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]


def round_label(key: str, lang: str = "sv") -> str:
    """'2025Q1' -> 'Q1 2025', as the period dropdown writes a quarter."""
    year, _, number = str(key).partition("Q")
    return f"Q{number} {year}" if number else str(key)


def office_name(name: object, lang: str = "sv") -> str:
    """An office's own name; the programme total row in the user's language."""
    return text("sat_programme", lang) if name == PROGRAMME_NAME else str(name)


def _named(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.assign(office=[office_name(n, lang) for n in frame["office"]])


def _hidden(value: object) -> bool:
    return isinstance(value, str)


def _respondents(value: object, lang: str) -> str:
    if _hidden(value):
        return localise(str(value), lang)
    return f"{formatting.number(value, lang)} {text('sat_respondents', lang)}"


# --- NPS per office -----------------------------------------------------------


def nps_by_office(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Horizontal bars, −100…+100; a hidden office shows its label, no bar."""
    if frame.empty:
        return empty_figure(text("sat_empty", lang), lang)
    return figure(*_nps_parts(frame, lang))


def _nps_parts(frame: pd.DataFrame, lang: str) -> tuple[list[dict], dict]:
    total = _is_total(PROGRAMME_NAME, frame)
    frame = _named(frame, lang)
    rows = frame.iloc[::-1]  # first office on top
    shown = rows[rows["nps"].notna()]
    colours = [
        PROGRAMME_COLOUR
        if total and name == office_name(PROGRAMME_NAME, lang)
        else NPS_COLOUR
        for name in shown["office"]
    ]
    bars = {
        "type": "bar",
        "x": shown["nps"].to_numpy(),
        "y": shown["office"].to_numpy(),
        "orientation": "h",
        "marker": {"color": colours},
        "text": [formatting.signed(v, lang) for v in shown["nps"]],
        "textposition": "outside",
        "customdata": [_respondents(v, lang) for v in shown["respondents"]],
        "hovertemplate": "%{y}: NPS %{text} (%{customdata})<extra></extra>",
        "showlegend": False,
    }
    layout = _sized(
        rows,
        lang,
        showlegend=False,
        xaxis={"range": [-105, 115], "zeroline": True, "title": {"text": "NPS"}},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(rows["office"]),
        },
    )
    hidden = rows[rows["nps"].isna()]
    return [bars], _with_hidden(layout, hidden, "office", lang)


def nps_by_office_compare(
    frame: pd.DataFrame, previous: pd.DataFrame, lang: str = "sv"
) -> go.Figure:
    """NPS per office with the previous period's as a grey mark on the same
    row; none where that was hidden or the office had no answers then."""
    if frame.empty:
        return nps_by_office(frame, lang)
    traces, layout = _nps_parts(frame, lang)
    if previous.empty:
        return figure(traces, layout)
    before = _named(previous, lang)
    offices = set(_named(frame, lang)["office"])
    kept = before[before["nps"].notna() & before["office"].isin(offices)]
    if kept.empty:
        return figure(traces, layout)
    name = text("previous_period", lang)
    marks = {
        "type": "scatter",
        "x": kept["nps"].to_numpy(),
        "y": kept["office"].to_numpy(),
        "name": name,
        "mode": "markers",
        "marker": {
            "symbol": "line-ns-open",
            "size": 22,
            "color": PREVIOUS_COLOUR,  # an open symbol is drawn in this colour
            "line": {"width": 3},
        },
        "customdata": [formatting.signed(v, lang) for v in kept["nps"]],
        "hovertemplate": "%{y}: NPS %{customdata}<extra>" + name + "</extra>",
    }
    return figure([*traces, marks], {**layout, "showlegend": True})


def _with_hidden(layout: dict, rows: pd.DataFrame, axis: str, lang: str) -> dict:
    """A grey label at zero where a bar would be: the cell exists but is hidden."""
    labels = []
    for row in rows.itertuples():
        value = getattr(row, "respondents", getattr(row, "answers", None))
        labels.append(
            {
                "x": 0,
                "y": getattr(row, axis),
                "text": localise(value, lang)
                if _hidden(value)
                else text("sat_too_few", lang),
                "hovertext": text("sat_too_few", lang),
                "showarrow": False,
                "font": {"color": HIDDEN_COLOUR},
            }
        )
    return {**layout, "annotations": labels} if labels else layout


# --- NPS over time --------------------------------------------------------------


def nps_trend(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """One line per office over the rounds; hidden rounds are gaps with a label."""
    if frame.empty:
        return empty_figure(text("sat_empty", lang), lang)
    total = (
        office_name(PROGRAMME_NAME, lang) if _is_total(PROGRAMME_NAME, frame) else None
    )
    frame = _named(frame, lang)
    rounds = sorted(frame["round"].unique())
    labels = [round_label(r, lang) for r in rounds]
    traces = []
    stack: dict[str, int] = {}  # hidden labels so far per round, to stack them
    # one pass over the rows instead of a filtered, reindexed frame per office
    by_office: dict[str, dict[str, tuple]] = {}
    for name, round_, nps, respondents in frame[
        ["office", "round", "nps", "respondents"]
    ].itertuples(index=False):
        by_office.setdefault(name, {})[round_] = (nps, respondents)
    for index, (name, own) in enumerate(by_office.items()):
        nps = [own.get(r, (np.nan,))[0] for r in rounds]
        respondents = [own[r][1] if r in own else np.nan for r in rounds]
        colour = PROGRAMME_COLOUR if name == total else OFFICE_COLOURS[index % 6]
        line = {"color": colour, "dash": "dash"} if name == total else {"color": colour}
        traces.append(
            {
                "type": "scatter",
                "x": labels,
                "y": np.array(nps, dtype=frame["nps"].dtype),
                "name": name,
                "mode": "lines+markers",
                "connectgaps": False,
                "line": line,
                "customdata": [
                    _respondents(v, lang) if isinstance(v, str | int) else ""
                    for v in respondents
                ],
                "hovertemplate": f"{name}: NPS %{{y:.0f}} (%{{customdata}})"
                "<extra></extra>",
            }
        )
        hidden = [
            (r, v) for r, v in zip(rounds, respondents, strict=True) if _hidden(v)
        ]
        if hidden:
            traces.append(_hidden_points(hidden, name, colour, stack, lang))
    layout = common_layout(
        lang,
        xaxis={"type": "category"},
        yaxis={"title": {"text": "NPS"}, "range": [-105, 105], "zeroline": True},
    )
    return figure(traces, layout)


def _hidden_points(
    hidden: list[tuple[str, str]],
    name: str,
    colour: str,
    stack: dict[str, int],
    lang: str,
) -> dict:
    """Hidden rounds (round, its label) as labelled markers along the bottom,
    stacked per round so several hidden offices in one round stay readable."""
    heights = []
    for round_, _ in hidden:
        heights.append(-95 + 15 * stack.get(round_, 0))
        stack[round_] = stack.get(round_, 0) + 1
    return {
        "type": "scatter",
        "x": [round_label(r, lang) for r, _ in hidden],
        "y": heights,
        "mode": "markers+text",
        "marker": {"symbol": "x-open", "color": colour, "size": 8},
        "text": [localise(v, lang) for _, v in hidden],
        "textposition": "middle right",
        "textfont": {"color": colour},
        "showlegend": False,
        "hovertemplate": f"{name}: {text('sat_too_few', lang)}<extra></extra>",
    }


def _is_total(name: str, frame: pd.DataFrame) -> bool:
    return name == PROGRAMME_NAME and frame["office"].nunique() > 1


# --- soft values and facilities ---------------------------------------------------


def diverging(frame: pd.DataFrame, lang: str = "sv") -> go.Figure:
    """Per measure: dissatisfied to the left, satisfied to the right, neutral
    centred on zero, so the balance of each measure reads at a glance."""
    if frame.empty:
        return empty_figure(text("sat_empty", lang), lang)
    rows = frame.iloc[::-1].assign(
        label=[text(f"measure_{m}", lang) for m in frame["measure"].iloc[::-1]]
    )
    shown = rows[rows["positive"].notna()]
    half = shown["neutral"].astype(float) / 2
    parts = {
        "negative": (-half - shown["negative"].astype(float), shown["negative"]),
        "neutral": (-half, shown["neutral"]),
        "positive": (half, shown["positive"]),
    }
    traces = []
    for part, (base, width) in parts.items():
        shares = [formatting.percent(v / 100, lang) for v in width]
        traces.append(
            {
                "type": "bar",
                "y": shown["label"].to_numpy(),
                "x": width.astype(float).to_numpy(),
                "base": base.tolist(),  # as the validator has it: a list
                "orientation": "h",
                "name": text(f"sat_{part}", lang),
                "marker": {"color": SHARE_COLOURS[part]},
                "customdata": shares,
                "hovertemplate": "%{y}: %{customdata}<extra>"
                + text(f"sat_{part}", lang)
                + "</extra>",
            }
        )
    ticks = [-100, -50, 0, 50, 100]
    layout = _sized(
        rows,
        lang,
        barmode="overlay",
        xaxis={
            "range": [-100, 100],
            "tickvals": ticks,
            "ticktext": [formatting.percent(abs(v) / 100, lang) for v in ticks],
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(rows["label"]),
        },
    )
    hidden = rows[rows["positive"].isna()]
    return figure(traces, _with_hidden(layout, hidden, "label", lang))


def _sized(
    rows: pd.DataFrame, lang: str, yaxis: dict[str, Any], **layout: Any
) -> dict[str, Any]:
    """The common layout, tall enough for every bar, with room on the left for
    long office names."""
    return common_layout(
        lang,
        height=max(240, 90 + 36 * len(rows)),
        margin={"l": 10, "r": 10, "t": 10},
        yaxis={**yaxis, "automargin": True},
        **layout,
    )
