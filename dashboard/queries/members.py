"""Members and target groups: who is a member, of what, from where, against target.

A member is *active* on a day when ``start_date <= day <= end_date`` (an open
end means still a member). Offices without a member register (no import and no
membership rows) are left out of every count and every target sum, so a
missing register shows as a gap, never as zero members.

Every frame carries ``attrs["offices"]``: the names of the offices asked for,
so a figure can say *whose* register is missing when the frame is empty.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from statistics import median
from typing import NamedTuple

import numpy as np
import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from dashboard import queries
from dashboard.access import Scope
from dashboard.filters import Period
from dashboard.queries import (
    MIN_OFFICES_FOR_MEDIAN,
    Names,
    allowed_offices,
    frame,
    in_scope,
    once_per_session,
)
from models import tables as t
from models.config import KALMAR_KOMMUNER
from models.sql import EPOCH, day_number, days_since_epoch

UNKNOWN = "Okänd"  # no target group / home kommun in the register
OTHER_KOMMUN = "Övriga"  # a home kommun outside Kalmar län
OPEN_END = np.iinfo(np.int64).max  # the last day of a membership still active


# --- reading ----------------------------------------------------------------


def memberships(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Memberships active at some point in the period."""
    m = t.Membership
    return frame(
        session.connection().execute(
            sa.select(
                m.office_id,
                m.member_pseudonym,
                m.membership_type,
                m.monthly_fee,
                m.start_date,
                m.end_date,
                m.target_group,
                m.home_kommun,
            ).where(
                in_scope(m.office_id, scope, offices),
                m.start_date <= period.end,
                sa.or_(m.end_date.is_(None), m.end_date >= period.start),
            )
        )
    )


class Spans(NamedTuple):
    """Memberships as arrays of day numbers (``models.sql.day_number``): the
    first and last day of each (still active: ``OPEN_END``), and a label."""

    first: np.ndarray
    last: np.ndarray
    label: np.ndarray


def membership_spans(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    label: sa.ColumnElement | None = None,
    with_types: bool = False,
) -> Spans:
    """The first and last day of the memberships active at some point in the
    period, with ``label`` (a column or expression, of ``membership_type`` too
    when ``with_types``) of each: read as numbers, the counting needs no dates
    (SQLite's would be parsed one by one)."""
    m, kinds = t.Membership, t.MembershipType
    query = sa.select(
        day_number(m.start_date),
        day_number(m.end_date),
        label if label is not None else sa.null(),
    ).where(
        in_scope(m.office_id, scope, offices),
        m.start_date <= period.end,
        sa.or_(m.end_date.is_(None), m.end_date >= period.start),
    )
    if with_types:
        same_type = sa.and_(
            kinds.office_id == m.office_id, kinds.code == m.membership_type
        )
        query = query.select_from(m).outerjoin(kinds, same_type)
    rows = session.connection().execute(query).all()
    first, last, labels = zip(*rows, strict=True) if rows else ((), (), ())
    return Spans(
        np.array(first, dtype=np.int64),
        np.array([OPEN_END if day is None else day for day in last], dtype=np.int64),
        np.array(labels, dtype=object),
    )


def office_names(session: so.Session, scope: Scope, offices: list[str]) -> dict:
    """Office id -> its own name, for the offices asked for (in the scope), by
    name; read once per session (a panel and its note both ask)."""
    allowed = list(allowed_offices(scope, offices))

    def read() -> dict[str, str]:
        rows = session.connection().execute(
            sa.select(t.Office.id, t.Office.name)
            .where(in_scope(t.Office.id, scope, allowed))
            .order_by(t.Office.name)
        )
        return dict(rows.all())

    return dict(once_per_session(session, ("office names", tuple(allowed)), read))


def offices_with_register(
    session: so.Session, scope: Scope, offices: list[str]
) -> set[str]:
    """Offices that have a member register: an import, or membership rows
    (an index seek per office for each)."""
    o, f, m = t.Office, t.SourceFile, t.Membership
    imported = sa.exists().where(
        f.office_id == o.id, f.kind == "members", f.status == "loaded"
    )
    has_rows = sa.exists().where(m.office_id == o.id)
    return set(
        session.connection().scalars(
            sa.select(o.id).where(
                in_scope(o.id, scope, offices), sa.or_(imported, has_rows)
            )
        )
    )


def plan_steps(session: so.Session, where: sa.ColumnElement[bool]) -> pd.DataFrame:
    """The ramp-up plans (``valid_from``, seats, member target) of some offices."""
    step = t.OfficePlanStep
    return frame(
        session.connection().execute(
            sa.select(step.office_id, step.valid_from, step.seats, step.target_members)
            .where(where)
            .order_by(step.office_id, step.valid_from)
        )
    )


def _named(result: pd.DataFrame, names: dict) -> pd.DataFrame:
    result.attrs["offices"] = Names(names.values())
    result.attrs["office_ids"] = Names(names)
    return result


def _empty(
    columns: list[str],
    names: dict,
    session: so.Session,
    scope: Scope,
    offices: list[str],
) -> pd.DataFrame:
    """No rows: say whose register is missing, or that it has none in the period."""
    result = _named(pd.DataFrame(columns=columns), names)
    result.attrs["registered"] = bool(offices_with_register(session, scope, offices))
    return result


# --- counting ---------------------------------------------------------------


def active_counts(rows: pd.DataFrame, days: list[date]) -> np.ndarray:
    """Members active on each day: started on or before it, not ended before it
    (``rows``: memberships with ``start_date`` and ``end_date``)."""
    first = [days_since_epoch(d) for d in rows["start_date"]]
    last = [OPEN_END if pd.isna(d) else days_since_epoch(d) for d in rows["end_date"]]
    return _active_on(np.array(first), np.array(last), _numbers(days))


def _active_on(first: np.ndarray, last: np.ndarray, days: np.ndarray) -> np.ndarray:
    """How many of the spans (first…last day, day numbers) cover each day."""
    starts, ends = np.sort(first), np.sort(last)
    return np.searchsorted(starts, days, "right") - np.searchsorted(ends, days, "left")


def _numbers(days: list[date]) -> np.ndarray:
    """Consecutive days as day numbers."""
    if not days:
        return np.zeros(0, dtype=np.int64)
    return days_since_epoch(days[0]) + np.arange(len(days), dtype=np.int64)


def _from_first_member(
    session: so.Session, scope: Scope, period: Period, spans: Spans
) -> Period:
    """The period, starting no earlier than the first opening or membership: a
    custom period from year 1 must not build a million empty days."""
    first = queries.first_day(session, scope)
    if len(spans.first):
        first = min(first, EPOCH + timedelta(days=int(spans.first.min())))
    return replace(period, start=min(max(period.start, first), period.end))


def _days(period: Period) -> list[date]:
    return [
        period.start + timedelta(days=i)
        for i in range((period.end - period.start).days + 1)
    ]


def _months(period: Period) -> list[date]:
    """The first day of every month the period touches."""
    months, cursor = [], period.start.replace(day=1)
    while cursor <= period.end:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def _counts_by(spans: Spans, column: str, days: list[date]) -> pd.DataFrame:
    """Active members per day and label (labels sorted), one frame."""
    numbers = _numbers(days)
    labels = sorted(set(spans.label))
    counts = [
        _active_on(spans.first[own], spans.last[own], numbers)
        for own in (spans.label == value for value in labels)
    ]
    return pd.DataFrame(
        {
            "day": np.tile(np.array(days, dtype=object), len(labels)),
            column: np.repeat(np.array(labels, dtype=object), len(days)),
            "members": np.concatenate(counts) if counts else [],
        }
    )


def members_by_group(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Active members per day and target group over the period."""
    names = office_names(session, scope, offices)
    group = sa.func.coalesce(t.Membership.target_group, UNKNOWN)
    spans = membership_spans(session, scope, offices, period, group)
    if not len(spans.first):
        return _empty(
            ["day", "target_group", "members"], names, session, scope, offices
        )
    days = _days(_from_first_member(session, scope, period, spans))
    return _named(_counts_by(spans, "target_group", days), names)


def type_names(session: so.Session, scope: Scope, offices: list[str]) -> dict:
    """(office, type code) -> the name the office gives that membership type."""
    mt = t.MembershipType
    rows = session.connection().execute(
        sa.select(mt.office_id, mt.code, mt.name).where(
            in_scope(mt.office_id, scope, offices)
        )
    )
    return {(office, code): name for office, code, name in rows}


def members_by_type(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Active members per day and membership type (the office's own type name)."""
    names = office_names(session, scope, offices)
    m, mt = t.Membership, t.MembershipType
    # a join, not a subquery per membership (PostgreSQL scanned the types
    # table once for each)
    label = sa.func.coalesce(mt.name, m.membership_type)
    spans = membership_spans(session, scope, offices, period, label, with_types=True)
    if not len(spans.first):
        return _empty(["day", "membership", "members"], names, session, scope, offices)
    days = _days(_from_first_member(session, scope, period, spans))
    return _named(_counts_by(spans, "membership", days), names)


def joins_and_leaves(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Memberships started and ended per month of the period (``ended`` = last
    day in that month)."""
    names = office_names(session, scope, offices)
    columns = ["month", "new", "ended"]
    spans = membership_spans(session, scope, offices, period)
    if not len(spans.first):
        return _empty(columns, names, session, scope, offices)
    months = _months(_from_first_member(session, scope, period, spans))
    edges = np.array([days_since_epoch(month) for month in months])
    start, end = days_since_epoch(period.start), days_since_epoch(period.end)

    def per_month(days: np.ndarray) -> list[int]:
        inside = days[(days >= start) & (days <= end)]
        month = np.searchsorted(edges, inside, side="right") - 1
        return np.bincount(month[month >= 0], minlength=len(months)).tolist()

    result = pd.DataFrame(
        {
            "month": months,
            "new": per_month(spans.first),
            "ended": per_month(spans.last),
        },
        columns=columns,
    )
    return _named(result, names)


def home_kommun_matrix(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Members active in the period per office and home kommun (distinct members).

    A home kommun is shown by its name in Kalmar län, else as "Övriga" (outside
    the county) or "Okänd" (none; ingest stores a kommun trimmed, or none).
    Only kommuner that occur are listed, so nothing hints at other offices.
    Counted in the database.
    """
    names = office_names(session, scope, offices)
    columns = ["office", "home_kommun", "members"]
    m = t.Membership
    home = sa.case(
        (sa.func.coalesce(sa.func.trim(m.home_kommun), "") == "", UNKNOWN),
        (m.home_kommun.in_(sorted(KALMAR_KOMMUNER.values())), m.home_kommun),
        else_=OTHER_KOMMUN,
    )
    rows = session.connection().execute(
        sa.select(m.office_id, home, sa.func.count(sa.distinct(m.member_pseudonym)))
        .where(
            in_scope(m.office_id, scope, offices),
            m.start_date <= period.end,
            sa.or_(m.end_date.is_(None), m.end_date >= period.start),
        )
        .group_by(m.office_id, home)
    )
    counts = pd.DataFrame(
        [(names[office], kommun, n) for office, kommun, n in rows if office in names],
        columns=columns,
    )
    if counts.empty:
        return _empty(columns, names, session, scope, offices)
    counts = counts.sort_values(["office", "home_kommun"]).reset_index(drop=True)
    return _named(counts, names)


# --- against the target -----------------------------------------------------


def _summed_targets(
    steps: pd.DataFrame, days: list[date]
) -> tuple[np.ndarray, np.ndarray]:
    """Per day, the member targets of the offices' steps valid then, summed, and
    whether any office had a target (a step without one counts as none).

    Each step adds the change from its office's previous step on its first day,
    so one cumulative sum over all steps gives every day's total."""
    starts, changes, planned_changes = [], [], []
    previous: dict[str, tuple[float, int]] = {}
    for office, valid_from, target in steps[
        ["office_id", "valid_from", "target_members"]
    ].itertuples(index=False):  # by office and valid_from
        known = 0 if pd.isna(target) else 1
        value = float(target) if known else 0.0
        before, was_known = previous.get(office, (0.0, 0))
        starts.append(valid_from.toordinal())
        changes.append(value - before)
        planned_changes.append(known - was_known)
        previous[office] = (value, known)
    if not starts:
        return np.zeros(len(days)), np.zeros(len(days), dtype=bool)
    order = np.argsort(starts, kind="stable")
    total = np.cumsum(np.array(changes)[order])
    with_target = np.cumsum(np.array(planned_changes)[order])
    at = np.array([day.toordinal() for day in days], dtype=np.int64)
    step = np.searchsorted(np.array(starts)[order], at, side="right") - 1
    started = step >= 0
    index = np.clip(step, 0, None)
    return (
        np.where(started, total[index], 0.0),
        started & (with_target[index] > 0),
    )


def members_vs_target(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Active members and the summed member target per day, over the offices
    that have a member register (the target of an office without one would
    compare with members nobody counted)."""
    names = office_names(session, scope, offices)
    counted = sorted(offices_with_register(session, scope, offices))
    if not counted:
        result = _named(pd.DataFrame(columns=["day", "members", "target"]), names)
        result.attrs["registered"] = False
        return result
    spans = membership_spans(session, scope, counted, period)
    days = _days(_from_first_member(session, scope, period, spans))
    members = _active_on(spans.first, spans.last, _numbers(days))
    steps = plan_steps(session, in_scope(t.OfficePlanStep.office_id, scope, counted))
    target, planned = _summed_targets(steps, days)
    result = pd.DataFrame(
        {
            "day": days,
            "members": members.astype(int),
            "target": np.where(planned, target, np.nan),
        }
    )
    return _named(result, names)


def _members_on(
    session: so.Session, where: sa.ColumnElement[bool], day: date
) -> dict[str, int]:
    m = t.Membership
    rows = session.connection().execute(
        sa.select(m.office_id, sa.func.count())
        .where(
            where,
            m.start_date <= day,
            sa.or_(m.end_date.is_(None), m.end_date >= day),
        )
        .group_by(m.office_id)
    )
    return dict(rows.all())


def _target_per_office(steps: pd.DataFrame, day: date) -> dict[str, float]:
    """Office -> the member target of its plan step valid on ``day`` (absent
    before its first step). ``steps``: by office and ``valid_from``."""
    # tail(1), not last(): a step without a member target is no target (NaN)
    latest = steps[steps.valid_from <= day].groupby("office_id", sort=False).tail(1)
    return dict(zip(latest.office_id, latest.target_members.astype(float), strict=True))


def programme_member_median(
    session: so.Session, scope: Scope, day: date
) -> dict | None:
    """Median members and member target over the programme's offices that have
    a member register, without names or ids — the same anonymous read as
    :func:`dashboard.queries.programme_median`. None for an empty scope and for
    fewer than three offices (a median of two gives a neighbour away)."""
    if not scope.office_ids:
        return None
    active = sa.select(t.Office.id).where(t.Office.active.is_(True))
    with_rows = set(
        session.connection().scalars(
            sa.select(t.Membership.office_id)
            .where(t.Membership.office_id.in_(active))
            .distinct()
        )
    )
    if len(with_rows) < MIN_OFFICES_FOR_MEDIAN:
        return None
    counts = _members_on(session, t.Membership.office_id.in_(active), day)
    steps = plan_steps(session, t.OfficePlanStep.office_id.in_(active))
    target_of = _target_per_office(steps, day)
    targets = [target_of.get(office, np.nan) for office in with_rows]
    planned = [x for x in targets if not np.isnan(x)]
    return {
        "offices": len(with_rows),
        "members": median(counts.get(office, 0) for office in with_rows),
        "target_members": median(planned) if planned else np.nan,
    }


def members_comparison(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Members and member target on the period's last day, per office.

    Region users compare the offices side by side; everyone else sees their own
    offices and, with enough offices in the programme, the anonymous median.
    """
    names = office_names(session, scope, offices)
    columns = ["label", "kind", "offices", "members", "target_members"]
    day = period.end
    counted = offices_with_register(session, scope, offices)
    counts = _members_on(session, in_scope(t.Membership.office_id, scope, offices), day)
    steps = plan_steps(session, in_scope(t.OfficePlanStep.office_id, scope, offices))
    target_of = _target_per_office(steps, day)
    rows = [
        {
            "label": name,
            "kind": "office",
            "offices": 1,
            "members": counts.get(office, 0) if office in counted else np.nan,
            "target_members": target_of.get(office, np.nan),
        }
        for office, name in names.items()
    ]
    median_row = (
        None if scope.all_offices else programme_member_median(session, scope, day)
    )
    if median_row is not None:
        rows.append(
            {
                "label": "median",
                "kind": "median",
                "offices": median_row["offices"],
                "members": median_row["members"],
                "target_members": median_row["target_members"],
            }
        )
    result = pd.DataFrame(rows, columns=columns)
    result.attrs["day"] = day
    return _named(result, names)
