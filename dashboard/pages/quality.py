"""Datakvalitet: is the data coming in? Imports per office and source, rejected
files, quarantined rows, ingest runs and gaps in the door-counter data.
Region users only: file names and messages may name any office."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash
import pandas as pd
import sqlalchemy.orm as so

from dashboard import access, database, formatting, page_kit, panels
from dashboard.access import Scope
from dashboard.filters import Period
from dashboard.i18n import add, text
from dashboard.queries import quality
from dashboard.table_kit import render

PAGE = "quality"
# the latest rows a table card shows; Excel and CSV hold them all (a quarter
# at 50 offices sets aside a thousand rows: 240 KB of table, unreadable in a card)
ROWS_SHOWN = 100
dash.register_page(
    __name__, path="/datakvalitet", name="Datakvalitet", order=5, roles=("region",)
)
add(
    {
        "dq_title": ("Datakvalitet", "Data quality"),
        "dq_intro": (
            "Kommer data in som det ska? Importer, avvisade filer, rader i karantän, "
            "importkörningar och luckor i dörrräknarens data.",
            "Is data coming in as it should? Imports, rejected files, quarantined "
            "rows, ingest runs and gaps in the door-counter data.",
        ),
        "dq_imports": ("Importer per kontor och källa", "Imports by office and source"),
        "dq_rejected": ("Avvisade filer", "Rejected files"),
        "dq_quarantine": ("Rader i karantän", "Quarantined rows"),
        "dq_runs": ("Importkörningar", "Ingest runs"),
        "dq_gaps": ("Luckor i dörrdata", "Gaps in door data"),
        "dq_col_office": ("Kontor", "Office"),
        "dq_col_kind": ("Källa", "Source"),
        "dq_col_last_import": ("Senaste import", "Last import"),
        "dq_col_loaded": ("Filer inlästa", "Files loaded"),
        "dq_col_rejected": ("Filer avvisade", "Files rejected"),
        "dq_col_last_rejection": ("Senast avvisad", "Last rejected"),
        "dq_col_received": ("Mottagen", "Received"),
        "dq_col_format": ("Format", "Format"),
        "dq_col_file": ("Fil", "File"),
        "dq_col_message": ("Meddelande", "Message"),
        "dq_col_row": ("Rad", "Row"),
        "dq_col_column": ("Kolumn", "Column"),
        "dq_col_reason": ("Orsak", "Reason"),
        "dq_col_started": ("Start", "Started"),
        "dq_col_duration": ("Tid", "Duration"),
        "dq_col_trigger": ("Startad av", "Trigger"),
        "dq_col_status": ("Status", "Status"),
        "dq_col_files": ("Filer (inlästa/sedda)", "Files (loaded/seen)"),
        "dq_col_rows": ("Rader inlästa", "Rows loaded"),
        "dq_col_quarantined": ("Rader i karantän", "Rows quarantined"),
        "dq_col_first": ("Från", "From"),
        "dq_col_last": ("Till", "To"),
        "dq_col_days": ("Dagar", "Days"),
        "dq_col_open_days": ("Varav öppet", "Of which open"),
        "dq_no_files": (
            "Inga filer har tagits emot ännu för valda kontor — lägg exporter i "
            "data/inbox/<kontor>/<källa>/ och kör ”pilotpuls ingest”.",
            "No files received yet for the chosen offices — put exports in "
            "data/inbox/<office>/<source>/ and run “pilotpuls ingest”.",
        ),
        "dq_no_rejected": (
            "Inga avvisade filer under perioden.",
            "No rejected files in the period.",
        ),
        "dq_no_quarantine": (
            "Inga rader i karantän under perioden.",
            "No quarantined rows in the period.",
        ),
        "dq_no_runs": (
            "Inga importkörningar under perioden — kör ”pilotpuls ingest” eller "
            "starta schemaläggaren.",
            "No ingest runs in the period — run “pilotpuls ingest” or start the "
            "scheduler.",
        ),
        "dq_no_gaps": (
            "Inga luckor: dörrräknaren har data för alla öppetdagar i perioden.",
            "No gaps: the door counter has data for every opening day in the period.",
        ),
        "dq_kind_door": ("Dörrräknare", "Door counter"),
        "dq_kind_bookings": ("Bokningar", "Bookings"),
        "dq_kind_members": ("Medlemmar", "Members"),
        "dq_kind_survey": ("Enkäter", "Surveys"),
        "dq_status_ok": ("ok", "ok"),
        "dq_status_warnings": ("varningar", "warnings"),
        "dq_status_failed": ("misslyckad", "failed"),
        "dq_status_running": ("pågår", "running"),
        "dq_rows_note": (
            "{count} rader i perioden.",
            "{count} rows in the period.",
        ),
        "dq_gaps_note": (
            "{gaps} luckor med sammanlagt {days} öppetdagar utan dörrdata.",
            "{gaps} gaps with {days} opening days without door data in all.",
        ),
        # glossary
        "term_quarantine": ("Karantän", "Quarantine"),
        "def_quarantine": (
            "Rader i en fil som inte kunde läsas in (t.ex. ett datum som inte går att "
            "tolka). Resten av filen läses in; raderna sparas för granskning.",
            "Rows of a file that could not be loaded (e.g. a date that cannot be "
            "read). The rest of the file is loaded; the rows are kept for review.",
        ),
        "term_rejected_file": ("Avvisad fil", "Rejected file"),
        "def_rejected_file": (
            "En fil som inte lästs in alls, t.ex. för att den saknar datarader eller "
            "har ett okänt format. Meddelandet säger vad som behöver rättas.",
            "A file not loaded at all, e.g. because it has no data rows or an "
            "unknown format. The message says what to fix.",
        ),
        "term_ingest_run": ("Importkörning", "Ingest run"),
        "def_ingest_run": (
            "En genomgång av inkorgen (från kommandoraden, schemaläggaren eller "
            "demon): hur många filer och rader som lästes in eller avvisades.",
            "One pass over the inbox (command line, scheduler or demo): how many "
            "files and rows were loaded or rejected.",
        ),
        "term_gap": ("Lucka i dörrdata", "Gap in door data"),
        "def_gap": (
            "En följd av dagar utan data från dörrräknaren där kontoret var öppet "
            "minst en dag (helgdagar och stängda veckodagar räknas inte som öppet). "
            "Visas som lucka, aldrig som noll besökare.",
            "A run of days without door-counter data in which the office was open "
            "on at least one day (public holidays and closed weekdays are not open "
            "days). Shown as a gap, never as zero visitors.",
        ),
    }
)


# --- formats -------------------------------------------------------------------


def _when(value: Any, lang: str) -> str:
    """'2026-11-21 10:31 (för 2 dagar sedan)': local time, and how long ago."""
    stamp = pd.Timestamp(value).to_pydatetime()
    now = datetime.now(ZoneInfo(_zone())).replace(tzinfo=None)
    return f"{stamp:%Y-%m-%d %H:%M} ({formatting.ago(stamp, now, lang)})"


def _time(value: Any, lang: str) -> str:
    return f"{pd.Timestamp(value).to_pydatetime():%Y-%m-%d %H:%M}"


def _day(value: Any, lang: str) -> str:
    return formatting.day(value, lang)


def _known(prefix: str, value: Any, lang: str) -> str:
    """The translation of a known value; an unknown one as it is."""
    key = f"{prefix}{value}"
    return text(key, lang) if text(key, lang) != key else str(value)


def _kind(value: Any, lang: str) -> str:
    return _known("dq_kind_", value, lang)


def _seconds(value: Any, lang: str) -> str:
    seconds = float(value)
    if seconds < 60:
        return f"{formatting.number(seconds, lang)} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def _status(value: Any, lang: str) -> str:
    return _known("dq_status_", value, lang)


def _files(row: pd.Series) -> str:
    return f"{row['files_loaded']}/{row['files_seen']}"


# --- tables -------------------------------------------------------------------


def imports_table(frame: pd.DataFrame, lang: str) -> Any:
    return render(
        frame,
        lang,
        {
            "office": "dq_col_office",
            "kind": "dq_col_kind",
            "last_import": "dq_col_last_import",
            "files_loaded": "dq_col_loaded",
            "files_rejected": "dq_col_rejected",
            "last_rejection": "dq_col_last_rejection",
        },
        "dq_no_files",
        {"kind": _kind, "last_import": _when},
    )


def rejected_table(frame: pd.DataFrame, lang: str) -> Any:
    return render(
        frame,
        lang,
        {
            "received_at": "dq_col_received",
            "office": "dq_col_office",
            "kind": "dq_col_kind",
            "format": "dq_col_format",
            "file": "dq_col_file",
            "message": "dq_col_message",
        },
        "dq_no_rejected",
        {"received_at": _time, "kind": _kind},
        limit=ROWS_SHOWN,
    )


def quarantine_table(frame: pd.DataFrame, lang: str) -> Any:
    return render(
        frame,
        lang,
        {
            "received_at": "dq_col_received",
            "office": "dq_col_office",
            "kind": "dq_col_kind",
            "file": "dq_col_file",
            "row": "dq_col_row",
            "column": "dq_col_column",
            "reason": "dq_col_reason",
        },
        "dq_no_quarantine",
        {"received_at": _time, "kind": _kind},
        limit=ROWS_SHOWN,
    )


def runs_table(frame: pd.DataFrame, lang: str) -> Any:
    shown = frame.assign(files=frame.apply(_files, axis=1) if len(frame) else [])
    return render(
        shown,
        lang,
        {
            "started_at": "dq_col_started",
            "seconds": "dq_col_duration",
            "trigger": "dq_col_trigger",
            "status": "dq_col_status",
            "files": "dq_col_files",
            "files_rejected": "dq_col_rejected",
            "rows_loaded": "dq_col_rows",
            "rows_quarantined": "dq_col_quarantined",
            "message": "dq_col_message",
        },
        "dq_no_runs",
        {
            "started_at": _time,
            "seconds": _seconds,
            "status": _status,
            "rows_loaded": formatting.number,
            "rows_quarantined": formatting.number,
        },
    )


def gaps_table(frame: pd.DataFrame, lang: str) -> Any:
    return render(
        frame,
        lang,
        {
            "office": "dq_col_office",
            "first_day": "dq_col_first",
            "last_day": "dq_col_last",
            "days": "dq_col_days",
            "open_days": "dq_col_open_days",
        },
        "dq_no_gaps",
        {"first_day": _day, "last_day": _day},
        limit=ROWS_SHOWN,
    )


# --- completeness notes ----------------------------------------------------------


def quarantine_note(
    session: so.Session, scope: Scope, offices: list[str], period: Period, lang: str
) -> str:
    count = quality.quarantined_count(session, scope, offices, period, _zone())
    return text("dq_rows_note", lang).format(count=formatting.number(count, lang))


def gaps_note(
    session: so.Session, scope: Scope, offices: list[str], period: Period, lang: str
) -> str:
    found = quality.gaps(session, scope, offices, period)
    return text("dq_gaps_note", lang).format(
        gaps=formatting.number(len(found), lang),
        days=formatting.number(int(found["open_days"].sum()), lang),
    )


def _zone() -> str:
    return database.programme_config().timezone


def _table(panel_id: str, title: str, definition: str, query, show, **extra):
    return panels.Panel(
        id=panel_id,
        title=title,
        definition=definition,
        query=query,
        figure=lambda frame, lang: None,  # unused: a table panel
        table=True,
        render=show,
        **extra,
    )


PANELS = [
    _table(
        "dq-imports", "dq_imports", "def_completeness", quality.imports, imports_table
    ),
    _table(
        "dq-gaps",
        "dq_gaps",
        "def_gap",
        quality.gaps,
        gaps_table,
        completeness=gaps_note,
    ),
    _table(
        "dq-rejected",
        "dq_rejected",
        "def_rejected_file",
        quality.rejected_files,
        rejected_table,
    ),
    _table(
        "dq-quarantine",
        "dq_quarantine",
        "def_quarantine",
        quality.quarantine,
        quarantine_table,
        completeness=quarantine_note,
    ),
    _table("dq-runs", "dq_runs", "def_ingest_run", quality.runs, runs_table),
]
panels.register(PAGE, PANELS, page_kit.first_day)


@access.page_layout
def layout(scope: access.Scope, **query: str):
    return page_kit.page(PAGE, "dq_title", "dq_intro", PANELS, scope, query)
