"""Every read of office data the dashboard makes. Each returns a DataFrame.

Every function takes the signed-in user's :class:`~dashboard.access.Scope` right
after the session, and filters with :func:`scope_filter`: the set of offices
comes from the server-side scope, never from what a callback was sent.

Queries select columns, never mapped objects, and run on the session's own
connection (``session.connection().execute``: the same transaction). The ORM's
``session.execute`` would build its own rows on top of the driver's, for no
gain with plain columns: 15 ms instead of 3 for 1 500 membership rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from statistics import median
from typing import TypeVar

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from dashboard.access import Scope
from models import tables as t

T = TypeVar("T")

# fewer offices than this and a "programme median" would give a neighbour away
MIN_OFFICES_FOR_MEDIAN = 3


def zone_or_default(zone: str | None) -> str:
    """The time zone a query was given (tests), else the programme's."""
    if zone is None:
        from dashboard.database import programme_config

        return programme_config().timezone
    return zone


def scope_filter(
    office_column: sa.ColumnElement[str], scope: Scope
) -> sa.ColumnElement[bool]:
    """``office_id IN (the scope's offices)``; matches nothing for an empty scope."""
    if not scope.office_ids:
        return sa.false()
    return office_column.in_(sorted(scope.office_ids))


def offices(session: so.Session, scope: Scope, today: date) -> pd.DataFrame:
    """The scope's active offices with the capacity and member target on ``today``."""
    return frame(
        session.connection().execute(
            _offices_query(today, scope_filter(t.Office.id, scope))
        )
    )


def programme_median(session: so.Session, scope: Scope, today: date) -> dict | None:
    """Median seats and member target over the whole programme, without names.

    The one deliberate read outside the scope: kommun users compare their own
    office with the programme without seeing any other office. None for a scope
    with no offices, and when there are too few offices to stay anonymous.
    """
    if not scope.office_ids:
        return None
    rows = session.connection().execute(_offices_query(today, sa.true())).all()
    planned = [row for row in rows if row.seats is not None]
    if len(planned) < MIN_OFFICES_FOR_MEDIAN:
        return None
    return {
        "offices": len(planned),
        "seats": median(row.seats for row in planned),
        "target_members": median(row.target_members for row in planned),
    }


def _offices_query(today: date, where: sa.ColumnElement[bool]) -> sa.Select:
    step = (
        sa.select(
            t.OfficePlanStep.office_id,
            sa.func.max(t.OfficePlanStep.valid_from).label("valid_from"),
        )
        .where(t.OfficePlanStep.valid_from <= today)
        .group_by(t.OfficePlanStep.office_id)
        .subquery()
    )
    return (
        sa.select(
            t.Office.id.label("office_id"),
            t.Office.name,
            t.Office.kommun_name,
            t.Office.opened_on,
            t.Office.steering_model,
            t.OfficePlanStep.seats,
            t.OfficePlanStep.target_members,
        )
        .join(step, step.c.office_id == t.Office.id, isouter=True)
        .join(
            t.OfficePlanStep,
            sa.and_(
                t.OfficePlanStep.office_id == step.c.office_id,
                t.OfficePlanStep.valid_from == step.c.valid_from,
            ),
            isouter=True,
        )
        .where(t.Office.active.is_(True), where)
        .order_by(t.Office.name)
    )


def audit_lines(session: so.Session, scope: Scope, limit: int = 200) -> pd.DataFrame:
    """The latest audit lines, newest first; only region users may read them."""
    query = (
        sa.select(
            t.AuditLog.at,
            t.AuditLog.actor,
            t.AuditLog.action,
            t.AuditLog.detail,
            t.AuditLog.ip,
        )
        .where(sa.true() if scope.role == "region" else sa.false())
        .order_by(t.AuditLog.at.desc(), t.AuditLog.id.desc())
        .limit(limit)
    )
    return frame(session.connection().execute(query))


def frame(result: sa.Result) -> pd.DataFrame:
    """A DataFrame with the query's columns, also when there are no rows."""
    # plain tuples: pandas builds a frame from them several times faster than
    # from Row objects (thousands of rows: tens of milliseconds); all() fetches
    # in one driver call instead of one per row
    columns = list(result.keys())
    return pd.DataFrame([tuple(row) for row in result.all()], columns=columns)


class Names(tuple):
    """Office ids or names kept in ``DataFrame.attrs``. pandas deep-copies attrs
    on every operation on the frame; an immutable tuple that is its own copy
    keeps that free (a list of 50 names made it a quarter of a figure's time)."""

    def __deepcopy__(self, memo: dict) -> Names:
        return self


def once_per_session(session: so.Session, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` the first time ``key`` is asked for in this session, then
    the same result: a panel and its completeness note read the same rollups
    within one callback's short read session, so they share the work."""
    store = session.info.setdefault("once_per_session", {})
    if key not in store:
        store[key] = compute()
    return store[key]


def allowed_offices(scope: Scope, offices: list[str]) -> tuple[str, ...]:
    """The offices asked for that the scope allows, in id order (also the key
    of what a session reads once for them)."""
    return tuple(sorted(set(offices) & scope.office_ids))


def in_scope(
    office_column: sa.ColumnElement[str], scope: Scope, offices: list[str]
) -> sa.ColumnElement[bool]:
    """The offices a callback asked for (already restricted), within the scope
    again: a query is safe even if a caller forgot ``Scope.restrict``."""
    allowed = allowed_offices(scope, offices)
    return office_column.in_(allowed) if allowed else sa.false()


# which rollup tells whether a source kind had data on a day
_DAILY_TABLES = {"door": t.DoorDaily, "bookings": t.BookingDaily}


def completeness(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    kind: str,
    start: date,
    end: date,
) -> dict:
    """Days with data for a source kind, and the last successful import."""
    days = (end - start).days + 1
    table = _DAILY_TABLES.get(kind)
    with_data = 0
    if table is not None:
        with_data = (
            session.connection().scalar(
                sa.select(sa.func.count(sa.distinct(table.day))).where(
                    in_scope(table.office_id, scope, offices),
                    table.day >= start,
                    table.day <= end,
                )
            )
            or 0
        )
    loads = last_imports(session, scope, offices, kind).values()
    last_import = max(loads, default=None)
    return {"days": days, "days_with_data": with_data, "last_import": last_import}


def last_load(office_id: sa.ColumnElement[str], kind: str) -> sa.ScalarSelect:
    """When a file of ``kind`` was last loaded for the office ``office_id``:
    a correlated subquery, one index seek per office, where a max grouped by
    office reads every file the offices ever sent (a counter file a day)."""
    f = t.SourceFile
    return (
        sa.select(sa.func.max(f.received_at))
        .where(f.office_id == office_id, f.kind == kind, f.status == "loaded")
        .scalar_subquery()
    )


def last_imports(
    session: so.Session, scope: Scope, offices: list[str], kind: str
) -> dict[str, datetime]:
    """Office -> when a file of ``kind`` was last loaded for it (offices never
    loaded are absent)."""
    return last_imports_of_kinds(session, scope, offices, (kind,))[kind]


def last_imports_of_kinds(
    session: so.Session, scope: Scope, offices: list[str], kinds: tuple[str, ...]
) -> dict[str, dict[str, datetime]]:
    """Kind -> office -> its last load (as :func:`last_imports`), the kinds not
    yet read in this session in one statement: a page's notes ask for one or
    two kinds, the overview for all, and each kind is an index seek per office
    (on PostgreSQL, 50 offices × 4 kinds took 5 ms where one panel needs 2)."""
    allowed = allowed_offices(scope, offices)
    store = session.info.setdefault("last loads", {})
    missing = [kind for kind in kinds if (allowed, kind) not in store]
    if missing:
        found: dict[str, dict[str, datetime]] = {kind: {} for kind in missing}
        o = t.Office
        rows = session.connection().execute(
            sa.select(o.id, *(last_load(o.id, kind) for kind in missing)).where(
                in_scope(o.id, scope, list(allowed))
            )
        )
        for office, *moments in rows:
            for kind, moment in zip(missing, moments, strict=True):
                if moment is not None:
                    found[kind][office] = moment
        for kind in missing:
            store[allowed, kind] = found[kind]
    return {kind: store[allowed, kind] for kind in kinds}


def first_day(session: so.Session, scope: Scope) -> date:
    """The earliest opening day among the scope's offices (today if none)."""
    earliest = session.connection().scalar(
        sa.select(sa.func.min(t.Office.opened_on)).where(
            scope_filter(t.Office.id, scope)
        )
    )
    return earliest or date.today()


def office_options(session: so.Session, scope: Scope) -> list[dict[str, str]]:
    """Dropdown options: the scope's active offices by their own names."""
    rows = session.connection().execute(
        sa.select(t.Office.id, t.Office.name)
        .where(scope_filter(t.Office.id, scope), t.Office.active.is_(True))
        .order_by(t.Office.name)
    )
    return [{"label": name, "value": office_id} for office_id, name in rows]
