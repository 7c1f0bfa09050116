"""Command groups that later work fills in; each says what it is for."""

from __future__ import annotations

import click


@click.group()
def report() -> None:
    """Close quarters and export the steering report."""


GROUPS = [report]
