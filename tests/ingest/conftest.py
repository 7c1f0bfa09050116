"""Ingest fixtures: a config whose data folders live in a temporary directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from models.config import load_config

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def config_in_tmp(tmp_path, db_url, engine, monkeypatch):
    """The fixture programme, migrated, with inbox/archive/keys under tmp_path."""
    shutil.copy(FIXTURES / "programme.yaml", tmp_path / "config.yaml")
    monkeypatch.setenv("PILOTPULS_DATABASE_URL", db_url)
    monkeypatch.setenv("PILOTPULS_PSEUDONYM_KEY", "test-key-not-secret")
    return load_config(tmp_path / "config.yaml")
