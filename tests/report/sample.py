"""A small, realistic quarterly report for export tests: 2026Q3 in Kalmar län.

``sample_document()`` is the programme plus one office (Kontoret Figeholm);
``sections=1`` is that office alone, and more sections add offices. Every
table key the report knows appears, with the awkward cells the exports must
handle: a month without door data (``None``), a hidden satisfaction cell
(``"< 5"``), a negative difference in kronor, a future quarter without outcome,
and comments with line breaks. The figures are plausible, not a computation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pilotpuls.report.content import (
    KeyFigure,
    ReportDocument,
    ScopeReport,
    Section,
    Table,
)
from pilotpuls.report.figures import (
    COLUMNS,
    cost_share_columns,
    cost_share_year_columns,
)

QUARTER = "2026Q3"
PROGRAMME_NAME = "Landsbygdskontor i Kalmar län"
CUTOFF = datetime(2026, 10, 5, 6, 12, tzinfo=UTC)  # 08:12 in Kalmar
PUBLISHED = datetime(2026, 10, 12, 7, 30, tzinfo=UTC)
PERIOD = ("2026-07-01", "2026-09-30")
MONTHS = ("juli 2026", "augusti 2026", "september 2026")

# (scope, name, kommun, address, seats, scale): scale sizes the office's figures
OFFICES = [
    ("figeholm", "Kontoret Figeholm", "Oskarshamns", "Figeholmsvägen 12", 12, 1.0),
    ("hogsby", "Högsby Arbetsplats", "Högsby", "Storgatan 21", 8, 0.7),
    ("lottorp", "Löttorps Kontorshubb", "Borgholms", "Löttorpsvägen 3", 10, 0.8),
    ("orrefors", "Orrefors Arbetsrum", "Nybro", "Kantavägen 9", 6, 0.5),
    ("gamleby", "Gamleby Coworking", "Västerviks", "Torget 4", 14, 1.2),
]

DEFINITIONS = [
    (
        "Beläggning",
        "Genomsnittligt antal närvarande under öppettiderna delat med antalet "
        "arbetsplatser som gällde den dagen. Helgdagar och stängda dagar räknas "
        "inte med.",
    ),
    ("Toppnärvaro", "Det högsta antalet närvarande under en timme den dagen."),
    (
        "Medlemmar",
        "Medlemskap som är aktiva den dagen enligt medlemsregistret, jämfört med "
        "kontorets medlemsmål.",
    ),
    (
        "Självfinansieringsgrad",
        "Intäkter (medlemsavgifter fördelade på aktiva dagar plus bokningsavgifter) "
        "delat med kostnader för samma period.",
    ),
    (
        "Rekommendationsvilja (NPS)",
        "Andel som svarar 9–10 minus andel som svarar 0–6 på frågan om de skulle "
        "rekommendera kontoret, −100 till +100.",
    ),
    (
        "Frysta siffror",
        "Rapportens siffror beräknas en gång vid brytpunkten och sparas som en "
        "version; tidigare versioner finns kvar.",
    ),
]
COST_SHARE_DEFINITION = (
    "Kostnadsfördelning",
    "Härnösandsmodellen: egen yta till full kostnad, gemensam yta och övriga "
    "direkta kostnader efter andel personal, plus värdens overhead på gästernas "
    "hyra. Hyran faktureras kvartalsvis i förskott.",
)


def sample_document(sections: int = 2, status: str = "published") -> ReportDocument:
    """``sections`` = 1: Kontoret Figeholm alone; more: the programme first, then
    ``sections - 1`` offices (up to five)."""
    if not 1 <= sections <= len(OFFICES) + 1:
        raise ValueError(f"sections must be 1 to {len(OFFICES) + 1}")
    if sections == 1:
        parts = [_office_section(0)]
    else:
        offices = list(range(sections - 1))
        parts = [_programme_section(offices)] + [_office_section(i) for i in offices]
    return ReportDocument(
        quarter=QUARTER,
        version=2,
        status=status,
        cutoff_at=CUTOFF,
        published_at=PUBLISHED if status == "published" else None,
        programme_name=PROGRAMME_NAME,
        sections=parts,
    )


# --- sections -------------------------------------------------------------------


def _office_section(index: int) -> Section:
    scope, name, kommun, address, seats, scale = OFFICES[index]
    # Högsby's door counter was installed in August: July has no door data
    no_door_data_in_july = scope == "hogsby"
    utilisation = [0.34, 0.41, 0.47] if not no_door_data_in_july else [None, 0.29, 0.36]
    report = ScopeReport(
        quarter=QUARTER,
        scope=scope,
        title=name,
        subtitle=f"{kommun} kommun · {address}",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        key_figures=_key_figures(scale, utilisation[-1], hidden_nps=index == 1),
        tables=[
            _utilisation(seats, utilisation),
            _target_groups(scale),
            _membership_types(scale),
            _reconciliation(scale),
            _economy(scale),
            _costs(scale),
            _subsidy(scale),
            _path(scale),
            _satisfaction(scale),
            _completeness(no_door_data_in_july),
            *_cost_share(scale),
        ],
        definitions=[*DEFINITIONS, COST_SHARE_DEFINITION],
    )
    comments = {
        0: (
            "Beläggningen har ökat varje månad sedan sommaren.\n"
            "Intäkterna ligger under plan eftersom två företagare flyttade sina "
            "medlemskap till årsskiftet.",
            "Riktad inbjudan till pendlare via Oskarshamns kommuns nyhetsbrev.\n"
            "Ny uppföljning av intäkterna i november.",
        ),
        1: (
            "Dörrräknaren installerades i augusti; juli saknar därför närvarodata.",
            "",
        ),
    }
    text, actions = comments.get(index, ("", ""))
    return Section(report, text, actions)


def _programme_section(offices: list[int]) -> Section:
    scale = sum(OFFICES[i][5] for i in offices)
    seats = sum(OFFICES[i][4] for i in offices)
    report = ScopeReport(
        quarter=QUARTER,
        scope="programme",
        title=PROGRAMME_NAME,
        subtitle=f"Hela programmet: {len(offices)} kontor",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        key_figures=_key_figures(scale, 0.44, hidden_nps=False),
        tables=[
            _offices(offices),
            _utilisation(seats, [0.34, 0.38, 0.44]),
            _target_groups(scale),
            _membership_types(scale),
            _reconciliation(scale),
            _economy(scale),
            _costs(scale),
            _subsidy(scale),
            _path(scale),
            _satisfaction(scale),
            _completeness(False),
        ],
        definitions=list(DEFINITIONS),
    )
    return Section(
        report,
        "Programmet följer planen för beläggning men inte för intäkter.\n"
        "Styrgruppen ombeds ta ställning till prissättningen inför 2027.",
        "Gemensam kampanj för alla kontor i oktober.\n"
        "Översyn av medlemsavgifterna till styrgruppens decembermöte.",
    )


def _key_figures(scale: float, utilisation: float | None, hidden_nps: bool) -> list:
    revenue = round(71_350 * scale)
    revenue_plan = round(90_000 * scale)
    subsidy_used = round(241_150 * scale)
    subsidy_plan = round(222_500 * scale)
    return [
        KeyFigure("utilisation", "Beläggning", utilisation, "percent", 0.5),
        KeyFigure(
            "members",
            "Medlemmar vid kvartalets slut",
            round(25 * scale),
            "int",
            round(30 * scale),
        ),
        KeyFigure("new_members", "Nya medlemskap", round(6 * scale), "int"),
        KeyFigure("ended_members", "Avslutade medlemskap", round(2 * scale), "int"),
        KeyFigure("revenue", "Intäkter", revenue, "kr", revenue_plan, "plan"),
        KeyFigure(
            "subsidy_used", "Använt stöd", subsidy_used, "kr", subsidy_plan, "plan"
        ),
        KeyFigure(
            "self_financing",
            "Självfinansieringsgrad",
            0.228,
            "percent",
            0.288,
            "plan",
        ),
        KeyFigure(
            "nps",
            "Rekommendationsvilja (NPS), 12 mån",
            "< 5" if hidden_nps else 42.9,
            "decimal",
        ),
    ]


# --- tables ---------------------------------------------------------------------


def _utilisation(seats: int, values: list[float | None]) -> Table:
    open_days = (21, 21, 22)
    rows = []
    for month, value, days in zip(MONTHS, values, open_days, strict=True):
        rows.append(
            {
                "month": month,
                "seats": seats,
                "utilisation": value,
                "target": 0.45 if month != "september 2026" else 0.5,
                "peak": None if value is None else float(round(seats * value * 1.8)),
                "days_with_data": 0 if value is None else days,
                "open_days": days,
            }
        )
    return Table(
        "utilisation",
        "Beläggning per månad",
        COLUMNS["utilisation"],
        rows,
        "Beläggning = genomsnittlig närvaro ÷ platser som gällde dagen, över öppna "
        "dagar med dörrdata; helgdagar och stängda dagar räknas inte.",
    )


def _target_groups(scale: float) -> Table:
    counts = {
        "Pendlare": round(9 * scale),
        "Företagare": round(8 * scale),
        "Resande": round(3 * scale),
        "Nätverk": round(2 * scale),
        "Okänd": round(3 * scale),
    }
    total = sum(counts.values())
    return Table(
        "target_groups",
        "Medlemmar per målgrupp vid kvartalets slut",
        COLUMNS["target_groups"],
        [
            {"target_group": group, "members": n, "share": round(n / total, 6)}
            for group, n in counts.items()
        ],
    )


def _membership_types(scale: float) -> Table:
    return Table(
        "membership_types",
        "Medlemmar per medlemskapstyp vid kvartalets slut",
        COLUMNS["membership_types"],
        [
            {"membership": "Fast plats", "members": round(4 * scale)},
            {"membership": "Flex 10 dagar/mån", "members": round(13 * scale)},
            {"membership": "Klippkort 5 dagar", "members": round(8 * scale)},
        ],
    )


def _reconciliation(scale: float) -> Table:
    values = [
        ("Bokade skrivbordsdagar", 412),
        ("Bokat och närvarande", 355),
        ("Bokat men frånvarande", 57),
        ("Närvarande utan bokning", 138),
        ("Bokningar på dagar utan dörrdata", 0),
    ]
    return Table(
        "reconciliation",
        "Bokningar mot dörrräkning",
        COLUMNS["reconciliation"],
        [{"measure": label, "value": float(round(n * scale))} for label, n in values],
        "Per kontor och dag: bokat och närvarande = min(bokade, toppnärvaro). Dagar "
        "utan dörrdata räknas aldrig som frånvaro.",
    )


def economy_rows(scale: float = 1.0) -> list[dict[str, Any]]:
    """The economy table's rows; revenue is under plan (a negative difference)."""
    membership = round(62_400 * scale)
    booking = round(8_950 * scale)
    revenue = membership + booking
    revenue_plan = round(90_000 * scale)
    cost = round(312_500 * scale)
    used = cost - revenue
    used_plan = round(222_500 * scale)
    return [
        {
            "measure": "Medlemsavgifter",
            "outcome": membership,
            "plan": None,
            "difference": None,
        },
        {
            "measure": "Bokningsavgifter",
            "outcome": booking,
            "plan": None,
            "difference": None,
        },
        {
            "measure": "Intäkter totalt",
            "outcome": revenue,
            "plan": revenue_plan,
            "difference": revenue - revenue_plan,
        },
        {"measure": "Kostnader", "outcome": cost, "plan": None, "difference": None},
        {
            "measure": "Använt stöd",
            "outcome": used,
            "plan": used_plan,
            "difference": used - used_plan,
        },
    ]


def _economy(scale: float) -> Table:
    return Table(
        "economy",
        "Ekonomi mot plan",
        COLUMNS["economy"],
        economy_rows(scale),
        "Kostnader är kostnadsplanen i config.yaml (faktiska kostnader importeras "
        "inte ännu).",
    )


def _costs(scale: float) -> Table:
    amounts = [
        ("Hyra", 180_000),
        ("Drift (el, värme)", 36_000),
        ("Förbrukning", 9_000),
        ("Värdskap/reception", 75_000),
        ("Städning", 12_500),
    ]
    return Table(
        "costs",
        "Kostnader per kategori (plan)",
        COLUMNS["costs"],
        [{"category": c, "amount": float(round(a * scale))} for c, a in amounts],
    )


def _subsidy(scale: float) -> Table:
    half_plan = round(111_250 * scale)
    used = economy_rows(scale)[-1]["outcome"]
    return Table(
        "subsidy",
        "Stöd per finansiär",
        COLUMNS["subsidy"],
        [
            {"funder": "Kommunen", "planned": half_plan, "used": used / 2},
            {"funder": "Region Kalmar län", "planned": half_plan, "used": used / 2},
        ],
    )


def _path(scale: float) -> Table:
    quarters = [f"{y}Q{q}" for y in (2025, 2026, 2027, 2028) for q in (1, 2, 3, 4)]
    quarters = quarters[quarters.index("2025Q4") : quarters.index("2028Q3") + 1]
    per_quarter = [250_000, 240_000, 230_000, 222_500, 205_000, 185_000, 160_000,
                   130_000, 100_000, 70_000, 40_000, 20_000]  # fmt: skip
    used = [262_000, 258_500, 249_000, 241_150]  # up to 2026Q3
    start = 2_000_000 * scale
    rows, plan_left, actual_left = [], start, start
    for number, quarter in enumerate(quarters):
        planned = round(per_quarter[number] * scale)
        plan_left -= planned
        past = number < len(used)
        actual_left -= round(used[number] * scale) if past else 0
        rows.append(
            {
                "quarter": quarter,
                "planned_subsidy": planned,
                "remaining_plan": plan_left,
                "remaining_actual": actual_left if past else None,
                "self_financing": [0.12, 0.17, 0.2, 0.228][number] if past else None,
                "projection": None if past else round(0.228 + 0.035 * (number - 3), 6),
            }
        )
    return Table(
        "path",
        "Vägen till självfinansiering",
        COLUMNS["path"],
        rows,
        "Startfasen slutar 2028-09-30. Prognosen är en rät linje genom de fyra "
        "senaste hela kvartalens självfinansieringsgrad.",
    )


def _satisfaction(scale: float) -> Table:
    answers = round(14 * scale)
    rows = [
        ("Nätverkande", answers, 0.64, 0.07),
        ("Samhörighet", answers, 0.71, 0.0),
        ("Wifi", answers, 0.86, 0.07),
        ("Kaffe", answers, 0.57, 0.14),
        ("Parkering", "< 5", None, None),  # too few answered: hidden
    ]
    return Table(
        "satisfaction",
        "Nöjdhet: mjuka värden och faciliteter (enkäter senaste 12 månaderna)",
        COLUMNS["satisfaction"],
        [
            {"measure": m, "answers": a, "positive": p, "negative": n}
            for m, a, p, n in rows
        ],
        "Grupper med färre än 5 svarande visas inte (”< 5”), inte heller värden som "
        "skulle gå att räkna fram.",
    )


def _completeness(no_door_data_in_july: bool) -> Table:
    with_data = 43 if no_door_data_in_july else 64
    return Table(
        "completeness",
        "Datatäckning",
        COLUMNS["completeness"],
        [
            {
                "source": "Dörrräknare",
                "detail": f"{with_data} av 64 öppna kontorsdagar med data",
            },
            {"source": "Bokningar", "detail": "61 dagar med bokningar"},
            {"source": "Medlemsregister", "detail": "finns"},
            {"source": "Medlemsenkät", "detail": "14 svar senaste 12 månaderna"},
        ],
        "Saknade data visas som luckor, aldrig som noll.",
    )


def _offices(offices: list[int]) -> Table:
    statuses = ["I fas", "Bevaka", "Efter plan", "Bevaka", "I fas"]
    rows = []
    for i in offices:
        _, name, _, _, seats, scale = OFFICES[i]
        rows.append(
            {
                "office": name,
                "status": statuses[i],
                "utilisation": None
                if i == 1
                else round(0.3 + 0.05 * i + 0.1 * scale, 6),
                "utilisation_target": 0.5,
                "members": round(25 * scale),
                "members_target": round(30 * scale),
                "self_financing": round(0.2 + 0.03 * i, 6),
                "nps": "< 5" if i == 1 else round(42.9 - 6 * i, 1),
            }
        )
    return Table(
        "offices",
        "Kontoren mot sina egna mål",
        COLUMNS["offices"],
        rows,
        "Status: ett mål räknas som nått vid 90 % av målet. I fas = alla mål med data "
        "nådda, Efter plan = något under 70 %, Bevaka = däremellan.",
    )


def _cost_share(scale: float) -> list[Table]:
    parties = [
        ("Oskarshamns kommun (värd)", 120.0, 0.6, True),
        ("Försäkringskassan", 45.5, 0.25, False),
        ("Almi Företagspartner", 30.0, 0.15, False),
    ]
    premises_year = 1_200_000 * scale
    other_year = 755_000 * scale
    quarter_rows, year_rows = [], []
    for party, area, share, host in parties:
        premises = round(premises_year * share)
        other = round(other_year * share)
        overhead = 0 if host else round(premises * 0.1)
        total = premises + other + overhead
        one_off = 12_500 if party.startswith("Almi") else 0
        quarter_rows.append(
            {
                "party": party,
                "share": share,
                "premises": round(premises / 4),
                "other_costs": round(other / 4),
                "overhead": round(overhead / 4),
                "rent": round(total / 4),
                "one_off": one_off,
                "invoice": round(total / 4) + one_off,
                "due": "2026-07-31",
            }
        )
        year_rows.append(
            {
                "party": party,
                "own_area_m2": area,
                "share": share,
                "premises": premises,
                "other_costs": other,
                "overhead": overhead,
                "total": total,
            }
        )
    return [
        Table(
            "cost_share",
            f"Kostnadsfördelning {QUARTER} (faktureras i förskott)",
            cost_share_columns("staff"),
            quarter_rows,
            "Overhead 10 % på gästernas hyra. Almi Företagspartner: ny skrivbordsplats "
            "12 500 kr.",
        ),
        Table(
            "cost_share_year",
            "Årshyra 2026 per part",
            cost_share_year_columns("staff"),
            year_rows,
            "Kostnaderna i 2024 års nivå, indexerade årligen.",
        ),
    ]
