"""Tables for table panels: translated headers, Swedish number and date formats,
an empty state that says what to do, and a bounded number of rows.

The frame a panel's query returns is also its download, so it keeps plain
column names and raw values; :func:`render` only changes what is shown. Cells
are plain text: nothing is ever rendered as HTML or Markdown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard import formatting, suppression
from dashboard.html_json import element
from dashboard.i18n import add, text
from dashboard.panels import empty_state

add(
    {
        "table_limited": (
            "Tabellen visar de {shown} senaste raderna; Excel och CSV innehåller alla.",
            "The table shows the latest {shown} rows; Excel and CSV hold them all.",
        )
    }
)
Format = Callable[[Any, str], str]


def render(
    frame: pd.DataFrame,
    lang: str,
    columns: Mapping[str, str],
    empty: str,
    formats: Mapping[str, Format] | None = None,
    limit: int | None = None,
) -> Any:
    """Show ``columns`` (column -> i18n key) of ``frame``, formatted per column."""
    if frame.empty:
        return empty_state(text(empty, lang))
    formats = formats or {}
    shown = frame.head(limit) if limit else frame
    cell_formats = [formats.get(c) for c in columns]
    rows = (
        [
            _cell(value, form, lang)
            for value, form in zip(row, cell_formats, strict=True)
        ]
        for row in shown[list(columns)].itertuples(index=False, name=None)
    )
    parts: list[Any] = [text_table([text(key, lang) for key in columns.values()], rows)]
    if limit and len(frame) > limit:
        parts.append(html.Small(text("table_limited", lang).format(shown=limit)))
    return html.Div(parts)


def text_table(header: list[str], rows: Iterable[Iterable[str]]) -> dbc.Table:
    """A striped Bootstrap table of text cells under a header row (its rows as
    plain elements: see :mod:`dashboard.html_json`)."""
    head = element("Thead", element("Tr", [element("Th", h) for h in header]))
    lines = [element("Tr", [element("Td", cell) for cell in row]) for row in rows]
    body = element("Tbody", lines)
    return dbc.Table([head, body], striped=True, hover=True, size="sm", responsive=True)


def _cell(value: Any, format_: Format | None, lang: str) -> str:
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return "–"
    return format_(value, lang) if format_ else str(value)


def count(value: Any, lang: str) -> str:
    """A number, or the suppression label ("< 5", "dold") that replaced it."""
    if isinstance(value, str):
        return suppression.localise(value, lang)
    return formatting.number(value, lang)
