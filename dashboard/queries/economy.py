"""Economy per office and quarter: revenue against plan, costs, subsidy and the
self-financing ratio, and the path to the end of the start phase.

Definitions (the same words are behind the "?" of each chart):

- **revenue** = membership fees prorated by active days — ``monthly_fee × 12 /
  365 × days active in the quarter`` per membership, 0 for trial types — plus
  booking charges (``BookingDaily.revenue``);
- **cost** = the cost plan from ``config.yaml``: no actual costs are imported yet;
- **subsidy used** = ``max(cost − revenue, 0)``, the deficit the funders cover,
  split over the funders in proportion to their planned amounts that quarter;
- **self-financing ratio** = revenue ÷ cost.

The quarter in progress counts until today, and its plan amounts are scaled by
the share of its days that have passed, so actuals and plan compare like with
like. An office with neither a member register nor booking data has no revenue
(a gap, not zero); a quarter without a plan line has no plan (a gap, too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from dashboard import queries
from dashboard.access import Scope
from dashboard.filters import Period, month, quarter
from dashboard.queries import (
    Names,
    allowed_offices,
    frame,
    in_scope,
    once_per_session,
)
from dashboard.queries.members import offices_with_register
from models import tables as t
from models.config import quarter_index, quarter_label, quarter_of
from models.sql import day_number, days_since_epoch, quarter_of_day

FREE_TYPES = frozenset({"prova"})  # trial memberships bring no fee
DAILY_SHARE_OF_MONTHLY_FEE = 12 / 365
FIT_QUARTERS = 4  # the projection's linear fit uses the last four full quarters
UNPLANNED = ""  # the funder of a deficit no subsidy line covers

QUARTER_COLUMNS = [
    "office_id",
    "office",
    "steering_model",
    "quarter",
    "partial",
    "membership_revenue",
    "booking_revenue",
    "revenue",
    "revenue_plan",
    "cost",
    "subsidy_plan",
    "subsidy_used",
    "self_financing",
    "plan_ratio",
]


# --- quarters ---------------------------------------------------------------


@lru_cache(maxsize=512)
def quarter_span(label: str) -> Period:
    """The first and last day of a quarter written ``2025Q3``."""
    index = quarter_index(label)
    return quarter(date(index // 4, index % 4 * 3 + 1, 1))


def quarters_between(first: str, last: str) -> list[str]:
    return [
        quarter_label(i) for i in range(quarter_index(first), quarter_index(last) + 1)
    ]


def quarters_in(period: Period, today: date) -> list[str]:
    """The quarters the period touches, up to the one in progress today."""
    last = min(period.end, today)
    if last < period.start:
        return []
    return quarters_between(quarter_of(period.start), quarter_of(last))


def _elapsed(label: str, today: date) -> tuple[int, int]:
    """(days of the quarter passed by ``today``, days in the quarter)."""
    span = quarter_span(label)
    passed = (min(span.end, today) - span.start).days + 1
    return max(0, min(passed, span.days)), span.days


# --- reading ----------------------------------------------------------------


def _named(result: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Keep the offices' names on the frame, for an empty figure's message."""
    result.attrs["offices"] = Names(names)
    return result


def office_info(session: so.Session, scope: Scope, offices: list[str]) -> pd.DataFrame:
    """The selected active offices by name, with their steering model, opening
    and start phase (read once per session: a panel asks more than once)."""

    def read() -> pd.DataFrame:
        o = t.Office
        return frame(
            session.connection().execute(
                sa.select(
                    o.id.label("office_id"),
                    o.name.label("office"),
                    o.steering_model,
                    o.opened_on,
                    o.start_phase_end,
                )
                .where(in_scope(o.id, scope, offices), o.active.is_(True))
                .order_by(o.name)
            )
        )

    key = ("economy offices", allowed_offices(scope, offices))
    return once_per_session(session, key, read)


def plan_lines(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    kind: str | None = None,
    quarters: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Planned amounts per office, quarter, kind and category (of ``quarters``,
    if given)."""
    p = t.QuarterPlan
    query = sa.select(p.office_id, p.quarter, p.kind, p.category, p.amount).where(
        in_scope(p.office_id, scope, offices)
    )
    if kind is not None:
        query = query.where(p.kind == kind)
    if quarters is not None:
        query = query.where(p.quarter.in_(list(quarters)))
    return frame(session.connection().execute(query.order_by(p.office_id, p.quarter)))


def first_booking_days(
    session: so.Session, scope: Scope, offices: list[str]
) -> dict[str, date]:
    """The first day with booking data per office: before it, booking charges
    are unknown rather than zero."""
    b, o = t.BookingDaily, t.Office
    # one index lookup per office (a correlated min), not a scan of every day
    first = sa.select(sa.func.min(b.day)).where(b.office_id == o.id).scalar_subquery()
    rows = session.connection().execute(
        sa.select(o.id, first).where(in_scope(o.id, scope, offices))
    )
    return {office: day for office, day in rows if day is not None}


class PaidMemberships(NamedTuple):
    """Paying memberships as arrays: office, monthly fee, and first and last
    day as day numbers (see ``queries.day_number``; still active: no end)."""

    offices: np.ndarray
    monthly_fee: np.ndarray
    first: np.ndarray
    last: np.ndarray


NO_END = np.iinfo(np.int64).max  # the last day of a membership still active


def paid_memberships(
    session: so.Session, scope: Scope, offices: list[str], start: date, end: date
) -> PaidMemberships:
    """The paying memberships active at some time between start and end (trial
    types bring no fee and are left out)."""
    m = t.Membership
    rows = (
        session.connection()
        .execute(
            sa.select(
                m.office_id,
                m.monthly_fee,
                day_number(m.start_date),
                day_number(m.end_date),
            ).where(
                in_scope(m.office_id, scope, offices),
                m.membership_type.not_in(FREE_TYPES),
                m.start_date <= end,
                sa.or_(m.end_date.is_(None), m.end_date >= start),
            )
        )
        .all()
    )
    office, fee, first, last = zip(*rows, strict=True) if rows else ([],) * 4
    return PaidMemberships(
        np.array(office, dtype=object),
        np.array(fee, dtype=float),
        np.array(first, dtype=np.int64),
        np.array([NO_END if day is None else day for day in last], dtype=np.int64),
    )


def prorated_fees(
    memberships: PaidMemberships, spans: list[tuple[date, date]]
) -> np.ndarray:
    """Each membership's fees for its active days in each span (first and last
    day, inclusive): an array of one row per span and one column per membership."""
    if not spans:
        return np.zeros((0, len(memberships.offices)))
    firsts = np.array([days_since_epoch(a) for a, _ in spans])[:, None]
    lasts = np.array([days_since_epoch(b) for _, b in spans])[:, None]
    first = np.maximum(memberships.first, firsts)
    last = np.minimum(memberships.last, lasts)
    days = np.maximum(0, last - first + 1)
    return memberships.monthly_fee * DAILY_SHARE_OF_MONTHLY_FEE * days


def _booking_charges(
    session: so.Session, scope: Scope, offices: list[str], start: date, end: date
) -> dict[tuple[str, str], float]:
    """Booking charges per office and quarter (``2025Q3``) from ``start`` (a
    month's first day) to ``end``: whole months from booking_monthly, the days
    of a month cut short by ``end`` (today) from booking_daily."""
    # the first day not in a whole month
    cut = end + timedelta(days=1) if end == month(end).end else end.replace(day=1)
    m, d = t.BookingMonthly, t.BookingDaily
    in_quarter = quarter_of_day(m.month)
    quarters = (
        session.connection()
        .execute(
            sa.select(m.office_id, in_quarter, sa.func.sum(m.revenue))
            .where(
                in_scope(m.office_id, scope, offices), m.month >= start, m.month < cut
            )
            .group_by(m.office_id, in_quarter)
        )
        .all()
    )
    cut_short = (
        session.connection()
        .execute(
            sa.select(d.office_id, sa.func.sum(d.revenue))
            .where(in_scope(d.office_id, scope, offices), d.day >= cut, d.day <= end)
            .group_by(d.office_id)
        )
        .all()
    )
    charges = {(office, label): float(total) for office, label, total in quarters}
    for office, total in cut_short:
        key = (office, quarter_of(cut))
        charges[key] = charges.get(key, 0.0) + float(total)
    return charges


Earned = dict[tuple[str, str], tuple[float, float]]


def revenue(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    quarters: list[str],
    today: date,
) -> Earned:
    """Membership fees and booking charges per (office, quarter), until today.

    An office without a member register has no membership revenue (NaN), and
    a quarter before an office's first booking data no booking revenue (NaN):
    unknown, not zero.
    """
    quarters = [q for q in quarters if quarter_span(q).start <= today]
    if not quarters:
        return {}
    first, last = quarter_span(quarters[0]).start, quarter_span(quarters[-1]).end
    last = min(last, today)
    members = paid_memberships(session, scope, offices, first, last)
    charges_by = _booking_charges(session, scope, offices, first, last)
    registered = offices_with_register(session, scope, offices)
    booking_since = first_booking_days(session, scope, offices)
    # one array of fees per quarter and membership, summed per office
    spans = [quarter_span(label) for label in quarters]
    fees = prorated_fees(members, [(s.start, min(s.end, today)) for s in spans])
    fees_of = _per_office(members.offices, fees)
    earned: Earned = {}
    for office in allowed_offices(scope, offices):
        own_fees = fees_of.get(office, np.zeros(len(quarters))).tolist()
        since = booking_since.get(office, date.max)
        for number, (label, span) in enumerate(zip(quarters, spans, strict=True)):
            earned[office, label] = (
                own_fees[number] if office in registered else np.nan,
                float(charges_by.get((office, label), 0.0))
                if since <= span.end
                else np.nan,
            )
    return earned


def _per_office(offices: np.ndarray, fees: np.ndarray) -> dict[str, np.ndarray]:
    """Each office's fees (columns of ``fees``, one per membership) summed per
    span: the memberships sorted by office once, each office's a slice."""
    if not len(offices):
        return {}
    order = np.argsort(offices, kind="stable")
    ordered, fees = offices[order], fees[:, order]
    names, starts = np.unique(ordered, return_index=True)
    ends = [*starts[1:], len(ordered)]
    return {
        office: fees[:, start:end].sum(axis=1)
        for office, start, end in zip(names, starts, ends, strict=True)
    }


# --- the quarter table --------------------------------------------------------


PlanTotals = dict[tuple[str, str], tuple[float, float, float]]
NO_PLAN = (np.nan, np.nan, np.nan)


def plan_totals(
    session: so.Session, scope: Scope, offices: list[str], quarters: list[str]
) -> PlanTotals:
    """Per (office, quarter): planned revenue, cost and subsidy (NaN if none),
    summed in the database."""
    p = t.QuarterPlan

    def total(kind: str) -> sa.ColumnElement[float]:
        return sa.func.sum(sa.case((p.kind == kind, p.amount)))

    rows = (
        session.connection()
        .execute(
            sa.select(
                p.office_id,
                p.quarter,
                total("revenue"),
                total("cost"),
                total("subsidy"),
            )
            .where(in_scope(p.office_id, scope, offices), p.quarter.in_(quarters))
            .group_by(p.office_id, p.quarter)
        )
        .all()
    )
    return {
        (office, label): (_amount(revenue), _amount(cost), _amount(subsidy))
        for office, label, revenue, cost, subsidy in rows
    }


def _amount(value: float | None) -> float:
    return np.nan if value is None else float(value)


def quarter_rows(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    quarters: list[str],
    today: date,
) -> pd.DataFrame:
    """One row per office and quarter (from its opening), actuals against plan.

    Built as plain rows and made a frame once: merging frames per step took
    longer than the queries."""
    info = office_info(session, scope, offices)
    quarters = [q for q in quarters if quarter_span(q).start <= today]
    if info.empty or not quarters:
        return pd.DataFrame(columns=QUARTER_COLUMNS)
    ids = list(info.office_id)
    earned = revenue(session, scope, ids, quarters, today)
    plans = plan_totals(session, scope, ids, quarters)
    shares = {label: _share(label, today) for label in quarters}
    rows = []
    for office, name, model, opened in info[
        ["office_id", "office", "steering_model", "opened_on"]
    ].itertuples(index=False):
        for label in quarters:
            if quarter_span(label).end < opened:
                continue
            share = shares[label]
            planned = plans.get((office, label), NO_PLAN)
            rows.append(
                (
                    office,
                    name,
                    model,
                    label,
                    share < 1,
                    *earned[office, label],
                    *(amount * share for amount in planned),
                )
            )
    if not rows:
        return pd.DataFrame(columns=QUARTER_COLUMNS)
    office, name, model, label, partial, *amounts = zip(*rows, strict=True)
    membership, booking, revenue_plan, cost, subsidy_plan = (
        np.array(column, dtype=float) for column in amounts
    )
    columns = {
        "office_id": office,
        "office": name,
        "steering_model": model,
        "quarter": label,
        "partial": np.array(partial, dtype=bool),
        "membership_revenue": membership,
        "booking_revenue": booking,
        **_derived(membership, booking, revenue_plan, cost),
        "subsidy_plan": subsidy_plan,
    }
    return pd.DataFrame(columns)[QUARTER_COLUMNS]


def _derived(
    membership: np.ndarray,
    booking: np.ndarray,
    revenue_plan: np.ndarray,
    cost: np.ndarray,
) -> dict[str, np.ndarray]:
    """Revenue, cost, subsidy used and the ratios from the actual and planned
    amounts. Revenue is unknown (NaN) only when both its parts are."""
    unknown = np.isnan(membership) & np.isnan(booking)
    known_sum = np.nan_to_num(membership) + np.nan_to_num(booking)
    revenue = np.where(unknown, np.nan, known_sum)
    positive_cost = np.where(cost > 0, cost, np.nan)
    return {
        "revenue": revenue,
        "revenue_plan": revenue_plan,
        "cost": cost,
        "subsidy_used": np.clip(cost - revenue, 0, None),
        "self_financing": revenue / positive_cost,
        "plan_ratio": revenue_plan / positive_cost,
    }


def quarter_table(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    today: date | None = None,
) -> pd.DataFrame:
    """The quarters the period touches: revenue, plan, cost, subsidy, ratios."""
    today = today or date.today()
    # no quarters before the first opening (a forged period may start in year 1)
    first = max(period.start, queries.first_day(session, scope))
    period = replace(period, start=min(first, period.end))
    result = quarter_rows(session, scope, offices, quarters_in(period, today), today)
    return _named(result, list(office_info(session, scope, offices).office))


def costs_by_category(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    today: date | None = None,
) -> pd.DataFrame:
    """Planned costs per office, quarter and category (the quarter in progress
    scaled to the days passed)."""
    today = today or date.today()
    columns = ["office_id", "office", "quarter", "partial", "category", "amount"]
    quarters = set(quarters_in(period, today))
    lines = plan_lines(session, scope, offices, "cost", quarters)
    info = office_info(session, scope, offices)
    if lines.empty or info.empty:
        return _named(pd.DataFrame(columns=columns), list(info.office))
    lines = lines[lines.quarter.isin(quarters)].merge(info, on="office_id")
    if lines.empty:
        return _named(pd.DataFrame(columns=columns), list(info.office))
    elapsed = lines.quarter.map(lambda q: _elapsed(q, today))
    share = elapsed.map(lambda e: e[0] / e[1])
    lines["partial"] = share < 1
    lines["amount"] = lines.amount.astype(float) * share
    return _named(lines[columns].reset_index(drop=True), list(info.office))


def subsidy_by_funder(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    today: date | None = None,
) -> pd.DataFrame:
    """Planned and used subsidy per office, quarter and funder.

    The quarter's subsidy used (cost − revenue, never below 0) is split over
    the funders in proportion to their planned amounts; a deficit in a quarter
    with no subsidy line is shown under the funder "" (unplanned).
    """
    today = today or date.today()
    columns = ["office_id", "office", "quarter", "partial", "funder", "planned", "used"]
    table = quarter_table(session, scope, offices, period, today)
    if table.empty:
        return _named(pd.DataFrame(columns=columns), table.attrs["offices"])
    lines = plan_lines(
        session,
        scope,
        list(table.office_id.unique()),
        "subsidy",
        table.quarter.unique(),
    )
    by_funder: dict[tuple[str, str], dict[str, float]] = {}
    for office_id, label, funder, amount in lines[
        ["office_id", "quarter", "category", "amount"]
    ].itertuples(index=False):
        by_funder.setdefault((office_id, label), {})[funder] = float(amount)
    rows = []
    for row in table.itertuples():
        share = 1.0 if not row.partial else _share(row.quarter, today)
        own = by_funder.get((row.office_id, row.quarter), {})
        planned = {funder: amount * share for funder, amount in own.items()}
        total = sum(planned.values())
        if total <= 0:
            planned = {UNPLANNED: np.nan} if row.subsidy_used > 0 else {}
        for funder, amount in planned.items():
            part = amount / total if total > 0 else 1.0
            rows.append(
                {
                    "office_id": row.office_id,
                    "office": row.office,
                    "quarter": row.quarter,
                    "partial": row.partial,
                    "funder": funder,
                    "planned": amount,
                    "used": row.subsidy_used * part,
                }
            )
    return _named(pd.DataFrame(rows, columns=columns), table.attrs["offices"])


def _share(label: str, today: date) -> float:
    passed, days = _elapsed(label, today)
    return passed / days


# --- the path to self-financing ----------------------------------------------


PATH_COLUMNS = [
    "quarter",
    "partial",
    "planned_subsidy",
    "remaining_plan",
    "remaining_actual",
    "revenue",
    "cost",
    "self_financing",
    "projection",
]


def self_financing_path(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    today: date | None = None,
) -> pd.DataFrame:
    """Per quarter of the whole plan, up to the end of the start phase: the
    planned subsidy still remaining (by plan, and after the actual deficits so
    far), the self-financing ratio, and its projection to the start phase's end.

    Actuals run up to the period's end (or today), so an earlier period shows
    the path as it stood then. Offices are summed: the ratio is Σ revenue ÷
    Σ cost over the offices whose revenue is known. A quarter without actuals
    counts its planned subsidy as used (no news is the plan).
    """
    today = min(today or date.today(), period.end)
    info = office_info(session, scope, offices)
    if info.empty:
        return pd.DataFrame(columns=PATH_COLUMNS)
    planned = _planned_subsidy(session, scope, list(info.office_id))
    ends = dict(zip(info.office_id, info.start_phase_end.map(quarter_of), strict=True))
    starts = [*info.opened_on.map(quarter_of), *(quarter for _, quarter in planned)]
    quarters = quarters_between(min(starts), max(ends.values()))
    # the start phase is the horizon: plan lines after it are not counted
    # (labels like 2025Q3 order as text)
    planned = {
        (office, quarter): amount
        for (office, quarter), amount in planned.items()
        if quarter <= ends[office]
    }
    actual = quarter_rows(session, scope, list(info.office_id), quarters, today)
    partial = np.array([_share(q, today) < 1 for q in quarters], dtype=bool)
    planned_per_quarter = _per_quarter(planned, quarters)
    total = planned_per_quarter.sum()
    known = actual.dropna(subset=["revenue", "cost"])
    revenue = _per_quarter(_by_key(known, "revenue"), quarters, np.nan)
    cost = _per_quarter(_by_key(known, "cost"), quarters, np.nan)
    result = pd.DataFrame(
        {
            "quarter": quarters,
            "partial": partial,
            "planned_subsidy": planned_per_quarter,
            "remaining_plan": total - planned_per_quarter.cumsum(),
            "remaining_actual": _remaining_actual(actual, planned, quarters, partial),
            "revenue": revenue,
            "cost": cost,
            "self_financing": revenue / np.where(cost > 0, cost, np.nan),
        }
    )
    result["projection"] = projection(result)
    result = _named(result[PATH_COLUMNS], list(info.office))
    result.attrs["start_phase_end"] = max(info.start_phase_end)
    return result


def _planned_subsidy(
    session: so.Session, scope: Scope, offices: list[str]
) -> dict[tuple[str, str], float]:
    """Planned subsidy per (office_id, quarter), summed in the database."""
    p = t.QuarterPlan
    rows = (
        session.connection()
        .execute(
            sa.select(p.office_id, p.quarter, sa.func.sum(p.amount))
            .where(in_scope(p.office_id, scope, offices), p.kind == "subsidy")
            .group_by(p.office_id, p.quarter)
        )
        .all()
    )
    return {(office, quarter): float(total) for office, quarter, total in rows}


def _by_key(rows: pd.DataFrame, column: str) -> dict[tuple[str, str], float]:
    """``column`` of quarter rows per (office_id, quarter)."""
    keys = zip(rows["office_id"].tolist(), rows["quarter"].tolist(), strict=True)
    return dict(zip(keys, rows[column].tolist(), strict=True))


def _per_quarter(
    amounts: dict[tuple[str, str], float], quarters: list[str], empty: float = 0.0
) -> np.ndarray:
    """Amounts per (office, quarter) summed per quarter, in ``quarters`` order;
    ``empty`` for a quarter with none."""
    sums: dict[str, float] = {}
    for (_, label), amount in amounts.items():
        sums[label] = sums.get(label, 0.0) + amount
    return np.array([sums.get(q, empty) for q in quarters], dtype=float)


def _remaining_actual(
    actual: pd.DataFrame,
    planned: dict[tuple[str, str], float],
    quarters: list[str],
    partial: np.ndarray,
) -> np.ndarray:
    """Planned subsidy left after each full quarter's actual deficits; an
    office-quarter with no known deficit counts its planned subsidy."""
    spent = dict(planned)
    for key, used in _by_key(actual, "subsidy_used").items():
        if not np.isnan(used):
            spent[key] = used
        else:
            spent.setdefault(key, 0.0)
    remaining = sum(planned.values()) - _per_quarter(spent, quarters).cumsum()
    # from the first quarter in progress on, there is nothing to tell yet
    return np.where(np.maximum.accumulate(partial), np.nan, remaining)


def projection(result: pd.DataFrame) -> pd.Series:
    """A straight line through the last four full quarters' ratios, from the
    first of them to the last quarter of the start phase (never below 0)."""
    full = result[~result.partial & result.self_financing.notna()].tail(FIT_QUARTERS)
    line = pd.Series(np.nan, index=result.index)
    if len(full) < 2:
        return line
    slope, intercept = np.polyfit(full.index.to_numpy(), full.self_financing, 1)
    ahead = result.index[result.index >= full.index[0]]
    line[ahead] = np.clip(slope * ahead.to_numpy() + intercept, 0, None)
    return line
