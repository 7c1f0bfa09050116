"""Members and target groups: who is a member, of what, from where."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from dashboard.access import Scope
from dashboard.filters import Period
from dashboard.queries import frame, in_scope
from models import tables as t


def memberships(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Memberships active at some point in the period."""
    m = t.Membership
    return frame(
        session.execute(
            sa.select(
                m.office_id,
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


def members_by_group(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Active members per day and target group over the period."""
    rows = memberships(session, scope, offices, period)
    days = pd.date_range(period.start, period.end, freq="D").date
    if rows.empty:
        return pd.DataFrame(columns=["day", "target_group", "members"])
    rows["target_group"] = rows["target_group"].fillna("Okänd")
    counts = []
    for day in days:
        active = rows[
            (rows.start_date <= day) & (rows.end_date.isna() | (rows.end_date >= day))
        ]
        for group, members in active.groupby("target_group").size().items():
            counts.append({"day": day, "target_group": group, "members": int(members)})
    return pd.DataFrame(counts, columns=["day", "target_group", "members"])
