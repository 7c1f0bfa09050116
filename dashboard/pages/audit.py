"""Logg: the latest audit lines (sign-ins, refusals, user admin); region only."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import access, database, formatting, queries
from dashboard.access import Scope

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
    rows = [
        html.Tr(
            [
                html.Td(
                    formatting.local_time(line.at, config.timezone, config.language),
                    className="text-nowrap",
                ),
                html.Td(line.actor),
                html.Td(line.action),
                html.Td(line.detail),
                html.Td(line.ip),
            ]
        )
        for line in lines.itertuples()
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
