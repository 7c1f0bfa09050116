"""``pilotpuls demo``: realistic source files for the demo offices, ingested."""

from __future__ import annotations

from datetime import date

import click

from ingest.demo import generate
from ingest.runner import run_once
from models.db import engine_for
from pilotpuls.cli import AppContext, pass_app
from pilotpuls.cli.ingest import describe


@click.command()
@click.option("--seed", default=2024, show_default=True, help="Same seed, same files.")
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last simulated day (default: today).",
)
@click.option("--years", default=2, show_default=True, type=click.IntRange(1, 5))
@pass_app
def demo(app: AppContext, seed: int, until, years: int) -> None:
    """Write two years of demo files into the drop folders and ingest them."""
    config = app.config
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
