"""``pilotpuls report``: close, texts, publish, status and exports from the shell."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from pilotpuls.cli import cli
from tests.conftest import FIXTURES

QUARTER = "2025Q1"


@pytest.fixture
def report(engine, db_url, tmp_path, monkeypatch):
    """``report(*args)``: run ``pilotpuls report …`` on the fixture programme."""
    shutil.copy(FIXTURES / "programme.yaml", tmp_path / "config.yaml")
    monkeypatch.setenv("PILOTPULS_DATABASE_URL", db_url)
    monkeypatch.setenv("PILOTPULS_PSEUDONYM_KEY", "test-key-not-secret")

    def run(*args: str):
        config = ["--config", str(tmp_path / "config.yaml")]
        return CliRunner().invoke(cli, [*config, "report", *args])

    return run


def test_close_write_publish_and_export(report, tmp_path):
    closed = report("close", QUARTER)
    assert closed.exit_code == 0, closed.output
    assert "version 1 (draft)" in closed.output
    again = report("close", QUARTER)
    assert again.exit_code == 1 and "already closed" in again.output
    texts = report(
        "texts", QUARTER, "--office", "boda", "--comments", "Lugnt", "--actions", "Mer"
    )
    assert texts.exit_code == 0, texts.output
    assert report("publish", QUARTER).exit_code == 0
    status = report("status", QUARTER)
    assert "published" in status.output and "No restated figures" in status.output
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for path in (first, second):
        result = report("quarterly", QUARTER, "-o", str(path))
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes().startswith(b"%PDF-")
    excel = tmp_path / "boda.xlsx"
    result = report("quarterly", QUARTER, "--office", "boda", "-o", str(excel))
    assert result.exit_code == 0 and "1 sections" in result.output
    comments = openpyxl.load_workbook(excel)["Kommentarer"]
    assert ("Bodakontoret", "Lugnt", "Mer") in set(comments.iter_rows(values_only=True))


def test_mistakes_say_what_to_do(report, tmp_path):
    assert "close it first" in report("quarterly", QUARTER, "-o", "x.pdf").output
    assert "not over yet" in report("close", "2099Q1").output
    assert "not a quarter" in report("close", "Q1-2025").output
    assert ".pdf or an .xlsx" in report("quarterly", QUARTER, "-o", "x.txt").output
    assert (
        "unknown office"
        in report("quarterly", QUARTER, "--office", "kalmar", "-o", "x.pdf").output
    )
    nothing = report("deliver")
    assert nothing.exit_code == 0 and "Nothing to deliver" in nothing.output
