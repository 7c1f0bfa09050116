"""Ekonomi: revenue against plan, planned costs, subsidy per funder and the
self-financing ratio per quarter, and the path to the end of the start phase.

"Critical mass is limited in the countryside": revenue is followed against the
plan of subsidies quarter by quarter. Definitions and choices are in
:mod:`dashboard.queries.economy` and behind each chart's "?".
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd

from dashboard import access, page_kit, panels, table_kit
from dashboard.figures import economy as figures
from dashboard.filters import previous_quarters
from dashboard.i18n import add, text
from dashboard.queries import economy as queries
from dashboard.source_notes import economy_note

PAGE = "economy"
dash.register_page(
    __name__, path="/ekonomi", name="Ekonomi", order=3, roles=("region", "kommun")
)
add(
    {
        "eco_title": ("Ekonomi", "Economy"),
        "eco_intro": (
            "Intäkter mot plan, kostnader och stöd per kvartal, och vägen till "
            "självfinansiering vid startfasens slut. Perioden väljer kvartal; ett "
            "pågående kvartal (*) räknas till och med i dag och dess plan skalas "
            "med andelen dagar som gått.",
            "Revenue against plan, costs and subsidy per quarter, and the path to "
            "self-financing by the end of the start phase. The period picks the "
            "quarters; a quarter in progress (*) counts until today and its plan is "
            "scaled by the share of days passed.",
        ),
        "eco_revenue": ("Intäkter mot intäktsplan", "Revenue against plan"),
        "eco_costs": ("Kostnader per kategori (plan)", "Costs by category (plan)"),
        "eco_subsidy": (
            "Stöd per finansiär: plan och använt",
            "Subsidy per funder: plan and used",
        ),
        "eco_ratio_title": (
            "Självfinansieringsgrad mot förväntan",
            "Self-financing ratio against expectation",
        ),
        "eco_path": (
            "Vägen till självfinansiering: kvarvarande stöd och prognos",
            "The path to self-financing: subsidy left and projection",
        ),
        "eco_table": ("Per kontor och kvartal", "Per office and quarter"),
        "term_revenue": ("Intäkter", "Revenue"),
        "def_revenue": (
            "Medlemsavgifter fördelade på aktiva dagar – månadsavgift × 12 / 365 × "
            "antal dagar medlemskapet var aktivt under kvartalet; provperioder ger 0 "
            "kr – plus bokningsavgifter. Staplarna jämförs med kontorets intäktsplan. "
            "Ett kontor utan medlemsregister eller bokningsdata saknar värde (lucka, "
            "inte noll).",
            "Membership fees prorated by active days — monthly fee × 12 / 365 × days "
            "the membership was active in the quarter; trial memberships give 0 kr — "
            "plus booking charges. The bars are compared with the office's revenue "
            "plan. An office without a member register or booking data has no value "
            "(a gap, not zero).",
        ),
        "def_eco_costs": (
            "Kostnaderna är kontorets PLAN per kategori ur config.yaml (hyra, drift, "
            "förbrukning, reception, städning, larm och säkerhet, övrigt). Faktiska "
            "kostnader importeras inte ännu.",
            "Costs are the office's PLAN per category from config.yaml (rent, "
            "operation, consumables, reception, cleaning, alarm and security, other). "
            "Actual costs are not imported yet.",
        ),
        "term_subsidy_used": ("Använt stöd", "Subsidy used"),
        "def_subsidy_used": (
            "Kvartalets underskott som finansiärerna täcker: planerad kostnad minus "
            "intäkter, aldrig under noll. Det fördelas på finansiärerna i proportion "
            "till deras planerade stöd det kvartalet och jämförs med stödplanen "
            "(ljusa staplar). Underskott utan stödplan visas som ”Utan stödplan”.",
            "The quarter's deficit the funders cover: planned cost minus revenue, "
            "never below zero. It is split over the funders in proportion to their "
            "planned subsidy that quarter and compared with the subsidy plan (light "
            "bars). A deficit without a subsidy plan shows as “No subsidy plan”.",
        ),
        "def_eco_ratio": (
            "Intäkter ÷ (planerade) kostnader per kvartal. Kontoren mäts mot sin egen "
            "förväntan: efterfrågestyrda kontor (blå) ska nå 100 % – "
            "självfinansierade vid startfasens slut; kompensationsstyrda kontor "
            "(orange) förväntas behöva stöd även därefter och jämförs i stället "
            "med sin egen intäktsplan "
            "(prickad linje = planerade intäkter ÷ planerade kostnader).",
            "Revenue ÷ (planned) costs per quarter. Offices are measured against their "
            "own expectation: demand-driven offices (blue) should reach 100 % — "
            "self-financed by the end of the start phase; compensation-driven offices "
            "(orange) are expected to need support beyond it and are compared with "
            "their own revenue plan instead (dotted line = planned revenue ÷ planned "
            "cost).",
        ),
        "term_start_phase_path": (
            "Vägen till självfinansiering",
            "Path to self-financing",
        ),
        "def_start_phase_path": (
            "Hela stödplanen fram till startfasens slut, oavsett vald period: ljusa "
            "staplar = planerat stöd som återstår efter varje kvartal enligt plan, "
            "mörka = det som återstår efter de faktiska underskotten (kvartal utan "
            "utfall räknas enligt plan). Orange linje = självfinansieringsgraden "
            "(intäkter ÷ kostnader för de valda kontoren tillsammans); streckad = "
            "rät linje anpassad till de senaste fyra hela kvartalen, förlängd till "
            "startfasens slut. Utfall räknas till och med periodens slut.",
            "The whole subsidy plan up to the end of the start phase, whatever the "
            "period: light bars = planned subsidy left after each quarter by plan, "
            "dark = what is left after the actual deficits (quarters without actuals "
            "count as planned). Orange line = the self-financing ratio (revenue ÷ "
            "costs of the chosen offices together); dashed = a straight line fitted "
            "to the last four full quarters, extended to the start phase's end. "
            "Actuals count up to the period's end.",
        ),
        "def_eco_table": (
            "Siffrorna bakom diagrammen per kontor och kvartal. Kostnad och stöd är "
            "plan; använt stöd = kostnad − intäkter (minst 0).",
            "The numbers behind the charts per office and quarter. Cost and subsidy "
            "are plan; subsidy used = cost − revenue (at least 0).",
        ),
        "eco_col_office": ("Kontor", "Office"),
        "eco_col_quarter": ("Kvartal", "Quarter"),
        "eco_col_revenue": ("Intäkter", "Revenue"),
        "eco_col_revenue_plan": ("Intäktsplan", "Revenue plan"),
        "eco_col_cost": ("Kostnad (plan)", "Cost (plan)"),
        "eco_col_subsidy_plan": ("Stöd (plan)", "Subsidy (plan)"),
        "eco_col_subsidy_used": ("Använt stöd", "Subsidy used"),
        "eco_col_self_financing": ("Självfinansiering", "Self-financing"),
    }
)

TABLE_MONEY = ("revenue", "revenue_plan", "cost", "subsidy_plan", "subsidy_used")


def quarter_table_view(frame: pd.DataFrame, lang: str) -> Any:
    """The quarter table with kronor and percentages as a Swedish reader expects."""
    if frame.empty:
        return panels.empty_state(text("no_data", lang))
    header = [
        text("eco_col_office", lang),
        text("eco_col_quarter", lang),
        *(text(f"eco_col_{column}", lang) for column in TABLE_MONEY),
        text("eco_col_self_financing", lang),
    ]
    rows = (
        [
            row.office,
            figures.quarter_text(row.quarter, row.partial),
            *(figures.money(getattr(row, column), lang) for column in TABLE_MONEY),
            figures.ratio_text(row.self_financing, lang),
        ]
        for row in frame.itertuples(index=False)
    )
    return table_kit.text_table(header, rows)


PANELS = [
    panels.Panel(
        id="eco-revenue",
        title="eco_revenue",
        definition="def_revenue",
        query=queries.quarter_table,
        figure=figures.revenue_vs_plan,
        compare=figures.revenue_compare,
        previous=previous_quarters,  # a month's previous month: same quarter
        completeness=economy_note,
        width=6,
    ),
    panels.Panel(
        id="eco-costs",
        title="eco_costs",
        definition="def_eco_costs",
        query=queries.costs_by_category,
        figure=figures.costs_by_category,
        completeness=economy_note,
        width=6,
    ),
    panels.Panel(
        id="eco-subsidy",
        title="eco_subsidy",
        definition="def_subsidy_used",
        query=queries.subsidy_by_funder,
        figure=figures.subsidy_by_funder,
        completeness=economy_note,
        width=6,
    ),
    panels.Panel(
        id="eco-ratio",
        title="eco_ratio_title",
        definition="def_eco_ratio",
        query=queries.quarter_table,
        figure=figures.self_financing,
        completeness=economy_note,
        width=6,
    ),
    panels.Panel(
        id="eco-path",
        title="eco_path",
        definition="def_start_phase_path",
        query=queries.self_financing_path,
        figure=figures.self_financing_path,
        completeness=economy_note,
    ),
    panels.Panel(
        id="eco-table",
        title="eco_table",
        definition="def_eco_table",
        query=queries.quarter_table,
        figure=figures.revenue_vs_plan,
        completeness=economy_note,
        table=True,
        render=quarter_table_view,
    ),
]
panels.register(PAGE, PANELS, page_kit.first_day)


@access.page_layout
def layout(scope: access.Scope, **query: str):
    return page_kit.page(PAGE, "eco_title", "eco_intro", PANELS, scope, query)
