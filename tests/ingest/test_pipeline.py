"""The pipeline's promises, on SQLite and PostgreSQL: idempotent, nothing lost,
rejected files kept, quarantine with file/row/column/reason."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ingest.pipeline import archive, ingest_file
from models import tables as t
from pilotpuls.cli import cli

FIXTURES = Path(__file__).parents[1] / "fixtures"
REGISTER = FIXTURES / "members" / "medlemsregister-2024-10.csv"


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model))


def test_members_load_with_quarantine_and_counts(engine, config_in_tmp):
    result = ingest_file(engine, config_in_tmp, REGISTER, "figeholm", "members")
    assert result.status == "loaded"
    assert (
        result.rows_read,
        result.rows_loaded,
        result.rows_unchanged,
        result.rows_quarantined,
    ) == (4, 3, 0, 1)
    [error] = result.errors
    assert error["row_number"] == 4 and error["column"] == "membership_type"
    assert "Guldkort" in error["reason"]
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(t.QuarantinedRow.row_number, t.QuarantinedRow.raw)
        ).all()
        kommuner = set(conn.scalars(sa.select(t.Membership.home_kommun)))
        pseudonyms = list(conn.scalars(sa.select(t.Membership.member_pseudonym)))
    assert stored == [(4, error["raw"])] and "Guldkort" in stored[0].raw
    assert kommuner == {"Oskarshamn", "Mönsterås"}  # 0882 became a name
    assert all(len(p) == 64 and "M-10" not in p for p in pseudonyms)


def test_same_file_twice_changes_nothing(engine, config_in_tmp):
    ingest_file(engine, config_in_tmp, REGISTER, "figeholm", "members")
    again = ingest_file(engine, config_in_tmp, REGISTER, "figeholm", "members")
    assert again.status == "already_loaded"
    assert (again.rows_loaded, again.rows_quarantined) == (0, 0)
    assert count(engine, t.Membership) == 3
    assert count(engine, t.SourceFile) == 1
    assert count(engine, t.QuarantinedRow) == 1


def test_overlapping_export_upserts_and_updates_win(engine, config_in_tmp, tmp_path):
    ingest_file(engine, config_in_tmp, REGISTER, "figeholm", "members")
    later = tmp_path / "medlemsregister-2024-11.csv"
    text = REGISTER.read_text(encoding="utf-8-sig")
    # next month's export: M-1042 has ended, one new member, the rest repeated
    text = text.replace(
        "M-1042;Flexibel;1 995;2024-09-02;;",
        "M-1042;Flexibel;1 995;2024-09-02;2024-11-30;",
    )
    text += "M-1050;Flexibel;1 995;2024-11-04;;Resande;Borgholm\r\n"
    later.write_text(text, encoding="utf-8-sig")
    result = ingest_file(engine, config_in_tmp, later, "figeholm", "members")
    assert (
        result.rows_read,
        result.rows_loaded,
        result.rows_unchanged,
        result.rows_quarantined,
    ) == (5, 2, 2, 1)
    assert count(engine, t.Membership) == 4
    with engine.connect() as conn:
        ended = conn.scalars(
            sa.select(t.Membership.end_date).where(
                t.Membership.start_date == date(2024, 9, 2)
            )
        ).one()
    assert ended == date(2024, 11, 30)


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    ],
)
def test_unreadable_file_is_rejected_archived_and_recorded(
    engine, config_in_tmp, tmp_path, content, reason
):
    bad = tmp_path / "export.csv"
    bad.write_bytes(content)
    result = ingest_file(engine, config_in_tmp, bad, "figeholm", "members")
    assert result.status == "rejected" and reason in result.message
    with engine.connect() as conn:
        stored = conn.execute(sa.select(t.SourceFile)).one()
    assert stored.status == "rejected" and reason in stored.message
    assert Path(stored.archived_path).read_bytes() == content
    assert count(engine, t.Membership) == 0


def test_wrong_kind_is_rejected_with_a_clear_message(engine, config_in_tmp):
    result = ingest_file(engine, config_in_tmp, REGISTER, "figeholm", "survey")
    assert result.status == "rejected"
    assert "not a recognised survey file" in result.message


def test_unknown_office_names_the_configured_ones(engine, config_in_tmp):
    with pytest.raises(KeyError, match="unknown office 'kalmar'.*figeholm"):
        ingest_file(engine, config_in_tmp, REGISTER, "kalmar", "members")


def test_cli_json_output_and_exit_codes(engine, config_in_tmp, tmp_path):
    runner = CliRunner()
    config = str(tmp_path / "config.yaml")
    args = [
        "--config",
        config,
        "ingest",
        "file",
        str(REGISTER),
        "--office",
        "figeholm",
        "--kind",
        "members",
        "--json",
    ]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert set(data) >= {
        "file",
        "sha256",
        "kind",
        "format",
        "status",
        "rows_read",
        "rows_loaded",
        "rows_unchanged",
        "rows_quarantined",
        "errors",
    }
    assert data["errors"] == [
        {"row": 4, "column": "membership_type", "reason": data["errors"][0]["reason"]}
    ]
    second = json.loads(runner.invoke(cli, args).output)
    assert second["status"] == "already_loaded"
    bad = tmp_path / "garbage.csv"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    rejected = runner.invoke(cli, [*args[:4], str(bad), *args[5:]])
    assert rejected.exit_code != 0
    assert json.loads(rejected.output)["status"] == "rejected"
    unknown = runner.invoke(cli, [*args[:6], "kalmar", "--kind", "members"])
    assert unknown.exit_code != 0 and "unknown office 'kalmar'" in unknown.output


def test_two_loaders_archiving_one_file_at_once_both_succeed(config_in_tmp, tmp_path):
    path = tmp_path / "personraknare.csv"
    path.write_bytes(b"Datum;Tid;In;Ut\n" * 200_000)
    errors: list[Exception] = []
    targets: list[Path] = []

    def load(sha: str) -> None:
        try:
            targets.append(archive(config_in_tmp, path, "figeholm", "door", sha))
        except Exception as exc:  # any failure fails the test
            errors.append(exc)

    for attempt in range(10):  # the race needs both copies to overlap
        sha = f"{attempt:064x}"
        threads = [threading.Thread(target=load, args=(sha,)) for _ in "ab"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert all(target.read_bytes() == path.read_bytes() for target in targets)
    leftovers = [p for t in targets for p in t.parent.iterdir() if p.suffix == ".part"]
    assert leftovers == []
