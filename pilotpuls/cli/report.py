"""``pilotpuls report``: close quarters, restate, publish, export, deliver."""

from __future__ import annotations

import time
from pathlib import Path

import click
import sqlalchemy as sa

from models.db import engine_for, session_factory
from pilotpuls.cli import AppContext, operator, pass_app
from pilotpuls.report import delivery, exports, snapshot
from pilotpuls.report.figures import PROGRAMME
from pilotpuls.report.snapshot import ReportError

QUARTER = click.argument("quarter", metavar="QUARTER")  # 2026Q3


def _checked(quarter: str) -> str:
    try:
        return snapshot.check_quarter(quarter)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None


def _engine(app: AppContext, writer: bool = False) -> sa.Engine:
    return engine_for(app.config, writer=writer)


@click.group()
def report() -> None:
    """Close quarters and export the steering report (same numbers every time)."""


@report.command()
@QUARTER
@pass_app
def close(app: AppContext, quarter: str) -> None:
    """Freeze QUARTER's figures as version 1, a draft to comment and publish."""
    started = time.perf_counter()
    try:
        version = snapshot.close(
            _engine(app, writer=True), app.config, _checked(quarter), operator()
        )
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    seconds = time.perf_counter() - started
    click.echo(
        f"{quarter} closed: version {version.version} (draft), figures frozen at "
        f"{version.cutoff_at:%Y-%m-%d %H:%M} UTC in {seconds:.1f} s."
    )
    click.echo(
        f"Publish it when the texts are written: pilotpuls report publish {quarter}"
    )


@report.command()
@QUARTER
@pass_app
def status(app: AppContext, quarter: str) -> None:
    """List QUARTER's versions and any restated figures since the latest."""
    quarter = _checked(quarter)
    with session_factory(_engine(app))() as session:
        versions = snapshot.versions(session, quarter)
        if not versions:
            raise click.ClickException(
                f"{quarter} is not closed; close it: pilotpuls report close {quarter}"
            )
        for v in versions:
            published = (
                f"published {v.published_at:%Y-%m-%d %H:%M} by {v.published_by}"
                if v.published_at
                else "draft"
            )
            click.echo(
                f"version {v.version}: cut-off {v.cutoff_at:%Y-%m-%d %H:%M} UTC by "
                f"{v.created_by}; {published}"
            )
        found = snapshot.check(session, app.config, quarter)
    _print_changes(found)


def _print_changes(found: snapshot.Restatement) -> None:
    if not found.any:
        click.echo(
            f"No restated figures: version {found.version.version} matches the "
            f"data ({found.new_files} files loaded since its cut-off)."
        )
        return
    click.echo(f"Restated figures available against version {found.version.version}:")
    for scope, changes in found.changes.items():
        for change in changes:
            where = " · ".join(
                p for p in (change.section, change.item, change.column) if p
            )
            click.echo(f"  {scope}: {where}: {change.old} → {change.new}")
    click.echo("Store them as a new version: pilotpuls report restate QUARTER")


@report.command()
@QUARTER
@pass_app
def restate(app: AppContext, quarter: str) -> None:
    """Store restated figures of QUARTER as the next version (a draft)."""
    try:
        version = snapshot.restate(
            _engine(app, writer=True), app.config, _checked(quarter), operator()
        )
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{quarter}: version {version.version} stored (draft); earlier versions stay "
        f"readable. Publish it: pilotpuls report publish {quarter}"
    )


@report.command()
@QUARTER
@click.option("--version", type=int, default=None, help="Default: the latest.")
@pass_app
def publish(app: AppContext, quarter: str, version: int | None) -> None:
    """Publish QUARTER's draft: steering groups see it and get it by e-mail."""
    try:
        done = snapshot.publish(
            _engine(app, writer=True), _checked(quarter), version, operator()
        )
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{quarter} version {done.version} published.")


@report.command()
@QUARTER
@click.option(
    "--office", "scope", default=PROGRAMME, help="Office id (default: programme)."
)
@click.option("--comments", default=None)
@click.option("--actions", default=None)
@pass_app
def texts(
    app: AppContext, quarter: str, scope: str, comments: str | None, actions: str | None
) -> None:
    """Write the region's comments and actions on the latest draft."""
    engine = _engine(app, writer=True)
    quarter = _checked(quarter)
    with session_factory(engine)() as session:
        newest = snapshot.latest(session, quarter)
        if newest is None:
            raise click.ClickException(f"{quarter} is not closed")
        current = snapshot.document(
            session, app.config, quarter, newest.version, [scope]
        )
    section = current.sections[0]
    try:
        snapshot.set_texts(
            engine,
            quarter,
            newest.version,
            scope,
            section.comments if comments is None else comments,
            section.actions if actions is None else actions,
            operator(),
        )
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{quarter} version {newest.version} ({scope}): texts saved.")


@report.command()
@QUARTER
@click.option("--office", "office_id", default=None, help="One office (default: all).")
@click.option("--version", type=int, default=None, help="Default: the latest.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.pdf or FILE.xlsx",
)
@pass_app
def quarterly(
    app: AppContext,
    quarter: str,
    office_id: str | None,
    version: int | None,
    output: Path,
) -> None:
    """Export QUARTER's stored report: the programme and every office, or one."""
    if output.suffix.lower() not in exports.FORMATS:
        raise click.ClickException(f"{output}: write a .pdf or an .xlsx file")
    if office_id:
        try:
            app.config.office(office_id)
        except KeyError as exc:
            raise click.ClickException(str(exc.args[0])) from None
    scopes = [office_id] if office_id else None
    with session_factory(_engine(app))() as session:
        try:
            document = snapshot.document(
                session, app.config, _checked(quarter), version, scopes
            )
        except ReportError as exc:
            raise click.ClickException(str(exc)) from None
    size = exports.write(document, output)
    state = "published" if document.status == snapshot.PUBLISHED else "DRAFT"
    click.echo(
        f"{output}: {quarter} version {document.version} ({state}), "
        f"{len(document.sections)} sections, {size:,} bytes."
    )


@report.command()
@pass_app
def deliver(app: AppContext) -> None:
    """E-mail published reports to their steering groups now (the scheduler does
    this every `reporting.delivery_minutes`); each mail is sent once."""
    engine = _engine(app, writer=True)
    with session_factory(engine)() as session:
        waiting = delivery.pending_deliveries(session, app.config)
    if not waiting:
        click.echo("Nothing to deliver: every published report has been sent.")
        return
    click.echo(f"Sending {len(waiting)} mails…")
    result = delivery.deliver_pending(
        engine, app.config, exports.pdf_attachment(engine, app.config)
    )
    click.echo(f"{result.sent} sent.")
    for failure in result.failures:
        click.echo(f"  not sent to {failure.recipient}: {failure.message}", err=True)
    if result.failures:
        raise click.ClickException(
            f"{len(result.failures)} mails were not sent; they are retried next run"
        )
