"""``pilotpuls users``: add, list, disable, enable and set-password."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from models import tables as t
from models import users
from models.db import make_engine, transaction
from pilotpuls.cli import cli

ROOT = Path(__file__).parents[1]
PASSWORD = "ett långt lösenord för test"


@pytest.fixture
def run(db_url, tmp_path):
    """Run ``pilotpuls --config <copy of the fixture> ...`` on a migrated database."""
    config = tmp_path / "config.yaml"
    config.write_text(
        (ROOT / "tests/fixtures/programme.yaml").read_text("utf-8"), encoding="utf-8"
    )
    env = {"PILOTPULS_DATABASE_URL": db_url}
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None):
        return runner.invoke(
            cli, ["--config", str(config), *args], input=stdin, env=env
        )

    assert run("db", "upgrade").exit_code == 0
    return run


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def signs_in(engine, email: str, password: str) -> bool:
    with transaction(engine) as session:
        return users.authenticate(session, email, password, now=t.utcnow()) is not None


def test_add_a_user_with_a_password_from_stdin(run, db):
    result = run(
        "users",
        "add",
        "Anna@Region.se",
        "--role",
        "region",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added anna@region.se as region" in result.output
    assert PASSWORD not in result.output
    assert signs_in(db, "anna@region.se", PASSWORD)


def test_add_generates_a_password_and_shows_it_once(run, db):
    result = run(
        "users", "add", "kalle@emmaboda.se", "--role", "kommun", "--office", "boda"
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("shown once, pass it on safely): ")[1].strip()
    assert len(password) >= users.MIN_PASSWORD_LENGTH
    assert signs_in(db, "kalle@emmaboda.se", password)
    listing = run("users", "list").output
    assert password not in listing


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "kommun"], "needs at least one office"),
        (["--role", "kommun", "--office", "ljungby"], "unknown office ljungby"),
        (["--role", "region", "--office", "boda"], "not linked to offices"),
        (["--role", "chef"], "Invalid value for '--role'"),
    ],
)
def test_add_refuses_what_makes_no_sense(run, db, args, message):
    result = run("users", "add", "ny@example.se", *args)
    assert result.exit_code != 0
    assert message in result.output
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM app_user")).scalar() == 0


def test_a_short_password_from_stdin_is_refused(run):
    result = run(
        "users",
        "add",
        "anna@region.se",
        "--role",
        "region",
        "--password-stdin",
        stdin="kort\n",
    )
    assert result.exit_code != 0 and "at least 12" in result.output


def test_list_disable_enable_and_set_password(run, db):
    run("users", "add", "anna@region.se", "--role", "region")
    run(
        "users", "add", "styr@figeholm.se", "--role", "steering", "--office", "figeholm"
    )
    listing = [line.split() for line in run("users", "list").output.splitlines()]
    assert listing == [
        "E-MAIL ROLE OFFICES ACTIVE LAST SIGN-IN".split(),
        "anna@region.se region - yes never".split(),
        "styr@figeholm.se steering figeholm yes never".split(),
    ]

    assert run("users", "disable", "anna@region.se").exit_code == 0
    assert run("users", "list").output.splitlines()[1].split()[3] == "no"
    result = run(
        "users",
        "set-password",
        "anna@region.se",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert not signs_in(db, "anna@region.se", PASSWORD)  # still disabled
    assert run("users", "enable", "anna@region.se").exit_code == 0
    assert signs_in(db, "anna@region.se", PASSWORD)
    last_login = run("users", "list").output.splitlines()[1].split()[4]
    assert last_login != "never"

    with db.connect() as conn:
        actions = conn.execute(
            sa.text("SELECT action, actor, detail FROM audit_log ORDER BY id")
        ).all()
    assert [a for a, _, _ in actions] == [
        "user added",
        "user added",
        "user disabled",
        "password set",
        "user enabled",
    ]
    assert all(actor.startswith("cli") for _, actor, _ in actions)
    assert not any(PASSWORD in detail for _, _, detail in actions)


def test_changing_an_unknown_user_says_so(run):
    for command in ("disable", "enable", "set-password"):
        result = run("users", command, "ingen@example.se")
        assert result.exit_code != 0
        assert "no user with the e-mail ingen@example.se" in result.output


def test_the_users_group_is_registered():
    assert "users" in cli.commands and "add" in cli.commands["users"].commands
