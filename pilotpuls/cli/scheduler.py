"""``pilotpuls scheduler``: the ingest on a schedule, in its own process."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
from apscheduler.triggers.interval import IntervalTrigger

from ingest.scheduler import build_scheduler
from models.config import ProgrammeConfig
from models.db import engine_for
from pilotpuls.cli import AppContext, pass_app
from pilotpuls.report.delivery import deliver_pending
from pilotpuls.report.exports import pdf_attachment

log = logging.getLogger("pilotpuls.scheduler")


def delivery_job(config: ProgrammeConfig) -> None:
    """E-mail published reports not yet sent; failures stay pending for next time."""
    engine = engine_for(config, writer=True)
    try:
        # deliver_pending logs each failure and the summary itself
        deliver_pending(engine, config, pdf_attachment(engine, config))
    except Exception:
        log.exception("report delivery failed")
    finally:
        engine.dispose()


@click.command()
@pass_app
def scheduler(app: AppContext) -> None:
    """Run every office's ingest every `ingest.schedule_minutes` and e-mail
    published steering reports every `reporting.delivery_minutes` (Ctrl-C stops).

    Run exactly one of these, as its own service — never inside the web server.
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    scheduler = build_scheduler(app.config)
    if app.config.reporting.steering_groups:
        scheduler.add_job(
            delivery_job,
            IntervalTrigger(minutes=app.config.reporting.delivery_minutes),
            args=(app.config,),
            id="report-delivery",
            name="report delivery",
            replace_existing=True,
            next_run_time=datetime.now(UTC),
        )
    click.echo(
        f"Scheduler: {len(scheduler.get_jobs())} jobs, every "
        f"{app.config.ingest.schedule_minutes} min. Ctrl-C stops."
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")
