"""Every read of office data the dashboard makes. Each returns a DataFrame."""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from models import tables as t


def offices(session: so.Session, today: date) -> pd.DataFrame:
    """Active offices with the capacity and member target valid on ``today``."""
    step = (
        sa.select(
            t.OfficePlanStep.office_id,
            sa.func.max(t.OfficePlanStep.valid_from).label("valid_from"),
        )
        .where(t.OfficePlanStep.valid_from <= today)
        .group_by(t.OfficePlanStep.office_id)
        .subquery()
    )
    query = (
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
        .where(t.Office.active.is_(True))
        .order_by(t.Office.name)
    )
    return frame(session.execute(query))


def frame(result: sa.Result) -> pd.DataFrame:
    """A DataFrame with the query's columns, also when there are no rows."""
    return pd.DataFrame(result.all(), columns=list(result.keys()))
