"""Write the programme from config.yaml into the database, so queries can join it.

Offices are upserted; their plan steps, hours, membership types and quarter
plans are replaced as a whole (the config is the source of truth for plans).
An office that disappears from the config is marked inactive, never deleted:
its loaded data stays.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from models import tables as t
from models.config import Office, ProgrammeConfig


def sync_programme(session: so.Session, config: ProgrammeConfig) -> None:
    configured = {office.id for office in config.offices}
    for office in config.offices:
        _sync_office(session, office)
    session.execute(
        sa.update(t.Office).where(t.Office.id.not_in(configured)).values(active=False)
    )


def _sync_office(session: so.Session, office: Office) -> None:
    session.merge(
        t.Office(
            id=office.id,
            name=office.name,
            kommun_code=office.kommun,
            kommun_name=office.kommun_name,
            address=office.address,
            opened_on=office.opened,
            operator=office.operator.value,
            steering_model=office.steering_model.value,
            start_phase_end=office.start_phase_end,
            active=True,
        )
    )
    session.flush()
    for table in (t.OfficePlanStep, t.OfficeHours, t.MembershipType, t.QuarterPlan):
        session.execute(sa.delete(table).where(table.office_id == office.id))
    session.add_all(_plan_rows(office))


def _plan_rows(office: Office) -> list[t.Base]:
    rows: list[t.Base] = []
    for step in office.plan:
        rows.append(
            t.OfficePlanStep(
                office_id=office.id,
                valid_from=step.valid_from,
                seats=step.capacity.seats,
                target_members=step.targets.members,
                target_utilisation=step.targets.utilisation,
                **step.capacity.model_dump(),
            )
        )
    for weekday in range(7):
        hours = office.hours_on(weekday)
        if hours:
            rows.append(
                t.OfficeHours(
                    office_id=office.id,
                    weekday=weekday,
                    opens=hours[0].strftime("%H:%M"),
                    closes=hours[1].strftime("%H:%M"),
                )
            )
    for membership in office.membership_types:
        rows.append(
            t.MembershipType(
                office_id=office.id,
                code=membership.id,
                name=membership.name,
                monthly_price=membership.monthly_price,
                seat=membership.seat,
            )
        )
    rows.extend(_quarter_rows(office))
    return rows


def _quarter_rows(office: Office) -> list[t.QuarterPlan]:
    # several config lines may cover the same quarter (e.g. two funders' lines,
    # or a rent change): amounts for the same key add up
    totals: dict[tuple[str, str, str], float] = {}
    lines = (
        [("revenue", "", line) for line in office.revenue_plan]
        + [("subsidy", line.funder, line) for line in office.subsidy_plan]
        + [("cost", line.category, line) for line in office.cost_plan]
    )
    for kind, category, line in lines:
        for quarter in line.quarters():
            key = (quarter, kind, category)
            totals[key] = totals.get(key, 0.0) + line.per_quarter
    return [
        t.QuarterPlan(office_id=office.id, quarter=q, kind=k, category=c, amount=amount)
        for (q, k, c), amount in sorted(totals.items())
    ]
