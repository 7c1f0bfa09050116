"""Command groups that later work fills in; each says what it is for."""

from __future__ import annotations

import click


@click.group()
def demo() -> None:
    """Generate realistic demo source files and ingest them."""


@click.group()
def ingest() -> None:
    """Load bookings, members, door counts and surveys."""


@click.group()
def export() -> None:
    """Export normalised data as CSV or Excel."""


@click.group()
def users() -> None:
    """Manage who may sign in, their role and offices."""


@click.group()
def report() -> None:
    """Close quarters and export the steering report."""


@click.command()
def scheduler() -> None:
    """Run the ingest on a schedule (its own process, never in the web server)."""
    raise click.ClickException("the scheduler is not available yet")


GROUPS = [demo, ingest, export, users, report, scheduler]
