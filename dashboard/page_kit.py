"""What every data page does on load: read the filters, build the filter bar
and the panel cards. Pages only declare their panels."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from dashboard import database, queries
from dashboard.access import Scope
from dashboard.filters import parse_filters
from dashboard.i18n import text
from dashboard.panels import Panel, empty_state, filter_bar, panel_card


def first_day() -> date:
    from dashboard.access import current_scope

    with database.read_session() as session:
        return queries.first_day(session, current_scope())


def page(
    page_id: str,
    title: str,
    intro: str,
    panels: list[Panel],
    scope: Scope,
    query: dict[str, Any],
) -> html.Div:
    """A data page: heading, filter bar, then the panels in rows."""
    config = database.programme_config()
    filters = parse_filters(query, date.today(), config.language)
    if filters.offices:  # a shared link may name offices this user may not see
        filters = replace(filters, offices=tuple(scope.restrict(list(filters.offices))))
    lang = filters.lang
    with database.read_session() as session:
        options = queries.office_options(session, scope)
        start = queries.first_day(session, scope)
    if not options:
        return empty_state(text("no_offices", lang))
    return html.Div(
        [
            html.H1(text(title, lang), className="h3"),
            html.P(text(intro, lang), className="text-muted"),
            filter_bar(
                page_id,
                filters,
                options,
                start,
                date.today(),
                single_office=len(options) == 1,
                with_compare=any(panel.compare for panel in panels),
            ),
            dbc.Row([panel_card(panel, lang) for panel in panels], className="g-3"),
        ]
    )
