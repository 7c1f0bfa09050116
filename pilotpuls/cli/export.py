"""``pilotpuls export``: the normalised data of one office as CSV or Excel."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click

from models.db import engine_for
from pilotpuls.cli import AppContext, pass_app
from pilotpuls.export import export as write_export


@click.command()
@click.argument("kind", type=click.Choice(["bookings", "members", "door", "surveys"]))
@click.option("--office", "office_id", required=True)
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.csv or FILE.xlsx",
)
@pass_app
def export(
    app: AppContext, kind: str, office_id: str, start, end, output: Path
) -> None:
    """Export KIND for one office, as stored (ISO 8601 times with offset)."""
    try:
        app.config.office(office_id)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    try:
        count = write_export(
            engine_for(app.config),
            kind,
            office_id,
            output,
            ZoneInfo(app.config.timezone),
            start.date() if start else None,
            end.date() if end else None,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{count} rows written to {output}")
