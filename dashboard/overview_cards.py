"""One card per office on the overview: how it is doing against its own targets.

Status rule (stated on the page): each target an office has data for is met
when the figure reaches 90 % of it; "I fas" when all are met, "Efter plan" when
one is below 70 %, "Bevaka" in between, "Data saknas" with no figure at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dashboard import formatting
from dashboard.html_json import bootstrap, element
from dashboard.i18n import add, text

ON_TRACK, WATCH = 0.9, 0.7
STATUS_COLOURS = {
    "on_track": "success",
    "watch": "warning",
    "behind": "danger",
    "no_data": "secondary",
}

add(
    {
        "status_on_track": ("I fas", "On track"),
        "status_watch": ("Bevaka", "Watch"),
        "status_behind": ("Efter plan", "Behind"),
        "status_no_data": ("Data saknas", "No data"),
        "card_utilisation": ("Beläggning denna månad", "Utilisation this month"),
        "card_members": ("Medlemmar mot mål", "Members against target"),
        "card_self_financing": (
            "Självfinansiering senaste kvartal",
            "Self-financing last quarter",
        ),
        "card_recommend": ("Rekommendation (NPS)", "Recommend score (NPS)"),
        "card_target": ("mål", "target"),
        "card_of": ("av", "of"),
        "card_last_import": ("Senaste import", "Last import"),
        "card_never": ("aldrig", "never"),
        "kind_door": ("dörr", "door"),
        "kind_bookings": ("bokningar", "bookings"),
        "kind_members": ("medlemmar", "members"),
        "kind_survey": ("enkät", "survey"),
        "status_rule": (
            "Status: ett mål räknas som nått vid 90 % av målet. I fas = alla mål med "
            "data nådda, Efter plan = något under 70 %, Bevaka = däremellan.",
            "Status: a target counts as met at 90 % of it. On track = every target "
            "with data met, Behind = one below 70 %, Watch = in between.",
        ),
    }
)


@dataclass(frozen=True)
class OfficeFigures:
    office_id: str
    name: str
    kommun: str
    members: int | None
    target_members: int | None
    utilisation: float | None
    target_utilisation: float | None
    self_financing: float | None
    nps: float | None
    nps_note: str  # e.g. "< 5" when the group is too small to show
    last_imports: dict[str, datetime]


def status(figures: OfficeFigures) -> str:
    ratios = [
        actual / target
        for actual, target in (
            (figures.members, figures.target_members),
            (figures.utilisation, figures.target_utilisation),
        )
        if actual is not None and target
    ]
    if not ratios:
        return "no_data"
    if min(ratios) < WATCH:
        return "behind"
    return "on_track" if min(ratios) >= ON_TRACK else "watch"


def _stat(label: str, value: str, detail: str = "") -> dict[str, Any]:
    return element(
        "Div",
        [
            element("Div", label, className="small text-muted"),
            element("Div", value, className="fs-5 fw-semibold"),
            element("Div", detail, className="small text-muted"),
        ],
        className="col-6 mb-2",
    )


def _freshness(imports: dict[str, datetime], lang: str, now: datetime) -> str:
    parts = []
    for kind in ("door", "bookings", "members", "survey"):
        when = imports.get(kind)
        ago = formatting.ago(when, now, lang) if when else text("card_never", lang)
        parts.append(f"{text('kind_' + kind, lang)} {ago}")
    return f"{text('card_last_import', lang)}: " + " · ".join(parts)


def office_card(
    figures: OfficeFigures, lang: str, now: datetime | None = None
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    state = status(figures)
    of = text("card_of", lang)
    target = text("card_target", lang)
    stats = [
        _stat(
            text("card_utilisation", lang),
            formatting.percent(figures.utilisation, lang),
            f"{target} {formatting.percent(figures.target_utilisation, lang)}",
        ),
        _stat(
            text("card_members", lang),
            f"{formatting.number(figures.members, lang)} {of} "
            f"{formatting.number(figures.target_members, lang)}",
        ),
        _stat(
            text("card_self_financing", lang),
            formatting.percent(figures.self_financing, lang),
        ),
        _stat(
            text("card_recommend", lang),
            figures.nps_note or formatting.signed(figures.nps, lang),
        ),
    ]
    # plain elements: the overview draws one card per office (dashboard.html_json)
    header = element(
        "Div",
        [
            element(
                "Div",
                [
                    element("Strong", figures.name),
                    element("Small", f" · {figures.kommun}", className="text-muted"),
                ],
            ),
            bootstrap(
                "Badge",
                text(f"status_{state}", lang),
                color=STATUS_COLOURS[state],
                className="ms-auto",
            ),
        ],
        className="d-flex align-items-center",
    )
    footer = element(
        "Small", _freshness(figures.last_imports, lang, now), className="text-muted"
    )
    card = bootstrap(
        "Card",
        [
            bootstrap("CardHeader", header),
            bootstrap("CardBody", element("Div", stats, className="row")),
            bootstrap("CardFooter", footer),
        ],
        className="h-100",
        id=f"card-{figures.office_id}",
    )
    return bootstrap("Col", card, md=6, xl=4, className="mb-3")
