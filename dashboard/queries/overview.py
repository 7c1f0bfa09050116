"""The overview's numbers per office: members against target and data freshness.

The figures that other pages define (utilisation, self-financing, recommend
score) are taken from those pages' query modules, so each metric has exactly
one definition.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from dashboard import queries
from dashboard.access import Scope
from dashboard.queries import frame, scope_filter
from models import tables as t


def members_today(session: so.Session, scope: Scope, today: date) -> pd.DataFrame:
    """Active memberships per office on ``today`` (seat-holding and all)."""
    m, kinds = t.Membership, t.MembershipType
    seat = sa.case((kinds.seat.is_(False), 0), else_=1)
    return frame(
        session.connection().execute(
            sa.select(
                m.office_id,
                sa.func.count().label("members"),
                sa.func.sum(seat).label("seat_members"),
            )
            .join(
                kinds,
                sa.and_(
                    kinds.office_id == m.office_id, kinds.code == m.membership_type
                ),
                isouter=True,
            )
            .where(
                scope_filter(m.office_id, scope),
                m.start_date <= today,
                sa.or_(m.end_date.is_(None), m.end_date >= today),
            )
            .group_by(m.office_id)
        )
    )


def last_imports(session: so.Session, scope: Scope) -> pd.DataFrame:
    """The latest successful import per office and kind (none: absent)."""
    found = queries.last_imports_of_kinds(
        session, scope, sorted(scope.office_ids), t.SOURCE_KINDS
    )
    rows = [
        (office, kind, moment)
        for kind in t.SOURCE_KINDS
        for office, moment in found[kind].items()
    ]
    return pd.DataFrame(rows, columns=["office_id", "kind", "last_import"])


def utilisation_by_office(occupancy_days: pd.DataFrame) -> pd.DataFrame:
    """Seat-day weighted utilisation and target per office, over open days with
    door data (the occupancy page's definition, summed per office)."""
    days = occupancy_days
    counted = days[days["open"] & days["has_data"] & (days["seats"] > 0)]
    if counted.empty:
        return pd.DataFrame(columns=["office_id", "utilisation", "target_utilisation"])
    counted = counted.assign(
        weighted_target=counted["target_utilisation"] * counted["seats"]
    )
    sums = counted.groupby("office_id")[
        ["avg_occupancy", "seats", "weighted_target"]
    ].sum()
    return pd.DataFrame(
        {
            "utilisation": sums["avg_occupancy"] / sums["seats"],
            "target_utilisation": sums["weighted_target"] / sums["seats"],
        }
    ).reset_index()
