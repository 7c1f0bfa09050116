"""Idempotent loads: upsert records on their natural keys, inside the caller's
transaction, and tell which records actually changed.

An upsert only rewrites a row when a value differs (``ON CONFLICT DO UPDATE ...
WHERE old IS DISTINCT FROM new``) and returns the keys it inserted or updated, so
a re-load of the same rows changes nothing and is counted as *unchanged*.
The same statement works on SQLite (≥ 3.35) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
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
