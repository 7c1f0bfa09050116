"""Idempotent loads: upsert records on their natural keys, inside the caller's
transaction, and tell which records actually changed.

An upsert only rewrites a row when a value differs (``ON CONFLICT DO UPDATE ...
WHERE old IS DISTINCT FROM new``) and returns the keys it inserted or updated, so
a re-load of the same rows changes nothing and is counted as *unchanged*.
The same statement works on SQLite (≥ 3.35) and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from itertools import count, repeat
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from models import tables as t

# natural key of each loaded table (a UNIQUE constraint or the primary key)
NATURAL_KEYS: dict[str, tuple[type[t.Base], tuple[str, ...]]] = {
    "bookings": (t.Booking, ("office_id", "source", "external_id")),
    "members": (t.Membership, ("office_id", "member_pseudonym", "start_date")),
    "door": (t.DoorCount, ("office_id", "door", "period_start")),
    "survey": (t.SurveyResponse, ("office_id", "survey_id", "response_id")),
}
# columns that record where a row came from, not what it says
PROVENANCE = ("source_file_id", "updated_at")


def key_of(record: dict[str, Any], key: Sequence[str]) -> tuple[Any, ...]:
    """A record's natural key, comparable with keys the database returns."""
    return tuple(_comparable(record[column]) for column in key)


def _comparable(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    return dialect.insert(table)


def upsert(
    conn: sa.Connection,
    model: type[t.Base],
    key: Sequence[str],
    records: list[dict[str, Any]],
) -> set[tuple[Any, ...]]:
    """Insert or update ``records``; return the keys of rows that changed."""
    if not records:
        return set()
    table = model.__table__
    insert = _insert(conn, table)
    columns = [c for c in records[0] if c not in key]
    compared = [c for c in columns if c not in PROVENANCE]
    statement = insert.on_conflict_do_update(
        index_elements=list(key),
        set_={column: insert.excluded[column] for column in columns},
        where=sa.or_(
            *(table.c[c].is_distinct_from(insert.excluded[c]) for c in compared)
        ),
    ).returning(*(table.c[column] for column in key))
    result = conn.execute(statement, records)
    return {tuple(_comparable(v) for v in row) for row in result}


def upsert_survey(
    conn: sa.Connection, records: list[dict[str, Any]]
) -> set[tuple[Any, ...]]:
    """Responses with their answers; a response counts as changed if any answer did."""
    model, key = NATURAL_KEYS["survey"]
    responses = [{k: v for k, v in r.items() if k != "answers"} for r in records]
    table = model.__table__
    insert = _insert(conn, table)
    columns = [c for c in responses[0] if c not in key]
    statement = insert.on_conflict_do_update(
        index_elements=list(key),
        set_={column: insert.excluded[column] for column in columns},
    ).returning(table.c.id, *(table.c[column] for column in key))
    ids = {
        tuple(_comparable(v) for v in row[1:]): row[0]
        for row in conn.execute(statement, responses)
    }
    changed = set()
    for record in records:
        response_key = key_of(record, key)
        if _replace_answers(conn, ids[response_key], record["answers"]):
            changed.add(response_key)
    return changed


def _replace_answers(
    conn: sa.Connection, response_id: int, answers: list[dict[str, Any]]
) -> bool:
    answer = t.SurveyAnswer.__table__
    columns = ("question", "measure", "raw", "value")
    stored = conn.execute(
        sa.select(*(answer.c[c] for c in columns)).where(
            answer.c.response_id == response_id
        )
    ).all()
    wanted = [tuple(a.get(c) for c in columns) for a in answers]
    if sorted(map(tuple, stored), key=repr) == sorted(wanted, key=repr):
        return False
    conn.execute(sa.delete(answer).where(answer.c.response_id == response_id))
    if answers:
        conn.execute(
            sa.insert(answer),
            [
                {"response_id": response_id, **dict(zip(columns, a, strict=True))}
                for a in wanted
            ],
        )
    return True


def mark_removed(
    conn: sa.Connection,
    office_id: str,
    source: str,
    start: datetime,
    end: datetime,
    present: Iterable[str],
) -> int:
    """Bookings of a snapshot source in [start, end) that the file no longer has."""
    booking = t.Booking.__table__
    stored = conn.execute(
        sa.select(booking.c.id, booking.c.external_id).where(
            booking.c.office_id == office_id,
            booking.c.source == source,
            booking.c.start_at >= start,
            booking.c.start_at < end,
            booking.c.status != "removed",
        )
    ).all()
    keep = set(present)
    gone = [row.id for row in stored if row.external_id not in keep]
    for chunk in _chunks(gone, 500):
        conn.execute(
            sa.update(booking)
            .where(booking.c.id.in_(chunk))
            .values(status="removed", updated_at=datetime.now(UTC))
        )
    return len(gone)


def quarantine(
    conn: sa.Connection, source_file_id: int, errors: list[dict[str, Any]]
) -> None:
    if errors:
        conn.execute(
            sa.insert(t.QuarantinedRow),
            [{"source_file_id": source_file_id, **error} for error in errors],
        )


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- the bulk path: staging table + set-based upsert --------------------------------
#
# For large files (door counts: a year of 15-minute bins is 35k rows a door) the
# rows go to a temporary staging table in bulk (sqlite3 executemany / PostgreSQL
# COPY), and a few set-based statements do the rest. This is ~10x faster than
# binding each row through the ORM-level upsert above, with the same result.

STAGE = "ingest_stage"


class _StoredTimes(dict[datetime, Any]):
    """Aware datetime -> what the driver stores for a UTCDateTime column, as
    ``stored[value]``. Each distinct instant is converted once (a counter file
    repeats them per door); a repeat is one dict lookup, without a Python call."""

    def __init__(self, sqlite_dialect: bool):
        super().__init__()
        self.sqlite_dialect = sqlite_dialect

    def __missing__(self, value: datetime) -> Any:
        naive = value.astimezone(UTC).replace(tzinfo=None)
        # SQLAlchemy's text format for SQLite DATETIME, so keys compare as text
        stored = naive.isoformat(" ", "microseconds") if self.sqlite_dialect else naive
        self[value] = stored
        return stored


def _create_stage(conn: sa.Connection, table: sa.Table, columns: list[str]) -> None:
    dialect = conn.dialect
    typed = ", ".join(
        f"{name} {table.c[name].type.compile(dialect=dialect)}" for name in columns
    )
    if dialect.name == "sqlite":
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} "
            f"(seq INTEGER, item_no INTEGER, changed BOOLEAN, {typed})"
        )
        conn.exec_driver_sql(f"DELETE FROM {STAGE}")
    else:
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} "
            f"(seq INTEGER, item_no INTEGER, changed BOOLEAN, {typed}) ON COMMIT DROP"
        )
        conn.exec_driver_sql(f"TRUNCATE {STAGE}")


def _fill_stage(
    conn: sa.Connection, table: sa.Table, columns: list[str], rows: Iterable[tuple]
) -> None:
    names = ", ".join(["seq", "item_no", *columns])
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" * (len(columns) + 2))
        conn.connection.driver_connection.executemany(
            f"INSERT INTO {STAGE} ({names}) VALUES ({marks})", rows
        )
        return
    types = ["integer", "integer", *_type_names(conn, table, columns)]
    _copy(conn, f"{STAGE} ({names})", types, rows)


def _type_names(conn: sa.Connection, table: sa.Table, columns: list[str]) -> list[str]:
    """PostgreSQL type names of ``columns`` as psycopg knows them (no lengths)."""
    return [
        re.sub(r"\(.*\)", "", table.c[c].type.compile(dialect=conn.dialect)).lower()
        for c in columns
    ]


def _copy(conn: sa.Connection, target: str, types: list[str], rows: Iterable) -> None:
    """PostgreSQL binary COPY: psycopg packs values in C, the server parses no
    text (a quarter of the client's CPU time of a text COPY)."""
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {target} FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _by_field(fields: Sequence[str], rows: list[tuple]) -> dict[str, tuple]:
    """The rows' values per field: one transposition in C, so the steps below
    work on whole columns instead of looping over rows in Python."""
    return dict(zip(fields, zip(*rows, strict=True), strict=True))


def _driver_rows(
    conn: sa.Connection,
    table: sa.Table,
    values: dict[str, tuple],
    constants: dict[str, Any],
    *leading: Iterable[Any],
) -> Iterator[tuple]:
    """Rows as the driver takes them: the ``leading`` columns, the constants,
    then the fields, with times in their stored form. Each distinct instant is
    converted once (a counter file repeats it per door)."""
    convert = _StoredTimes(conn.dialect.name == "sqlite")
    columns = [
        map(convert.__getitem__, column)
        if isinstance(table.c[name].type, t.UTCDateTime)
        else column
        for name, column in values.items()
    ]
    # not strict: the constants (and a leading count()) repeat without end
    return zip(*leading, *map(repeat, constants.values()), *columns, strict=False)


def stage_upsert(
    conn: sa.Connection,
    model: type[t.Base],
    key: Sequence[str],
    fields: Sequence[str],
    rows: list[tuple],
    item_numbers: Sequence[int],
    constants: dict[str, Any],
) -> set[int]:
    """Upsert ``rows`` (tuples in ``fields`` order, plus ``constants`` in every
    row) in bulk; return the item numbers whose rows changed.

    ``item_numbers[i]`` is the item that ``rows[i]`` came from. Within the
    chunk a later row for the same key replaces an earlier one.
    """
    if not rows:
        return set()
    table = model.__table__
    columns = [*constants, *fields]
    sqlite_dialect = conn.dialect.name == "sqlite"
    values = _by_field(fields, rows)
    _create_stage(conn, table, columns)
    _fill_stage(
        conn,
        table,
        columns,
        _driver_rows(conn, table, values, constants, count(), item_numbers),
    )
    keys = ", ".join(key)
    same_key = " AND ".join(f"t.{k} = s.{k}" for k in key)
    compared = [c for c in columns if c not in key and c not in PROVENANCE]
    same_values = " AND ".join(
        f"t.{c} IS {'' if sqlite_dialect else 'NOT DISTINCT FROM '}s.{c}"
        for c in compared
    )
    conn.exec_driver_sql(
        f"DELETE FROM {STAGE} WHERE seq NOT IN "
        f"(SELECT max(seq) FROM {STAGE} GROUP BY {keys})"
    )
    conn.exec_driver_sql(
        f"UPDATE {STAGE} AS s SET changed = NOT EXISTS "
        f"(SELECT 1 FROM {table.name} AS t WHERE {same_key} AND {same_values})"
    )
    changed = {
        row[0]
        for row in conn.exec_driver_sql(
            f"SELECT DISTINCT item_no FROM {STAGE} WHERE changed"
        )
    }
    names = ", ".join(columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {STAGE} "
        f"WHERE changed ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    )
    return changed


# below this many rows, ANALYZE (a fixed ~0.1 s sample) costs more than it saves
ANALYZE_AFTER_ROWS = 100_000


def refresh_statistics(
    conn: sa.Connection, model: type[t.Base], rows_written: int
) -> None:
    """PostgreSQL, after a big load: update the planner's statistics of the
    table before the rollups read the new rows back.

    The statistics know nothing of rows this transaction wrote, so the planner
    expects a handful and reads a million through the index and sorts them on
    disk (0.8 s per million rows, against 0.3 s for the scan and hash it picks
    once it knows). ANALYZE sees the transaction's own rows; its lock only
    keeps another ANALYZE or VACUUM of the table waiting until commit.
    """
    if conn.dialect.name == "postgresql" and rows_written >= ANALYZE_AFTER_ROWS:
        conn.exec_driver_sql(f"ANALYZE {model.__tablename__}")


def lock_for_bulk_load(
    conn: sa.Connection, model: type[t.Base], office_id: str
) -> None:
    """PostgreSQL: one bulk load of an office's rows of ``model`` at a time,
    until commit. ``NewRowsCopy`` checks that a range is free and then COPYs
    into it; another file's uncommitted rows in that range would make the COPY
    fail, where the staging path's upsert would have waited and updated them."""
    name = f"{model.__tablename__}:{office_id}"
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(name))))


# door_count's office trigger gets a COPY's rows when it ends, kept until then
# in a transition table (on disk past work_mem, ~60 MB a million rows): a new
# COPY every 200,000 rows bounds that, for no time measurable in a 1M-row load
ROWS_PER_COPY = 200_000


class NewRowsCopy:
    """PostgreSQL: COPY a file's chunks straight into the table when none of
    their keys is stored yet and none repeats in the file, through one binary
    COPY kept open from chunk to chunk.

    A counter file usually brings a new stretch of time, in time order. One
    indexed query proves that nothing is stored for a chunk's groups (doors)
    from its first instant on. Later chunks that move on in time need no
    statement: their keys are past that proof, and past every key sent before
    except the previous chunk's, which a set comparison rules out. So the
    server works on a chunk while the next is parsed (the smaller the chunks,
    the more), where a COPY per chunk made each wait for the other. Skipping
    the staging table and its set-based statements makes such a load several
    times faster still.

    Call ``lock_for_bulk_load`` first: the proof holds only while no other load
    writes the office's rows. psycopg runs no other statement on the connection
    while a COPY is open (it would wait forever): ``pause`` before any,
    ``abort`` on an error.
    """

    def __init__(
        self,
        conn: sa.Connection,
        model: type[t.Base],
        key: Sequence[str],
        constants: dict[str, Any],
    ):
        self.conn, self.table, self.key = conn, model.__table__, key
        self.constants = constants
        # a door and an instant: the proof is by group, going forward in time
        self.group, self.moment = [c for c in key if c not in constants]
        self.proof: _Proof | None = None
        self._copy: ExitStack | None = None  # the open COPY, if any
        self._copy_fields: Sequence[str] = ()
        self._copied = 0  # rows in the open COPY
        self._write_row: Any = None

    def write(self, fields: Sequence[str], rows: list[tuple]) -> bool:
        """COPY ``rows`` (tuples in ``fields`` order, plus the constants) if
        their keys are new; return False, having written nothing, otherwise
        (then the staging path upserts them)."""
        if not rows:
            return False
        values = _by_field(fields, rows)
        keys = set(zip(values[self.group], values[self.moment], strict=True))
        if len(keys) < len(rows):
            self.forget()  # a key twice: the staging path lets the later one win
            return False
        first, last = min(values[self.moment]), max(values[self.moment])
        groups = set(values[self.group])
        if not self._proven(keys, groups, first):
            self.forget()
            if not self._any_stored(groups, first):
                self.proof = _Proof(first, groups)
            elif self._any_stored(groups, first, last):
                return False
        self._send(fields, values)
        if self.proof is not None:
            self.proof.advance(keys, last)
        return True

    @property
    def streaming(self) -> bool:
        """Whether chunks that go on in time will stream on without a statement."""
        return self.proof is not None

    def _proven(self, keys: set[tuple], groups: set[str], first: datetime) -> bool:
        """Whether the proof covers the chunk, if need be after checking the
        groups it has not seen (a door that starts counting later)."""
        proof = self.proof
        if proof is None or not proof.follows(keys, first):
            return False
        new = groups - proof.groups
        if new:
            if self._any_stored(new, proof.since):
                return False
            proof.groups |= new
        return True

    def forget(self) -> None:
        """End the COPY and drop the proof: another statement will write the
        table, and rows written past the proof could repeat a key."""
        self.pause()
        self.proof = None

    def _any_stored(
        self, groups: set[str], first: datetime, last: datetime | None = None
    ) -> bool:
        self.pause()  # the check is a statement of its own
        return _any_stored(
            self.conn, self.table, self.key, self.constants, groups, first, last
        )

    def _send(self, fields: Sequence[str], values: dict[str, tuple]) -> None:
        full = self._copied >= ROWS_PER_COPY
        if self._copy is None or fields != self._copy_fields or full:
            self.pause()
            columns = [*self.constants, *fields]
            cursor = self.conn.connection.driver_connection.cursor()
            self._copy = ExitStack()
            copy = self._copy.enter_context(
                cursor.copy(
                    f"COPY {self.table.name} ({', '.join(columns)}) "
                    "FROM STDIN (FORMAT BINARY)"
                )
            )
            copy.set_types(_type_names(self.conn, self.table, columns))
            self._copy_fields, self._write_row = fields, copy.write_row
            self._copied = 0
        self._copied += len(values[self.moment])
        write_row = self._write_row
        for row in _driver_rows(self.conn, self.table, values, self.constants):
            write_row(row)

    def pause(self) -> None:
        """End the open COPY, so the connection can run another statement. The
        proof stays: rows that other statements write elsewhere don't touch it."""
        copy, self._copy = self._copy, None
        if copy is not None:
            copy.close()

    def abort(self, error: BaseException) -> None:
        """Cancel the open COPY, so the transaction can roll back."""
        copy, self._copy = self._copy, None
        if copy is not None:
            copy.__exit__(type(error), error, error.__traceback__)


class _Proof:
    """What one range check proved: no key is stored for ``groups`` from
    ``since`` on. Rows past it stay new as long as none repeats one sent since."""

    def __init__(self, since: datetime, groups: set[str]):
        self.since, self.groups = since, groups
        self.previous: set[tuple] = set()  # the keys of the chunk sent last
        self.previous_last: datetime | None = None
        # the last instant of the chunks before it: every older key is at or before
        self.settled: datetime | None = None

    def follows(self, keys: set[tuple], first: datetime) -> bool:
        """Whether a chunk from ``first`` on repeats no key sent since the check."""
        return (
            first >= self.since
            and (self.settled is None or first > self.settled)
            and keys.isdisjoint(self.previous)
        )

    def advance(self, keys: set[tuple], last: datetime) -> None:
        """A chunk was sent: the one before it joins the settled ones."""
        older = self.previous_last
        if older is not None and (self.settled is None or older > self.settled):
            self.settled = older
        self.previous, self.previous_last = keys, last


def _any_stored(
    conn: sa.Connection,
    table: sa.Table,
    key: Sequence[str],
    constants: dict[str, Any],
    groups: set[str],
    first: datetime,
    last: datetime | None = None,
) -> bool:
    """Whether a row is stored for ``groups`` (doors) from ``first`` on (up to
    ``last``, unless None): one probe of the primary key per group.

    A probe per group, as a LATERAL subquery: with ``door = ANY(...)`` and a
    range open at the end, the planner expects a stored row soon in a
    sequential scan, and reads the table up to the first one (60 ms a check
    in a 1M-row table). Sent unprepared: psycopg prepares a statement after
    five runs, and PostgreSQL's generic plan for it, made without the range,
    read every stored bin of the doors, each chunk more than the last (1.7 s
    of checks for a 1M-row file instead of 0.15 s, growing with the square of
    the file).
    """
    group, moment = [column for column in key if column not in constants]
    convert = _StoredTimes(sqlite_dialect=False)
    fixed = [column for column in key if column in constants]
    conditions = [f"t.{c} = %s" for c in fixed]
    conditions += [f"t.{group} = g.{group}", f"t.{moment} >= %s"]
    params = [sorted(groups), *(constants[c] for c in fixed), convert[first]]
    if last is not None:
        conditions.append(f"t.{moment} <= %s")
        params.append(convert[last])
    query = (
        f"SELECT 1 FROM unnest(%s::text[]) AS g({group}) CROSS JOIN LATERAL "
        f"(SELECT 1 FROM {table.name} AS t WHERE {' AND '.join(conditions)} "
        "LIMIT 1) AS stored LIMIT 1"
    )
    driver = conn.connection.driver_connection
    return driver.execute(query, params, prepare=False).fetchone() is not None


def direct_upsert_sqlite(
    conn: sa.Connection,
    model: type[t.Base],
    key: Sequence[str],
    fields: Sequence[str],
    rows: list[tuple],
    constants: dict[str, Any],
) -> int:
    """SQLite, one row per item: upsert straight into the table in one C loop
    and return how many rows changed (an unchanged row is skipped by the WHERE)."""
    if not rows:
        return 0
    table = model.__table__
    columns = [*constants, *fields]
    compared = [c for c in fields if c not in key and c not in PROVENANCE]
    driver = conn.connection.driver_connection
    before = driver.total_changes
    driver.executemany(
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
        + " WHERE "
        + " OR ".join(f"{table.name}.{c} IS NOT excluded.{c}" for c in compared),
        _driver_rows(conn, table, _by_field(fields, rows), constants),
    )
    return driver.total_changes - before
