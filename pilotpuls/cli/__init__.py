"""The ``pilotpuls`` command: one group, one module per sub-command group."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from models.config import ConfigError, ProgrammeConfig, load_config
from pilotpuls import __version__


class AppContext:
    """What every command shares: the config, loaded on first use."""

    def __init__(self, config_path: Path | None):
        self.config_path = config_path
        self._config: ProgrammeConfig | None = None

    @property
    def config(self) -> ProgrammeConfig:
        if self._config is None:
            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._config


pass_app = click.make_pass_decorator(AppContext)


def operator() -> str:
    """Who runs a command, for the audit log: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PILOTPULS_CONFIG",
    help="The programme config (default: ./config.yaml or $PILOTPULS_CONFIG).",
)
@click.version_option(__version__, prog_name="pilotpuls")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Pilotpuls — follow the pilot rural offices: ingest, dashboard, reports."""
    ctx.obj = AppContext(config_path)


def _register() -> None:
    from pilotpuls.cli import (
        config_cmd,
        db,
        demo,
        export,
        ingest,
        report,
        scheduler,
        serve,
        users,
    )

    cli.add_command(db.db)
    cli.add_command(ingest.ingest)
    cli.add_command(demo.demo)
    cli.add_command(export.export)
    cli.add_command(scheduler.scheduler)
    cli.add_command(config_cmd.config)
    cli.add_command(serve.serve)
    cli.add_command(users.users)
    cli.add_command(report.report)


_register()


def main() -> None:
    cli()
