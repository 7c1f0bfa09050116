"""``pilotpuls demo``: realistic files in every format, loaded, with users per role."""

from __future__ import annotations

import hashlib
import stat
from datetime import date

import sqlalchemy as sa
from click.testing import CliRunner

from ingest.demo import generate
from models import tables as t
from models.config import resolve_path
from pilotpuls.cli import cli

UNTIL = "2025-11-20"


def digests(paths) -> dict[str, str]:
    return {
        p.name + p.parent.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in paths
    }


def test_demo_files_are_deterministic_and_cover_every_format(config_in_tmp):
    first = generate(config_in_tmp, seed=7, until=date(2025, 11, 20), years=1)
    again = generate(config_in_tmp, seed=7, until=date(2025, 11, 20), years=1)
    assert digests(first) == digests(again)
    suffixes = {p.suffix for p in first}
    assert suffixes >= {".ics", ".csv", ".xlsx"}
    folders = {p.parent.name for p in first}
    assert folders >= {
        "bookings-calendar",
        "bookings-desks",
        "members",
        "door",
        "survey",
    }


def test_demo_command_loads_everything_and_creates_users(
    engine, config_in_tmp, tmp_path
):
    runner = CliRunner()
    args = [
        "--config",
        str(tmp_path / "config.yaml"),
        "demo",
        "--until",
        UNTIL,
        "--years",
        "1",
    ]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "rows quarantined on purpose" in result.output
    with engine.connect() as conn:
        files = dict(
            conn.execute(
                sa.select(t.SourceFile.status, sa.func.count()).group_by(
                    t.SourceFile.status
                )
            ).all()
        )
        quarantined = conn.scalar(
            sa.select(sa.func.count()).select_from(t.QuarantinedRow)
        )
        roles = set(conn.scalars(sa.select(t.User.role)))
        door_days = conn.scalar(sa.select(sa.func.count()).select_from(t.DoorDaily))
        reports = set(
            conn.execute(
                sa.select(t.ReportSnapshot.quarter, t.ReportSnapshot.status).distinct()
            )
        )
    # the two quarters before the last demo day: one published, one a draft
    assert reports == {("2025Q2", "published"), ("2025Q3", "draft")}, result.output
    assert set(files) == {"loaded"} and files["loaded"] > 20
    assert quarantined > 0 and door_days > 300
    assert roles == {"region", "kommun", "steering", "admin"}
    credentials = resolve_path(config_in_tmp, "data/secrets/demo-users.txt")
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    for line in credentials.read_text(encoding="utf-8").splitlines():
        assert (
            line.split()[2] in result.output
        )  # the printed password is the stored one
    rerun = runner.invoke(cli, [*args, "--if-empty"], catch_exceptions=False)
    assert "already holds data" in rerun.output
