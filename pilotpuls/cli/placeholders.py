"""Command groups that later work fills in; each says what it is for."""

from __future__ import annotations

import click


@click.group()
def users() -> None:
    """Manage who may sign in, their role and offices."""


@click.group()
def report() -> None:
    """Close quarters and export the steering report."""


GROUPS = [users, report]
