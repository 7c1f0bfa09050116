"""Logg: the latest audit lines (sign-ins, refusals, user admin); region only."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import access, database, formatting, queries
from dashboard.access import Scope
from dashboard.filters import parse_filters
from dashboard.html_json import element
from dashboard.i18n import add, text

LINES_SHOWN = 200

dash.register_page(__name__, path="/logg", name="Logg", order=90, roles=("region",))
add(
    {
        "audit_intro": (
            "De senaste {n} händelserna, nyast först.",
            "The latest {n} events, newest first.",
        ),
        "audit_col_time": ("Tid", "Time"),
        "audit_col_who": ("Vem", "Who"),
        "audit_col_event": ("Händelse", "Event"),
        "audit_col_detail": ("Detalj", "Detail"),
        "audit_col_ip": ("IP", "IP"),
    }
)


@access.page_layout
def layout(scope: Scope, **query: Any) -> html.Div:
    config = database.programme_config()
    lang = parse_filters(query, date.today(), config.language).lang
    with database.read_session() as session:
        lines = queries.audit_lines(session, scope, limit=LINES_SHOWN)
    columns = ("time", "who", "event", "detail", "ip")
    header = html.Thead(
        html.Tr([html.Th(text(f"audit_col_{c}", lang)) for c in columns])
    )
    # plain elements: 200 rows of five cells (see dashboard.html_json)
    rows = [
        element(
            "Tr",
            [
                element(
                    "Td",
                    formatting.local_time(at, config.timezone, lang),
                    className="text-nowrap",
                ),
                *(element("Td", cell) for cell in cells),
            ],
        )
        for at, *cells in lines.itertuples(index=False, name=None)
    ]
    return html.Div(
        [
            html.H1(text("nav_audit", lang), className="h3"),
            html.P(text("audit_intro", lang).format(n=LINES_SHOWN)),
            dbc.Table(
                [header, html.Tbody(rows)],
                striped=True,
                size="sm",
                id="audit-table",
            ),
        ]
    )
