"""Översikt: one card per office against its own targets, and the office table.

Each figure on a card comes from the query module of the page that defines it
(Beläggning, Ekonomi, Nöjdhet), so a number here always equals the one there.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard import access, database, formatting, queries
from dashboard.access import Scope
from dashboard.filters import Period, month, quarter
from dashboard.html_json import element
from dashboard.i18n import add, text
from dashboard.overview_cards import OfficeFigures, office_card
from dashboard.queries import economy, occupancy, satisfaction
from dashboard.queries import overview as overview_queries

dash.register_page(
    __name__, path="/", name="Översikt", order=0, roles=("region", "kommun")
)
add(
    {
        "overview_title": ("Översikt", "Overview"),
        "overview_intro": (
            "Varje kontor mot sina egna mål enligt utbyggnadsplanen. Beläggning gäller "
            "innevarande månad, självfinansiering senaste hela kvartal och "
            "rekommendation senaste årets enkäter.",
            "Each office against its own targets from its ramp-up plan. Utilisation is "
            "for this month, self-financing for the last whole quarter and the "
            "recommend score for the last year's surveys.",
        ),
        "overview_table": ("Kontoren", "The offices"),
        "programme_median": (
            "Median för programmets {n} kontor",
            "Median of the programme's {n} offices",
        ),
    }
)


@access.page_layout
def layout(scope: Scope, lang: str | None = None, **_query: str) -> html.Div:
    lang = lang if lang in ("sv", "en") else database.programme_config().language
    today = date.today()
    with database.read_session() as session:
        offices = queries.offices(session, scope, today)
        if offices.empty:
            return dbc.Alert(text("no_offices", lang), color="info")
        cards = [
            office_card(figures, lang)
            for figures in _figures(session, scope, offices, today)
        ]
        # kommun users compare with an anonymous median, never named neighbours
        median = (
            None
            if scope.all_offices
            else queries.programme_median(session, scope, today)
        )
    rows = [_office_row(row, lang) for row in offices.itertuples()]
    if median is not None:
        rows.append(_median_row(median, lang))
    return html.Div(
        [
            html.H1(text("overview_title", lang), className="h3"),
            html.P(
                [
                    text("overview_intro", lang),
                    " ",
                    html.Small(text("status_rule", lang), className="text-muted"),
                ]
            ),
            dbc.Row(cards, className="g-3 mb-3"),
            html.H2(text("overview_table", lang), className="h5"),
            dbc.Table(
                [_header(lang), html.Tbody(rows)],
                striped=True,
                hover=True,
                id="office-table",
                size="sm",
            ),
        ]
    )


def _figures(
    session, scope: Scope, offices: pd.DataFrame, today: date
) -> list[OfficeFigures]:
    ids = list(offices.office_id)
    members = overview_queries.members_today(session, scope, today)
    used = overview_queries.utilisation_by_office(
        occupancy.occupancy(session, scope, ids, month(today)).days
    )
    last_quarter = quarter(quarter(today).start - timedelta(days=1))
    money = economy.quarter_rows(session, scope, ids, [last_quarter.key()], today)
    last_year = Period("custom", today - timedelta(days=365), today)
    nps = satisfaction.nps_by_office(session, scope, ids, last_year)
    imports: dict[str, dict] = {}  # office -> kind -> last import, in one pass
    for r in overview_queries.last_imports(session, scope).itertuples():
        imports.setdefault(r.office_id, {})[r.kind] = r.last_import
    member_count = _by_office(members, "office_id", "members")
    utilisation = _by_office(used, "office_id", "utilisation")
    target_utilisation = _by_office(used, "office_id", "target_utilisation")
    self_financing = _by_office(money, "office_id", "self_financing")
    nps_value = _by_office(nps, "office", "nps")
    # a text instead of a count: the office's cell is suppressed ("< 5")
    nps_note = {
        office: respondents
        for office, respondents in zip(nps["office"], nps["respondents"], strict=True)
        if isinstance(respondents, str)
    }
    return [
        OfficeFigures(
            office_id=row.office_id,
            name=row.name,
            kommun=row.kommun_name,
            members=member_count.get(row.office_id, 0),
            target_members=row.target_members,
            utilisation=utilisation.get(row.office_id),
            target_utilisation=target_utilisation.get(row.office_id),
            self_financing=self_financing.get(row.office_id),
            nps=nps_value.get(row.name),
            nps_note=nps_note.get(row.name, ""),
            last_imports=imports.get(row.office_id, {}),
        )
        for row in offices.itertuples()
    ]


def _by_office(frame: pd.DataFrame, key: str, column: str) -> dict[str, float]:
    """``column`` per office as floats, leaving out missing values."""
    if column not in frame.columns:
        return {}
    return {
        office: float(value)
        for office, value in zip(frame[key], frame[column], strict=True)
        if value is not None and not pd.isna(value)
    }


def _header(lang: str) -> html.Thead:
    sv = lang == "sv"
    names = (
        ["Kontor", "Kommun", "Öppnade", "Platser nu", "Medlemsmål"]
        if sv
        else ["Office", "Municipality", "Opened", "Seats now", "Member target"]
    )
    return html.Thead(
        html.Tr(
            [
                html.Th(n, className="text-end" if i > 2 else "")
                for i, n in enumerate(names)
            ]
        )
    )


def _office_row(row, lang: str) -> dict[str, Any]:
    # a plain element: one of 50 rows (see dashboard.html_json)
    return element(
        "Tr",
        [
            element("Td", row.name),
            element("Td", row.kommun_name),
            element("Td", formatting.day(row.opened_on, lang)),
            element("Td", formatting.number(row.seats, lang), className="text-end"),
            element(
                "Td",
                formatting.number(row.target_members, lang),
                className="text-end",
            ),
        ],
    )


def _median_row(median: dict, lang: str) -> html.Tr:
    return html.Tr(
        [
            html.Td(
                text("programme_median", lang).format(n=median["offices"]), colSpan=3
            ),
            html.Td(formatting.number(median["seats"], lang), className="text-end"),
            html.Td(
                formatting.number(median["target_members"], lang), className="text-end"
            ),
        ],
        className="fst-italic",
        id="programme-median",
    )
