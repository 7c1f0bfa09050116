"""Logg: the latest audit lines (sign-ins, refusals, user admin); region only."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import access, database, formatting, queries
from dashboard.access import Scope
from dashboard.html_json import element

LINES_SHOWN = 200

dash.register_page(__name__, path="/logg", name="Logg", order=90, roles=("region",))


@access.page_layout
def layout(scope: Scope, **_query: str) -> html.Div:
    with database.read_session() as session:
        lines = queries.audit_lines(session, scope, limit=LINES_SHOWN)
    config = database.programme_config()
    header = html.Thead(
        html.Tr([html.Th(name) for name in ("Tid", "Vem", "Händelse", "Detalj", "IP")])
    )
    # plain elements: 200 rows of five cells (see dashboard.html_json)
    rows = [
        element(
            "Tr",
            [
                element(
                    "Td",
                    formatting.local_time(at, config.timezone, config.language),
                    className="text-nowrap",
                ),
                *(element("Td", cell) for cell in cells),
            ],
        )
        for at, *cells in lines.itertuples(index=False, name=None)
    ]
    return html.Div(
        [
            html.H1("Logg", className="h3"),
            html.P(f"De senaste {LINES_SHOWN} händelserna, nyast först."),
            dbc.Table(
                [header, html.Tbody(rows)],
                striped=True,
                size="sm",
                id="audit-table",
            ),
        ]
    )
