"""One ingest pass over every drop folder and feed, recorded as an ``ingest_run``.

Catch-up by design: each pass processes every file not yet recorded, so a
missed or skipped pass loses nothing. A job lock per office makes two passes for
the same office (two schedulers started by mistake, or a CLI run during a
scheduled one) wait for, or skip, each other; the UNIQUE key on source files
guarantees no double load even without it.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from ingest import feeds
from ingest.pipeline import FileResult, inbox_files, ingest_file
from models import tables as t
from models.config import ProgrammeConfig, resolve_path

log = logging.getLogger("pilotpuls.ingest")


@dataclass
class RunSummary:
    run_id: int
    files: list[FileResult] = field(default_factory=list)
    feed_errors: list[str] = field(default_factory=list)
    skipped_locked: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Files of a status in this pass; a file rejected by an earlier pass is
        reported again but not counted as a new rejection."""
        if status == "rejected":
            return sum(1 for f in self.files if f.newly_rejected)
        return sum(1 for f in self.files if f.status == status)


@contextmanager
def job_lock(engine: sa.Engine, config: ProgrammeConfig, job: str) -> Iterator[bool]:
    """Yield True if this process holds the job's lock, False if another does."""
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(
            hashlib.sha256(job.encode()).digest()[:8], "big", signed=True
        )
        with engine.connect() as conn:
            got = conn.scalar(sa.select(sa.func.pg_try_advisory_lock(key)))
            try:
                yield bool(got)
            finally:
                if got:
                    conn.scalar(sa.select(sa.func.pg_advisory_unlock(key)))
                conn.commit()
        return
    # SQLite lives on this machine: a file lock beside the data is the right tool
    folder = resolve_path(config, "data/locks")
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{job.replace(':', '_')}.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_once(
    engine: sa.Engine,
    config: ProgrammeConfig,
    office_id: str | None = None,
    trigger: str = "cli",
    on_file: Callable[[FileResult], None] | None = None,
) -> RunSummary:
    """Fetch feeds, then load every unprocessed file; record the run."""
    summary = RunSummary(run_id=_start_run(engine, trigger, office_id))
    message = ""
    try:
        offices = [o.id for o in config.offices if office_id in (None, o.id)]
        for office in offices:
            with job_lock(engine, config, f"ingest:{office}") as locked:
                if not locked:
                    log.warning(
                        "ingest of %s is already running elsewhere; skipped", office
                    )
                    summary.skipped_locked.append(office)
                    continue
                summary.feed_errors += feeds.fetch_feeds(config, office)
                for _, kind, path, fmt, options in inbox_files(config, office):
                    result = ingest_file(
                        engine,
                        config,
                        path,
                        office,
                        kind,
                        fmt,
                        options=options,
                        run_id=summary.run_id,
                    )
                    summary.files.append(result)
                    if on_file:
                        on_file(result)
    except Exception as exc:
        message = f"stopped by an error: {exc}"
        raise
    finally:
        _finish_run(engine, summary, message)
    return summary


def pending_files(config: ProgrammeConfig, office_id: str | None = None) -> list[Path]:
    return [path for _, _, path, _, _ in inbox_files(config, office_id)]


def _start_run(engine: sa.Engine, trigger: str, office_id: str | None) -> int:
    with engine.begin() as conn:
        return conn.execute(
            sa.insert(t.IngestRun.__table__)
            .values(
                started_at=datetime.now(UTC),
                trigger=trigger,
                job=f"ingest:{office_id or 'all'}",
                status="running",
            )
            .returning(t.IngestRun.id)
        ).scalar_one()


def _finish_run(engine: sa.Engine, summary: RunSummary, message: str) -> None:
    loaded = [f for f in summary.files if f.status == "loaded"]
    problems = summary.feed_errors + [
        f"{f.file}: {f.message}" for f in summary.files if f.newly_rejected
    ]
    status = "failed" if message else ("warnings" if problems else "ok")
    with engine.begin() as conn:
        conn.execute(
            sa.update(t.IngestRun.__table__)
            .where(t.IngestRun.id == summary.run_id)
            .values(
                finished_at=datetime.now(UTC),
                status=status,
                files_seen=len(summary.files),
                files_loaded=len(loaded),
                files_rejected=summary.count("rejected"),
                rows_loaded=sum(f.rows_loaded for f in summary.files),
                rows_quarantined=sum(f.rows_quarantined for f in summary.files),
                message="\n".join(([message] if message else []) + problems)[:10000],
            )
        )
