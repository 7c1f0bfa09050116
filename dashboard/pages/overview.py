"""Översikt: the offices in the user's scope (all of them for region users)."""

from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import access, database, formatting, queries
from dashboard.access import Scope

dash.register_page(
    __name__, path="/", name="Översikt", order=0, roles=("region", "kommun")
)


@access.page_layout
def layout(scope: Scope, **_query: str) -> html.Div:
    today = date.today()
    with database.read_session() as session:
        offices = queries.offices(session, scope, today)
        # kommun users compare with an anonymous median, never named neighbours
        median = (
            None
            if scope.all_offices
            else queries.programme_median(session, scope, today)
        )
    if offices.empty:
        return dbc.Alert(_no_offices_text(scope), color="info")
    rows = [_office_row(row) for row in offices.itertuples()]
    if median is not None:
        rows.append(_median_row(median))
    return html.Div(
        [
            html.H1("Översikt", className="h3"),
            dbc.Table(
                [_header(), html.Tbody(rows)],
                striped=True,
                hover=True,
                id="office-table",
            ),
        ]
    )


def _no_offices_text(scope: Scope) -> str:
    if scope.all_offices:
        return "No offices yet: add them to config.yaml and run 'pilotpuls db upgrade'."
    return "Inga kontor är kopplade till ditt konto."


def _header() -> html.Thead:
    return html.Thead(
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


def _office_row(row) -> html.Tr:
    return html.Tr(
        [
            html.Td(row.name),
            html.Td(row.kommun_name),
            html.Td(formatting.day(row.opened_on)),
            html.Td(formatting.number(row.seats), className="text-end"),
            html.Td(formatting.number(row.target_members), className="text-end"),
        ]
    )


def _median_row(median: dict) -> html.Tr:
    return html.Tr(
        [
            html.Td(f"Median för programmets {median['offices']} kontor", colSpan=3),
            html.Td(formatting.number(median["seats"]), className="text-end"),
            html.Td(formatting.number(median["target_members"]), className="text-end"),
        ],
        className="fst-italic",
        id="programme-median",
    )
