"""Medlemmar & målgrupper: members over time, by target group and membership type."""

from __future__ import annotations

import dash

from dashboard import access, page_kit, panels
from dashboard.figures import members as figures
from dashboard.i18n import add
from dashboard.queries import members as queries

PAGE = "members"
dash.register_page(
    __name__, path="/medlemmar", name="Medlemmar", order=2, roles=("region", "kommun")
)
add(
    {
        "members_title": ("Medlemmar och målgrupper", "Members and target groups"),
        "members_intro": (
            "Aktiva medlemskap enligt medlemsregistret, per målgrupp och "
            "medlemskapstyp.",
            "Active memberships from the member register, by target group and type.",
        ),
        "members_by_group": ("Medlemmar per målgrupp", "Members by target group"),
    }
)

PANELS = [
    panels.Panel(
        id="members-by-group",
        title="members_by_group",
        definition="def_members",
        query=queries.members_by_group,
        figure=figures.members_over_time,
    ),
]
panels.register(PAGE, PANELS, page_kit.first_day)


@access.page_layout
def layout(scope: access.Scope, **query: str):
    return page_kit.page(PAGE, "members_title", "members_intro", PANELS, scope, query)
