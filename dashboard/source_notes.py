"""Completeness lines under the member and economy panels: when each source was
last imported, and which offices have none yet.

``Medlemsregister: senaste import 3 nov. 2026 · saknas för Bodakontoret``
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy.orm as so

from dashboard import formatting, queries
from dashboard.access import Scope
from dashboard.filters import Period
from dashboard.i18n import add, text
from dashboard.queries.members import office_names

add(
    {
        "note_members": ("Medlemsregister", "Member register"),
        "note_bookings": ("Bokningar", "Bookings"),
        "note_last_import": ("senaste import {day}", "last imported {day}"),
        "note_never": ("ingen import ännu", "not imported yet"),
        "note_missing_for": ("saknas för {names}", "missing for {names}"),
        "note_days": (
            "{days} av {total} dagar med bokningar",
            "{days} of {total} days with bookings",
        ),
        "note_plan": (
            "Kostnader och bidrag: plan ur config.yaml",
            "Costs and subsidies: plan from config.yaml",
        ),
    }
)


def _zone() -> str:
    try:
        from dashboard.database import programme_config

        return programme_config().timezone
    except RuntimeError:  # outside a request (tests)
        return "Europe/Stockholm"


def _local_day(moment: datetime, lang: str) -> str:
    return formatting.local_day(moment, _zone(), lang)


def source_note(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    kind: str,
    lang: str,
) -> str:
    """``<Source>: senaste import <day> · saknas för <offices without one>``."""
    names = office_names(session, scope, offices)
    imports = queries.last_imports(session, scope, list(names), kind)
    parts = [
        text("note_last_import", lang).format(
            day=_local_day(max(imports.values()), lang)
        )
        if imports
        else text("note_never", lang)
    ]
    missing = [name for office, name in names.items() if office not in imports]
    if imports and missing:
        parts.append(text("note_missing_for", lang).format(names=", ".join(missing)))
    if kind == "bookings" and imports:
        days = queries.completeness(
            session, scope, list(names), kind, period.start, period.end
        )["days_with_data"]
        parts.append(text("note_days", lang).format(days=days, total=period.days))
    return f"{text(f'note_{kind}', lang)}: " + " · ".join(parts)


def members_note(
    session: so.Session, scope: Scope, offices: list[str], period: Period, lang: str
) -> str:
    return source_note(session, scope, offices, period, "members", lang)


def economy_note(
    session: so.Session, scope: Scope, offices: list[str], period: Period, lang: str
) -> str:
    """Both revenue sources, and a reminder that costs and subsidies are plan."""
    # both kinds' last loads in one statement; each note below reads its own
    names = list(office_names(session, scope, offices))
    queries.last_imports_of_kinds(session, scope, names, ("members", "bookings"))
    return "; ".join(
        [
            source_note(session, scope, offices, period, "members", lang),
            source_note(session, scope, offices, period, "bookings", lang),
            text("note_plan", lang),
        ]
    )
