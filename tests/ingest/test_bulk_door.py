"""Counter files through the bulk path on SQLite and PostgreSQL, in small chunks:
a first load streams new ranges into one COPY, overlaps and repeated bins are
still upserted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import islice

import pytest
import sqlalchemy as sa

from ingest import load, pipeline
from ingest.base import FileRejected
from ingest.pipeline import ingest_file
from ingest.sources.door_counter import DoorCounterReader
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
    (quadratic in the file). A file in reverse time order checks every chunk;
    ten chunks later, no prepared range check."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 20)
    prepared = []
    any_stored = load._any_stored

    def spy(conn, *args):
        stored = any_stored(conn, *args)
        prepared.append(
            conn.exec_driver_sql(
                "SELECT statement FROM pg_prepared_statements"
                " WHERE statement LIKE '%%FROM door_count%%LIMIT%%'"
                " AND statement NOT LIKE '%%pg_prepared_statements%%'"  # this one
            )
            .scalars()
            .all()
        )
        return stored

    monkeypatch.setattr(load, "_any_stored", spy)
    lines = counter_lines(date(2025, 5, 5), 1)[::-1]
    path = write(tmp_path / "may.csv", lines)
    result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert result.rows_loaded == 192
    assert len(prepared) > 10
    assert prepared == [[]] * len(prepared)


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


@pytest.fixture
def statements(engine, monkeypatch) -> dict[str, int]:
    """PostgreSQL: how many COPYs into door_count and range checks a load runs."""
    seen = {"copies": 0, "checks": 0}
    if engine.dialect.name != "postgresql":
        return seen
    import psycopg

    copy, any_stored = psycopg.Cursor.copy, load._any_stored

    def counted_copy(cursor, statement, *args, **kwargs):
        seen["copies"] += str(statement).startswith("COPY door_count")
        return copy(cursor, statement, *args, **kwargs)

    def counted_check(*args):
        seen["checks"] += 1
        return any_stored(*args)

    monkeypatch.setattr(psycopg.Cursor, "copy", counted_copy)
    monkeypatch.setattr(load, "_any_stored", counted_check)
    return seen


def test_a_time_ordered_file_streams_through_one_copy(
    engine, config_in_tmp, tmp_path, monkeypatch, statements
):
    """PostgreSQL checks once and COPYs all chunks in one statement, also when a
    chunk ends half-way through a bin's doors; a door that starts later is
    checked on its own, and the rows stream on."""
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 90)
    monkeypatch.setattr(pipeline, "STREAM_RECORDS", 45)  # 22.5 bins of 2 doors
    lines = counter_lines(date(2025, 5, 5), 2)
    path = write(tmp_path / "may-5-6.csv", lines)
    result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert (result.rows_read, result.rows_loaded, result.rows_unchanged) == (
        384,
        384,
        0,
    )
    if engine.dialect.name == "postgresql":
        assert statements == {"copies": 1, "checks": 1}
    later = write(
        tmp_path / "may-7-8.csv",
        counter_lines(date(2025, 5, 7), 1) + counter_lines(date(2025, 5, 8), 1, 3),
    )
    result = ingest_file(engine, config_in_tmp, later, "figeholm", "door")
    assert (result.rows_read, result.rows_loaded, result.rows_unchanged) == (
        480,
        480,
        0,
    )
    if engine.dialect.name == "postgresql":  # Dörr 2: a check and a second COPY
        assert statements == {"copies": 1 + 2, "checks": 1 + 2}
    rows, raw, daily = totals(engine)
    assert rows == 384 + 480
    assert raw == daily == 9 * (48 * 2 + 48 * 5)


def test_a_long_stream_takes_a_new_copy_without_a_new_check(
    engine, config_in_tmp, tmp_path, monkeypatch, statements
):
    """PostgreSQL keeps a COPY's rows for the office check until it ends, so a
    long stream goes on in a new COPY now and then; the proof holds."""
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 45)
    monkeypatch.setattr(load, "ROWS_PER_COPY", 90)  # two chunks a COPY
    path = write(tmp_path / "may.csv", counter_lines(date(2025, 5, 5), 1))
    result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert (result.rows_read, result.rows_loaded) == (192, 192)
    if engine.dialect.name == "postgresql":  # chunks of 45, 45, 45, 45, 12 rows
        assert statements == {"copies": 3, "checks": 1}
    rows, raw, daily = totals(engine)
    assert rows == 192 and raw == daily == 2 * (48 * 2 + 48 * 5)


def test_chunks_back_in_time_or_over_stored_rows_are_checked_again(
    engine, config_in_tmp, tmp_path, monkeypatch
):
    """A file over stored rows and going back in time: every row is stored once,
    counted loaded when new or changed and unchanged otherwise."""
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 45)
    stored = write(tmp_path / "may-6.csv", counter_lines(date(2025, 5, 6), 1))
    ingest_file(engine, config_in_tmp, stored, "figeholm", "door")
    repeated = counter_lines(date(2025, 5, 9), 1)[:10]
    for number in (0, 3, 4, 9):  # four of the ten given again with new counts
        repeated[number] = repeated[number].rsplit(";", 2)[0] + ";70;7"
    may_9 = counter_lines(date(2025, 5, 9), 1)
    lines = [
        *may_9[:45],  # the first chunk
        *counter_lines(date(2025, 5, 6), 2),  # back in time, over the stored May 6
        *counter_lines(date(2025, 5, 5), 1),  # back in time
        *may_9[45:],
        *counter_lines(date(2025, 5, 8), 1),
        *repeated,  # back to bins written earlier in the file
    ]
    path = write(tmp_path / "mixed.csv", lines)
    result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert (result.rows_read, result.rows_loaded, result.rows_unchanged) == (
        5 * 192 + 10,
        4 * 192 + 4,
        192 + 6,
    )
    rows, raw, daily = totals(engine)
    assert rows == 5 * 192
    changed = sum(70 - entries(15 * (n // 2)) for n in (0, 3, 4, 9))
    assert raw == daily == 5 * 2 * (48 * 2 + 48 * 5) + changed


def test_rows_quarantined_while_streaming_are_stored_with_their_reasons(
    engine, config_in_tmp, tmp_path, monkeypatch, statements
):
    """More bad rows than a chunk: they are written half-way, between two parts
    of the COPY, and the rows stream on without a new range check."""
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 45)
    lines = counter_lines(date(2025, 5, 5), 2)
    bad = range(5, len(lines), 8)
    for number in bad:
        lines[number] = lines[number].rsplit(";", 2)[0] + ";trasig;0"
    path = write(tmp_path / "bad.csv", lines)
    result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        384,
        384 - len(bad),
        len(bad),
    )
    with engine.connect() as conn:
        file_id = conn.scalar(sa.select(t.SourceFile.id))
        stored = conn.execute(
            sa.select(
                t.QuarantinedRow.source_file_id,
                t.QuarantinedRow.row_number,
                t.QuarantinedRow.column,
                t.QuarantinedRow.raw,
            ).order_by(t.QuarantinedRow.row_number)
        ).all()
        reasons = conn.scalars(sa.select(t.QuarantinedRow.reason)).all()
    # line 1 is the header
    assert stored == [(file_id, n + 2, "In", lines[n]) for n in bad]
    assert all("not a count" in reason and "trasig" in reason for reason in reasons)
    if engine.dialect.name == "postgresql":
        assert statements == {"copies": 2, "checks": 1}
    assert totals(engine)[0] == 384 - len(bad)


def test_a_streamed_file_loaded_again_changes_nothing(
    engine, config_in_tmp, tmp_path, monkeypatch
):
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 45)
    path = write(tmp_path / "may.csv", counter_lines(date(2025, 5, 5), 2))
    first = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    again = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert (first.status, again.status) == ("loaded", "already_loaded")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes() + b"\n")  # new SHA, same rows
    result = ingest_file(engine, config_in_tmp, copy, "figeholm", "door")
    assert (result.status, result.rows_loaded, result.rows_unchanged) == (
        "loaded",
        0,
        384,
    )
    rows, raw, daily = totals(engine)
    assert rows == 384 and raw == daily == 2 * 2 * (48 * 2 + 48 * 5)


@pytest.mark.parametrize("failure", [RuntimeError("disk gone"), FileRejected("bad")])
def test_a_failure_while_streaming_leaves_nothing(
    engine, config_in_tmp, tmp_path, monkeypatch, failure
):
    """The reader fails half-way, with rows in the open COPY: the transaction
    rolls back (a failed file is recorded as rejected), nothing else stays,
    and the file loads in full afterwards."""
    monkeypatch.setattr(pipeline, "CHUNK_RECORDS", 45)
    read = DoorCounterReader.read

    def failing(reader, path, context):
        yield from islice(read(reader, path, context), 200)
        raise failure

    monkeypatch.setattr(DoorCounterReader, "read", failing)
    path = write(tmp_path / "may.csv", counter_lines(date(2025, 5, 5), 2))
    if isinstance(failure, FileRejected):
        result = ingest_file(engine, config_in_tmp, path, "figeholm", "door")
        assert (result.status, result.rows_loaded) == ("rejected", 0)
    else:
        with pytest.raises(RuntimeError, match="disk gone"):
            ingest_file(engine, config_in_tmp, path, "figeholm", "door")
    assert totals(engine) == (0, None, None)
    monkeypatch.setattr(DoorCounterReader, "read", read)
    copy = tmp_path / "again.csv"  # new SHA: a rejected file is not read again
    copy.write_bytes(path.read_bytes() + b"\n")
    result = ingest_file(engine, config_in_tmp, copy, "figeholm", "door")
    assert (result.status, result.rows_loaded) == ("loaded", 384)


def test_a_streamed_copy_with_an_unknown_office_is_refused(engine):
    """PostgreSQL: the statement trigger checks the office when the COPY ends,
    over all the chunks streamed into it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's COPY")
    import psycopg

    model, key = load.NATURAL_KEYS["door"]
    fields = ("door", "period_start", "minutes", "entries", "exits")
    t0 = datetime(2025, 5, 5, 6, 0, tzinfo=UTC)
    rows = [("Entré", t0 + timedelta(minutes=15 * i), 15, 1, 0) for i in range(8)]
    constants = {"office_id": "kalmar-c", "source_file_id": None}
    with pytest.raises(psycopg.errors.ForeignKeyViolation), engine.begin() as conn:
        new_rows = load.NewRowsCopy(conn, model, key, constants)
        assert new_rows.write(fields, rows[:4]) and new_rows.write(fields, rows[4:])
        new_rows.pause()
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(t.DoorCount)) == 0
