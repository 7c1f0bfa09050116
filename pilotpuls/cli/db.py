"""``pilotpuls db``: create and upgrade the schema, then sync the programme."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa

from ingest import rollups
from models import migrate
from models.db import config_database_url, engine_for, transaction
from models.sync import sync_programme
from pilotpuls.cli import AppContext, pass_app


def safe_url(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


@click.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command()
@click.option("--revision", default="head", show_default=True)
@pass_app
def upgrade(app: AppContext, revision: str) -> None:
    """Create or upgrade the schema, and write offices and plans from the config."""
    url = config_database_url(app.config)
    migrate.upgrade(url, revision)
    engine = engine_for(app.config, writer=True)
    if revision == "head":
        with transaction(engine) as session:
            sync_programme(session, app.config)
        with engine.begin() as conn:  # door data loaded before the table existed
            zone = ZoneInfo(app.config.timezone)
            if done := rollups.backfill_door_occupancy(conn, zone):
                click.echo(f"Occupancy rollup backfilled for {done} offices.")
            if done := rollups.backfill_desk_bookings(conn, zone):
                click.echo(f"Desk bookings rollup backfilled for {done} offices.")
    click.echo(
        f"Database {safe_url(url)} is at revision {migrate.current_revision(engine)}; "
        f"{len(app.config.offices)} offices synced from the config."
    )


@db.command()
@click.argument("revision")
@pass_app
def downgrade(app: AppContext, revision: str) -> None:
    """Step the schema back to REVISION ('base' removes every table)."""
    migrate.downgrade(config_database_url(app.config), revision)
    click.echo(f"Downgraded to {revision}.")


@db.command()
@pass_app
def current(app: AppContext) -> None:
    """Show the schema revision of the database and of the code."""
    engine = engine_for(app.config)
    click.echo(f"database: {migrate.current_revision(engine) or '(empty)'}")
    click.echo(f"code:     {migrate.head_revision()}")
