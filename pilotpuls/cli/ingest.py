"""``pilotpuls ingest``: load one file, or one pass over every drop folder and feed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ingest.base import KINDS
from ingest.pipeline import FileResult, ingest_file
from ingest.registry import READERS
from ingest.runner import pending_files, run_once
from models.db import engine_for
from pilotpuls.cli import AppContext, pass_app


@click.group()
def ingest() -> None:
    """Load bookings, members, door counts and surveys."""


def describe(result: FileResult) -> str:
    name = Path(result.file).name
    if result.status == "rejected":
        return f"REJECTED {name}: {result.message}"
    if result.status == "already_loaded":
        return f"unchanged {name}: already loaded, nothing to do"
    return (
        f"loaded   {name} ({result.format}): {result.rows_read} rows read, "
        f"{result.rows_loaded} loaded, {result.rows_unchanged} unchanged, "
        f"{result.rows_quarantined} quarantined"
    )


def _echo_errors(result: FileResult, limit: int = 20) -> None:
    for error in result.errors[:limit]:
        column = f", column {error['column']!r}" if error["column"] else ""
        click.echo(f"  row {error['row_number']}{column}: {error['reason']}")
    if result.rows_quarantined > limit:
        click.echo(
            f"  … and {result.rows_quarantined - limit} more quarantined rows "
            "(see the data-quality page)"
        )


@ingest.command("file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--office", "office_id", required=True, help="Office id from config.yaml."
)
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", *sorted({f for _, f in READERS})]),
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def ingest_one(
    app: AppContext, path: Path, office_id: str, kind: str, fmt: str, as_json: bool
) -> None:
    """Load one file. Exit 0 when processed (even with quarantined rows)."""
    config = app.config
    try:
        office = config.office(office_id)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    options = next(
        (
            dict(s.options)
            for s in office.sources
            if s.kind == kind and s.format in (fmt, "auto")
        ),
        {},
    )
    result = ingest_file(
        engine_for(config, writer=True),
        config,
        path,
        office_id,
        kind,
        fmt,
        options=options,
    )
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(describe(result))
        _echo_errors(result)
    if result.status == "rejected":
        sys.exit(1)


@ingest.command("run")
@click.option("--office", "office_id", default=None, help="Only this office.")
@pass_app
def ingest_run(app: AppContext, office_id: str | None) -> None:
    """One pass over all configured drop folders and feeds."""
    config = app.config
    engine = engine_for(config, writer=True)
    total = len(pending_files(config, office_id))
    if sys.stdout.isatty():
        with click.progressbar(length=total, label="Ingesting", show_pos=True) as bar:
            summary = run_once(
                engine, config, office_id, on_file=lambda result: bar.update(1)
            )
        for result in summary.files:
            if result.status != "already_loaded":
                click.echo(describe(result))
    else:
        summary = run_once(
            engine,
            config,
            office_id,
            on_file=lambda result: click.echo(describe(result)),
        )
    for problem in summary.feed_errors:
        click.echo(f"FEED     {problem}")
    click.echo(
        f"Run {summary.run_id}: {len(summary.files)} files, "
        f"{summary.count('loaded')} loaded, {summary.count('already_loaded')} "
        f"already loaded, {summary.count('rejected')} rejected."
    )
