"""A stored report version as an Excel workbook: the numbers, ready to filter.

Numbers stay numbers (with a Swedish-looking number format per kind), a hidden
cell such as ``"< 5"`` stays text and "no data" is an empty cell. When the
document has several sections, each table's rows from all of them share one
sheet with a first column "Kontor".

The same document always gives the same bytes: the workbook's created and
modified dates are the cut-off (openpyxl's ``save`` would stamp "now"), and the
zip archive is rewritten with every entry dated at the cut-off.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from pilotpuls.report.content import (
    Column,
    ReportDocument,
    Table,
    cell_text,
)
from pilotpuls.report.pdf import cutoff_text, definitions, local_time, period_text

ABOUT = "Om rapporten"
KEY_FIGURES = "Nyckeltal"
COMMENTS = "Kommentarer"
DEFINITIONS = "Definitioner"
OFFICE = "Kontor"

NUMBER_FORMATS = {
    "kr": '#,##0 "kr"',
    "percent": "0%",
    "decimal": "0.0",
    "int": "#,##0",
    "area": '0.0 "m²"',
    "date": "yyyy-mm-dd",
}
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

SHEET_NAME_LIMIT = 31
DANGLING = {"och", "eller", "i", "på", "per", "vid", "mot", "för", "av", "till", "med"}
SHEET_NAME_CHARS = str.maketrans(
    {"/": "-", "\\": "-", ":": " ", "*": " ", "?": " ", "[": "(", "]": ")"}
)

BOLD = Font(bold=True)
NOTE = Font(italic=True, color="5B6675", size=9)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")
HEADER_BORDER = Border(bottom=Side(style="thin", color="1F4E79"))
WRAP = Alignment(wrap_text=True, vertical="top")


def xlsx_bytes(document: ReportDocument) -> bytes:
    """The document as an .xlsx workbook, byte for byte the same every time."""
    workbook = Workbook()
    about = workbook.active
    about.title = ABOUT
    _about(about, document)
    _key_figures(workbook.create_sheet(KEY_FIGURES), document)
    taken = {name.casefold() for name in (ABOUT, KEY_FIGURES, COMMENTS, DEFINITIONS)}
    several = len(document.sections) > 1
    for tables in _tables_by_key(document):
        name = sheet_name(tables[0][1].title, taken)
        taken.add(name.casefold())
        _table_sheet(workbook.create_sheet(name), tables, several)
    _comments(workbook.create_sheet(COMMENTS), document)
    _definitions(workbook.create_sheet(DEFINITIONS), document)
    _properties(workbook, document)
    return pin_zip_times(_save(workbook), local_time(document.cutoff_at))


# --- sheet names ----------------------------------------------------------------


def sheet_name(title: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """``title`` as an Excel sheet name: no ``[]:*?/\\``, at most 31 characters
    (a closing parenthesis goes first, then words at the end), and not among
    ``taken`` (casefolded names, as Excel compares them) – else " (2)", " (3)"…"""
    name = " ".join(title.translate(SHEET_NAME_CHARS).split()).strip("'") or "Tabell"
    if len(name) > SHEET_NAME_LIMIT:
        name = re.sub(r"\s*\([^()]*\)$", "", name) or name
    name = _shorten(name, SHEET_NAME_LIMIT)
    if name.casefold() == "history":  # reserved by Excel
        name = "History (tabell)"
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = _shorten(name, SHEET_NAME_LIMIT - len(suffix)) + suffix
    return candidate


def _shorten(name: str, limit: int) -> str:
    """Whole words up to ``limit`` characters, without a dangling "och"/"vid"."""
    if len(name) <= limit:
        return name
    words = name[: limit + 1].split(" ")[:-1] or [name[:limit]]
    while len(words) > 1 and words[-1].casefold() in DANGLING:
        words.pop()
    return " ".join(words).rstrip(" -–,.;'")


# --- sheets ---------------------------------------------------------------------


def _about(sheet: Worksheet, document: ReportDocument) -> None:
    sheet["A1"] = f"Kvartalsrapport {document.quarter}"
    sheet["A1"].font = TITLE
    published = (
        local_time(document.published_at).replace(tzinfo=None)
        if document.published_at is not None
        else "ej publicerad"
    )
    facts: list[tuple[str, Any]] = [
        ("Program", document.programme_name),
        ("Kvartal", document.quarter),
        ("Period", period_text(document)),
        ("Version", document.version),
        (
            "Status",
            "Publicerad"
            if document.status == "published"
            else "UTKAST – ej publicerad",
        ),
        ("Siffrorna frysta per (svensk tid)", _local(document.cutoff_at)),
        ("Publicerad (svensk tid)", published),
    ]
    row = 3
    for label, value in facts:
        sheet.cell(row, 1, label).font = BOLD
        cell = sheet.cell(row, 2, value)
        if isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        cell.alignment = Alignment(horizontal="left")
        row += 1
    row += 1
    sheet.cell(row, 1, "Innehåll").font = BOLD
    for section in document.sections:
        sheet.cell(row, 2, section.report.title)
        sheet.cell(row, 3, section.report.subtitle)
        row += 1
    row += 1
    for text in (
        f"Siffrorna beräknades vid brytpunkten {cutoff_text(document)} och ändras "
        "inte i den här versionen.",
        "Tom cell = data saknas (aldrig noll). ”< 5” = för få svarande för att "
        "visas, för att skydda enskilda.",
        "Belopp i kronor; andelar är bråktal formaterade som procent.",
    ):
        sheet.cell(row, 1, text).font = NOTE
        row += 1
    _widths(sheet, {1: 34, 2: 36, 3: 44})


def _key_figures(sheet: Worksheet, document: ReportDocument) -> None:
    _header(sheet, ["Kontor/omfattning", "Mått", "Värde", "Mål", "Mål avser"])
    row = 2
    for section in document.sections:
        for figure in section.report.key_figures:
            sheet.cell(row, 1, section.report.title)
            sheet.cell(row, 2, figure.label)
            _value(sheet.cell(row, 3), figure.value, figure.kind)
            if figure.target is not None:
                _value(sheet.cell(row, 4), figure.target, figure.kind)
                sheet.cell(row, 5, figure.target_label)
            row += 1
    _finish(sheet, last_column=5, last_row=row - 1)
    _fit_widths(sheet, 5)


def _tables_by_key(document: ReportDocument) -> list[list[tuple[str, Table]]]:
    """Each table key once, in order of appearance, with its (section, table)s."""
    groups: dict[str, list[tuple[str, Table]]] = {}
    for section in document.sections:
        for table in section.report.tables:
            groups.setdefault(table.key, []).append((section.report.title, table))
    return list(groups.values())


def _table_sheet(
    sheet: Worksheet, tables: list[tuple[str, Table]], several: bool
) -> None:
    columns = _columns([table for _, table in tables])
    labels = [label for _, label in columns]
    # the offices table has its own "Kontor": then the section is the "Omfattning"
    office = OFFICE if OFFICE not in labels else "Omfattning"
    _header(sheet, [office, *labels] if several else labels)
    offset = 2 if several else 1
    row = 2
    for section, table in tables:
        for values in table.rows:
            if several:
                sheet.cell(row, 1, section)
            for index, (column, _) in enumerate(columns):
                _value(
                    sheet.cell(row, index + offset), values.get(column.key), column.kind
                )
            row += 1
    last_column = len(columns) + offset - 1
    _finish(sheet, last_column, row - 1)
    _fit_widths(sheet, last_column)
    notes = _notes(tables)
    row += 1 if notes else 0
    for note in notes:
        sheet.cell(row, 1, note).font = NOTE
        row += 1


def _columns(tables: list[Table]) -> list[tuple[Column, str]]:
    """The union of the tables' columns (by key, in order), with one header
    each; where the sections label a column differently ("Andel (personal)",
    "Andel (yta)") the header keeps what they share."""
    found: dict[str, list[Column]] = {}
    for table in tables:
        for column in table.columns:
            found.setdefault(column.key, []).append(column)
    columns = []
    for same in found.values():
        labels = {c.label for c in same}
        label = same[0].label
        if len(labels) > 1:
            label = same[0].label.split(" (")[0]
        columns.append((same[0], label))
    return columns


def _notes(tables: list[tuple[str, Table]]) -> list[str]:
    notes: dict[str, list[str]] = {}
    for section, table in tables:
        if table.note:
            notes.setdefault(table.note, []).append(section)
    if len(notes) <= 1:
        return list(notes)
    return [f"{', '.join(sections)}: {note}" for note, sections in notes.items()]


def _comments(sheet: Worksheet, document: ReportDocument) -> None:
    _header(sheet, ["Kontor/omfattning", "Kommentarer", "Åtgärder"])
    for row, section in enumerate(document.sections, 2):
        sheet.cell(row, 1, section.report.title).alignment = WRAP
        sheet.cell(row, 2, section.comments.strip() or None).alignment = WRAP
        sheet.cell(row, 3, section.actions.strip() or None).alignment = WRAP
    _finish(sheet, 3, len(document.sections) + 1, filter_rows=False)
    _widths(sheet, {1: 32, 2: 70, 3: 70})


def _definitions(sheet: Worksheet, document: ReportDocument) -> None:
    _header(sheet, ["Begrepp", "Definition"])
    terms = definitions(document)
    for row, (term, text) in enumerate(terms, 2):
        sheet.cell(row, 1, term).alignment = WRAP
        sheet.cell(row, 2, text).alignment = WRAP
    _finish(sheet, 2, len(terms) + 1, filter_rows=False)
    _widths(sheet, {1: 30, 2: 100})


# --- cells ----------------------------------------------------------------------


def _value(cell: Any, value: Any, kind: str) -> None:
    """A number as a number with its kind's format, a date as a date, a hidden
    cell ("< 5") as text, no data as an empty cell."""
    if value is None:
        return
    if isinstance(value, bool):
        cell.value = cell_text(value, kind)
    elif isinstance(value, int | float):
        cell.value = value
        if kind in NUMBER_FORMATS and kind != "date":
            cell.number_format = NUMBER_FORMATS[kind]
    elif kind == "date" and isinstance(value, str) and _iso_date(value):
        cell.value = date.fromisoformat(value)
        cell.number_format = NUMBER_FORMATS["date"]
    else:
        cell.value = str(value)
        if kind in NUMBER_FORMATS:
            cell.alignment = Alignment(horizontal="right")


def _iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _local(moment: datetime) -> datetime:
    """Swedish wall-clock time without a zone (Excel has none)."""
    return local_time(moment).replace(tzinfo=None)


def _header(sheet: Worksheet, labels: list[str]) -> None:
    for column, label in enumerate(labels, 1):
        cell = sheet.cell(1, column, label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = Alignment(vertical="bottom", wrap_text=False)


def _finish(
    sheet: Worksheet, last_column: int, last_row: int, filter_rows: bool = True
) -> None:
    sheet.freeze_panes = "A2"
    if filter_rows and last_row >= 2:
        sheet.auto_filter.ref = f"A1:{get_column_letter(last_column)}{last_row}"


def _fit_widths(sheet: Worksheet, last_column: int) -> None:
    """Widths from the longest text shown (in characters), 8 to 60."""
    widest: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=1, max_col=last_column):
        for cell in row:
            if cell.value is None:
                continue
            kind = _kind_of(cell.number_format)
            text = cell_text(cell.value, kind) if kind else str(cell.value)
            widest[cell.column] = max(widest.get(cell.column, 0), len(text))
    _widths(sheet, {c: min(60, max(8, w + 3)) for c, w in widest.items()})


def _kind_of(number_format: str) -> str | None:
    kinds = {fmt: kind for kind, fmt in NUMBER_FORMATS.items() if kind != "date"}
    return kinds.get(number_format)


def _widths(sheet: Worksheet, widths: dict[int, float]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


# --- reproducible file ----------------------------------------------------------


def _properties(workbook: Workbook, document: ReportDocument) -> None:
    cutoff = document.cutoff_at
    if cutoff.tzinfo is not None:
        cutoff = cutoff.astimezone(UTC)
    cutoff = cutoff.replace(tzinfo=None)  # openpyxl writes naive times as UTC
    props = workbook.properties
    props.created = props.modified = cutoff
    props.creator = document.programme_name
    props.lastModifiedBy = "Pilotpuls"
    props.title = document.title
    props.subject = (
        f"Version {document.version}, siffrorna frysta per {cutoff_text(document)}"
    )
    props.language = "sv-SE"


def _save(workbook: Workbook) -> bytes:
    """The workbook as written by openpyxl, minus ``save``'s "modified = now"."""
    out = io.BytesIO()
    ExcelWriter(workbook, ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True)).save()
    return out.getvalue()


def pin_zip_times(data: bytes, moment: datetime) -> bytes:
    """The zip archive ``data`` with every entry dated ``moment`` (wall-clock;
    zip has no time zones) and the same file attributes, entry order and
    compression. openpyxl stamps each entry with the current time."""
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, 0)
    out = io.BytesIO()
    with ZipFile(io.BytesIO(data)) as source, ZipFile(out, "w") as target:
        for entry in source.infolist():
            pinned = ZipInfo(entry.filename, date_time=stamp)
            pinned.compress_type = entry.compress_type
            pinned.create_system = 3  # Unix, wherever it runs
            pinned.external_attr = 0o600 << 16  # rw-------, as openpyxl's writestr
            target.writestr(pinned, source.read(entry))
    return out.getvalue()
