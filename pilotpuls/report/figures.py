"""A quarter's report figures, computed from the same queries as the pages.

Everything is computed "as of the quarter's last day": the figures depend on
the data, never on the day they are computed, so a recomputation differs from
a stored version only when data for the quarter changed (a restatement).
Satisfaction cells follow the same suppression as the pages, computed for a
programme-wide reader so every version hides the same cells.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from dashboard import i18n
from dashboard.access import Scope
from dashboard.filters import MONTHS_SV, Period
from dashboard.overview_cards import OfficeFigures
from dashboard.overview_cards import status as office_status
from dashboard.queries import economy, members, occupancy, overview, satisfaction
from models import tables as t
from models.config import TARGET_GROUPS, ProgrammeConfig, quarter_of
from pilotpuls.report import costshare
from pilotpuls.report.content import Column, KeyFigure, ScopeReport, Table

PROGRAMME = "programme"
STATUS_SV = {
    "on_track": "I fas",
    "watch": "Bevaka",
    "behind": "Efter plan",
    "no_data": "Data saknas",
}
MEASURES_SV = {
    "networking": "Nätverkande",
    "belonging": "Samhörighet",
    "atmosphere": "Stämning",
    "inspiration": "Inspiration",
    "wifi": "Wifi",
    "coffee": "Kaffe",
    "parking": "Parkering",
    "accessibility": "Tillgänglighet",
    "opening_hours": "Öppettider",
}
COST_CATEGORIES_SV = {
    "rent": "Hyra",
    "operation": "Drift (el, värme)",
    "consumables": "Förbrukning",
    "reception": "Värdskap/reception",
    "cleaning": "Städning",
    "security": "Larm och säkerhet",
    "other": "Övrigt",
}
FUNDERS_SV = {
    "region": "Region Kalmar län",
    "kommun": "Kommunen",
    "leader": "LEADER",
    "": "Ej planerat",
}
DEFINITION_TERMS = (
    "utilisation",
    "peak",
    "no_show",
    "unbooked",
    "members",
    "self_financing",
    "recommend",
    "completeness",
)
REPORT_DEFINITIONS = [
    (
        "Intäkter",
        "Medlemsavgifter fördelade på aktiva dagar (månadsavgift × 12 / 365 per "
        "dag) plus bokningsavgifter, inom kvartalet.",
    ),
    (
        "Använt stöd",
        "Kostnad minus intäkter (aldrig under 0): underskottet som finansiärerna "
        "täcker, fördelat i proportion till deras planerade belopp.",
    ),
    (
        "Kvarvarande stöd",
        "Planerat stöd för startfasen minus det som hittills använts; kvartal utan "
        "utfall räknas med sitt planerade stöd.",
    ),
    (
        "Kostnadsfördelning",
        "Härnösandsmodellen: egen yta till full kostnad, gemensam yta och övriga "
        "direkta kostnader efter andel personal eller yta, plus värdens overhead "
        "på gästernas hyra. Hyran är årlig, indexeras årligen och faktureras "
        "kvartalsvis i förskott.",
    ),
    (
        "Frysta siffror",
        "Rapportens siffror beräknas en gång vid brytpunkten och sparas som en "
        "version. Kommer data för kvartalet senare visas ändringarna, och en ny "
        "version kan publiceras; tidigare versioner finns kvar.",
    ),
]


# the layout of each table (titles and notes depend on the quarter)
COLUMNS: dict[str, list[Column]] = {
    "utilisation": [
        Column("month", "Månad"),
        Column("seats", "Platser", "int"),
        Column("utilisation", "Beläggning", "percent"),
        Column("target", "Mål", "percent"),
        Column("peak", "Toppnärvaro", "int"),
        Column("days_with_data", "Dagar med dörrdata", "int"),
        Column("open_days", "Öppna kontorsdagar", "int"),
    ],
    "target_groups": [
        Column("target_group", "Målgrupp"),
        Column("members", "Medlemmar", "int"),
        Column("share", "Andel", "percent"),
    ],
    "membership_types": [
        Column("membership", "Medlemskap"),
        Column("members", "Medlemmar", "int"),
    ],
    "reconciliation": [
        Column("measure", "Mått"),
        Column("value", "Antal (person-dagar)", "int"),
    ],
    "economy": [
        Column("measure", "Post"),
        Column("outcome", "Utfall", "kr"),
        Column("plan", "Plan", "kr"),
        Column("difference", "Avvikelse", "kr"),
    ],
    "costs": [Column("category", "Kategori"), Column("amount", "Belopp", "kr")],
    "subsidy": [
        Column("funder", "Finansiär"),
        Column("planned", "Planerat", "kr"),
        Column("used", "Använt", "kr"),
    ],
    "satisfaction": [
        Column("measure", "Fråga"),
        Column("answers", "Svar", "int"),
        Column("positive", "Andel 4–5", "percent"),
        Column("negative", "Andel 1–2", "percent"),
    ],
    "completeness": [Column("source", "Källa"), Column("detail", "Täckning")],
    "path": [
        Column("quarter", "Kvartal"),
        Column("planned_subsidy", "Planerat stöd", "kr"),
        Column("remaining_plan", "Kvar enligt plan", "kr"),
        Column("remaining_actual", "Kvar efter utfall", "kr"),
        Column("self_financing", "Självfinansiering", "percent"),
        Column("projection", "Prognos", "percent"),
    ],
    "offices": [
        Column("office", "Kontor"),
        Column("status", "Status"),
        Column("utilisation", "Beläggning", "percent"),
        Column("utilisation_target", "Mål", "percent"),
        Column("members", "Medlemmar", "int"),
        Column("members_target", "Mål", "int"),
        Column("self_financing", "Självfinansiering", "percent"),
        Column("nps", "NPS", "decimal"),
    ],
}


def report_scope(session: so.Session) -> Scope:
    """A programme-wide reader: the report is computed once for everybody, and
    the page shows each user only the sections of their own scope."""
    active = frozenset(
        session.scalars(sa.select(t.Office.id).where(t.Office.active.is_(True)))
    )
    return Scope(0, "rapport", "region", active, True)


def quarter_period(quarter: str) -> Period:
    return economy.quarter_span(quarter)


def quarter_reports(
    session: so.Session, config: ProgrammeConfig, quarter: str
) -> list[ScopeReport]:
    """The programme's section first, then one per office open in the quarter."""
    period = quarter_period(quarter)
    scope = report_scope(session)
    opened = {
        o.id: o for o in config.offices if o.opened <= period.end and scope.allows(o.id)
    }
    ids = sorted(opened, key=lambda i: opened[i].name)
    if not ids:
        raise ValueError(f"no office had opened by the end of {quarter}")
    calc = _Calculation(session, config, scope, quarter, period)
    sections = [calc.section(PROGRAMME, ids)]
    sections += [calc.section(office_id, [office_id]) for office_id in ids]
    return sections


class _Calculation:
    """The queries of one quarter, shared by its sections."""

    def __init__(
        self,
        session: so.Session,
        config: ProgrammeConfig,
        scope: Scope,
        quarter: str,
        period: Period,
    ) -> None:
        self.session, self.config, self.scope = session, config, scope
        self.quarter, self.period = quarter, period
        self.zone = config.timezone
        self.min_size = config.privacy.min_group_size
        ids = sorted(scope.office_ids)
        self.days = occupancy.occupancy(session, scope, ids, period, self.zone).days
        self.money = economy.quarter_rows(session, scope, ids, [quarter], period.end)
        self.memberships = members.memberships(session, scope, ids, period)
        self.type_names = members.type_names(session, scope, ids)
        self.registered = members.offices_with_register(session, scope, ids)
        surveys = self._survey_period()
        self.responses = satisfaction.responses(session, scope, surveys, self.zone)
        self.nps = satisfaction.nps_by_office(
            session, scope, ids, surveys, self.min_size, self.zone
        )

    # -- one section -----------------------------------------------------------

    def section(self, scope_id: str, ids: list[str]) -> ScopeReport:
        if scope_id == PROGRAMME:
            title = self.config.programme_name
            subtitle = f"Hela programmet: {len(ids)} kontor"
        else:
            office = self.config.office(scope_id)
            title = office.name
            subtitle = " · ".join(
                p for p in (f"Kommun: {office.kommun_name}", office.address) if p
            )
        tables = [
            self.utilisation_table(ids),
            self.target_group_table(ids),
            self.membership_type_table(ids),
            self.reconciliation_table(ids),
            self.economy_table(ids),
            self.cost_table(ids),
            self.subsidy_table(ids),
            self.path_table(ids),
            self.satisfaction_table(ids),
            self.completeness_table(ids),
        ]
        if scope_id == PROGRAMME:
            tables.insert(0, self.offices_table(ids))
        else:
            tables += self.cost_share_tables(scope_id)
        return ScopeReport(
            quarter=self.quarter,
            scope=scope_id,
            title=title,
            subtitle=subtitle,
            period_start=self.period.start.isoformat(),
            period_end=self.period.end.isoformat(),
            key_figures=self.key_figures(ids),
            tables=[table for table in tables if table is not None],
            definitions=definitions(),
        )

    # -- key figures -----------------------------------------------------------

    def key_figures(self, ids: list[str]) -> list[KeyFigure]:
        used = self._utilisation(self.days[self.days.office_id.isin(ids)])
        money = self._money(ids)
        nps, respondents = self._nps(ids)
        return [
            KeyFigure(
                "utilisation",
                "Beläggning",
                used["utilisation"],
                "percent",
                used["target"],
            ),
            KeyFigure(
                "members",
                "Medlemmar vid kvartalets slut",
                self._members_on(ids, self.period.end),
                "int",
                self._member_target(ids),
            ),
            KeyFigure("new_members", "Nya medlemskap", self._started(ids), "int"),
            KeyFigure("ended_members", "Avslutade medlemskap", self._ended(ids), "int"),
            KeyFigure(
                "revenue",
                "Intäkter",
                money.get("revenue"),
                "kr",
                money.get("revenue_plan"),
                "plan",
            ),
            KeyFigure(
                "subsidy_used",
                "Använt stöd",
                money.get("subsidy_used"),
                "kr",
                money.get("subsidy_plan"),
                "plan",
            ),
            KeyFigure(
                "self_financing",
                "Självfinansieringsgrad",
                money.get("self_financing"),
                "percent",
                money.get("plan_ratio"),
                "plan",
            ),
            KeyFigure(
                "nps",
                "Rekommendationsvilja (NPS), 12 mån",
                respondents if nps is None and respondents else nps,
                "decimal",
            ),
        ]

    # -- occupancy ---------------------------------------------------------------

    @staticmethod
    def _utilisation(days: pd.DataFrame) -> dict[str, float | None]:
        """Seat-day weighted, as the overview: pooled over the offices given."""
        pooled = overview.utilisation_by_office(days.assign(office_id="pooled"))
        if pooled.empty:
            return {"utilisation": None, "target": None, "peak": None}
        counted = days[days["open"] & days["has_data"] & (days["seats"] > 0)]
        return {
            "utilisation": float(pooled["utilisation"].iloc[0]),
            "target": float(pooled["target_utilisation"].iloc[0]),
            "peak": float(counted.groupby("day")["peak_occupancy"].sum().max()),
        }

    def utilisation_table(self, ids: list[str]) -> Table:
        days = self.days[self.days.office_id.isin(ids)]
        rows = []
        for number in range(3):
            first = self.period.start.month + number
            mine = days[[d.month == first for d in days["day"]]]
            measured = self._utilisation(mine)
            last_day = mine["day"].max() if not mine.empty else None
            rows.append(
                {
                    "month": f"{MONTHS_SV[first - 1]} {self.period.start.year}",
                    "seats": self._seats_on(ids, last_day),
                    "utilisation": measured["utilisation"],
                    "target": measured["target"],
                    "peak": measured["peak"],
                    "days_with_data": int((mine["open"] & mine["has_data"]).sum()),
                    "open_days": int(mine["open"].sum()),
                }
            )
        return Table(
            "utilisation",
            "Beläggning per månad",
            COLUMNS["utilisation"],
            rows,
            "Beläggning = genomsnittlig närvaro ÷ platser som gällde dagen, över "
            "öppna dagar med dörrdata; helgdagar och stängda dagar räknas inte.",
        )

    def _seats_on(self, ids: list[str], day: date | None) -> int | None:
        day = day or self.period.end
        steps = [self.config.office(i).plan_on(day) for i in ids]
        return sum(step.capacity.seats for step in steps if step) or None

    def reconciliation_table(self, ids: list[str]) -> Table:
        days = occupancy.reconciliation(
            self.session, self.scope, ids, self.period, self.zone
        )
        total = days[["desk_bookings", "booked_present", "no_show", "unbooked"]].sum(
            min_count=1
        )
        without = days["booked_without_door_data"].sum(min_count=1)
        labels = [
            ("Bokade skrivbordsdagar", total.get("desk_bookings")),
            ("Bokat och närvarande", total.get("booked_present")),
            ("Bokat men frånvarande", total.get("no_show")),
            ("Närvarande utan bokning", total.get("unbooked")),
            ("Bokningar på dagar utan dörrdata", without),
        ]
        return Table(
            "reconciliation",
            "Bokningar mot dörrräkning",
            COLUMNS["reconciliation"],
            [{"measure": label, "value": _number(value)} for label, value in labels],
            "Per kontor och dag: bokat och närvarande = min(bokade, toppnärvaro). "
            "Dagar utan dörrdata räknas aldrig som frånvaro.",
        )

    # -- members -----------------------------------------------------------------

    def _active(self, ids: list[str], day: date) -> pd.DataFrame:
        rows = self.memberships
        if rows.empty:
            return rows
        ends = rows["end_date"].map(lambda d: d if isinstance(d, date) else date.max)
        mask = rows.office_id.isin(ids) & (rows["start_date"] <= day) & (ends >= day)
        return rows[mask]

    def _members_on(self, ids: list[str], day: date) -> int | None:
        if not self._registered(ids):
            return None
        # memberships, as the members page and the overview count them
        rows = self.memberships[self.memberships.office_id.isin(ids)]
        return int(members.active_counts(rows, [day])[0])

    def _registered(self, ids: list[str]) -> bool:
        return bool(self.registered & set(ids))

    def _member_target(self, ids: list[str]) -> int | None:
        steps = [self.config.office(i).plan_on(self.period.end) for i in ids]
        return sum(step.targets.members for step in steps if step) or None

    def _in_quarter(self, ids: list[str], column: str) -> int | None:
        if not self._registered(ids) or self.memberships.empty:
            return None
        rows = self.memberships[self.memberships.office_id.isin(ids)]
        days = rows[column].map(lambda d: d if isinstance(d, date) else None)
        start, end = self.period.start, self.period.end
        return int(sum(1 for d in days if d is not None and start <= d <= end))

    def _started(self, ids: list[str]) -> int | None:
        return self._in_quarter(ids, "start_date")

    def _ended(self, ids: list[str]) -> int | None:
        return self._in_quarter(ids, "end_date")

    def target_group_table(self, ids: list[str]) -> Table:
        active = self._active(ids, self.period.end)
        rows = []
        if self._registered(ids) and not active.empty:
            groups = active["target_group"].fillna(members.UNKNOWN)
            counts = groups.value_counts()
            order = [*TARGET_GROUPS, members.UNKNOWN]
            for group in [g for g in order if g in counts.index]:
                rows.append(
                    {
                        "target_group": group,
                        "members": int(counts[group]),
                        "share": float(counts[group] / counts.sum()),
                    }
                )
        return Table(
            "target_groups",
            "Medlemmar per målgrupp vid kvartalets slut",
            COLUMNS["target_groups"],
            rows,
            "" if rows else "Inget medlemsregister med aktiva medlemmar.",
        )

    def membership_type_table(self, ids: list[str]) -> Table:
        active = self._active(ids, self.period.end)
        names = (
            [
                self.type_names.get((o, code), code)
                for o, code in zip(
                    active.office_id, active.membership_type, strict=True
                )
            ]
            if not active.empty
            else []
        )
        counts = pd.Series(names, dtype=object).value_counts().sort_index()
        return Table(
            "membership_types",
            "Medlemmar per medlemskapstyp vid kvartalets slut",
            COLUMNS["membership_types"],
            [{"membership": str(k), "members": int(v)} for k, v in counts.items()],
        )

    # -- economy -----------------------------------------------------------------

    def _money(self, ids: list[str]) -> dict[str, float | None]:
        rows = self.money[self.money.office_id.isin(ids)]
        if rows.empty:
            return {}
        sums = {
            column: rows[column].astype(float).sum(min_count=1)
            for column in (
                "membership_revenue",
                "booking_revenue",
                "revenue",
                "revenue_plan",
                "cost",
                "subsidy_plan",
                "subsidy_used",
            )
        }
        result = {k: _number(v) for k, v in sums.items()}
        cost = result.get("cost")
        if cost:
            known = rows.dropna(subset=["revenue"])
            if not known.empty:
                result["self_financing"] = float(
                    known["revenue"].sum() / known["cost"].astype(float).sum()
                )
            if result.get("revenue_plan") is not None:
                result["plan_ratio"] = float(result["revenue_plan"] / cost)
        return result

    def economy_table(self, ids: list[str]) -> Table:
        money = self._money(ids)

        def row(label: str, outcome: str, plan: str | None) -> dict[str, Any]:
            actual = money.get(outcome)
            planned = money.get(plan) if plan else None
            diff = None if actual is None or planned is None else actual - planned
            return {
                "measure": label,
                "outcome": actual,
                "plan": planned,
                "difference": diff,
            }

        return Table(
            "economy",
            "Ekonomi mot plan",
            COLUMNS["economy"],
            [
                row("Medlemsavgifter", "membership_revenue", None),
                row("Bokningsavgifter", "booking_revenue", None),
                row("Intäkter totalt", "revenue", "revenue_plan"),
                row("Kostnader", "cost", None),
                row("Använt stöd", "subsidy_used", "subsidy_plan"),
            ],
            "Kostnader är kostnadsplanen i config.yaml (faktiska kostnader "
            "importeras inte ännu).",
        )

    def cost_table(self, ids: list[str]) -> Table:
        lines = economy.costs_by_category(
            self.session, self.scope, ids, self.period, self.period.end
        )
        sums = lines.groupby("category", sort=False)["amount"].sum()
        rows = [
            {"category": label, "amount": float(sums[key])}
            for key, label in COST_CATEGORIES_SV.items()
            if key in sums.index
        ]
        return Table(
            "costs",
            "Kostnader per kategori (plan)",
            COLUMNS["costs"],
            rows,
        )

    def subsidy_table(self, ids: list[str]) -> Table:
        lines = economy.subsidy_by_funder(
            self.session, self.scope, ids, self.period, self.period.end
        )
        sums = lines.groupby("funder", sort=True)[["planned", "used"]].sum(min_count=1)
        rows = [
            {
                "funder": FUNDERS_SV.get(funder, funder),
                "planned": _number(row.planned),
                "used": _number(row.used),
            }
            for funder, row in sums.iterrows()
        ]
        return Table(
            "subsidy",
            "Stöd per finansiär",
            COLUMNS["subsidy"],
            rows,
        )

    def path_table(self, ids: list[str]) -> Table:
        path = economy.self_financing_path(
            self.session, self.scope, ids, self.period, self.period.end
        )
        columns = COLUMNS["path"]
        rows = [
            {
                c.key: _number(r[c.key]) if c.kind != "text" else r[c.key]
                for c in columns
            }
            for r in path.to_dict("records")
        ]
        end = path.attrs.get("start_phase_end")
        return Table(
            "path",
            "Vägen till självfinansiering",
            columns,
            rows,
            f"Startfasen slutar {end:%Y-%m-%d}. Prognosen är en rät linje genom de "
            "fyra senaste hela kvartalens självfinansieringsgrad."
            if end
            else "",
        )

    # -- satisfaction ----------------------------------------------------------

    def _nps(self, ids: list[str]) -> tuple[float | None, str]:
        table = self.nps
        name = (
            satisfaction.PROGRAMME_NAME
            if len(ids) > 1
            else self.config.office(ids[0]).name
        )
        mine = table[table.office == name]
        if mine.empty:
            return None, ""
        row = mine.iloc[0]
        label = row.respondents if isinstance(row.respondents, str) else ""
        return _number(row.nps), label

    def _survey_period(self) -> Period:
        """Survey rounds are yearly or half-yearly: a quarter shows the rounds
        of the twelve months up to its end."""
        return Period("custom", self.period.end - timedelta(days=364), self.period.end)

    def satisfaction_table(self, ids: list[str]) -> Table:
        shares = pd.concat(
            [
                satisfaction.answer_shares(
                    self.session,
                    self.scope,
                    ids,
                    self.period,
                    measures,
                    self.min_size,
                    self.zone,
                )
                for measures in (satisfaction.SOFT_VALUES, satisfaction.FACILITIES)
            ],
            ignore_index=True,
        )
        rows = [
            {
                "measure": MEASURES_SV.get(r["measure"], r["measure"]),
                "answers": r["answers"],
                "positive": _share(r["positive"]),
                "negative": _share(r["negative"]),
            }
            for r in shares.to_dict("records")
        ]
        return Table(
            "satisfaction",
            "Nöjdhet: mjuka värden och faciliteter (enkäter senaste 12 månaderna)",
            COLUMNS["satisfaction"],
            rows,
            self._no_answers_note(ids, rows)
            + f"Grupper med färre än {self.min_size} svarande visas inte (”< "
            f"{self.min_size}”), inte heller värden som skulle gå att räkna fram.",
        )

    def _no_answers_note(self, ids: list[str], rows: list) -> str:
        if rows:
            return ""
        if self._responses(ids):
            return "Svaren är för få för att visas. "
        return "Ingen medlemsenkät under de senaste tolv månaderna. "

    # -- data completeness -----------------------------------------------------

    def completeness_table(self, ids: list[str]) -> Table:
        days = self.days[self.days.office_id.isin(ids)]
        open_days = int(days["open"].sum())
        with_data = int((days["open"] & days["has_data"]).sum())
        booked = self._count_days(t.BookingDaily, ids)
        responses = self._responses(ids)
        registered = self._registered(ids)
        rows = [
            {
                "source": "Dörrräknare",
                "detail": f"{with_data} av {open_days} öppna kontorsdagar med data",
            },
            {"source": "Bokningar", "detail": f"{booked} dagar med bokningar"},
            {
                "source": "Medlemsregister",
                "detail": "finns" if registered else "saknas",
            },
            {
                "source": "Medlemsenkät",
                "detail": f"{responses} svar senaste 12 månaderna",
            },
        ]
        return Table(
            "completeness",
            "Datatäckning",
            COLUMNS["completeness"],
            rows,
            "Saknade data visas som luckor, aldrig som noll.",
        )

    def _count_days(self, rollup: type, ids: list[str]) -> int:
        return int(
            self.session.scalar(
                sa.select(sa.func.count()).where(
                    rollup.office_id.in_(ids),
                    rollup.day >= self.period.start,
                    rollup.day <= self.period.end,
                )
            )
            or 0
        )

    def _responses(self, ids: list[str]) -> int:
        rows = self.responses
        return int(rows.office_id.isin(ids).sum()) if not rows.empty else 0

    # -- programme and cost share ----------------------------------------------

    def offices_table(self, ids: list[str]) -> Table:
        rows = []
        for office_id in ids:
            office = self.config.office(office_id)
            used = self._utilisation(self.days[self.days.office_id == office_id])
            money = self._money([office_id])
            nps, hidden = self._nps([office_id])
            figures = OfficeFigures(
                office_id,
                office.name,
                office.kommun_name,
                self._members_on([office_id], self.period.end),
                self._member_target([office_id]),
                used["utilisation"],
                used["target"],
                money.get("self_financing"),
                nps,
                hidden,
                {},
            )
            rows.append(
                {
                    "office": office.name,
                    "status": STATUS_SV[office_status(figures)],
                    "utilisation": used["utilisation"],
                    "utilisation_target": used["target"],
                    "members": figures.members,
                    "members_target": figures.target_members,
                    "self_financing": figures.self_financing,
                    "nps": hidden or nps,
                }
            )
        return Table(
            "offices",
            "Kontoren mot sina egna mål",
            COLUMNS["offices"],
            rows,
            "Status: ett mål räknas som nått vid 90 % av målet. I fas = alla mål "
            "med data nådda, Efter plan = något under 70 %, Bevaka = däremellan.",
        )

    def cost_share_tables(self, office_id: str) -> list[Table]:
        sharing = self.config.office(office_id).cost_sharing
        if sharing is None or self.period.start.year < sharing.base_year:
            return []
        invoices = costshare.quarter_invoices(sharing, self.quarter)
        year = costshare.annual_statement(sharing, self.period.start.year)
        money = ("premises", "other_costs", "overhead")
        quarter_rows = [
            {
                "party": r["party"] + (" (värd)" if r["host"] else ""),
                "share": r["share"],
                **{k: r[k] for k in money},
                "rent": r["rent"],
                "one_off": r["one_off"],
                "invoice": r["invoice"],
                "due": r["due"].isoformat(),
            }
            for r in invoices.to_dict("records")
        ]
        year_rows = [
            {
                "party": r["party"] + (" (värd)" if r["host"] else ""),
                "own_area_m2": r["own_area_m2"],
                "share": r["share"],
                **{k: r[k] for k in money},
                "total": r["total"],
            }
            for r in year.to_dict("records")
        ]
        return [
            Table(
                "cost_share",
                f"Kostnadsfördelning {self.quarter} (faktureras i förskott)",
                cost_share_columns(sharing.split),
                quarter_rows,
                f"Overhead {sharing.overhead:.0%} på gästernas hyra. "
                + "; ".join(
                    f"{r['party']}: {r['one_off_text']}"
                    for r in invoices.to_dict("records")
                    if r["one_off_text"]
                ),
            ),
            Table(
                "cost_share_year",
                f"Årshyra {self.period.start.year} per part",
                cost_share_year_columns(sharing.split),
                year_rows,
                f"Kostnaderna i {sharing.base_year} års nivå, indexerade årligen.",
            ),
        ]


def _money_columns() -> list[Column]:
    return [
        Column("premises", "Lokal", "kr"),
        Column("other_costs", "Övriga kostnader", "kr"),
        Column("overhead", "Overhead", "kr"),
    ]


def _share_column(split: str) -> Column:
    return Column(
        "share", f"Andel ({'personal' if split == 'staff' else 'yta'})", "percent"
    )


def cost_share_columns(split: str) -> list[Column]:
    """The quarter's invoices per party; ``split`` is "staff" or "area"."""
    return [
        Column("party", "Part"),
        _share_column(split),
        *_money_columns(),
        Column("rent", "Hyra kvartal", "kr"),
        Column("one_off", "Engångskostnader", "kr"),
        Column("invoice", "Att fakturera", "kr"),
        Column("due", "Förfaller", "date"),
    ]


def cost_share_year_columns(split: str) -> list[Column]:
    """The year's rent per party."""
    return [
        Column("party", "Part"),
        Column("own_area_m2", "Egen yta", "area"),
        _share_column(split),
        *_money_columns(),
        Column("total", "Summa per år", "kr"),
    ]


def definitions() -> list[tuple[str, str]]:
    """The measures' definitions as the glossary states them, and the report's."""
    core = [
        (i18n.text(f"term_{key}", "sv"), i18n.text(f"def_{key}", "sv"))
        for key in DEFINITION_TERMS
    ]
    return core + REPORT_DEFINITIONS


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return None if pd.isna(value) else float(value)
    except (TypeError, ValueError):
        return None


def _share(percent: Any) -> float | None:
    value = _number(percent)
    return None if value is None else value / 100


def quarter_is_over(quarter: str, today: date) -> bool:
    return quarter_period(quarter).end < today and quarter_of(today) != quarter
