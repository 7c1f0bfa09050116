"""The ingest on a schedule: an APScheduler BlockingScheduler in its own process.

Never start this inside the web server: forking servers would run one scheduler
per worker and every job several times (APScheduler FAQ; flask-apscheduler #51).
One job per office with an explicit id. ``coalesce`` folds a backlog of missed
runs into one, ``max_instances=1`` stops overlap within this process, and a
generous misfire grace means a late start (busy machine, sleep) still runs
instead of being skipped. Across processes the job lock in ``ingest.runner``
and the UNIQUE key on source files prevent double loads. Every run processes
all unprocessed files, so missed runs lose nothing (catch-up by design).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from ingest.runner import run_once
from models.config import ProgrammeConfig
from models.db import engine_for

log = logging.getLogger("pilotpuls.scheduler")

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


def ingest_job(config: ProgrammeConfig, office_id: str) -> None:
    engine = engine_for(config, writer=True)
    try:
        summary = run_once(engine, config, office_id, trigger="scheduler")
        log.info(
            "ingest %s: run %s, %d files, %d loaded, %d rejected",
            office_id,
            summary.run_id,
            len(summary.files),
            summary.count("loaded"),
            summary.count("rejected"),
        )
    except Exception:
        # the run is recorded as failed; keep the scheduler alive for the next one
        log.exception("ingest %s failed", office_id)
    finally:
        engine.dispose()


def build_scheduler(config: ProgrammeConfig) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=config.timezone, job_defaults=JOB_DEFAULTS)
    for office in config.offices:
        scheduler.add_job(
            ingest_job,
            IntervalTrigger(minutes=config.ingest.schedule_minutes),
            args=(config, office.id),
            id=f"ingest:{office.id}",
            name=f"ingest {office.name}",
            replace_existing=True,
            # catch up at start instead of waiting a whole interval
            next_run_time=datetime.now(UTC),
        )
    return scheduler
