"""``pilotpuls demo``: realistic source files for the demo offices, ingested."""

from __future__ import annotations

from datetime import date, timedelta

import click
import sqlalchemy as sa

from dashboard.filters import quarter
from ingest.demo import generate
from ingest.runner import run_once
from models import tables as t
from models import users
from models.config import ProgrammeConfig, resolve_path
from models.db import engine_for, transaction
from pilotpuls.cli import AppContext, pass_app
from pilotpuls.cli.ingest import describe
from pilotpuls.report import snapshot
from pilotpuls.report.snapshot import ReportError

CREDENTIALS_FILE = "data/secrets/demo-users.txt"


def demo_users(config: ProgrammeConfig) -> list[tuple[str, str, str]]:
    """(e-mail, role, offices) of one demo user per role; kommun gets the 2nd office."""
    kommun_office = config.offices[min(1, len(config.offices) - 1)]
    return [
        ("projektledare@region.example", "region", ""),
        (f"kontakt@{kommun_office.id}.example", "kommun", kommun_office.id),
        ("styrgrupp@region.example", "steering", ""),
        ("admin@pilotpuls.example", "admin", ""),
    ]


def create_demo_users(config: ProgrammeConfig) -> list[str]:
    """Create (or give new passwords to) the demo users; return lines to show.

    Passwords are generated on every run, never written in the code; they are
    printed once and kept in data/secrets/demo-users.txt (owner-only) so a
    newcomer can find them again.
    """
    lines = []
    with transaction(engine_for(config, writer=True)) as session:
        for email, role, office in demo_users(config):
            password = users.generate_password()
            if users.find_user(session, email):
                users.set_password(session, email, password)
            else:
                users.create_user(
                    session, email, role, password, [office] if office else []
                )
            where = f" ({office})" if office else ""
            lines.append(f"{role:<9} {email:<34} {password}{where}")
    path = resolve_path(config, CREDENTIALS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


@click.command()
@click.option("--seed", default=2024, show_default=True, help="Same seed, same files.")
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last simulated day (default: today).",
)
@click.option("--years", default=2, show_default=True, type=click.IntRange(1, 5))
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing if the database already holds loaded files.",
)
@pass_app
def demo(app: AppContext, seed: int, until, years: int, if_empty: bool) -> None:
    """Write two years of demo files into the drop folders and ingest them."""
    config = app.config
    if if_empty and _has_data(config):
        click.echo("The database already holds data: demo not generated again.")
        credentials = resolve_path(config, CREDENTIALS_FILE)
        if credentials.exists():
            click.echo(f"Demo users: see {credentials}")
        return
    last_day = until.date() if until else date.today()
    click.echo(
        f"Writing demo files for {len(config.offices)} offices up to {last_day} …"
    )
    files = generate(config, seed=seed, until=last_day, years=years)
    click.echo(f"{len(files)} files written to {config.ingest.inbox_dir}/. Ingesting …")
    engine = engine_for(config, writer=True)
    done = 0

    def progress(result) -> None:
        nonlocal done
        done += 1
        if result.status == "rejected" or result.rows_quarantined:
            click.echo(f"[{done}/{len(files)}] {describe(result)}")
        elif done % 25 == 0:
            click.echo(f"[{done}/{len(files)}] …")

    summary = run_once(engine, config, trigger="demo", on_file=progress)
    rows = sum(f.rows_loaded for f in summary.files)
    quarantined = sum(f.rows_quarantined for f in summary.files)
    click.echo(
        f"Demo loaded: {summary.count('loaded')} files, {rows} rows; "
        f"{quarantined} rows quarantined on purpose (see the data-quality page)."
    )
    for line in close_demo_quarters(config, last_day):
        click.echo(line)
    click.echo("\nDemo users (one per role; also in " + CREDENTIALS_FILE + "):")
    for line in create_demo_users(config):
        click.echo("  " + line)


DEMO_TEXTS = {
    "programme": (
        "Beläggningen ökar men ligger under målet på alla kontor utom Borgholm. "
        "Intäkterna följer planen bättre än väntat.",
        "Kontoren med låg beläggning tar fram en plan för fler företagare.\n"
        "Regionen följer upp dörrräknarnas data i nästa kvartal.",
    ),
}


def close_demo_quarters(config: ProgrammeConfig, last_day: date) -> list[str]:
    """Close the two last finished quarters: the older published with texts, the
    newer a draft, so the report page shows both steps of the work."""
    engine = engine_for(config, writer=True)
    latest = quarter(quarter(last_day).start - timedelta(days=1))
    older = quarter(latest.start - timedelta(days=1))
    lines = []
    for period, publish in ((older, True), (latest, False)):
        label = period.key()
        try:
            snapshot.close(engine, config, label, "demo")
            for scope, (comments, actions) in DEMO_TEXTS.items():
                snapshot.set_texts(engine, label, 1, scope, comments, actions, "demo")
            if publish:
                snapshot.publish(engine, label, 1, "demo")
        except ReportError as exc:  # e.g. an office opened after the quarter
            lines.append(f"Quarterly report {label} not closed: {exc}")
            continue
        state = "published" if publish else "a draft to publish"
        lines.append(f"Quarterly report {label} closed: {state}.")
    return lines


def _has_data(config: ProgrammeConfig) -> bool:
    with engine_for(config).connect() as conn:
        return bool(conn.scalar(sa.select(sa.func.count()).select_from(t.SourceFile)))
