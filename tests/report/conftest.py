"""Report fixtures: the fixture programme with its data folders under tmp_path,
so files loaded by a test are archived there, not beside the fixtures."""

from __future__ import annotations

import shutil

import pytest

from models.config import ProgrammeConfig, load_config
from tests.conftest import FIXTURES


@pytest.fixture
def programme(tmp_path, monkeypatch) -> ProgrammeConfig:
    shutil.copy(FIXTURES / "programme.yaml", tmp_path / "config.yaml")
    monkeypatch.setenv("PILOTPULS_PSEUDONYM_KEY", "test-key-not-secret")
    return load_config(tmp_path / "config.yaml")
