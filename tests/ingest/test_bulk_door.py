"""Counter files through the bulk path on SQLite and PostgreSQL, in small chunks:
a first load COPYs new ranges, overlaps and repeated bins are still upserted."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from ingest import load, pipeline
from ingest.pipeline import ingest_file
from models import tables as t

HEADER = "Datum;Tid;Dörr;In;Ut"


def counter_lines(first: date, days: int, doors: int = 2) -> list[str]:
    """Demo-style rows; May has no clock change, so 96 bins a day and door.
    Entries alternate 2, 5 (so no one takes them for a cumulative counter)."""
    lines = []
    for day in (first + timedelta(days=n) for n in range(days)):
        for minute in range(0, 24 * 60, 15):
            clock = f"{minute // 60:02d}:{minute % 60:02d}"
            for door in range(doors):
                lines.append(f"{day};{clock};Dörr {door};{entries(minute)};{door}")
    return lines


def entries(minute: int) -> int:
    return 5 if minute // 15 % 2 else 2


def write(path, lines: list[str]):
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def totals(engine) -> tuple[int, int, int]:
    """(raw rows, raw entries, entries in the daily rollup)."""
    with engine.connect() as conn:
        rows, raw = conn.execute(
            sa.select(sa.func.count(), sa.func.sum(t.DoorCount.entries))
        ).one()
        daily = conn.scalar(sa.select(sa.func.sum(t.DoorDaily.entries)))
    return rows, raw, daily


def test_new_ranges_then_an_overlap_then_the_same_rows(
    engine, config_in_tmp, tmp_path, monkeypatch
):
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 50)
    first = write(tmp_path / "may-5-6.csv", counter_lines(date(2025, 5, 5), 2))
    result = ingest_file(engine, config_in_tmp, first, "figeholm", "door")
    assert (result.rows_read, result.rows_loaded, result.rows_unchanged) == (
        384,
        384,
        0,
    )
    overlap = counter_lines(date(2025, 5, 6), 2)
    overlap[5] = overlap[5].rsplit(";", 2)[0] + ";99;1"  # Dörr 1 at 00:30 changed
    later = write(tmp_path / "may-6-7.csv", overlap)
    result = ingest_file(engine, config_in_tmp, later, "figeholm", "door")
    assert (result.rows_read, result.rows_loaded, result.rows_unchanged) == (
        384,
        192 + 1,
        191,
    )
    again = write(tmp_path / "again.csv", counter_lines(date(2025, 5, 5), 1))
    result = ingest_file(engine, config_in_tmp, again, "figeholm", "door")
    assert (result.rows_loaded, result.rows_unchanged) == (0, 192)
    rows, raw, daily = totals(engine)
    assert rows == 3 * 192
    assert raw == daily == 3 * 2 * (48 * 2 + 48 * 5) + 99 - entries(30)


def test_a_bin_given_twice_in_one_file_keeps_the_later_row(
    engine, config_in_tmp, tmp_path, monkeypatch
):
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 50)
    lines = counter_lines(date(2025, 5, 5), 1, doors=1)
    lines.insert(11, "2025-05-05;02:00;Dörr 0;70;7")  # after the first 02:00 row
    path = write(tmp_path / "twice.csv", lines)
    result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert result.rows_read == 97 == result.rows_loaded + result.rows_unchanged
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(t.DoorCount.entries, t.DoorCount.exits).where(
                t.DoorCount.entries == 70
            )
        ).all()
    assert stored == [(70, 7)]
    rows, raw, daily = totals(engine)
    assert rows == 96
    assert raw == daily == 48 * 2 + 48 * 5 - entries(120) + 70


@pytest.mark.parametrize("chunk", [50, pipeline.CHUNK_RECORDS])
def test_a_bin_repeated_on_the_careful_path_keeps_the_later_row(
    engine, config_in_tmp, tmp_path, monkeypatch, chunk
):
    """Dörr 1's rows take the quick path (their texts were seen with Dörr 0) and
    travel in Records batches; its 02:00 bin given again as "2:00" (a text not
    seen yet) takes the careful path as an Item: the later row still wins,
    within one chunk or across chunks."""
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", chunk)
    lines = counter_lines(date(2025, 5, 5), 1, doors=2)
    lines.append("2025-05-05;2:00;Dörr 1;70;7")
    path = write(tmp_path / "later.csv", lines)
    result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert result.rows_read == 193 == result.rows_loaded + result.rows_unchanged
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(t.DoorCount.door, t.DoorCount.exits).where(
                t.DoorCount.entries == 70
            )
        ).all()
    assert stored == [("Dörr 1", 7)]
    rows, raw, daily = totals(engine)
    assert rows == 192
    assert raw == daily == 2 * (48 * 2 + 48 * 5) - entries(120) + 70


def test_statistics_refreshed_within_the_load_change_no_figures(
    engine, config_in_tmp, tmp_path, monkeypatch
):
    """PostgreSQL runs ANALYZE before the rollups of a big load (here: any load);
    the rows it samples are the transaction's own, and nothing else changes."""
    monkeypatch.setattr(load, "ANALYZE_AFTER_ROWS", 1)
    path = write(tmp_path / "may.csv", counter_lines(date(2025, 5, 5), 2))
    result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert (result.rows_read, result.rows_loaded) == (384, 384)
    rows, raw, daily = totals(engine)
    assert rows == 384 and raw == daily == 2 * 2 * (48 * 2 + 48 * 5)


def test_the_range_check_is_never_prepared(
    engine, config_in_tmp, tmp_path, monkeypatch
):
    """PostgreSQL: psycopg prepares a statement after five runs, and the generic
    plan of the range check read every stored bin of the doors for each chunk
    (quadratic in the file). Ten chunks later, no prepared range check."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 20)
    prepared = []
    copy_new_rows = load.copy_new_rows

    def spy(conn, *args):
        new = copy_new_rows(conn, *args)
        prepared.extend(
            conn.exec_driver_sql(
                "SELECT statement FROM pg_prepared_statements"
                " WHERE statement LIKE '%%FROM door_count%%LIMIT%%'"
                " AND statement NOT LIKE '%%pg_prepared_statements%%'"  # this one
            ).scalars()
        )
        return new

    monkeypatch.setattr(load, "copy_new_rows", spy)
    path = write(tmp_path / "may.csv", counter_lines(date(2025, 5, 5), 1))
    result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert result.rows_loaded == 192
    assert prepared == []


def test_a_copy_with_an_unknown_office_is_refused(engine):
    """PostgreSQL: the COPY of the bulk path is checked by door_count's
    statement trigger (there is no per-row foreign key): one unknown office
    among known ones fails the whole statement, and nothing stays."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's COPY")
    import psycopg

    t0 = datetime(2025, 5, 5, 6, 0)  # naive UTC, as the bulk path COPYs times
    rows = [
        (office, "Entré", t0 + timedelta(minutes=15 * i), 15, 1, 0)
        for i, office in enumerate(["figeholm", "figeholm", "kalmar-c"])
    ]
    columns = "office_id, door, period_start, minutes, entries, exits"
    types = ["varchar", "varchar", "timestamp", "integer", "integer", "integer"]
    with pytest.raises(psycopg.errors.ForeignKeyViolation), engine.begin() as conn:
        load._copy(conn, f"door_count ({columns})", types, rows)
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(t.DoorCount)) == 0
