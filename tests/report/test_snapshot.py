"""Closing a quarter, late data, restating and publishing — on SQLite and
PostgreSQL, with member registers loaded through the real ingest.

The fixture programme: Figeholm (opened 2 Sep 2024, member target 14 from
March 2025) and Boda (no member register). Figeholm's register file holds two
members active on 31 March 2025 that the office offers (M-1042 Flexibel and
m-1044 Lounge); its other rows are quarantined on purpose.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa

from ingest.pipeline import ingest_file
from models import tables as t
from models.config import Reporting, Smtp, SteeringGroup
from models.db import session_factory, transaction
from pilotpuls.report import exports, snapshot
from pilotpuls.report.delivery import deliver_pending
from pilotpuls.report.figures import PROGRAMME
from pilotpuls.report.snapshot import ReportError
from tests.conftest import FIXTURES

QUARTER = "2025Q1"
AFTER = datetime(2025, 4, 10, 8, 0, tzinfo=UTC)  # the quarter is over
LATER = datetime(2025, 5, 2, 8, 0, tzinfo=UTC)
REGISTER = FIXTURES / "members" / "figeholm_medlemmar.csv"
# the corrected export a week later: the same members and two who joined in
# February but were missing from the first file
LATE_REGISTER = """\ufeffMedlemsnummer;Medlemskap;Månadsavgift;Startdatum;Slutdatum;\
Målgrupp;Hemkommun
M-1042;Flexibel;1 995;2024-09-02;;Företagare;Oskarshamn
 m-1044 ;Lounge;250;2024-10-15;;Turist/Resande;kalmar
M-1050;Flexibel;1 995;2025-02-10;;Pendlare;Oskarshamn
M-1051;Flexibel;1 995;2025-02-17;;Pendlare;Mönsterås
"""


@pytest.fixture
def closed(engine, programme):
    """Figeholm's register loaded, then 2025Q1 closed on 10 April 2025."""
    received = datetime(2025, 4, 3, 9, 0, tzinfo=UTC)
    ingest_file(
        engine, programme, REGISTER, "figeholm", "members", received_at=received
    )
    snapshot.close(engine, programme, QUARTER, "anna@region.se", now=AFTER)
    return engine


def _document(engine, programme, version=None, scopes=None):
    with session_factory(engine)() as session:
        return snapshot.document(session, programme, QUARTER, version, scopes)


def _figure(document, scope: str, key: str):
    section = next(s for s in document.sections if s.report.scope == scope)
    return next(k for k in section.report.key_figures if k.key == key)


def _late_file(engine, programme, tmp_path: Path) -> None:
    late = tmp_path / "medlemmar-rättad.csv"
    late.write_text(LATE_REGISTER, encoding="utf-8")
    result = ingest_file(
        engine, programme, late, "figeholm", "members", received_at=LATER
    )
    assert result.status == "loaded" and result.rows_loaded >= 2


def test_closing_stores_one_draft_per_office_and_the_programme(closed, programme):
    document = _document(closed, programme)
    assert document.version == 1 and document.status == "draft"
    assert [s.report.scope for s in document.sections] == [
        PROGRAMME,
        "boda",
        "figeholm",
    ]
    assert document.cutoff_at == AFTER
    members = _figure(document, "figeholm", "members")
    assert (members.value, members.target) == (2, 14)
    # Boda has no member register: unknown, not zero
    assert _figure(document, "boda", "members").value is None


def test_a_quarter_in_progress_or_closed_twice_is_refused(closed, programme):
    with pytest.raises(ReportError, match="not over yet"):
        snapshot.close(closed, programme, "2025Q2", "x", now=LATER)
    with pytest.raises(ReportError, match="already closed.*restate"):
        snapshot.close(closed, programme, QUARTER, "x", now=LATER)
    with pytest.raises(ReportError, match="not a quarter"):
        snapshot.close(closed, programme, "2025-Q1", "x", now=LATER)


def test_stored_figures_are_read_back_not_recomputed(closed, programme, tmp_path):
    before = _document(closed, programme)
    _late_file(closed, programme, tmp_path)
    assert _document(closed, programme) == before


def test_late_data_is_flagged_with_the_differences(closed, programme, tmp_path):
    with session_factory(closed)() as session:
        assert not snapshot.check(session, programme, QUARTER).any
    _late_file(closed, programme, tmp_path)
    with session_factory(closed)() as session:
        found = snapshot.check(session, programme, QUARTER)
    assert found.any and found.new_files == 1
    changed = {
        (c.section, c.item, c.column): (c.old, c.new) for c in found.changes["figeholm"]
    }
    assert changed[("Nyckeltal", "Medlemmar vid kvartalets slut", "")] == (
        "2 (mål 14)",
        "4 (mål 14)",
    )
    assert changed[("Nyckeltal", "Nya medlemskap", "")] == ("0", "2")
    table = "Medlemmar per målgrupp vid kvartalets slut"
    assert changed[(table, "Pendlare", "Medlemmar")] == ("–", "2")
    # Boda got no data: nothing changes there
    assert found.changes["boda"] == []


def test_restating_makes_version_2_and_keeps_version_1(closed, programme, tmp_path):
    snapshot.set_texts(
        closed, QUARTER, 1, "figeholm", "Lugn start.", "Fler företagare", "anna"
    )
    snapshot.publish(closed, QUARTER, None, "anna@region.se", now=AFTER)
    version_1 = _document(closed, programme, 1)
    _late_file(closed, programme, tmp_path)
    restated = snapshot.restate(closed, programme, QUARTER, "anna", now=LATER)
    assert (restated.version, restated.status) == (2, "draft")
    assert _document(closed, programme, 1) == version_1
    latest = _document(closed, programme)
    assert latest.version == 2 and latest.cutoff_at == LATER
    assert _figure(latest, "figeholm", "members").value == 4
    # the region's texts carry over to the new draft
    figeholm = next(s for s in latest.sections if s.report.scope == "figeholm")
    assert (figeholm.comments, figeholm.actions) == ("Lugn start.", "Fler företagare")
    with pytest.raises(ReportError, match="nothing to restate"):
        snapshot.restate(closed, programme, QUARTER, "anna", now=LATER)


def test_publishing_rules(closed, programme):
    with pytest.raises(ReportError, match="only the latest"):
        snapshot.publish(closed, QUARTER, 2, "x")
    published = snapshot.publish(closed, QUARTER, None, "bo@region.se", now=AFTER)
    assert published.status == "published" and published.published_by == "bo@region.se"
    with pytest.raises(ReportError, match="already published"):
        snapshot.publish(closed, QUARTER, 1, "x")
    with pytest.raises(ReportError, match="texts are frozen"):
        snapshot.set_texts(closed, QUARTER, 1, "figeholm", "ändrat", "", "x")
    with session_factory(closed)() as session:
        lines = session.scalars(sa.select(t.AuditLog.action)).all()
    assert {"report_close", "report_publish"} <= set(lines)


def test_figures_changed_in_the_database_are_refused(closed, programme):
    with transaction(closed) as session:
        row = session.scalar(
            sa.select(t.ReportSnapshot).where(t.ReportSnapshot.scope == "figeholm")
        )
        row.figures = {**row.figures, "title": "Annat kontor"}
    with pytest.raises(ReportError, match="checksum"):
        _document(closed, programme)


def test_one_office_only(closed, programme):
    document = _document(closed, programme, scopes=["boda"])
    assert [s.report.scope for s in document.sections] == ["boda"]
    with pytest.raises(ReportError, match="close it first"):
        with session_factory(closed)() as session:
            snapshot.document(session, programme, "2024Q4")


def _exports(engine, programme, version=None) -> tuple[bytes, bytes]:
    document = _document(engine, programme, version)
    return exports.render(document, ".pdf"), exports.render(document, ".xlsx")


def test_a_version_exports_the_same_files_before_and_after_a_restatement(
    closed, programme, tmp_path
):
    snapshot.publish(closed, QUARTER, None, "anna@region.se", now=AFTER)
    first = _exports(closed, programme)
    assert _exports(closed, programme) == first
    _late_file(closed, programme, tmp_path)
    snapshot.restate(closed, programme, QUARTER, "anna", now=LATER)
    assert _exports(closed, programme, version=1) == first
    assert _exports(closed, programme, version=2) != first


def test_the_excel_numbers_are_the_stored_figures(closed, programme):
    document = _document(closed, programme)
    workbook = openpyxl.load_workbook(io.BytesIO(exports.render(document, ".xlsx")))
    sheet = workbook["Nyckeltal"]
    cells = {
        (row[0], row[1]): row[2] for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    for section in document.sections:
        for figure in section.report.key_figures:
            stored = figure.value
            if isinstance(stored, float):
                assert cells[(section.report.title, figure.label)] == pytest.approx(
                    stored
                )
            else:
                assert cells[(section.report.title, figure.label)] == stored
    assert cells[("Kontoret Figeholm", "Medlemmar vid kvartalets slut")] == 2


def test_the_pdf_of_a_stored_version_renders(closed, programme):
    document = _document(closed, programme)
    pdf = pdfium.PdfDocument(exports.render(document, ".pdf"))
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    assert "Kvartalsrapport 2025Q1" in text and "UTKAST" in text
    assert "Kontoret Figeholm" in text and "Bodakontoret" in text
    image = pdf[1].render(scale=0.5).to_pil().convert("L")
    ink = sum(1 for p in image.get_flattened_data() if p < 200)
    assert ink > 1000  # not a blank page


def test_published_reports_are_mailed_once_as_their_pdf(closed, programme, inbox):
    group = SteeringGroup(
        name="Lokal styrgrupp Figeholm",
        offices=["figeholm"],
        recipients=["ordforande@figeholm.se"],
    )
    smtp = Smtp(host="127.0.0.1", port=inbox.port, timeout_seconds=5)
    config = programme.model_copy(
        update={"reporting": Reporting(smtp=smtp, steering_groups=[group])}
    )
    render = exports.pdf_attachment(closed, config)
    assert deliver_pending(closed, config, render).sent == 0  # a draft waits
    snapshot.publish(closed, QUARTER, None, "anna@region.se", now=AFTER)
    assert deliver_pending(closed, config, render).sent == 1
    assert deliver_pending(closed, config, render).sent == 0
    (mail,) = inbox.to("ordforande@figeholm.se")
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "kvartalsrapport-2025Q1-figeholm-v1.pdf"
    expected = exports.render(_document(closed, config, scopes=["figeholm"]), ".pdf")
    assert attachment.get_content() == expected
