"""Översikt: the offices of the programme."""

from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import database, formatting, queries

dash.register_page(__name__, path="/", name="Översikt", order=0)


def layout(**_query: str) -> html.Div:
    with database.read_session() as session:
        offices = queries.offices(session, date.today())
    if offices.empty:
        return dbc.Alert(
            "No offices yet: add them to config.yaml and run 'pilotpuls db upgrade'.",
            color="info",
        )
    rows = [
        html.Tr(
            [
                html.Td(row.name),
                html.Td(row.kommun_name),
                html.Td(formatting.day(row.opened_on)),
                html.Td(formatting.number(row.seats), className="text-end"),
                html.Td(formatting.number(row.target_members), className="text-end"),
            ]
        )
        for row in offices.itertuples()
    ]
    header = html.Thead(
        html.Tr(
            [
                html.Th("Kontor"),
                html.Th("Kommun"),
                html.Th("Öppnade"),
                html.Th("Platser nu", className="text-end"),
                html.Th("Medlemsmål", className="text-end"),
            ]
        )
    )
    return html.Div(
        [
            html.H1("Översikt", className="h3"),
            dbc.Table(
                [header, html.Tbody(rows)], striped=True, hover=True, id="office-table"
            ),
        ]
    )
