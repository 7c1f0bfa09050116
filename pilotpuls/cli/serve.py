"""``pilotpuls serve``: the Dash dashboard on a local port."""

from __future__ import annotations

import click

from models import migrate
from models.db import engine_for, transaction
from models.sync import sync_programme
from pilotpuls.cli import AppContext, pass_app


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option(
    "--debug", is_flag=True, help="Dash dev tools and reloader (never in production)."
)
@pass_app
def serve(app: AppContext, host: str, port: int, debug: bool) -> None:
    """Start the dashboard (development server; see README for production)."""
    from dashboard.app import create_app, settle_for_serving

    engine = engine_for(app.config, writer=True)
    if migrate.current_revision(engine) != migrate.head_revision():
        raise click.ClickException(
            "the database schema is not up to date: run 'pilotpuls db upgrade' first"
        )
    with transaction(engine) as session:
        sync_programme(session, app.config)
    engine.dispose()
    dash_app = create_app(app.config)
    settle_for_serving(dash_app.server)
    click.echo(f"Pilotpuls dashboard on http://{host}:{port}/")
    dash_app.run(host=host, port=port, debug=debug)
