"""``pilotpuls scheduler``: the ingest on a schedule, in its own process."""

from __future__ import annotations

import logging

import click

from ingest.scheduler import build_scheduler
from pilotpuls.cli import AppContext, pass_app


@click.command()
@pass_app
def scheduler(app: AppContext) -> None:
    """Run every office's ingest every `ingest.schedule_minutes` (Ctrl-C stops).

    Run exactly one of these, as its own service — never inside the web server.
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    scheduler = build_scheduler(app.config)
    click.echo(
        f"Scheduler: {len(scheduler.get_jobs())} jobs, every "
        f"{app.config.ingest.schedule_minutes} min. Ctrl-C stops."
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")
