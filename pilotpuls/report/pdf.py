"""A stored report version as a printable PDF: A4, Swedish, vector charts.

The same :class:`ReportDocument` always gives the same bytes: ReportLab runs in
its ``invariant`` mode (no clock, no random file ID) and the PDF's creation
and modification dates are pinned to the version's cut-off. Every text goes
through :func:`printable`, so nothing reaches the embedded Bitstream Vera font
that it cannot draw.
"""

from __future__ import annotations

import functools
import io
import math
import os
import threading
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from hashlib import md5
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import reportlab
from babel.dates import format_date
from babel.numbers import format_decimal
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from pilotpuls.report.content import (
    LOCALE,
    Column,
    KeyFigure,
    ReportDocument,
    Section,
    Table,
    cell_text,
)

ZONE = ZoneInfo("Europe/Stockholm")
NUMERIC_KINDS = ("int", "kr", "percent", "decimal", "area")

# --- texts shared with the Excel export ----------------------------------------


def local_time(moment: datetime) -> datetime:
    """``moment`` in Swedish time (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZONE)


def cutoff_text(document: ReportDocument) -> str:
    """The cut-off as a Swede reads it: ``2026-10-05 08:12``."""
    return f"{local_time(document.cutoff_at):%Y-%m-%d %H:%M}"


def status_text(document: ReportDocument) -> str:
    """``Publicerad 2026-10-12``, or a draft's unmistakable warning."""
    if document.status == "published":
        if document.published_at is None:
            return "Publicerad"
        return f"Publicerad {local_time(document.published_at):%Y-%m-%d}"
    return "UTKAST – ej publicerad"


def period_text(document: ReportDocument) -> str:
    """``1 juli – 30 september 2026``: the quarter the figures cover."""
    if not document.sections:
        return document.quarter
    report = document.sections[0].report
    start = date.fromisoformat(report.period_start)
    end = date.fromisoformat(report.period_end)
    first = "d MMMM" if start.year == end.year else "d MMMM y"
    return (
        f"{format_date(start, first, locale=LOCALE)} – "
        f"{format_date(end, 'd MMMM y', locale=LOCALE)}"
    )


def definitions(document: ReportDocument) -> list[tuple[str, str]]:
    """Every section's definitions, in order, each once."""
    seen: dict[tuple[str, str], None] = {}
    for section in document.sections:
        for term, text in section.report.definitions:
            seen.setdefault((term, text), None)
    return list(seen)


# --- fonts ----------------------------------------------------------------------

FONT = "PilotpulsVera"
BOLD = "PilotpulsVera-Bold"
ITALIC = "PilotpulsVera-Italic"
BOLD_ITALIC = "PilotpulsVera-BoldItalic"
FONT_FILES = {
    FONT: "Vera.ttf",
    BOLD: "VeraBd.ttf",
    ITALIC: "VeraIt.ttf",
    BOLD_ITALIC: "VeraBI.ttf",
}
# characters Vera lacks, and what to print instead
SUBSTITUTES = {
    "\u2009": "\u00a0",  # thin space
    "\u202f": "\u00a0",  # narrow no-break space (some locales group with it)
    "\u2007": "\u00a0",  # figure space
    "\u2002": " ",
    "\u2003": " ",
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2212": "-",  # minus (Vera has it; kept in case the font changes)
    "\u2043": "-",
    "\u2192": "->",
    "\u2713": "x",
    "\u200b": "",  # zero-width space
    "\ufeff": "",
}


@functools.cache
def _fonts() -> frozenset[int]:
    """Registers the fonts (once); the code points all four faces can draw."""
    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    covered: set[int] | None = None
    for name, file in FONT_FILES.items():
        font = TTFont(name, os.path.join(folder, file))
        pdfmetrics.registerFont(font)
        codes = {code for code, glyph in font.face.charToGlyph.items() if glyph}
        covered = codes if covered is None else covered & codes
    registerFontFamily(
        FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
    )
    return frozenset(covered or ())


def printable(text: str) -> str:
    """``text`` with only characters the embedded font can draw.

    A missing character becomes its look-alike (thin spaces → no-break space,
    hyphens → ``-``), else its compatibility form (``ﬀ`` → ``ff``), else ``?``
    rather than an empty box. Line breaks stay; a tab becomes a space."""
    covered = _fonts()
    if all(ord(c) in covered or c == "\n" for c in text):
        return text
    out = []
    for char in text:
        if ord(char) in covered or char == "\n":
            out.append(char)
        elif char == "\t":
            out.append(" ")
        elif char in SUBSTITUTES and _drawable(SUBSTITUTES[char], covered):
            out.append(SUBSTITUTES[char])
        else:
            plain = unicodedata.normalize("NFKD", char)
            plain = "".join(c for c in plain if not unicodedata.combining(c))
            out.append(plain if plain and _drawable(plain, covered) else "?")
    return "".join(out)


def _drawable(text: str, covered: frozenset[int]) -> bool:
    return all(ord(c) in covered for c in text)


# --- look -----------------------------------------------------------------------

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6675")
RULE = colors.HexColor("#c9d0d9")
SHADE = colors.HexColor("#eef2f6")
HEAD = colors.HexColor("#dde5ee")
PRIMARY = colors.HexColor("#1f4e79")
SECONDARY = colors.HexColor("#9db7d3")
ACCENT = colors.HexColor("#c0392b")
DRAFT = colors.HexColor("#b3261e")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN_X


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base = {"fontName": FONT, "fontSize": 9, "leading": 12, "textColor": INK}
    return ParagraphStyle(name, **(base | kw))


STYLES = {
    "programme": _style("programme", fontSize=12, leading=15, textColor=MUTED),
    "title": _style("title", fontName=BOLD, fontSize=26, leading=32),
    "cover_scope": _style("cover_scope", fontName=BOLD, fontSize=15, leading=19),
    "period": _style("period", fontSize=13, leading=17, textColor=MUTED),
    "h1": _style("h1", fontName=BOLD, fontSize=18, leading=22, textColor=PRIMARY),
    "subtitle": _style("subtitle", fontSize=10, leading=13, textColor=MUTED),
    "h2": _style("h2", fontName=BOLD, fontSize=12, leading=15, spaceBefore=10),
    "h3": _style("h3", fontName=BOLD, fontSize=10, leading=13, spaceAfter=3),
    "body": _style("body"),
    "small": _style("small", fontSize=7.5, leading=9.5, textColor=MUTED),
    "note": _style("note", fontName=ITALIC, fontSize=7.5, leading=9.5, textColor=MUTED),
    "kf_label": _style("kf_label", fontSize=7.5, leading=9.5, textColor=MUTED),
    "kf_value": _style("kf_value", fontName=BOLD, fontSize=15, leading=19),
    "kf_target": _style("kf_target", fontSize=7.5, leading=9.5, textColor=MUTED),
    "draft": _style("draft", fontName=BOLD, fontSize=11, leading=14, textColor=DRAFT),
    "term": _style("term", fontName=BOLD, fontSize=8.5, leading=11),
    "definition": _style("definition", fontSize=8.5, leading=11),
}


def _table_style(commands: list[tuple]) -> TableStyle:
    """A table style whose (empty) cells use our font too, not Helvetica."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _drawing(width: float, height: float) -> Drawing:
    """A chart canvas whose default font is ours, not Times-Roman."""
    drawing = Drawing(width, height)
    drawing.initialFontName = FONT
    return drawing


def _para(text: str, style: str) -> Paragraph:
    """A paragraph of plain ``text`` (escaped; line breaks kept)."""
    markup = escape(printable(text)).replace("\n", "<br/>")
    return Paragraph(markup, STYLES[style])


# --- the PDF --------------------------------------------------------------------

_BUILD = threading.Lock()  # a TTFont may serve one document at a time


def pdf_bytes(document: ReportDocument) -> bytes:
    """The document as a PDF, byte for byte the same every time it is made."""
    with _BUILD:
        _fonts()
        out = io.BytesIO()
        template = BaseDocTemplate(
            out,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=printable(document.title),
            author=printable(document.programme_name),
            subject=printable(_subject(document)),
            creator="Pilotpuls",
            invariant=1,
            lang="sv-SE",
            displayDocTitle=1,
            initialFontName=FONT,
        )
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            WIDTH,
            PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        on_page = _watermark if document.status != "published" else _nothing
        template.addPageTemplates([PageTemplate("page", [frame], onPage=on_page)])
        template.build(
            _story(document),
            canvasmaker=functools.partial(_ReportCanvas, document=document),
        )
        return out.getvalue()


def _subject(document: ReportDocument) -> str:
    return (
        f"{document.programme_name}: kvartalsrapport {document.quarter}, "
        f"version {document.version}, {status_text(document).lower()}; "
        f"siffrorna frysta per {cutoff_text(document)}"
    )


class _Stamp:
    """ReportLab's ``TimeStamp``, fixed at a given moment (UTC)."""

    def __init__(self, moment: datetime) -> None:
        utc = (
            moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        ).astimezone(UTC)
        self.t = utc.timestamp()
        self.lt = utc.timetuple()
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"

    @property
    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.t, UTC)

    @property
    def asctime(self) -> str:
        return time.asctime(self.lt)


def pin_creation_date(canvas: Canvas, moment: datetime) -> None:
    """Makes ``canvas`` date its PDF ``moment`` instead of now.

    ReportLab 4.5 reads the clock once, in ``PDFDocument.__init__``: a
    ``TimeStamp`` (1 Jan 2000 in invariant mode, or ``$SOURCE_DATE_EPOCH``)
    becomes the Info's CreationDate and ModDate and seeds the digest that makes
    the file ID. Both are replaced here, right after the canvas is made."""
    pdf = canvas._doc
    pdf._timeStamp = _Stamp(moment)
    signature = md5(usedforsecurity=False)
    signature.update(b"a reportlab document")
    signature.update(ascii(pdf._timeStamp.t).encode("ascii"))
    pdf.signature = signature


class _ReportCanvas(Canvas):
    """Holds every page until the end, to print "Sida N av M" and the running
    header on each, and to add the bookmarks once the pages exist."""

    def __init__(self, *args: Any, document: ReportDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pin_creation_date(self, document.cutoff_at)
        self._report = document
        self._held: list[dict[str, Any]] = []
        self._marks: list[tuple[str, str]] = []

    def mark(self, key: str, title: str) -> None:
        """A bookmark (PDF outline entry) to the current page."""
        self._marks.append((key, title))

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._marks = []
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for number, state in enumerate(self._held, 1):
            self.__dict__.update(state)
            self._frame(number, total)
            for key, title in self._marks:
                self.bookmarkPage(key)
                self.addOutlineEntry(printable(title), key, level=0)
            super().showPage()
        super().save()

    def _frame(self, number: int, total: int) -> None:
        document = self._report
        top = PAGE_HEIGHT - 12 * mm
        bottom = 11 * mm
        right = PAGE_WIDTH - MARGIN_X
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, top - 2.5 * mm, right, top - 2.5 * mm)
        self.line(MARGIN_X, bottom + 4 * mm, right, bottom + 4 * mm)
        self.setFillColor(MUTED)
        self.setFont(FONT, 8)
        self.drawString(MARGIN_X, top, printable(document.programme_name))
        heading = f"Kvartalsrapport {document.quarter} · Version {document.version}"
        if document.status != "published":
            self.setFillColor(DRAFT)
            self.setFont(BOLD, 8)
            draft = "  UTKAST"
            self.drawRightString(right, top, draft)
            right_of_heading = right - stringWidth(draft, BOLD, 8)
            self.setFillColor(MUTED)
            self.setFont(FONT, 8)
            self.drawRightString(right_of_heading, top, printable(heading))
        else:
            self.drawRightString(right, top, printable(heading))
        self.drawString(
            MARGIN_X, bottom, printable(f"Siffrorna frysta per {cutoff_text(document)}")
        )
        self.drawRightString(right, bottom, f"Sida {number} av {total}")
        self.restoreState()


def _watermark(canvas: Canvas, _doc: BaseDocTemplate) -> None:
    """A faint "UTKAST" behind every page of a draft."""
    canvas.saveState()
    canvas.setFillColor(DRAFT)
    canvas.setFillAlpha(0.07)
    canvas.setFont(BOLD, 110)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(50)
    canvas.drawCentredString(0, -40, "UTKAST")
    canvas.restoreState()


def _nothing(_canvas: Canvas, _doc: BaseDocTemplate) -> None:
    return None


class _Mark(Flowable):
    """No space, only a bookmark to the page it lands on."""

    def __init__(self, key: str, title: str) -> None:
        super().__init__()
        self.key, self.title = key, title
        self.width = self.height = 0

    def wrap(self, _width: float, _height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.mark(self.key, self.title)


# --- the story ------------------------------------------------------------------


def _story(document: ReportDocument) -> list[Flowable]:
    story = _cover(document)
    period = period_text(document)
    for number, section in enumerate(document.sections, 1):
        story.append(PageBreak())
        story += _section(section, f"section{number}", document.quarter, period)
    terms = definitions(document)
    if terms:
        story.append(PageBreak())
        story += _definitions(terms)
    return story


def _cover(document: ReportDocument) -> list[Flowable]:
    story: list[Flowable] = [
        _Mark("cover", "Om rapporten"),
        Spacer(1, 18 * mm),
        _para(document.programme_name, "programme"),
        Spacer(1, 3 * mm),
        _para(f"Kvartalsrapport {document.quarter}", "title"),
    ]
    if len(document.sections) == 1:
        story.append(_para(document.sections[0].report.title, "cover_scope"))
    story += [_para(period_text(document), "period"), Spacer(1, 8 * mm)]
    facts = [
        ("Version", f"Version {document.version}"),
        ("Status", status_text(document)),
        ("Siffror", f"Siffrorna är frysta per {cutoff_text(document)} (svensk tid)"),
    ]
    rows = [
        [_para(label, "small"), _para(value, "body" if label != "Status" else "h3")]
        for label, value in facts
    ]
    table = PdfTable(rows, colWidths=[28 * mm, WIDTH - 28 * mm])
    table.setStyle(
        _table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.75, PRIMARY),
                ("LINEBELOW", (0, -1), (-1, -1), 0.75, PRIMARY),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(table)
    if document.status != "published":
        story += [Spacer(1, 6 * mm), _draft_box()]
    story += _contents(document)
    story += [
        Spacer(1, 12 * mm),
        _para("Läsanvisning", "h2"),
        Spacer(1, 1 * mm),
        _para(
            "Siffrorna beräknades en gång vid brytpunkten och ändras inte i den här "
            "versionen. Ett streck (–) betyder att data saknas – aldrig noll. Ett "
            "värde som ”< 5” betyder att gruppen är för liten för att visas, för att "
            "skydda enskilda svarande. Belopp är i kronor, andelar i procent av "
            "kvartalets värden.",
            "body",
        ),
    ]
    return story


def _contents(document: ReportDocument) -> list[Flowable]:
    contents = [
        [_para(s.report.title, "h3"), _para(s.report.subtitle, "body")]
        for s in document.sections
    ]
    if definitions(document):
        contents.append(
            [_para("Definitioner", "h3"), _para("Hur måtten räknas", "body")]
        )
    if not contents:
        return []
    table = PdfTable(contents, colWidths=[70 * mm, WIDTH - 70 * mm])
    table.setStyle(
        _table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [Spacer(1, 12 * mm), _para("Innehåll", "h2"), Spacer(1, 2 * mm), table]


def _draft_box() -> Flowable:
    box = PdfTable(
        [
            [_para("UTKAST – ej publicerad", "draft")],
            [
                _para(
                    "Siffror och texter kan ändras innan versionen publiceras. "
                    "Sprid inte rapporten vidare.",
                    "body",
                )
            ],
        ],
        colWidths=[WIDTH],
    )
    box.setStyle(
        _table_style(
            [
                ("BOX", (0, 0), (-1, -1), 1.25, DRAFT),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fbeceb")),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (0, 0), 7),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
            ]
        )
    )
    return box


def _section(section: Section, key: str, quarter: str, period: str) -> list[Flowable]:
    report = section.report
    story: list[Flowable] = [
        _Mark(key, report.title),
        _para(report.title, "h1"),
        Spacer(1, 1 * mm),
        _para(f"{report.subtitle} · {period}", "subtitle"),
        Spacer(1, 5 * mm),
    ]
    if report.key_figures:
        story += [_key_figures(report.key_figures), Spacer(1, 5 * mm)]
    charts = _charts(report.tables, quarter)
    if charts:
        story += [charts, Spacer(1, 2 * mm)]
    for table in report.tables:
        story += _table(table)
    for heading, text in (
        ("Kommentarer", section.comments),
        ("Åtgärder", section.actions),
    ):
        if text and text.strip():
            story.append(
                KeepTogether(
                    [
                        _para(heading, "h2"),
                        Spacer(1, 1 * mm),
                        _para(text.strip(), "body"),
                    ]
                )
            )
    return story


def _key_figures(figures: list[KeyFigure], per_row: int = 4) -> Flowable:
    cells: list[list[Flowable]] = []
    for figure in figures:
        cell = [
            _para(cell_text(figure.value, figure.kind), "kf_value"),
            _para(figure.label, "kf_label"),
        ]
        if figure.target is not None:
            target = f"{figure.target_label} {cell_text(figure.target, figure.kind)}"
            cell.append(_para(target, "kf_target"))
        cells.append(cell)
    while len(cells) % per_row:
        cells.append([])
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    grid = PdfTable(rows, colWidths=[WIDTH / per_row] * per_row)
    shaded = [
        (
            "BACKGROUND",
            (index % per_row, index // per_row),
            (index % per_row, index // per_row),
            SHADE,
        )
        for index in range(len(figures))
    ]
    grid.setStyle(
        _table_style(
            [
                *shaded,
                ("GRID", (0, 0), (-1, -1), 3, colors.white),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return grid


# --- tables ---------------------------------------------------------------------

CELL_PADDING = 4


def _table(table: Table) -> list[Flowable]:
    title = _para(table.title, "h3")
    parts: list[Flowable] = [Spacer(1, 3 * mm), title]
    if not table.rows:
        parts.append(_para("Inga rader för kvartalet.", "note"))
        if table.note:
            parts.append(_para(table.note, "note"))
        return [KeepTogether(parts)]
    columns = table.columns
    texts = [[cell_text(row.get(c.key), c.kind) for c in columns] for row in table.rows]
    size, widths = _fit(columns, texts)
    right = [c.kind in NUMERIC_KINDS for c in columns]
    header = [
        _cell(c.label, size, bold=True, right=r)
        for c, r in zip(columns, right, strict=True)
    ]
    body = [
        [_cell(text, size, right=r) for text, r in zip(line, right, strict=True)]
        for line in texts
    ]
    grid = PdfTable([header, *body], colWidths=widths, repeatRows=1)
    padding = CELL_PADDING if size >= 8 else CELL_PADDING - 1
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, PRIMARY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [
        ("BACKGROUND", (0, row), (-1, row), SHADE) for row in range(2, len(body) + 1, 2)
    ]
    grid.setStyle(_table_style(style))
    parts.append(grid)
    if table.note:
        parts += [Spacer(1, 1.2 * mm), _para(table.note, "note")]
    # a short table stays with its title and note; a long one splits, header repeated
    return [KeepTogether(parts)] if len(body) <= 25 else parts


@functools.cache
def _cell_style(size: float, bold: bool, right: bool) -> ParagraphStyle:
    return _style(
        f"cell-{size}-{bold}-{right}",
        fontName=BOLD if bold else FONT,
        fontSize=size,
        leading=size * 1.25,
        alignment=TA_RIGHT if right else TA_LEFT,
    )


def _cell(text: str, size: float, bold: bool = False, right: bool = False) -> Paragraph:
    markup = escape(printable(text)).replace("\n", "<br/>")
    return Paragraph(markup, _cell_style(size, bold, right))


def _fit(columns: list[Column], texts: list[list[str]]) -> tuple[float, list[float]]:
    """The largest font size (8 pt down to 6) whose numbers fit on one line,
    and the column widths for it."""
    for size in (8, 7.5, 7, 6.5, 6):
        widths = _column_widths(columns, texts, size)
        if widths is not None:
            return size, widths
    least = _column_limits(columns, texts, 6)[0]
    return 6, [w * WIDTH / sum(least) for w in least]


def _column_limits(
    columns: list[Column], texts: list[list[str]], size: float
) -> tuple[list[float], list[float]]:
    """Per column the least width (numbers and dates whole, text wrapped at its
    longest word, header at its longest word) and the natural one (no wrapping)."""
    pad = 2 * (CELL_PADDING if size >= 8 else CELL_PADDING - 1) + 1
    least, natural = [], []
    for index, column in enumerate(columns):
        cells = [printable(line[index]) for line in texts]
        longest = max((stringWidth(c, FONT, size) for c in cells), default=0)
        label = printable(column.label)
        label_word = max((stringWidth(w, BOLD, size) for w in label.split()), default=0)
        natural.append(max(longest, stringWidth(label, BOLD, size)) + pad)
        if column.kind in NUMERIC_KINDS or column.kind == "date":
            least.append(max(longest, label_word) + pad)
        else:
            words = [w for c in cells for w in c.split()]
            word = max((stringWidth(w, FONT, size) for w in words), default=0)
            least.append(max(word, label_word, 12 * mm) + pad)
    return least, natural


def _column_widths(
    columns: list[Column], texts: list[list[str]], size: float
) -> list[float] | None:
    """Widths filling the page, or None when the table needs a smaller font."""
    least, natural = _column_limits(columns, texts, size)
    if sum(least) > WIDTH:
        return None
    if sum(natural) > WIDTH:
        # everything fits once some text and headers wrap: shrink toward the least
        share = (WIDTH - sum(least)) / (sum(natural) - sum(least))
        return [lo + (hi - lo) * share for lo, hi in zip(least, natural, strict=True)]
    widths = list(natural)
    spare = WIDTH - sum(widths)
    texts_at = [i for i, c in enumerate(columns) if c.kind == "text"] or [0]
    first = texts_at[0]
    # the first text column takes the room, up to 40 % of the page; the rest is shared
    grow = min(spare, max(0.0, 0.4 * WIDTH - widths[first]))
    widths[first] += grow
    spare -= grow
    return [w + spare / len(widths) for w in widths]


# --- charts ---------------------------------------------------------------------

CHART_WIDTH = (WIDTH - 6 * mm) / 2
CHART_HEIGHT = 62 * mm
AXIS_FONT = 7


def _charts(tables: list[Table], quarter: str) -> Flowable | None:
    makers: dict[str, tuple[str, Callable[[Table, str], Drawing | None]]] = {
        "utilisation": ("Beläggning per månad", _utilisation_chart),
        "target_groups": ("Medlemmar per målgrupp", _target_group_chart),
        "economy": ("Ekonomi: utfall mot plan", _economy_chart),
        "path": ("Kvarvarande stöd mot plan", _path_chart),
    }
    cells = []
    by_key = {t.key: t for t in tables}
    for key, (title, make) in makers.items():
        table = by_key.get(key)
        if table is None:
            continue
        drawing = make(table, quarter) or _empty_chart()
        cells.append([_para(title, "h3"), drawing])
    if not cells:
        return None
    if len(cells) % 2:
        cells.append([])
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    grid = PdfTable(rows, colWidths=[WIDTH / 2] * 2)
    grid.setStyle(
        _table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return grid


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) or math.isinf(value) else float(value)


def _axis(
    low: float, high: float, ticks: int = 5, whole: bool = False
) -> tuple[float, float, float]:
    """A value axis from ≤ 0 to ≥ 0 with round steps: (min, max, step); a
    ``whole`` axis (counts) never steps by less than 1."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        high = 1.0
    raw = (high - low) / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1.0, float(math.ceil(step)))
    return (
        math.floor(low / step) * step,
        math.ceil(high / step) * step,
        step,
    )


def _percent_label(value: float) -> str:
    return printable(cell_text(value, "percent"))


def _kr_label(scale: float) -> Callable[[float], str]:
    unit = "tkr" if scale >= 1000 else "kr"
    divisor = 1000 if scale >= 1000 else 1

    def label(value: float) -> str:
        number = format_decimal(value / divisor, format="#,##0.#", locale=LOCALE)
        return printable(f"{number}\u00a0{unit}")

    return label


def _string(x: float, y: float, text: str, **kw: Any) -> String:
    options = {"fontName": FONT, "fontSize": AXIS_FONT, "fillColor": INK} | kw
    return String(x, y, printable(text), **options)


def _legend(drawing: Drawing, items: list[tuple[str, Any, str]], y: float = 2) -> None:
    """Legend entries (label, colour, "bar"/"line"/"dash") along the bottom."""
    x = 4.0
    for label, colour, shape in items:
        if shape == "bar":
            drawing.add(Rect(x, y, 9, 6, fillColor=colour, strokeColor=None))
        else:
            drawing.add(
                Line(
                    x,
                    y + 3,
                    x + 11,
                    y + 3,
                    strokeColor=colour,
                    strokeWidth=2,
                    strokeDashArray=[2, 1.5] if shape == "dash" else None,
                )
            )
        drawing.add(_string(x + 14, y, label, fillColor=MUTED))
        x += 14 + stringWidth(printable(label), FONT, AXIS_FONT) + 12


def _style_axes(chart: Any, value_axis: Any, category_axis: Any) -> None:
    for axis in (value_axis, category_axis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = AXIS_FONT
        axis.labels.fillColor = MUTED
        axis.strokeColor = RULE
        axis.strokeWidth = 0.5
    value_axis.visibleGrid = 1
    value_axis.gridStrokeColor = colors.HexColor("#e3e7ec")
    value_axis.gridStrokeWidth = 0.5
    value_axis.visibleAxis = 0
    value_axis.visibleTicks = 0
    category_axis.visibleTicks = 0


def _empty_chart() -> Drawing:
    drawing = _drawing(CHART_WIDTH, CHART_HEIGHT)
    drawing.add(
        Rect(0, 14, CHART_WIDTH, CHART_HEIGHT - 20, fillColor=SHADE, strokeColor=None)
    )
    drawing.add(
        _string(
            CHART_WIDTH / 2,
            CHART_HEIGHT / 2,
            "Inga data för kvartalet",
            textAnchor="middle",
            fontSize=8,
            fillColor=MUTED,
        )
    )
    return drawing


def _utilisation_chart(table: Table, _quarter: str) -> Drawing | None:
    rows = table.rows
    values = [_number(r.get("utilisation")) for r in rows]
    targets = [_number(r.get("target")) for r in rows]
    known = [v for v in values + targets if v is not None]
    if not rows or not known:
        return None
    low, high, step = _axis(min(known), max(known) * 1.08)
    drawing = _drawing(CHART_WIDTH, CHART_HEIGHT)
    chart = VerticalBarChart()
    chart.x, chart.y = 34, 32
    chart.width, chart.height = CHART_WIDTH - 40, CHART_HEIGHT - 40
    chart.data = [[v if v is not None else 0 for v in values]]
    chart.categoryAxis.categoryNames = [
        printable(str(r.get("month", ""))) for r in rows
    ]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = low, high
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = _percent_label
    chart.bars[0].fillColor = PRIMARY
    chart.bars[0].strokeColor = None
    chart.barWidth, chart.barSpacing, chart.groupSpacing = 10, 0, 10  # bar = ½ slot
    _style_axes(chart, chart.valueAxis, chart.categoryAxis)
    chart.categoryAxis.labels.dy = -2
    drawing.add(chart)
    slot = chart.width / len(rows)

    def y_of(value: float) -> float:
        return chart.y + (value - low) / (high - low) * chart.height

    for index, (value, target) in enumerate(zip(values, targets, strict=True)):
        middle = chart.x + (index + 0.5) * slot
        if value is None:
            drawing.add(
                _string(
                    middle,
                    chart.y + 4,
                    "data saknas",
                    textAnchor="middle",
                    fillColor=MUTED,
                )
            )
        else:
            top = y_of(value)
            inside = top - chart.y > 16
            drawing.add(
                _string(
                    middle,
                    top - 10 if inside else top + 3,
                    cell_text(value, "percent"),
                    textAnchor="middle",
                    fontName=BOLD,
                    fillColor=colors.white if inside else INK,
                )
            )
        if target is not None:
            half = slot / 4 + 5
            y = y_of(target)
            drawing.add(
                Line(
                    middle - half,
                    y,
                    middle + half,
                    y,
                    strokeColor=ACCENT,
                    strokeWidth=2,
                )
            )
    _legend(drawing, [("Beläggning", PRIMARY, "bar"), ("Mål", ACCENT, "line")])
    return drawing


def _target_group_chart(table: Table, _quarter: str) -> Drawing | None:
    rows = [r for r in table.rows if _number(r.get("members")) is not None]
    if not rows:
        return None
    rows = rows[::-1]  # the chart draws bottom-up: keep the table's order top-down
    values = [_number(r["members"]) or 0.0 for r in rows]
    names = [printable(str(r.get("target_group", ""))) for r in rows]
    low, high, step = _axis(0, max(values) * 1.3, ticks=4, whole=True)
    drawing = _drawing(CHART_WIDTH, CHART_HEIGHT)
    chart = HorizontalBarChart()
    label_width = max(stringWidth(n, FONT, AXIS_FONT) for n in names)
    chart.x, chart.y = label_width + 8, 16
    chart.width, chart.height = CHART_WIDTH - chart.x - 6, CHART_HEIGHT - 22
    chart.data = [values]
    chart.categoryAxis.categoryNames = names
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = low, high
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = lambda v: printable(cell_text(v, "int"))
    chart.bars[0].fillColor = PRIMARY
    chart.bars[0].strokeColor = None
    chart.groupSpacing = 6
    _style_axes(chart, chart.valueAxis, chart.categoryAxis)
    drawing.add(chart)
    slot = chart.height / len(rows)
    for index, row in enumerate(rows):
        value = values[index]
        share = _number(row.get("share"))
        label = cell_text(value, "int") + (
            f" ({cell_text(share, 'percent')})" if share is not None else ""
        )
        x = chart.x + (value - low) / (high - low) * chart.width
        drawing.add(_string(x + 3, chart.y + (index + 0.5) * slot - 2.5, label))
    return drawing


def _economy_chart(table: Table, _quarter: str) -> Drawing | None:
    rows = [
        r
        for r in table.rows
        if _number(r.get("outcome")) is not None or _number(r.get("plan")) is not None
    ][::-1]
    if not rows:
        return None
    outcome = [_number(r.get("outcome")) for r in rows]
    plan = [_number(r.get("plan")) for r in rows]
    known = [v for v in outcome + plan if v is not None]
    low, high, step = _axis(min(known), max(known) * 1.05, ticks=4)
    names = [printable(str(r.get("measure", ""))) for r in rows]
    drawing = _drawing(CHART_WIDTH, CHART_HEIGHT)
    chart = HorizontalBarChart()
    label_width = max(stringWidth(n, FONT, AXIS_FONT) for n in names)
    chart.x, chart.y = label_width + 8, 30
    chart.width, chart.height = CHART_WIDTH - chart.x - 14, CHART_HEIGHT - 36
    # a missing plan is no bar at all (None), never a zero bar
    chart.data = [plan, outcome]
    chart.categoryAxis.categoryNames = names
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = low, high
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = _kr_label(max(abs(low), abs(high)))
    chart.bars[0].fillColor = SECONDARY
    chart.bars[1].fillColor = PRIMARY
    chart.bars[0].strokeColor = chart.bars[1].strokeColor = None
    chart.groupSpacing, chart.barSpacing = 5, 0.5
    _style_axes(chart, chart.valueAxis, chart.categoryAxis)
    drawing.add(chart)
    _legend(drawing, [("Utfall", PRIMARY, "bar"), ("Plan", SECONDARY, "bar")])
    return drawing


def _path_chart(table: Table, quarter: str) -> Drawing | None:
    rows = table.rows
    plan = [_number(r.get("remaining_plan")) for r in rows]
    actual = [_number(r.get("remaining_actual")) for r in rows]
    known = [v for v in plan + actual if v is not None]
    if not rows or not known:
        return None
    quarters = [printable(str(r.get("quarter", ""))) for r in rows]
    low, high, step = _axis(min(known), max(known) * 1.05, ticks=4)
    drawing = _drawing(CHART_WIDTH, CHART_HEIGHT)
    chart = LinePlot()
    chart.x, chart.y = 40, 32
    chart.width, chart.height = CHART_WIDTH - 48, CHART_HEIGHT - 40
    series = [_runs(plan), _runs(actual)]
    chart.data = [run for runs in series for run in runs]
    colours = [(SECONDARY, [3, 2]), (PRIMARY, None)]
    index = 0
    for runs, (colour, dash) in zip(series, colours, strict=True):
        for _run in runs:
            line = chart.lines[index]
            line.strokeColor = colour
            line.strokeWidth = 1.6
            line.strokeDashArray = dash
            line.symbol = makeMarker(
                "FilledCircle", size=3.2, fillColor=colour, strokeColor=colour
            )
            index += 1
    chart.xValueAxis.valueMin, chart.xValueAxis.valueMax = -0.5, len(rows) - 0.5
    every = max(1, math.ceil(len(rows) / 6))
    chart.xValueAxis.valueSteps = list(range(0, len(rows), every))
    chart.xValueAxis.labelTextFormat = lambda v: (
        quarters[round(v)] if 0 <= round(v) < len(quarters) else ""
    )
    chart.yValueAxis.valueMin, chart.yValueAxis.valueMax = low, high
    chart.yValueAxis.valueStep = step
    chart.yValueAxis.labelTextFormat = _kr_label(max(abs(low), abs(high)))
    _style_axes(chart, chart.yValueAxis, chart.xValueAxis)
    chart.xValueAxis.visibleTicks = 1
    chart.xValueAxis.tickDown = 2
    chart.xValueAxis.strokeColor = RULE
    chart.yValueAxis.visibleGrid = 1
    drawing.add(chart)
    if quarter in quarters:
        x = chart.x + (quarters.index(quarter) + 0.5) / len(rows) * chart.width
        drawing.add(
            Line(
                x,
                chart.y,
                x,
                chart.y + chart.height,
                strokeColor=MUTED,
                strokeWidth=0.6,
                strokeDashArray=[1, 2],
            )
        )
        drawing.add(_string(x + 2, chart.y + chart.height - 7, "nu", fillColor=MUTED))
    _legend(
        drawing,
        [
            ("Kvar efter utfall", PRIMARY, "line"),
            ("Kvar enligt plan", SECONDARY, "dash"),
        ],
    )
    return drawing


def _runs(values: list[float | None]) -> list[list[tuple[float, float]]]:
    """A series cut at its gaps: no data is no line, never a drop to zero."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for index, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((float(index), value))
    if current:
        runs.append(current)
    return runs


# --- definitions ----------------------------------------------------------------


def _definitions(terms: list[tuple[str, str]]) -> list[Flowable]:
    rows = [[_para(term, "term"), _para(text, "definition")] for term, text in terms]
    table = PdfTable(rows, colWidths=[48 * mm, WIDTH - 48 * mm])
    table.setStyle(
        _table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return [
        _Mark("definitions", "Definitioner"),
        _para("Definitioner", "h1"),
        Spacer(1, 4 * mm),
        table,
    ]
