"""Beläggning: how full the offices are, from the door counters — utilisation
against the seats of the ramp-up plan, occupancy per day and hour, the weekly
trend, desk bookings against the people actually there (bookings are not
attendance: the Flen lesson), and the counters' own health.

Definitions are in :mod:`dashboard.queries.occupancy`; the "?" texts say the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
import pandas as pd
import sqlalchemy.orm as so
from babel.dates import format_timedelta

from dashboard import access, formatting, page_kit, panels, queries
from dashboard.access import Scope
from dashboard.figures import occupancy as figures
from dashboard.filters import Period
from dashboard.i18n import add, text
from dashboard.queries import occupancy as occupancy_queries
from dashboard.table_kit import count, render

PAGE = "occupancy"
dash.register_page(
    __name__, path="/belaggning", name="Beläggning", order=1, roles=("region", "kommun")
)
add(
    {
        "occ_title": ("Beläggning", "Occupancy"),
        "occ_intro": (
            "Hur många som är på plats enligt dörrräknarna, mot antalet platser i "
            "utbyggnadsplanen och mot skrivbordsbokningarna. Bokningar är inte "
            "närvaro. Helgdagar och stängda dagar räknas inte; dagar utan dörrdata "
            "visas som luckor, aldrig som noll.",
            "How many people are in the offices according to the door counters, "
            "against the seats in the ramp-up plan and the desk bookings. Bookings are "
            "not attendance. Public holidays and closed days are left out; days "
            "without door data show as gaps, never as zero.",
        ),
        "occ_panel_utilisation": (
            "Beläggning per dag mot mål",
            "Utilisation per day against target",
        ),
        "occ_panel_daily": (
            "Närvaro per dag: snitt och topp",
            "Occupancy per day: average and peak",
        ),
        "occ_panel_heatmap": (
            "Närvaro per veckodag och timme",
            "Occupancy by weekday and hour",
        ),
        "occ_panel_weekly": (
            "Besök och bokade skrivbordstimmar per vecka",
            "Visits and booked desk-hours per week",
        ),
        "occ_panel_reconciliation": (
            "Bokningar mot dörrräkning per dag",
            "Bookings against door counts per day",
        ),
        "occ_panel_health": ("Dörrräknarnas hälsa", "Door counter health"),
        # notes under the panels
        "occ_note_door": (
            "Dörrräknare: {days} av {total} dagar med data",
            "Door counters: {days} of {total} days with data",
        ),
        "occ_note_door_offices": (
            "Dörrräknare: {days} av {total} kontorsdagar med data",
            "Door counters: {days} of {total} office-days with data",
        ),
        "occ_note_bookings": (
            "Bokningar: {days} av {total} dagar med data",
            "Bookings: {days} of {total} days with data",
        ),
        "occ_note_last": ("senaste import {ago}", "last import {ago}"),
        "occ_note_never": ("ingen import ännu", "not imported yet"),
        # counter health columns
        "occ_col_office": ("Kontor", "Office"),
        "occ_col_days": ("Dagar", "Days"),
        "occ_col_days_with_data": ("Dagar med data", "Days with data"),
        "occ_col_missing": ("Öppetdagar utan data", "Open days without data"),
        "occ_col_gap": ("Längsta lucka", "Longest gap"),
        "occ_col_imbalance": ("Obalans in − ut", "In − out imbalance"),
        "occ_gap_days": ("{first} – {last} ({days} d)", "{first} – {last} ({days} d)"),
        "occ_gap_day": ("{first} (1 d)", "{first} (1 d)"),
        "occ_no_gap": ("ingen", "none"),
        "occ_health_empty": (
            "Inga kontor att visa för urvalet.",
            "No offices to show for this selection.",
        ),
        # glossary: terms this page defines
        "term_occ_day_with_data": ("Dag med dörrdata", "Day with door data"),
        "def_occ_day_with_data": (
            "En dag då dörrräknaren har rapporterat minst 20 av dygnets timmar (eller "
            "alla öppettimmar, om kontoret har kortare öppettid). En räknare "
            "rapporterar varje timme, även tomma, så färre timmar betyder att den "
            "varit ur funktion en del av dagen. Från ett passersystem (händelselogg) "
            "räknas varje dag med passager. Dagar utan data är luckor, inte noll.",
            "A day on which the door counter reported at least 20 of the day's hours "
            "(or every opening hour, if the office is open for less). A counter "
            "reports every hour, empty ones too, so fewer hours mean it was out for "
            "part of the day. From an access-control system (event log) every day "
            "with passages counts. Days without data are gaps, not zero.",
        ),
        "term_occ_average_peak": (
            "Snittnärvaro och toppnärvaro",
            "Average and peak occupancy",
        ),
        "def_occ_average_peak": (
            "Snittnärvaro: genomsnittligt antal närvarande under öppettimmarna. "
            "Toppnärvaro: det högsta antalet närvarande under någon timme den dagen. "
            "Närvaro = inpassager minus utpassager sedan midnatt, aldrig under noll. "
            "Flera kontor: summan över kontoren, jämte summan av deras platser.",
            "Average occupancy: the average number present during opening hours. "
            "Peak: the highest number present in any hour of the day. Occupancy = "
            "entries minus exits since midnight, never below zero. Several offices: "
            "the sum over the offices, beside the sum of their seats.",
        ),
        "term_occ_heatmap": ("Närvaro per veckodag och timme", "Weekday × hour"),
        "def_occ_heatmap": (
            "Genomsnittlig närvaro per veckodag och klocktimme (svensk tid) över "
            "periodens öppetdagar med dörrdata; flera kontor räknas ihop. Timmen som "
            "upprepas när sommartiden slutar räknas en gång.",
            "Average occupancy per weekday and clock hour (Swedish time) over the "
            "period's open days with door data; several offices are added up. The "
            "hour repeated when summer time ends counts once.",
        ),
        "term_occ_weekly": ("Besök per vecka", "Visits per week"),
        "def_occ_weekly": (
            "Inpassager vid dörren per ISO-vecka (v. 1 är veckan med årets första "
            "torsdag), bara dagar med dörrdata: en randig stapel har öppetdagar utan "
            "data och är därför för låg. Periodens första och sista vecka kan vara "
            "ofullständiga. En person som går ut på lunch räknas två gånger. Linjen: "
            "bokade skrivbordstimmar (utan mötesrum).",
            "Entries at the door per ISO week, days with door data only: a striped "
            "bar has open days without data and is too low. The period's first and "
            "last week may be partial. Someone who goes out for lunch counts twice. "
            "The line: booked desk-hours (meeting rooms excluded).",
        ),
        "term_occ_reconciliation": (
            "Bokningar mot dörrräkning",
            "Bookings against door counts",
        ),
        "def_occ_reconciliation": (
            "Per kontor och dag jämförs skrivbordsbokningar (mötesrum räknas inte) med "
            "antalet närvarande enligt dörrräknaren, mätt som dagens toppnärvaro: "
            "bokat och närvarande = det minsta av de två, bokat men frånvarande = "
            "bokningar utöver närvarande, obokad användning = närvarande utöver "
            "bokningar. Sedan summeras kontoren. Dagar utan dörrdata visas randiga "
            "och räknas inte som frånvaro. Toppnärvaron är en undre gräns för antalet "
            "besökare, och mötesgäster syns som obokad användning.",
            "Per office and day, desk bookings (meeting rooms excluded) are compared "
            "with the people present by the door counter, taken as the day's peak "
            "occupancy: booked and present = the smaller of the two, no-shows = "
            "bookings beyond those present, unbooked use = those present beyond the "
            "bookings; then the offices are added up. Days without door data show "
            "striped and never count as no-shows. The peak is a lower bound on "
            "visitors, and meeting guests show as unbooked use.",
        ),
        "term_occ_imbalance": ("Obalans in − ut", "In − out imbalance"),
        "def_occ_imbalance": (
            "Dörrräknarens hälsa: (inpassager − utpassager) ÷ inpassager över "
            "periodens dagar med data. Nära 0 % är bra; en räknare som missar "
            "utpassager drar iväg uppåt. Längsta lucka: flest dagar i följd utan data "
            "som innehåller minst en öppetdag.",
            "Counter health: (entries − exits) ÷ entries over the period's days with "
            "data. Close to 0 % is good; a counter that misses exits drifts upwards. "
            "Longest gap: the most consecutive days without data that hold at least "
            "one open day.",
        ),
    }
)


add(
    {
        "occ_def_utilisation": (
            text("def_utilisation", "sv")
            + " Grå band: dagar utan dörrdata. Ihålig punkt: bara en del av de "
            "öppna kontoren hade dörrdata den dagen; beläggningen gäller dem. Den "
            "streckade linjen är målet enligt utbyggnadsplanen.",
            text("def_utilisation", "en")
            + " Grey bands: days without door data. Hollow marker: only some of the "
            "open offices had door data that day; the utilisation is theirs. The "
            "dashed line is the target from the ramp-up plan.",
        )
    }
)


# --- completeness notes --------------------------------------------------------------


def _ago(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return text("occ_note_never", lang)
    since = format_timedelta(
        moment - datetime.now(UTC),
        add_direction=True,
        locale=formatting.LOCALES[lang],
        threshold=1.5,
    )
    return text("occ_note_last", lang).format(ago=since)


def _source_note(
    session: so.Session, scope: Scope, offices: list[str], period: Period, kind: str
) -> dict:
    return queries.completeness(session, scope, offices, kind, period.start, period.end)


def _note(found: dict, key: str, lang: str) -> str:
    days = text(key, lang).format(
        days=formatting.number(found["days_with_data"], lang),
        total=formatting.number(found["days"], lang),
    )
    return f"{days} · {_ago(found['last_import'], lang)}"


def door_note(
    session: so.Session, scope: Scope, offices: list[str], period: Period, lang: str
) -> str:
    """'Dörrräknare: 27 av 31 dagar med data · senaste import för 2 dagar sedan'.

    Days with data as this page counts them (see the glossary); with several
    offices, office-days."""
    # the days as this page counts them, not any day with a door_daily row
    coverage = occupancy_queries.door_coverage(session, scope, offices, period)
    loads = queries.last_imports(session, scope, offices, "door").values()
    key = "occ_note_door" if coverage["offices"] <= 1 else "occ_note_door_offices"
    return _note(coverage | {"last_import": max(loads, default=None)}, key, lang)


def door_and_bookings_note(
    session: so.Session, scope: Scope, offices: list[str], period: Period, lang: str
) -> str:
    # both kinds' last loads in one statement; each note below reads its own
    queries.last_imports_of_kinds(session, scope, offices, ("door", "bookings"))
    bookings = _source_note(session, scope, offices, period, "bookings")
    return "; ".join(
        [
            door_note(session, scope, offices, period, lang),
            _note(bookings, "occ_note_bookings", lang),
        ]
    )


# --- the counter health table --------------------------------------------------------


def _gap(row: Any, lang: str) -> str:
    """The longest gap of a row of the health frame (a named tuple)."""
    if not row.longest_gap_days:
        return text("occ_no_gap", lang)
    key = "occ_gap_day" if row.longest_gap_days == 1 else "occ_gap_days"
    return text(key, lang).format(
        first=formatting.day(row.longest_gap_first, lang),
        last=formatting.day(row.longest_gap_last, lang),
        days=row.longest_gap_days,
    )


def health_table(frame: pd.DataFrame, lang: str) -> Any:
    shown = frame.copy()
    shown["longest_gap"] = [_gap(row, lang) for row in frame.itertuples()]
    return render(
        shown,
        lang,
        {
            "office": "occ_col_office",
            "days": "occ_col_days",
            "days_with_data": "occ_col_days_with_data",
            "open_days_without_data": "occ_col_missing",
            "longest_gap": "occ_col_gap",
            "imbalance": "occ_col_imbalance",
        },
        "occ_health_empty",
        {
            "days": count,
            "days_with_data": count,
            "open_days_without_data": count,
            "imbalance": lambda value, lang: formatting.percent(value, lang, 1),
        },
    )


PANELS = [
    panels.Panel(
        id="occ-utilisation",
        title="occ_panel_utilisation",
        definition="occ_def_utilisation",
        query=occupancy_queries.daily,
        figure=figures.utilisation,
        compare=figures.utilisation_compare,
        completeness=door_note,
    ),
    panels.Panel(
        id="occ-daily",
        title="occ_panel_daily",
        definition="def_occ_average_peak",
        query=occupancy_queries.daily,
        figure=figures.occupancy_per_day,
        compare=figures.occupancy_per_day_compare,
        completeness=door_note,
        width=6,
    ),
    panels.Panel(
        id="occ-heatmap",
        title="occ_panel_heatmap",
        definition="def_occ_heatmap",
        query=occupancy_queries.weekday_hours,
        figure=figures.weekday_heatmap,
        completeness=door_note,
        width=6,
    ),
    panels.Panel(
        id="occ-weekly",
        title="occ_panel_weekly",
        definition="def_occ_weekly",
        query=occupancy_queries.weekly,
        figure=figures.weekly_trend,
        completeness=door_and_bookings_note,
        width=6,
    ),
    panels.Panel(
        id="occ-reconciliation",
        title="occ_panel_reconciliation",
        definition="def_occ_reconciliation",
        query=occupancy_queries.reconciliation,
        figure=figures.reconciliation,
        completeness=door_and_bookings_note,
        width=6,
    ),
    panels.Panel(
        id="occ-health",
        title="occ_panel_health",
        definition="def_occ_imbalance",
        query=occupancy_queries.counter_health,
        figure=figures.no_data_figure,  # unused: a table panel
        table=True,
        render=health_table,
        completeness=door_note,
    ),
]
panels.register(PAGE, PANELS, page_kit.first_day)


@access.page_layout
def layout(scope: Scope, **query: str):
    return page_kit.page(PAGE, "occ_title", "occ_intro", PANELS, scope, query)
