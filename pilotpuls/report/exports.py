"""A stored report version as a file: PDF for print, Excel for the numbers."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from models import tables as t
from models.config import ProgrammeConfig
from models.db import session_factory
from pilotpuls.report import snapshot
from pilotpuls.report.content import ReportDocument
from pilotpuls.report.pdf import pdf_bytes
from pilotpuls.report.xlsx import xlsx_bytes

FORMATS = {".pdf": pdf_bytes, ".xlsx": xlsx_bytes}
MIME_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(document: ReportDocument, suffix: str) -> bytes:
    """The document as ``.pdf`` or ``.xlsx`` bytes."""
    try:
        return FORMATS[suffix.lower()](document)
    except KeyError:
        raise ValueError(
            f"unknown report format {suffix!r}; use .pdf or .xlsx"
        ) from None


def file_name(document: ReportDocument, suffix: str) -> str:
    """``kvartalsrapport-2026Q3-hogsby-v2.pdf`` (``programme`` for the whole)."""
    scopes = [s.report.scope for s in document.sections]
    who = scopes[0] if len(scopes) == 1 else "programmet"
    return f"kvartalsrapport-{document.quarter}-{who}-v{document.version}{suffix}"


def write(document: ReportDocument, path: Path) -> int:
    data = render(document, path.suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def pdf_attachment(engine: sa.Engine, config: ProgrammeConfig):
    """A ``render`` for :func:`delivery.deliver_pending`: a stored section's PDF."""

    def render(row: t.ReportSnapshot) -> tuple[str, bytes]:
        with session_factory(engine)() as session:
            document = snapshot.document(
                session, config, row.quarter, row.version, [row.scope]
            )
        return file_name(document, ".pdf"), pdf_bytes(document)

    return render
