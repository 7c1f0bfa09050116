"""The ``pilotpuls`` command line: config check and db upgrade."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from models.db import make_engine
from pilotpuls.cli import cli

ROOT = Path(__file__).parents[1]


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_config_check_summarises_the_shipped_programme():
    result = run("--config", str(ROOT / "config.yaml"), "config", "check")
    assert result.exit_code == 0, result.output
    assert "config OK" in result.output
    for name in ("Kontoret Figeholm", "Bodakontoret", "Högsby", "Västervik"):
        assert name in result.output
    assert "kr" in result.output
    assert len(result.output.splitlines()) <= 24  # one screen


def test_config_check_on_a_broken_config_names_the_key(tmp_path):
    data = yaml.safe_load((ROOT / "tests/fixtures/programme.yaml").read_text("utf-8"))
    data["offices"][1]["plan"][0]["capacity"]["fixed_desks"] = -3
    broken = tmp_path / "config.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("--config", str(broken), "config", "check")
    assert result.exit_code != 0
    assert (
        "offices[1].plan[0].capacity.fixed_desks: must be ≥ 0, got -3" in result.output
    )


def test_db_upgrade_creates_schema_and_syncs_offices(db_url, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        (ROOT / "tests/fixtures/programme.yaml").read_text("utf-8"), encoding="utf-8"
    )
    env = {"PILOTPULS_DATABASE_URL": db_url}
    for _ in range(2):  # twice: the second run changes nothing
        result = run("--config", str(config), "db", "upgrade", env=env)
        assert result.exit_code == 0, result.output
        assert "2 offices synced" in result.output
    engine = make_engine(db_url)
    with engine.connect() as conn:
        offices = (
            conn.execute(sa.text("SELECT id FROM office ORDER BY id")).scalars().all()
        )
    engine.dispose()
    assert offices == ["boda", "figeholm"]
    assert "secret" not in result.output  # passwords are never echoed
