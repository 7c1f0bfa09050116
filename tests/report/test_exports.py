"""The report's PDF and Excel exports: right content, same bytes every time."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pypdfium2 as pdfium
import pytest
import reportlab
from reportlab.pdfbase.ttfonts import TTFont

from pilotpuls.report.content import Column, ReportDocument, Table, cell_text
from pilotpuls.report.pdf import pdf_bytes, printable
from pilotpuls.report.xlsx import sheet_name, xlsx_bytes
from tests.report.sample import PROGRAMME_NAME, economy_rows, sample_document

ROOT = Path(__file__).parents[2]
VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


@pytest.fixture(scope="module")
def document() -> ReportDocument:
    return sample_document()


@pytest.fixture(scope="module")
def pdf(document: ReportDocument) -> bytes:
    return pdf_bytes(document)


@pytest.fixture(scope="module")
def pages(pdf: bytes) -> list[str]:
    """Each page's text, whitespace normalised (the PDF's no-break spaces are
    spaces to a text extractor)."""
    document = pdfium.PdfDocument(pdf)
    texts = [page.get_textpage().get_text_range() for page in document]
    return [" ".join(text.replace("\u00a0", " ").split()) for text in texts]


@pytest.fixture(scope="module")
def xlsx(document: ReportDocument) -> bytes:
    return xlsx_bytes(document)


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(sheet) -> list[dict]:
    """A table sheet's rows as dicts by header (up to the first empty row)."""
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    found = []
    for line in values[1:]:
        if all(v is None for v in line):
            break
        found.append(dict(zip(header, line, strict=True)))
    return found


# --- fonts ----------------------------------------------------------------------


def test_printable_replaces_only_what_the_font_cannot_draw() -> None:
    swedish = "Åsa Öberg – Högsby: 12\u00a0345\u00a0kr, 41\u00a0%, 7,5 m², −3 é"
    assert printable(swedish) == swedish
    assert printable("1\u2009234\u202fkr") == "1\u00a0234\u00a0kr"  # thin spaces
    assert printable("e\u2011post") == "e-post"  # non-breaking hyphen
    assert printable("\ufb00") == "ff"  # a ligature Vera lacks: its plain letters
    assert printable("漢") == "?"  # no look-alike: visible, never an empty box
    assert printable("rad ett\nrad två") == "rad ett\nrad två"


def test_every_character_the_sample_prints_is_in_the_font(
    document: ReportDocument,
) -> None:
    glyphs = TTFont("VeraCheck", str(VERA)).face.charToGlyph
    texts = [document.programme_name, document.title]
    for section in document.sections:
        report = section.report
        texts += [report.title, report.subtitle, section.comments, section.actions]
        texts += [f.label for f in report.key_figures]
        texts += [cell_text(f.value, f.kind) for f in report.key_figures]
        texts += [text for pair in report.definitions for text in pair]
        for table in report.tables:
            texts += [table.title, table.note, *(c.label for c in table.columns)]
            texts += [
                cell_text(row.get(c.key), c.kind)
                for row in table.rows
                for c in table.columns
            ]
    for text in texts:
        shown = printable(text)
        assert "?" not in shown or "?" in text, text
        missing = {c for c in shown if ord(c) not in glyphs and c != "\n"}
        assert not missing, (text, missing)


# --- PDF ------------------------------------------------------------------------


def test_pdf_is_the_same_bytes_every_time(pdf: bytes, document: ReportDocument) -> None:
    assert pdf_bytes(document) == pdf
    assert pdf_bytes(sample_document()) == pdf  # an equal document, made anew


def test_exports_do_not_depend_on_clock_zone_or_environment(
    pdf: bytes, xlsx: bytes
) -> None:
    """Another process, another time zone, ReportLab's $SOURCE_DATE_EPOCH set."""
    script = (
        "import hashlib, sys\n"
        "from tests.report.sample import sample_document\n"
        "from pilotpuls.report.pdf import pdf_bytes\n"
        "from pilotpuls.report.xlsx import xlsx_bytes\n"
        "d = sample_document()\n"
        "print(hashlib.sha256(pdf_bytes(d)).hexdigest())\n"
        "print(hashlib.sha256(xlsx_bytes(d)).hexdigest())\n"
    )
    env = os.environ | {"TZ": "America/New_York", "SOURCE_DATE_EPOCH": "0"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [
        hashlib.sha256(pdf).hexdigest(),
        hashlib.sha256(xlsx).hexdigest(),
    ]


def test_pdf_metadata_is_dated_at_the_cut_off(pdf: bytes) -> None:
    meta = pdfium.PdfDocument(pdf).get_metadata_dict()
    assert meta["CreationDate"] == "D:20261005061200+00'00'"  # 08:12 in Kalmar
    assert meta["ModDate"] == meta["CreationDate"]
    assert meta["Title"] == "Kvartalsrapport 2026Q3"
    assert meta["Author"] == PROGRAMME_NAME
    assert "version 2" in meta["Subject"]


def test_pdf_embeds_its_font_and_uses_no_other(pdf: bytes) -> None:
    assert b"/FontFile2" in pdf  # a TrueType font program, embedded
    assert b"BitstreamVeraSans" in pdf
    assert b"/Helvetica" not in pdf


def test_pdf_renders_to_pages_with_ink(pdf: bytes, tmp_path: Path) -> None:
    document = pdfium.PdfDocument(pdf)
    assert len(document) >= 2
    assert document.get_page_size(0) == pytest.approx((595.28, 841.89), abs=0.1)
    for number in (0, 1):
        image = document[number].render(scale=1).to_pil().convert("L")
        image.save(tmp_path / f"page{number + 1}.png")
        inked = sum(
            count for value, count in enumerate(image.histogram()) if value < 200
        )
        assert inked > 0.01 * image.width * image.height, f"page {number + 1} blank"


def test_pdf_cover_says_what_and_when(pages: list[str]) -> None:
    cover = pages[0]
    assert PROGRAMME_NAME in cover
    assert "Kvartalsrapport 2026Q3" in cover
    assert "1 juli – 30 september 2026" in cover
    assert "Version 2" in cover
    assert "Publicerad 2026-10-12" in cover
    assert "Siffrorna är frysta per 2026-10-05 08:12" in cover
    assert "UTKAST" not in " ".join(pages)


def test_pdf_has_the_sections_figures_tables_and_texts(pages: list[str]) -> None:
    text = " ".join(pages)
    for expected in (
        "Kontoret Figeholm",
        "Beläggning",
        "Självfinansieringsgrad",
        "Ekonomi mot plan",
        "71 350 kr",  # a key figure
        "-18 650 kr",  # a negative difference
        "< 5",  # a hidden satisfaction cell
        "Kostnadsfördelning 2026Q3",
        "120 m²",
        "Kommentarer",
        "Åtgärder",
        "Definitioner",
    ):
        assert expected in text, expected
    # every table, its title at least
    for section in sample_document().sections:
        for table in section.report.tables:
            assert table.title in text, table.title


def test_pdf_keeps_the_comments_line_breaks(pdf: bytes) -> None:
    document = pdfium.PdfDocument(pdf)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    first = "Beläggningen har ökat varje månad sedan sommaren."
    start = text.index(first) + len(first)
    assert text[start : start + 2] == "\r\n"
    assert text[start + 2 :].startswith("Intäkterna ligger under plan")


def test_pdf_header_and_footer_on_every_page(pages: list[str]) -> None:
    for number, text in enumerate(pages, 1):
        assert f"Sida {number} av {len(pages)}" in text
        assert "Kvartalsrapport 2026Q3 · Version 2" in text
        assert PROGRAMME_NAME in text


def test_pdf_lists_each_definition_once(pages: list[str]) -> None:
    text = " ".join(pages)
    assert text.count("Det högsta antalet närvarande under en timme den dagen.") == 1
    # the office's extra definition joins the programme's, after them
    assert text.index("Frysta siffror") < text.index("Härnösandsmodellen")


def test_pdf_of_a_draft_says_so_on_every_page() -> None:
    document = pdfium.PdfDocument(pdf_bytes(sample_document(status="draft")))
    texts = [page.get_textpage().get_text_range() for page in document]
    assert "UTKAST – ej publicerad" in texts[0]
    assert "Publicerad" not in texts[0]
    assert all("UTKAST" in text for text in texts)


def test_pdf_leaves_out_an_empty_heading(document: ReportDocument) -> None:
    office = dataclasses.replace(document.sections[1], actions="  ")
    alone = dataclasses.replace(document, sections=[office])
    text = " ".join(
        page.get_textpage().get_text_range()
        for page in pdfium.PdfDocument(pdf_bytes(alone))
    )
    assert "Kommentarer" in text
    assert "Åtgärder" not in text


def test_pdf_repeats_a_long_tables_header_on_each_page(
    document: ReportDocument,
) -> None:
    columns = [Column("day", "Dag"), Column("visits", "Besök per dag", "int")]
    days = [{"day": f"dag {n:03}", "visits": n} for n in range(150)]
    section = document.sections[1]
    report = dataclasses.replace(
        section.report, tables=[Table("visits", "Besök", columns, days)], key_figures=[]
    )
    alone = dataclasses.replace(
        document, sections=[dataclasses.replace(section, report=report)]
    )
    texts = [
        page.get_textpage().get_text_range()
        for page in pdfium.PdfDocument(pdf_bytes(alone))
    ]
    with_rows = [text for text in texts if "dag 0" in text or "dag 1" in text]
    assert len(with_rows) >= 2
    assert all("Besök per dag" in text for text in with_rows)
    assert "dag 149" in with_rows[-1]


def test_pdf_bookmarks_each_section(pdf: bytes) -> None:
    toc = [
        (item.get_title(), item.get_dest().get_index())
        for item in pdfium.PdfDocument(pdf).get_toc()
    ]
    titles = [title for title, _ in toc]
    assert titles == [
        "Om rapporten",
        PROGRAMME_NAME,
        "Kontoret Figeholm",
        "Definitioner",
    ]
    assert [page for _, page in toc] == sorted({page for _, page in toc})


def test_exports_survive_empty_and_odd_content(document: ReportDocument) -> None:
    """No rows, a chart without data, a hidden key figure only, odd characters,
    no sections at all: still a PDF and a workbook, never an exception."""
    section = document.sections[1]
    tables = []
    for table in section.report.tables:
        if table.key == "utilisation":
            table = dataclasses.replace(
                table,
                rows=[r | {"utilisation": None, "target": None} for r in table.rows],
            )
        if table.key == "target_groups":
            table = dataclasses.replace(table, rows=[])
        tables.append(table)
    odd = Table(
        "odd",
        "Tecken: ✓ → 漢 & <b>",
        [Column("a", "A & B"), Column("n", "N", "decimal")],
        [{"a": "x<y & z", "n": -1.5}, {"a": None, "n": None}],
    )
    report = dataclasses.replace(
        section.report,
        tables=[*tables, odd],
        key_figures=section.report.key_figures[:1],
    )
    strange = dataclasses.replace(
        document, sections=[dataclasses.replace(section, report=report, comments="")]
    )
    text = " ".join(
        page.get_textpage().get_text_range()
        for page in pdfium.PdfDocument(pdf_bytes(strange))
    )
    assert "Tecken: x -> ? & <b>" in text
    assert "x<y & z" in text
    assert "Inga data för kvartalet" in text  # the utilisation chart
    assert "Inga rader för kvartalet." in text
    assert "Kommentarer" not in text
    assert workbook(xlsx_bytes(strange))["Tecken ✓ → 漢 & <b>"]["A2"].value == "x<y & z"
    nothing = dataclasses.replace(document, sections=[])
    assert pdfium.PdfDocument(pdf_bytes(nothing))
    assert workbook(xlsx_bytes(nothing)).sheetnames == [
        "Om rapporten",
        "Nyckeltal",
        "Kommentarer",
        "Definitioner",
    ]


def test_pdf_of_many_sections() -> None:
    document = pdfium.PdfDocument(pdf_bytes(sample_document(sections=6)))
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    for name in ("Kontoret Figeholm", "Högsby Arbetsplats", "Gamleby Coworking"):
        assert name in text


# --- Excel ----------------------------------------------------------------------


def test_xlsx_is_the_same_bytes_every_time(
    xlsx: bytes, document: ReportDocument
) -> None:
    assert xlsx_bytes(document) == xlsx
    assert xlsx_bytes(sample_document()) == xlsx


def test_xlsx_is_dated_at_the_cut_off(xlsx: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(xlsx))
    assert {info.date_time for info in archive.infolist()} == {(2026, 10, 5, 8, 12, 0)}
    assert archive.namelist()[:2] == ["docProps/app.xml", "docProps/core.xml"]
    properties = workbook(xlsx).properties
    assert properties.created == properties.modified == datetime(2026, 10, 5, 6, 12)
    assert properties.creator == PROGRAMME_NAME


def test_xlsx_has_its_sheets(xlsx: bytes, document: ReportDocument) -> None:
    names = workbook(xlsx).sheetnames
    keys = {t.key for s in document.sections for t in s.report.tables}
    assert names[:2] == ["Om rapporten", "Nyckeltal"]
    assert names[-2:] == ["Kommentarer", "Definitioner"]
    assert len(names) == 4 + len(keys)
    assert "Ekonomi mot plan" in names
    assert "Nöjdhet mjuka värden" in names  # no ":" and ≤ 31 characters
    assert "Kostnadsfördelning 2026Q3" in names


def test_xlsx_about_sheet(xlsx: bytes) -> None:
    facts = {
        row[0]: row[1]
        for row in workbook(xlsx)["Om rapporten"].iter_rows(values_only=True)
        if row[0]
    }
    assert facts["Program"] == PROGRAMME_NAME
    assert facts["Kvartal"] == "2026Q3"
    assert facts["Period"] == "1 juli – 30 september 2026"
    assert facts["Version"] == 2
    assert facts["Status"] == "Publicerad"
    assert facts["Siffrorna frysta per (svensk tid)"] == datetime(2026, 10, 5, 8, 12)
    assert facts["Publicerad (svensk tid)"] == datetime(2026, 10, 12, 9, 30)


def test_xlsx_numbers_are_numbers_with_their_format(xlsx: bytes) -> None:
    sheet = workbook(xlsx)["Ekonomi mot plan"]
    assert [c.value for c in sheet[1]] == [
        "Kontor",
        "Post",
        "Utfall",
        "Plan",
        "Avvikelse",
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    found = next(
        cells
        for cells in sheet.iter_rows(min_row=2)
        if cells[0].value == "Kontoret Figeholm" and cells[1].value == "Intäkter totalt"
    )
    difference = found[4]
    assert isinstance(difference.value, int | float)
    assert difference.value == economy_rows()[2]["difference"] == -18_650
    assert difference.number_format == '#,##0 "kr"'
    # no plan: an empty cell, not "–" or 0
    first = next(cells for cells in sheet.iter_rows(min_row=2) if cells[1].value)
    assert first[3].value is None
    # the table's note under the table
    last = [c.value for c in list(sheet.iter_rows())[-1]]
    assert last[0].startswith("Kostnader är kostnadsplanen")


def test_xlsx_formats_each_kind(xlsx: bytes) -> None:
    book = workbook(xlsx)
    share = book["Beläggning per månad"]["D2"]
    assert (share.value, share.number_format) == (0.34, "0%")
    area = book["Årshyra 2026 per part"]["C2"]
    assert (area.value, area.number_format) == (120, '0.0 "m²"')
    members = book["Medlemmar per målgrupp"]["C2"]
    assert (members.value, members.number_format) == (9, "#,##0")  # Pendlare


def test_xlsx_keeps_hidden_cells_as_text_and_gaps_empty(xlsx: bytes) -> None:
    book = workbook(xlsx)
    hidden = [
        r for r in rows(book["Nöjdhet mjuka värden"]) if r["Fråga"] == "Parkering"
    ]
    assert hidden and all(r["Svar"] == "< 5" for r in hidden)
    assert all(r["Andel 4–5"] is None for r in hidden)
    path = [
        r
        for r in rows(book["Vägen till självfinansiering"])
        if r["Kvartal"] == "2026Q4"
    ]
    assert path and all(r["Kvar efter utfall"] is None for r in path)
    assert all(isinstance(r["Kvar enligt plan"], int | float) for r in path)


def test_xlsx_key_figures(xlsx: bytes) -> None:
    found = rows(workbook(xlsx)["Nyckeltal"])
    assert list(found[0]) == ["Kontor/omfattning", "Mått", "Värde", "Mål", "Mål avser"]
    revenue = next(
        r
        for r in found
        if r["Kontor/omfattning"] == "Kontoret Figeholm" and r["Mått"] == "Intäkter"
    )
    assert (revenue["Värde"], revenue["Mål"], revenue["Mål avser"]) == (
        71_350,
        90_000,
        "plan",
    )


def test_xlsx_hidden_key_figure_stays_text() -> None:
    sheet = workbook(xlsx_bytes(sample_document(sections=3)))["Nyckeltal"]
    nps = next(
        r
        for r in rows(sheet)
        if r["Kontor/omfattning"] == "Högsby Arbetsplats"
        and r["Mått"].startswith("Rekom")
    )
    assert nps["Värde"] == "< 5"


def test_xlsx_office_column_only_with_several_sections(xlsx: bytes) -> None:
    several = workbook(xlsx)["Beläggning per månad"]
    assert several["A1"].value == "Kontor"
    offices = {r["Kontor"] for r in rows(several)}
    assert offices == {PROGRAMME_NAME, "Kontoret Figeholm"}
    assert several.auto_filter.ref == "A1:H7"
    one = workbook(xlsx_bytes(sample_document(sections=1)))["Beläggning per månad"]
    assert one["A1"].value == "Månad"
    # the offices table has its own "Kontor" column
    assert workbook(xlsx)["Kontoren mot sina egna mål"]["A1"].value == "Omfattning"


def test_xlsx_comments_and_definitions(xlsx: bytes) -> None:
    book = workbook(xlsx)
    comments = rows(book["Kommentarer"])
    assert [r["Kontor/omfattning"] for r in comments] == [
        PROGRAMME_NAME,
        "Kontoret Figeholm",
    ]
    assert "\n" in comments[1]["Kommentarer"]
    terms = [r["Begrepp"] for r in rows(book["Definitioner"])]
    assert len(terms) == len(set(terms))
    assert terms[-1] == "Kostnadsfördelning"


def test_sheet_names_are_short_unique_and_legal() -> None:
    title = "Nöjdhet: mjuka/hårda värden [alla] och faciliteter? (enkäter senaste året)"
    taken: set[str] = set()
    names = []
    for _ in range(12):
        name = sheet_name(title, taken)
        taken.add(name.casefold())
        names.append(name)
    assert len(set(names)) == 12
    for name in names:
        assert 0 < len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
    assert sheet_name("Kommentarer", {"kommentarer"}) == "Kommentarer (2)"
    assert sheet_name("") == "Tabell"


def test_xlsx_with_long_and_duplicate_table_titles(document: ReportDocument) -> None:
    title = "Kostnader: per kategori och månad för hela kvartalet (plan)"
    columns = [Column("category", "Kategori"), Column("amount", "Belopp", "kr")]
    tables = [
        Table(key, title, columns, [{"category": "Hyra", "amount": 1000.0}])
        for key in ("a", "b", "c")
    ] + [Table("d", "Kommentarer", columns, [])]
    section = document.sections[1]
    report = dataclasses.replace(section.report, tables=tables)
    odd = dataclasses.replace(
        document, sections=[dataclasses.replace(section, report=report)]
    )
    names = workbook(xlsx_bytes(odd)).sheetnames
    assert len(names) == len({n.casefold() for n in names}) == 8
    assert all(len(n) <= 31 for n in names)
    assert names.count("Kommentarer") == 1
