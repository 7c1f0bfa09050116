"""``pilotpuls config check``: validate the config and summarise the programme."""

from __future__ import annotations

from datetime import date

import click

from models.config import Office, ProgrammeConfig
from pilotpuls.cli import AppContext, pass_app
from pilotpuls.cli.db import safe_url


@click.group()
def config() -> None:
    """The programme configuration (config.yaml)."""


@config.command()
@pass_app
def check(app: AppContext) -> None:
    """Validate the config; print a one-screen summary of offices and plans."""
    click.echo(summary(app.config, date.today()))


def kr(amount: float) -> str:
    """Swedish money: 1 234 567 kr (narrow no-break space as thousands separator)."""
    return f"{amount:,.0f}".replace(",", "\u202f") + " kr"


def _office_line(office: Office, today: date) -> str:
    step = office.plan_on(today) or office.plan[0]
    final = office.plan[-1]
    quarters = sorted(
        {q for line in office.subsidy_plan + office.cost_plan for q in line.quarters()}
    )
    subsidy = sum(
        line.per_quarter * len(line.quarters()) for line in office.subsidy_plan
    )
    cost = sum(line.per_quarter * len(line.quarters()) for line in office.cost_plan)
    period = f"{quarters[0]}–{quarters[-1]}" if quarters else "no plan"
    seats = f"{step.capacity.seats:>2}→{final.capacity.seats:<2}"
    return (
        f"{office.id:<11} {office.name[:28]:<28} {office.kommun} "
        f"{office.kommun_name:<10} {office.opened.isoformat()}  {seats} "
        f"{final.targets.members:>3}  {period:<13} {kr(subsidy):>13} {kr(cost):>13} "
        f"{len(office.sources):>3}"
    )


def summary(config: ProgrammeConfig, today: date) -> str:
    lines = [
        f"{config.programme_name}: config OK",
        f"database {safe_url(config.database_url)} · time zone {config.timezone} · "
        f"language {config.language} · min group size {config.privacy.min_group_size}",
        "",
        f"{'office':<11} {'name':<28} {'kommun':<15} {'opened':<11} "
        f"{'seats':<5} {'mbr':>3}  {'plan':<13} {'subsidy plan':>13} "
        f"{'cost plan':>13} {'src':>3}",
    ]
    lines += [_office_line(office, today) for office in config.offices]
    lines += [
        "",
        "seats: now→end of ramp-up; mbr: member target at the end of ramp-up; "
        "src: configured sources",
    ]
    return "\n".join(lines)
