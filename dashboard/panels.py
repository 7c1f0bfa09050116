"""Filter bar and panels: the building blocks every page is made of.

A *panel* is one chart (or table) with its title, its definition ("?"), a line
on data completeness, and CSV/Excel downloads of the numbers behind it. A page
lists its panels and calls :func:`register`; that wires, for each panel:

- a figure callback: filter values -> ``Scope.restrict`` -> query -> figure;
- a download callback: the same query, sent as .xlsx or .csv (and audited).

The filter values a browser sends are only requests: the offices always pass
through the signed-in user's scope, and queries filter by the scope again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
import sqlalchemy.orm as so
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import database
from dashboard.access import Scope, audit, current_scope
from dashboard.filters import Filters, Period, parse_period, period_choices
from dashboard.i18n import text

Query = Callable[[so.Session, Scope, list[str], Period], pd.DataFrame]
FigureBuilder = Callable[[pd.DataFrame, str], go.Figure]
# (this period, the previous period of the same length, language) -> figure
CompareBuilder = Callable[[pd.DataFrame, pd.DataFrame, str], go.Figure]
Completeness = Callable[[so.Session, Scope, list[str], Period, str], str]


@dataclass(frozen=True)
class Panel:
    id: str
    title: str  # an i18n key
    definition: str  # an i18n key
    query: Query
    figure: FigureBuilder
    completeness: Completeness | None = None
    width: int = 12
    table: bool = False  # show the frame as a table instead of a chart
    compare: CompareBuilder | None = None  # used when "compare" is switched on
    # the period compared with (default: the one of the same kind just before)
    previous: Callable[[Period], Period] = Period.previous
    # table panels: frame -> what the card shows (default: the frame as is)
    render: Callable[[pd.DataFrame, str], Any] | None = None


# --- the filter bar ----------------------------------------------------------


def _ids(page: str) -> dict[str, str]:
    return {
        name: f"{page}-filter-{name}"
        for name in ("office", "kind", "at", "range", "compare", "url", "lang")
    }


def filter_bar(
    page: str,
    filters: Filters,
    office_options: list[dict[str, str]],
    first_day: date,
    today: date,
    single_office: bool = False,
    with_compare: bool = True,
) -> html.Div:
    """Office, period and compare controls, initialised from the URL; the
    compare switch hidden (``with_compare``) on a page none of whose panels
    can compare."""
    ids, lang = _ids(page), filters.lang
    kind = filters.period.kind
    office = dcc.Dropdown(
        id=ids["office"],
        options=office_options,
        value=list(filters.offices),
        multi=True,
        placeholder=text("all_offices", lang),
        disabled=single_office,
    )
    kinds = dbc.RadioItems(
        id=ids["kind"],
        inline=True,
        value=kind,
        options=[
            {"label": text(f"period_{k}", lang), "value": k}
            for k in ("month", "quarter", "year", "custom")
        ],
    )
    at_options = (
        period_choices(kind, first_day, today, lang) if kind != "custom" else []
    )
    at = dcc.Dropdown(
        id=ids["at"],
        options=at_options,
        clearable=False,
        value=filters.period.key() if kind != "custom" else None,
        style={"display": "none" if kind == "custom" else "block"},
    )
    custom = dcc.DatePickerRange(
        id=ids["range"],
        start_date=filters.period.start,
        end_date=filters.period.end,
        display_format="YYYY-MM-DD",
        first_day_of_week=1,
        style={"display": "block" if kind == "custom" else "none"},
    )
    compare = dbc.Switch(
        id=ids["compare"], value=filters.compare, label=text("compare_previous", lang)
    )
    return html.Div(
        [
            dcc.Location(id=ids["url"], refresh=False),
            dcc.Store(id=ids["lang"], data=lang),
            dbc.Row(
                [
                    dbc.Col([dbc.Label(text("office", lang)), office], md=4),
                    dbc.Col([dbc.Label(text("period", lang)), kinds], md=3),
                    dbc.Col([dbc.Label(" "), at, custom], md=3),
                    dbc.Col(
                        [dbc.Label(" "), compare],
                        md=2,
                        style=None if with_compare else {"display": "none"},
                    ),
                ],
                className="g-2",
            ),
        ],
        className="filter-bar border rounded p-2 mb-3 bg-light",
    )


def filter_inputs(page: str) -> list[Input]:
    ids = _ids(page)
    return [
        Input(ids["office"], "value"),
        Input(ids["kind"], "value"),
        Input(ids["at"], "value"),
        Input(ids["range"], "start_date"),
        Input(ids["range"], "end_date"),
        Input(ids["compare"], "value"),
        Input(ids["lang"], "data"),
    ]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def filters_from(values: tuple, today: date) -> Filters:
    """Filters from callback values; anything not of the expected type (a forged
    request) is ignored rather than trusted or allowed to crash the callback."""
    offices, kind, at, start, end, compare, lang = values
    offices = (
        [o for o in offices if isinstance(o, str)] if isinstance(offices, list) else []
    )
    period = parse_period(_text(kind), _text(at), _text(start), _text(end), today)
    lang = lang if lang in ("sv", "en") else "sv"
    return Filters(tuple(offices), period, compare is True, lang)


def register_filter_bar(page: str, first_day: Callable[[], date]) -> None:
    """Keep the URL and the period dropdown in step with the controls."""
    ids = _ids(page)

    @callback(
        Output(ids["url"], "search"),
        Output(ids["at"], "options"),
        Output(ids["at"], "style"),
        Output(ids["range"], "style"),
        *filter_inputs(page),
        prevent_initial_call=True,
    )
    def sync(*values: Any):
        today = date.today()
        filters = filters_from(values, today)
        if filters.offices:  # the URL only ever names offices the user may see
            allowed = current_scope().restrict(list(filters.offices))
            filters = replace(filters, offices=tuple(allowed))
        custom = filters.period.kind == "custom"
        options = (
            []
            if custom
            else period_choices(filters.period.kind, first_day(), today, filters.lang)
        )
        return (
            filters.query_string(),
            options,
            {"display": "none" if custom else "block"},
            {"display": "block" if custom else "none"},
        )


# --- panels ------------------------------------------------------------------


def _panel_ids(panel: Panel) -> dict[str, str]:
    return {
        name: f"{panel.id}-{name}"
        for name in (
            "graph",
            "table",
            "completeness",
            "xlsx",
            "csv",
            "download",
            "help",
        )
    }


def panel_card(panel: Panel, lang: str) -> dbc.Col:
    ids = _panel_ids(panel)
    body = (
        html.Div(id=ids["table"])
        if panel.table
        else dcc.Loading(
            dcc.Graph(id=ids["graph"], config={"displaylogo": False, "locale": lang})
        )
    )
    header = html.Div(
        [
            html.H2(text(panel.title, lang), className="h6 mb-0 me-2"),
            html.Span(
                "?",
                id=ids["help"],
                className="badge rounded-pill bg-secondary",
                style={"cursor": "help"},
                tabIndex=0,
            ),
            dbc.Popover(
                text(panel.definition, lang),
                target=ids["help"],
                trigger="hover focus",
                body=True,
            ),
        ],
        className="d-flex align-items-center",
    )
    footer = html.Div(
        [
            html.Small(id=ids["completeness"], className="text-muted me-auto"),
            dbc.Button(
                text("download_excel", lang), id=ids["xlsx"], size="sm", color="link"
            ),
            dbc.Button(
                text("download_csv", lang), id=ids["csv"], size="sm", color="link"
            ),
            dcc.Download(id=ids["download"]),
        ],
        className="d-flex align-items-center",
    )
    return dbc.Col(
        dbc.Card(
            [dbc.CardHeader(header), dbc.CardBody(body), dbc.CardFooter(footer)],
            className="mb-3 h-100",
        ),
        lg=panel.width,
    )


def _data(panel: Panel, filters: Filters) -> tuple[pd.DataFrame, str, Scope]:
    scope = current_scope()
    offices = scope.restrict(list(filters.offices) or None)
    # the future has no data: a period reaching past today stops today
    period = replace(filters.period, end=min(filters.period.end, date.today()))
    with database.read_session() as session:
        frame = panel.query(session, scope, offices, period)
        note = (
            panel.completeness(session, scope, offices, period, filters.lang)
            if panel.completeness
            else ""
        )
    return frame, note, scope


def register(page: str, panels: list[Panel], first_day: Callable[[], date]) -> None:
    """Wire the filter bar and every panel's figure and download callbacks."""
    register_filter_bar(page, first_day)
    for panel in panels:
        _register_panel(page, panel)


def _register_panel(page: str, panel: Panel) -> None:
    ids = _panel_ids(panel)
    target = (
        Output(ids["table"], "children")
        if panel.table
        else Output(ids["graph"], "figure")
    )

    @callback(target, Output(ids["completeness"], "children"), *filter_inputs(page))
    def show(*values: Any):
        filters = filters_from(values, date.today())
        frame, note, _ = _data(panel, filters)
        if filters.compare and panel.compare is None:
            # the switch is on for the page: say why this panel looks the same
            not_here = text("compare_not_here", filters.lang)
            note = f"{note} · {not_here}" if note else not_here
        if panel.table:
            return (panel.render or table)(frame, filters.lang), note
        if filters.compare and panel.compare is not None:
            before = replace(filters, period=panel.previous(filters.period))
            previous, _, _ = _data(panel, before)
            return panel.compare(frame, previous, filters.lang), note
        return panel.figure(frame, filters.lang), note

    @callback(
        Output(ids["download"], "data"),
        Input(ids["xlsx"], "n_clicks"),
        Input(ids["csv"], "n_clicks"),
        *[State(i.component_id, i.component_property) for i in filter_inputs(page)],
        prevent_initial_call=True,
    )
    def download(xlsx_clicks, csv_clicks, *values: Any):
        from dash import ctx

        if not ctx.triggered_id:
            return no_update
        filters = filters_from(values, date.today())
        frame, _, _ = _data(panel, filters)
        name = f"{panel.id}-{filters.period.key()}"
        audit("export", f"{name} ({len(frame)} rows)")
        if ctx.triggered_id == ids["csv"]:
            return dcc.send_data_frame(
                frame.to_csv, f"{name}.csv", index=False, encoding="utf-8-sig"
            )
        return dcc.send_data_frame(
            frame.to_excel, f"{name}.xlsx", index=False, sheet_name=panel.id[:31]
        )


def table(frame: pd.DataFrame, lang: str) -> Any:
    if frame.empty:
        return empty_state(text("no_data", lang))
    return dbc.Table.from_dataframe(
        frame, striped=True, hover=True, size="sm", responsive=True
    )


def empty_state(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="light", className="text-muted mb-0")
