"""``pilotpuls users``: who may sign in to the dashboard, their role and offices.

Every change is written to the audit log with the operating-system user as actor.
Passwords are read from stdin or generated and printed once; never an argument,
so they do not end up in shell history or the process list.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import click
import sqlalchemy.orm as so

from models import users as user_admin
from models.db import engine_for, transaction
from pilotpuls.cli import AppContext, operator, pass_app

password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from stdin instead of generating one.",
)


@click.group()
def users() -> None:
    """Manage who may sign in, their role and offices."""


@users.command()
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(user_admin.ROLES))
@click.option(
    "--office",
    "offices",
    multiple=True,
    metavar="ID",
    help="An office the user belongs to (repeat; kommun users need at least one).",
)
@password_stdin
@pass_app
def add(
    app: AppContext,
    email: str,
    role: str,
    offices: tuple[str, ...],
    password_stdin: bool,
) -> None:
    """Add a user who may sign in to the dashboard."""
    _check_configured(app, offices)
    password = _read_password() if password_stdin else user_admin.generate_password()
    with _admin_session(app) as session:
        user = user_admin.create_user(session, email, role, password, list(offices))
        added = f"{user.email} as {role} {_offices(offices)}".rstrip()
        _audit(session, "user added", added)
    click.echo(f"Added {added}.")
    if not password_stdin:
        click.echo(f"Password (shown once, pass it on safely): {password}")


@users.command("list")
@pass_app
def list_users(app: AppContext) -> None:
    """List users: e-mail, role, offices, active, last sign-in."""
    zone = ZoneInfo(app.config.timezone)
    with _admin_session(app) as session:
        rows = [
            (
                user.email,
                user.role,
                ",".join(sorted(link.office_id for link in user.offices)) or "-",
                "yes" if user.active else "no",
                user.last_login_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                if user.last_login_at
                else "never",
            )
            for user in user_admin.all_users(session)
        ]
    if not rows:
        click.echo(
            "No users yet: add one with 'pilotpuls users add EMAIL --role region'."
        )
        return
    header = ("E-MAIL", "ROLE", "OFFICES", "ACTIVE", "LAST SIGN-IN")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )


@users.command()
@click.argument("email")
@pass_app
def disable(app: AppContext, email: str) -> None:
    """Stop a user signing in; their open sessions end at once."""
    with _admin_session(app) as session:
        user = user_admin.set_active(session, email, False)
        _audit(session, "user disabled", user.email)
    click.echo(f"Disabled {user.email}.")


@users.command()
@click.argument("email")
@pass_app
def enable(app: AppContext, email: str) -> None:
    """Let a disabled (or locked-out) user sign in again."""
    with _admin_session(app) as session:
        user = user_admin.set_active(session, email, True)
        _audit(session, "user enabled", user.email)
    click.echo(f"Enabled {user.email}.")


@users.command("set-password")
@click.argument("email")
@password_stdin
@pass_app
def set_password(app: AppContext, email: str, password_stdin: bool) -> None:
    """Give a user a new password; their open sessions end."""
    password = _read_password() if password_stdin else user_admin.generate_password()
    with _admin_session(app) as session:
        user = user_admin.set_password(session, email, password)
        _audit(session, "password set", user.email)
    click.echo(f"New password set for {user.email}.")
    if not password_stdin:
        click.echo(f"Password (shown once, pass it on safely): {password}")


@contextmanager
def _admin_session(app: AppContext) -> Iterator[so.Session]:
    """A write transaction; user-admin mistakes become clean CLI errors."""
    engine = engine_for(app.config, writer=True)
    try:
        with transaction(engine) as session:
            yield session
    except user_admin.UserError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()


def _check_configured(app: AppContext, offices: tuple[str, ...]) -> None:
    configured = {office.id for office in app.config.offices}
    unknown = sorted(set(offices) - configured)
    if unknown:
        raise click.ClickException(
            f"unknown office {', '.join(unknown)}; configured: "
            + ", ".join(sorted(configured))
        )


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < user_admin.MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"the password must be at least {user_admin.MIN_PASSWORD_LENGTH} long"
        )
    return password


def _offices(offices: tuple[str, ...]) -> str:
    return f"for {', '.join(sorted(offices))}" if offices else ""


def _audit(session: so.Session, action: str, detail: str) -> None:
    user_admin.record_audit(session, action, detail, actor=operator())
