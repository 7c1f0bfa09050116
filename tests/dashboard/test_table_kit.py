"""Table panels: the rows written as plain dicts are what Dash's own html
components send, so the browser gets the same table."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
from dash._utils import to_json

from dashboard import table_kit


def test_a_text_table_sends_what_html_components_would():
    header = ["Kontor", "Filer"]
    rows = [["Figeholm", "1 234"], ["Boda", "–"]]
    components = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(name) for name in header])),
            html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows]),
        ],
        striped=True,
        hover=True,
        size="sm",
        responsive=True,
    )
    plain = table_kit.text_table(header, iter(rows))
    assert json.loads(to_json(plain)) == json.loads(to_json(components))


def test_render_formats_cells_and_says_when_rows_are_left_out():
    frame = pd.DataFrame(
        {"office": ["Figeholm", "Boda", "Kristvala"], "files": [1234, None, 2]}
    )
    shown = json.loads(
        to_json(
            table_kit.render(
                frame,
                "sv",
                {"office": "office", "files": "office"},
                "no_data",
                {"files": table_kit.count},
                limit=2,
            )
        )
    )
    text = json.dumps(shown, ensure_ascii=False)
    assert "1\u00a0234" in text and "–" in text and "Kristvala" not in text
    assert "de 2 senaste raderna" in text
