"""Nöjdhet: member surveys — recommend score, soft values, facilities, response
rates and free text. Small groups are suppressed in the queries, before any
figure, table or download is built (see :mod:`dashboard.suppression`)."""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
import sqlalchemy.orm as so

from dashboard import access, database, formatting, page_kit, panels, suppression
from dashboard.access import Scope
from dashboard.figures import satisfaction as figures
from dashboard.filters import Period, previous_quarters
from dashboard.i18n import add, text
from dashboard.queries import satisfaction as queries
from dashboard.table_kit import count, render

PAGE = "satisfaction"
dash.register_page(
    __name__, path="/nojdhet", name="Nöjdhet", order=4, roles=("region", "kommun")
)
add(
    {
        "sat_title": ("Nöjdhet", "Satisfaction"),
        "sat_intro": (
            "Medlemsenkäter från Google Forms och Microsoft Forms. En enkätomgång är "
            "ett kvartal; grupper med för få svar visas inte.",
            "Member surveys from Google Forms and Microsoft Forms. A survey round is a "
            "quarter; groups with too few respondents are not shown.",
        ),
        "sat_nps_office": ("Rekommendationsvilja per kontor", "Recommend score"),
        "sat_nps_trend": (
            "Rekommendationsvilja per enkätomgång",
            "Recommend score per survey round",
        ),
        "sat_soft": ("Mjuka värden", "Soft values"),
        "sat_facilities": ("Faciliteter", "Facilities"),
        "sat_responses": ("Svar och svarsfrekvens", "Responses and response rate"),
        "sat_free_text": ("Övriga synpunkter", "Other comments"),
        "sat_col_round": ("Omgång", "Round"),
        "sat_col_office": ("Kontor", "Office"),
        "sat_col_respondents": ("Svar", "Respondents"),
        "sat_col_members": ("Aktiva medlemmar", "Active members"),
        "sat_col_rate": ("Svarsfrekvens", "Response rate"),
        "sat_col_answer": ("Synpunkt", "Comment"),
        "sat_no_free_text": (
            "Inga fritextsvar att visa. Fritext visas bara för kontor och omgångar "
            "vars antal svar visas (inte ”< 5” eller ”dold”) — lägg nya "
            "enkätexporter i data/inbox/<kontor>/survey/.",
            "No comments to show. Comments are shown only for offices and rounds "
            "whose number of respondents is shown (not “< 5” or “hidden”) — put new "
            "survey exports in data/inbox/<office>/survey/.",
        ),
        "sat_completeness": (
            "Senast importerad enkät: {last}. Grupper med färre än {n} svar visas "
            "som ”< {n}”; ”dold” skyddar en sådan grupp.",
            "Last survey imported: {last}. Groups with fewer than {n} respondents show "
            "as “< {n}”; “hidden” protects such a group.",
        ),
        # glossary
        "term_response_rate": ("Svarsfrekvens", "Response rate"),
        "def_response_rate": (
            "Antal svar i en enkätomgång delat med antalet aktiva medlemmar på "
            "kontoret den dag omgångens första svar kom in.",
            "Respondents in a survey round divided by the office's active members on "
            "the day of the round's first answer.",
        ),
        "term_survey_round": ("Enkätomgång", "Survey round"),
        "def_survey_round": (
            "Alla enkätsvar från ett kontor under ett kalenderkvartal. En period visar "
            "varje omgång vars kvartal den berör, hel.",
            "All survey answers from one office in a calendar quarter. A period shows "
            "every round whose quarter it touches, whole.",
        ),
        "term_soft_values": ("Mjuka värden", "Soft values"),
        "def_soft_values": (
            "Nätverkande, samhörighet, stämning och inspiration på skalan 1–5: andel "
            "missnöjda (1–2) till vänster, neutrala (3) i mitten och nöjda (4–5) till "
            "höger.",
            "Networking, belonging, atmosphere and inspiration on a 1–5 scale: share "
            "dissatisfied (1–2) to the left, neutral (3) in the middle, satisfied "
            "(4–5) to the right.",
        ),
        "term_facilities": ("Faciliteter", "Facilities"),
        "def_facilities": (
            "Wifi, kaffe, parkering, tillgänglighet och öppettider på skalan 1–5, "
            "visade som mjuka värden.",
            "Wifi, coffee, parking, accessibility and opening hours on a 1–5 scale, "
            "shown like the soft values.",
        ),
        "term_suppression": ("Dolda värden (< 5)", "Hidden values (< 5)"),
        "def_suppression": (
            "En grupp (kontor × enkätomgång) med färre än 5 svar visas som ”< 5” "
            "utan värde. Om en summa visas och bara en grupp är dold döljs även den "
            "minsta andra gruppen (”dold”), så att ingen kan räkna fram den dolda. "
            "Summor och staplar bygger bara på grupper som visas.",
            "A group (office × survey round) with fewer than 5 respondents shows as "
            "“< 5” with no value. If a total is shown and only one group is hidden, "
            "the smallest other group is hidden too (“hidden”), so nobody can work out "
            "the hidden one. Figures over several groups use shown groups only.",
        ),
        "term_free_text": ("Fritextsvar", "Free-text answers"),
        "def_free_text": (
            "Svar på den öppna frågan, utan namn, id eller tid, och bara för kontor "
            "och omgångar vars antal svar visas: inte för en grupp under minsta "
            "gruppstorlek (”< 5”) och inte för en grupp som döljs för att skydda "
            "en sådan (”dold”), eftersom antalet kommentarer då skulle avslöja "
            "hur många som svarat.",
            "Answers to the open question, without names, ids or times, and only for "
            "offices and rounds whose number of respondents is shown: not for a group "
            "under the minimum group size (“< 5”), nor for one hidden to protect such "
            "a group (“hidden”), as the number of comments would tell how many "
            "answered.",
        ),
    }
)


def completeness(
    session: so.Session, scope: Scope, offices: list[str], period: Period, lang: str
) -> str:
    config = database.programme_config()
    last = queries.last_import(session, scope, offices)
    when = formatting.local_day(last, config.timezone, lang)  # as other notes
    n = suppression.min_group_size(config)
    return text("sat_completeness", lang).format(last=when, n=n)


def _rate(value: Any, lang: str) -> str:
    return formatting.percent(value, lang)


def _round(value: Any, lang: str) -> str:
    return figures.round_label(value, lang)


def responses_table(frame: pd.DataFrame, lang: str) -> Any:
    return render(
        frame,
        lang,
        {
            "round": "sat_col_round",
            "office": "sat_col_office",
            "respondents": "sat_col_respondents",
            "members": "sat_col_members",
            "response_rate": "sat_col_rate",
        },
        "sat_empty",
        {
            "round": _round,
            "office": figures.office_name,
            "respondents": count,
            "members": count,
            "response_rate": _rate,
        },
    )


def free_text_table(frame: pd.DataFrame, lang: str) -> Any:
    return render(
        frame,
        lang,
        {
            "round": "sat_col_round",
            "office": "sat_col_office",
            "answer": "sat_col_answer",
        },
        "sat_no_free_text",
        {"round": _round},
        limit=500,
    )


PANELS = [
    panels.Panel(
        id="sat-nps-office",
        title="sat_nps_office",
        definition="def_recommend",
        query=queries.nps_by_office,
        figure=figures.nps_by_office,
        compare=figures.nps_by_office_compare,
        previous=previous_quarters,  # survey rounds are quarters
        completeness=completeness,
        width=6,
    ),
    panels.Panel(
        id="sat-nps-trend",
        title="sat_nps_trend",
        definition="def_survey_round",
        query=queries.nps_trend,
        figure=figures.nps_trend,
        completeness=completeness,
        width=6,
    ),
    panels.Panel(
        id="sat-soft",
        title="sat_soft",
        definition="def_soft_values",
        query=queries.soft_values,
        figure=figures.diverging,
        completeness=completeness,
        width=6,
    ),
    panels.Panel(
        id="sat-facilities",
        title="sat_facilities",
        definition="def_facilities",
        query=queries.facilities,
        figure=figures.diverging,
        completeness=completeness,
        width=6,
    ),
    panels.Panel(
        id="sat-responses",
        title="sat_responses",
        definition="def_response_rate",
        query=queries.response_rates,
        figure=figures.nps_by_office,  # unused: a table panel
        table=True,
        render=responses_table,
        completeness=completeness,
        width=6,
    ),
    panels.Panel(
        id="sat-free-text",
        title="sat_free_text",
        definition="def_free_text",
        query=queries.free_text,
        figure=figures.nps_by_office,  # unused: a table panel
        table=True,
        render=free_text_table,
        completeness=completeness,
        width=6,
    ),
]
panels.register(PAGE, PANELS, page_kit.first_day)


@access.page_layout
def layout(scope: access.Scope, **query: str):
    return page_kit.page(PAGE, "sat_title", "sat_intro", PANELS, scope, query)
