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
    """A striped Bootstrap table of text cells under a header row."""
    head = _element("Thead", _element("Tr", [_element("Th", h) for h in header]))
    lines = [_element("Tr", [_element("Td", cell) for cell in row]) for row in rows]
    body = _element("Tbody", lines)
    return dbc.Table([head, body], striped=True, hover=True, size="sm", responsive=True)


def _element(tag: str, children: Any) -> dict[str, Any]:
    """An html element in the JSON form Dash sends for ``html.<tag>(children)``.

    Table cells are written this way rather than as component objects: Dash
    spends ~40 µs creating and serialising each one, so a 100-row table took
    40 ms, and 1 ms as these dicts (the same JSON; tests compare the two).
    """
    return {
        "type": tag,
        "namespace": "dash_html_components",
        "props": {"children": children},
    }


def _cell(value: Any, format_: Format | None, lang: str) -> str:
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return "–"
    return format_(value, lang) if format_ else str(value)


def count(value: Any, lang: str) -> str:
    """A number, or the suppression label ("< 5", "dold") that replaced it."""
    if isinstance(value, str):
        return suppression.localise(value, lang)
    return formatting.number(value, lang)
