"""Ordlista: every metric's definition, the same words as the "?" beside each
chart. Read from the i18n strings when the page is opened, so terms that other
pages add at import are listed too."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
from dash import html

from dashboard import access, database, i18n
from dashboard.access import Scope
from dashboard.filters import parse_filters

dash.register_page(
    __name__,
    path="/ordlista",
    name="Ordlista",
    order=9,
    roles=("region", "kommun", "steering"),
)
i18n.add(
    {
        "glossary_title": ("Ordlista", "Glossary"),
        "glossary_intro": (
            "Så räknas varje mått i Pilotpuls. Samma text visas bakom ”?” vid "
            "diagrammen.",
            "How each measure in Pilotpuls is computed. The same text is behind the "
            "“?” beside the charts.",
        ),
    }
)


# å, ä, ö come after z in Swedish (Unicode puts ä before å)
_SWEDISH = str.maketrans({"å": "{", "ä": "|", "ö": "}"})


def entries(lang: str) -> list[tuple[str, str]]:
    """(term, definition) for every ``term_X`` that has a ``def_X``, by term."""
    keys = [k[len("term_") :] for k in i18n.STRINGS if k.startswith("term_")]
    pairs = [
        (i18n.text(f"term_{key}", lang), i18n.text(f"def_{key}", lang))
        for key in keys
        if f"def_{key}" in i18n.STRINGS
    ]
    return sorted(pairs, key=lambda pair: pair[0].casefold().translate(_SWEDISH))


@access.page_layout
def layout(scope: Scope, **query: Any) -> html.Div:
    lang = parse_filters(query, date.today(), database.programme_config().language).lang
    items = []
    for term, definition in entries(lang):
        items += [html.Dt(term), html.Dd(definition, className="mb-3")]
    return html.Div(
        [
            html.H1(i18n.text("glossary_title", lang), className="h3"),
            html.P(i18n.text("glossary_intro", lang), className="text-muted"),
            html.Dl(items, id="glossary"),
        ]
    )
