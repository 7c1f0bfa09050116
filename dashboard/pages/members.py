"""Medlemmar & målgrupper: members over time by target group and membership type,
joins and leaves, where members live, and members against the ramp-up target.

Region users compare offices side by side; kommun users see their own office
against the anonymous programme median (never a named neighbour).
"""

from __future__ import annotations

import dash

from dashboard import access, page_kit, panels
from dashboard.figures import members as figures
from dashboard.i18n import add
from dashboard.queries import members as queries
from dashboard.source_notes import members_note

PAGE = "members"
dash.register_page(
    __name__, path="/medlemmar", name="Medlemmar", order=2, roles=("region", "kommun")
)
add(
    {
        "members_title": ("Medlemmar och målgrupper", "Members and target groups"),
        "members_intro": (
            "Aktiva medlemskap enligt medlemsregistret, per målgrupp och "
            "medlemskapstyp, var medlemmarna bor och hur kontoren ligger till mot "
            "sina medlemsmål.",
            "Active memberships from the member register, by target group and type, "
            "where members live, and how the offices stand against their member "
            "targets.",
        ),
        "members_by_group": ("Medlemmar per målgrupp", "Members by target group"),
        "members_by_type": (
            "Medlemmar per medlemskapstyp",
            "Members by membership type",
        ),
        "members_flow": (
            "Nya och avslutade medlemskap per månad",
            "New and ended memberships per month",
        ),
        "members_home": ("Var medlemmarna bor", "Where members live"),
        "members_target": ("Medlemmar mot medlemsmål", "Members against target"),
        "members_compare": (
            "Medlemmar nu mot mål – jämförelse",
            "Members now against target – comparison",
        ),
        "def_members_by_type": (
            "Aktiva medlemskap per dag, per medlemskapstyp med kontorets eget namn på "
            "typen (t.ex. Lounge, Flexibel, Fast plats, Privat rum, Provperiod).",
            "Active memberships per day by membership type, under the office's own "
            "name for the type (e.g. Lounge, Flexible, Fixed desk, Private room, "
            "Trial).",
        ),
        "def_members_flow": (
            "Medlemskap som började (uppåt) och slutade (nedåt) varje månad. Ett "
            "medlemskap räknas som avslutat den månad dess sista dag infaller. "
            "Linjen är nettoförändringen.",
            "Memberships that started (up) and ended (down) each month. A membership "
            "counts as ended in the month of its last day. The line is the net "
            "change.",
        ),
        "def_members_home": (
            "Medlemmar som var aktiva någon gång under perioden, per kontor och "
            "hemkommun. Kommuner utanför Kalmar län samlas under ”Övriga”; saknas "
            "hemkommun i registret visas ”Okänd”.",
            "Members active at some point in the period, per office and home "
            "municipality. Municipalities outside Kalmar County are grouped as "
            "“Other”; a missing home municipality shows as “Unknown”.",
        ),
        "def_members_target": (
            "Aktiva medlemmar per dag mot medlemsmålet som gällde den dagen enligt "
            "utbyggnadsplanen, summerat över de valda kontor som har ett "
            "medlemsregister.",
            "Active members per day against the member target valid on that day in "
            "the ramp-up plan, summed over the chosen offices that have a member "
            "register.",
        ),
        "def_members_compare": (
            "Aktiva medlemmar och medlemsmål periodens sista dag (i dag för en "
            "pågående period). Regionen ser kontoren sida vid sida; en kommun ser "
            "sitt kontor mot medianen för programmets kontor med medlemsregister – "
            "utan namn, och bara när minst tre kontor ingår.",
            "Active members and member target on the period's last day (today for a "
            "period in progress). The region sees the offices side by side; a "
            "municipality sees its office against the median of the programme's "
            "offices with a member register — without names, and only when at least "
            "three offices are included.",
        ),
    }
)

PANELS = [
    panels.Panel(
        id="members-by-group",
        title="members_by_group",
        definition="def_members",
        query=queries.members_by_group,
        figure=figures.members_over_time,
        completeness=members_note,
        width=6,
    ),
    panels.Panel(
        id="members-by-type",
        title="members_by_type",
        definition="def_members_by_type",
        query=queries.members_by_type,
        figure=figures.members_by_type,
        completeness=members_note,
        width=6,
    ),
    panels.Panel(
        id="members-target",
        title="members_target",
        definition="def_members_target",
        query=queries.members_vs_target,
        figure=figures.members_vs_target,
        compare=figures.members_vs_target_compare,
        completeness=members_note,
        width=6,
    ),
    panels.Panel(
        id="members-compare",
        title="members_compare",
        definition="def_members_compare",
        query=queries.members_comparison,
        figure=figures.members_comparison,
        completeness=members_note,
        width=6,
    ),
    panels.Panel(
        id="members-flow",
        title="members_flow",
        definition="def_members_flow",
        query=queries.joins_and_leaves,
        figure=figures.joins_and_leaves,
        completeness=members_note,
        width=6,
    ),
    panels.Panel(
        id="members-home",
        title="members_home",
        definition="def_members_home",
        query=queries.home_kommun_matrix,
        figure=figures.home_kommun_heatmap,
        completeness=members_note,
        width=6,
    ),
]
panels.register(PAGE, PANELS, page_kit.first_day)


@access.page_layout
def layout(scope: access.Scope, **query: str):
    return page_kit.page(PAGE, "members_title", "members_intro", PANELS, scope, query)
