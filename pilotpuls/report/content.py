"""What a quarterly report holds, independent of how it is shown.

A :class:`ScopeReport` is the frozen figures of one office (or of the whole
programme) for one quarter: key figures, tables and the definitions behind
them. It is stored as JSON in ``report_snapshot.figures`` and read back
unchanged, so the page, the PDF and the Excel file of a version always show
the same numbers. A :class:`ReportDocument` bundles the sections of one export
with the version's metadata and the region's comments.

Cell values are plain JSON: numbers in kronor, fractions for percentages,
``None`` for "no data" and a string such as ``"< 5"`` for a hidden cell.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from babel.numbers import format_decimal

KINDS = ("text", "int", "kr", "percent", "decimal", "area", "date")
NO_DATA = "–"
LOCALE = "sv_SE"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""

    def to_frame(self) -> pd.DataFrame:
        """The rows as a frame; numeric columns as floats, so gaps are NaN and a
        hidden cell ("< 5") is NaN too (charts never draw it)."""
        frame = pd.DataFrame(self.rows, columns=[c.key for c in self.columns])
        for column in self.columns:
            if column.kind not in ("text", "date"):
                frame[column.key] = pd.to_numeric(frame[column.key], errors="coerce")
        return frame

    def row_label(self, row: dict[str, Any]) -> str:
        """A row is known by its first column (a month, a funder, a party…)."""
        return str(row.get(self.columns[0].key, ""))


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str
    value: float | str | None
    kind: str
    target: float | None = None
    target_label: str = "mål"


@dataclass(frozen=True)
class ScopeReport:
    quarter: str
    scope: str  # an office id, or "programme"
    title: str
    subtitle: str
    period_start: str  # ISO dates
    period_end: str
    key_figures: list[KeyFigure]
    tables: list[Table]
    definitions: list[tuple[str, str]] = field(default_factory=list)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)

    def to_json(self) -> dict[str, Any]:
        return _clean(asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScopeReport:
        return cls(
            quarter=data["quarter"],
            scope=data["scope"],
            title=data["title"],
            subtitle=data["subtitle"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            key_figures=[KeyFigure(**k) for k in data["key_figures"]],
            tables=[
                Table(
                    key=t["key"],
                    title=t["title"],
                    columns=[Column(**c) for c in t["columns"]],
                    rows=t["rows"],
                    note=t.get("note", ""),
                )
                for t in data["tables"]
            ],
            definitions=[tuple(d) for d in data.get("definitions", [])],
        )


@dataclass(frozen=True)
class Section:
    """One scope's figures in an export, with the region's texts for it."""

    report: ScopeReport
    comments: str = ""
    actions: str = ""


@dataclass(frozen=True)
class ReportDocument:
    quarter: str
    version: int
    status: str  # draft | published
    cutoff_at: datetime  # UTC; also the export's creation date
    published_at: datetime | None
    programme_name: str
    sections: list[Section]

    @property
    def title(self) -> str:
        scope = self.sections[0].report.title if len(self.sections) == 1 else ""
        return f"Kvartalsrapport {self.quarter}" + (f" – {scope}" if scope else "")


# --- JSON --------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """JSON-safe values with float noise rounded away (NaN → None), so that a
    recomputation with the same data compares equal."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    raise TypeError(f"cannot store {value!r} ({type(value).__name__}) in a report")


# --- how a cell reads (sv-SE) -------------------------------------------------


def cell_text(value: Any, kind: str) -> str:
    """A cell as a Swedish reader sees it: ``12 345 kr``, ``41 %``, ``7,5``."""
    if value is None:
        return NO_DATA
    if isinstance(value, str) or kind in ("text", "date"):
        return str(value)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if kind == "int":
        return format_decimal(value, format="#,##0", locale=LOCALE)
    if kind == "kr":
        return format_decimal(value, format="#,##0", locale=LOCALE) + "\u00a0kr"
    if kind == "percent":
        return format_decimal(value * 100, format="#,##0", locale=LOCALE) + "\u00a0%"
    if kind == "area":
        return format_decimal(value, format="#,##0.#", locale=LOCALE) + "\u00a0m²"
    return format_decimal(value, format="#,##0.0", locale=LOCALE)


def key_figure_text(figure: KeyFigure) -> str:
    text = cell_text(figure.value, figure.kind)
    if figure.target is not None:
        text += f" ({figure.target_label} {cell_text(figure.target, figure.kind)})"
    return text


# --- restatements -----------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One figure that reads differently in a recomputation."""

    section: str  # "Nyckeltal" or a table's title
    item: str  # the row (or key figure)
    column: str  # the column's label ("" for a key figure)
    old: str
    new: str


def differences(old: ScopeReport, new: ScopeReport) -> list[Change]:
    """Every figure whose displayed value differs between two versions.

    Compared as a reader sees them (rounded to whole kronor, whole percent),
    so float noise is never a restatement; rows are matched by their first
    column, and a row that appears or disappears is a change too."""
    changes = _key_figure_changes(old, new)
    for table in new.tables:
        before = old.table(table.key)
        changes += _table_changes(before, table)
    for table in old.tables:
        if new.table(table.key) is None:
            changes.append(
                Change(table.title, "(hela tabellen)", "", "fanns", "saknas")
            )
    return changes


def _key_figure_changes(old: ScopeReport, new: ScopeReport) -> list[Change]:
    before = {k.key: k for k in old.key_figures}
    changes = []
    for figure in new.key_figures:
        was = before.get(figure.key)
        was_text = key_figure_text(was) if was else NO_DATA
        if was_text != key_figure_text(figure):
            changes.append(
                Change("Nyckeltal", figure.label, "", was_text, key_figure_text(figure))
            )
    return changes


def _table_changes(before: Table | None, table: Table) -> list[Change]:
    old_rows = {before.row_label(r): r for r in before.rows} if before else {}
    new_rows = {table.row_label(r): r for r in table.rows}
    changes = []
    for label in [*new_rows, *(k for k in old_rows if k not in new_rows)]:
        for column in table.columns[1:]:
            was = old_rows.get(label, {}).get(column.key)
            now = new_rows.get(label, {}).get(column.key)
            was_text, now_text = (
                cell_text(was, column.kind),
                cell_text(now, column.kind),
            )
            if was_text != now_text:
                changes.append(
                    Change(table.title, label, column.label, was_text, now_text)
                )
    return changes
