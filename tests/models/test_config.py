"""config.yaml validation: the shipped programme loads; mistakes name their key path."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
import yaml

from models.config import ConfigError, load_config, quarter_of, validate_config
from models.db import config_database_url

ROOT = Path(__file__).parents[2]
FIXTURE = Path(__file__).parents[1] / "fixtures" / "programme.yaml"


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def problems_of(data: dict) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate_config(data)
    return info.value.problems


def test_shipped_config_describes_the_demo_programme():
    config = load_config(ROOT / "config.yaml")
    assert {o.id for o in config.offices} >= {"figeholm", "boda", "borgholm", "hogsby"}
    assert {o.kommun_name for o in config.offices} >= {"Oskarshamn", "Emmaboda"}
    assert {o.steering_model.value for o in config.offices} == {
        "demand_driven",
        "compensation_driven",
    }
    assert config.timezone == "Europe/Stockholm"
    assert config.privacy.min_group_size == 5


def test_negative_capacity_names_the_key_path(raw):
    raw["offices"][1]["plan"][0]["capacity"]["fixed_desks"] = -3
    assert problems_of(raw) == [
        "offices[1].plan[0].capacity.fixed_desks: must be ≥ 0, got -3"
    ]


def test_unknown_kommun_lists_the_twelve_codes(raw):
    raw["offices"][0]["kommun"] = "0180"  # Stockholm: not in Kalmar län
    [problem] = problems_of(raw)
    assert problem.startswith("offices[0].kommun: must be a kommun code in Kalmar län")
    assert "0885 Borgholm" in problem and "'0180'" in problem


def test_misspelt_key_is_refused(raw):
    raw["offices"][0]["capcity"] = {}
    assert problems_of(raw) == [
        "offices[0].capcity: is not a known setting (check the spelling), got {}"
    ]


def test_every_problem_is_reported_at_once(raw):
    raw["offices"][0]["plan"][1]["from"] = "2024-01-01"
    raw["offices"][1]["subsidy_plan"] = [
        {"funder": "region", "from": "2025-3", "per_quarter": 10}
    ]
    del raw["offices"][1]["opened"]
    problems = problems_of(raw)
    assert "offices[1].opened: is required" in problems
    assert any(
        p.startswith("offices[1].subsidy_plan[0].from: must be a quarter")
        for p in problems
    )
    assert any(p.startswith("offices[0]: ") and "increasing" in p for p in problems)


def test_duplicate_office_ids_are_refused(raw):
    raw["offices"].append(copy.deepcopy(raw["offices"][0]))
    assert any("office id 'figeholm' is used twice" in p for p in problems_of(raw))


def test_plan_must_cover_the_opening_day(raw):
    raw["offices"][1]["plan"][0]["from"] = date(2024, 11, 1)
    [problem] = problems_of(raw)
    assert "must cover the opening day" in problem


def test_bad_opening_hours_and_quarter_range(raw):
    raw["offices"][0]["opening_hours"]["tue"] = "8-17"
    raw["offices"][0]["revenue_plan"][0]["to"] = "2023Q1"
    problems = problems_of(raw)
    assert any(
        p.startswith("offices[0].opening_hours: opening hours must look like")
        for p in problems
    )
    assert any(
        p.startswith("offices[0].revenue_plan[0]: 'to' (2023Q1) is before")
        for p in problems
    )


def test_unreadable_and_non_yaml_files(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_config(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("offices: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)


def test_database_url_env_overrides_and_sqlite_path_is_relative_to_config(
    tmp_path, monkeypatch
):
    config = load_config(FIXTURE)
    assert (
        config_database_url(config)
        == f"sqlite:///{FIXTURE.parent / 'data' / 'test.db'}"
    )
    monkeypatch.setenv("PILOTPULS_DATABASE_URL", "postgresql://u:p@db.example/pp")
    config = load_config(FIXTURE)
    assert config_database_url(config) == "postgresql+psycopg://u:p@db.example/pp"


def test_ramp_up_plan_is_looked_up_by_date(raw):
    office = validate_config(raw).office("figeholm")
    assert office.plan_on(date(2024, 8, 1)) is None
    assert office.plan_on(date(2025, 2, 28)).capacity.seats == 8
    assert office.plan_on(date(2025, 3, 1)).capacity.seats == 14
    assert office.hours_on(0)[0].hour == 7 and office.hours_on(1) is None
    assert quarter_of(date(2025, 3, 31)) == "2025Q1"
