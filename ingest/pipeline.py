"""One received file, from bytes to rows, with the guarantees users rely on.

1. The file is identified by SHA-256 and archived unchanged (``archive_dir``).
2. A file already recorded for that office and kind is not loaded again.
3. Everything the file changes happens in ONE transaction: its ``source_file``
   row, the upserted records, the quarantined rows and the rollups. A crash
   (even kill -9) leaves nothing half-loaded, and the next run loads it again.
4. Every input row is loaded, unchanged or quarantined, never dropped:
   ``rows_read == rows_loaded + rows_unchanged + rows_quarantined``.
5. A file that cannot be read at all is recorded as rejected, with the reason.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ingest import load, rollups
from ingest.base import (
    KINDS,
    Coverage,
    FileRejected,
    Item,
    ReadContext,
    ReadOutput,
    Records,
    RowError,
)
from ingest.privacy import load_key, pseudonymiser
from ingest.registry import detect, reader_for
from models import tables as t
from models.config import Office, ProgrammeConfig, resolve_path

CHUNK_RECORDS = 20_000
# while new rows stream into an open COPY (PostgreSQL) a chunk costs no
# statement, and small chunks keep the server at work while the next is
# parsed: it only gets what was written, and the ~200 kB a socket buffers
# last it a few milliseconds, not the parsing of 20,000 records
STREAM_RECORDS = 2_000
# the fields whose times bound what a file touched: its rollups are refreshed
# from the first start to the last end (the other kinds have no rollups)
SPAN_FIELDS = {
    "door": ("period_start", "period_start"),
    "bookings": ("start_at", "end_at"),
}
# kinds whose files can hold millions of rows take the staging-table path
BULK_KINDS = ("door",)
MAX_ERRORS_REPORTED = 1000  # all are quarantined; this many are listed in the result


@dataclass
class FileResult:
    file: str
    sha256: str
    kind: str
    format: str = ""
    status: str = "loaded"  # loaded | already_loaded | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_unchanged: int = 0
    rows_quarantined: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    repeated: bool = False  # recorded by an earlier run; nothing new happened

    @property
    def newly_rejected(self) -> bool:
        return self.status == "rejected" and not self.repeated

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["repeated"]
        data["errors"] = [
            {"row": e["row_number"], "column": e["column"], "reason": e["reason"]}
            for e in self.errors
        ]
        return data


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def archive(
    config: ProgrammeConfig, path: Path, office_id: str, kind: str, sha: str
) -> Path:
    """Copy the file, unchanged, to archive/<office>/<kind>/<sha[:2]>/<sha><suffix>."""
    folder = (
        resolve_path(config, config.ingest.archive_dir) / office_id / kind / sha[:2]
    )
    target = folder / f"{sha}{path.suffix.lower()}"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # a name of its own: two processes archiving the same file at once must
        # not rename each other's partial copy away (FileNotFoundError)
        partial = target.with_name(f"{target.name}.{uuid.uuid4().hex}.part")
        shutil.copyfile(path, partial)
        partial.replace(target)  # atomic: the archive never holds half a file
    return target


def ingest_file(
    engine: sa.Engine,
    config: ProgrammeConfig,
    path: Path,
    office_id: str,
    kind: str,
    fmt: str = "auto",
    *,
    options: dict[str, Any] | None = None,
    run_id: int | None = None,
    received_at: datetime | None = None,
) -> FileResult:
    """Load one file for one office; see the module docstring for the guarantees."""
    office = config.office(office_id)  # KeyError names the configured offices
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    sha = file_sha256(path)
    result = FileResult(file=str(path), sha256=sha, kind=kind)
    stored = _stored_file(engine, office_id, kind, sha)
    if stored is not None:
        return _already_loaded(result, stored)
    archived = archive(config, path, office_id, kind, sha)
    options = dict(options or {})
    if kind == "members":
        # the register may only hold what the office sells, at its list prices
        options.setdefault(
            "office_membership_types",
            {m.id: m.monthly_price for m in office.membership_types},
        )
    context = ReadContext(
        office_id=office.id,
        timezone=ZoneInfo(config.timezone),
        file_name=path.name,
        received_at=received_at or datetime.now(UTC),
        horizon_days=config.ingest.recurrence_horizon_days,
        options=options,
        pseudonymise=pseudonymiser(load_key(config)),
    )
    try:
        reader = detect(kind, archived) if fmt == "auto" else reader_for(kind, fmt)
        result.format = reader.format
        with _cyclic_gc_paused(), engine.begin() as conn:
            _load(
                conn,
                reader.read(archived, context),
                result,
                archived,
                path,
                context,
                run_id,
            )
    except FileRejected as exc:
        result.status, result.message = "rejected", str(exc)
        result.rows_read = result.rows_loaded = result.rows_unchanged = 0
        result.rows_quarantined, result.errors = 0, []
        _record_rejected(engine, result, archived, path, office_id, run_id)
    except sa.exc.IntegrityError:
        # another process loaded the same file meanwhile (PostgreSQL); its
        # transaction won, ours was rolled back: nothing is double-loaded
        stored = _stored_file(engine, office_id, kind, sha)
        if stored is None:
            raise
        return _already_loaded(result, stored)
    return result


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file loads.

    A big file allocates millions of rows, records and items, many of them alive
    until their chunk is written; the collector would traverse them over and
    over (a fifth of the CPU time of a 1M-row counter file). They hold no
    reference cycles, so reference counting frees them and memory stays bounded;
    the few cycles other readers may leave are collected once it runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _stored_file(engine: sa.Engine, office_id: str, kind: str, sha: str):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(t.SourceFile.__table__).where(
                t.SourceFile.office_id == office_id,
                t.SourceFile.kind == kind,
                t.SourceFile.sha256 == sha,
            )
        ).first()


def _already_loaded(result: FileResult, stored: Any) -> FileResult:
    result.format = stored.format
    result.repeated = True
    result.status = "already_loaded" if stored.status == "loaded" else stored.status
    result.message = (
        f"this file was already {stored.status} on "
        f"{stored.received_at:%Y-%m-%d %H:%M} UTC; nothing changed"
    )
    return result


def _record_rejected(engine, result, archived, path, office_id, run_id) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(t.SourceFile.__table__).values(
                _file_row(result, archived, path, office_id, run_id)
            )
        )


def _file_row(
    result: FileResult,
    archived: Path,
    path: Path,
    office_id: str,
    run_id: int | None,
    received_at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "office_id": office_id,
        "kind": result.kind,
        "format": result.format,
        "sha256": result.sha256,
        "original_name": path.name,
        "archived_path": str(archived),
        "size_bytes": archived.stat().st_size,
        "received_at": received_at or datetime.now(UTC),
        "status": result.status,
        "message": result.message,
        "ingest_run_id": run_id,
    }


def _load(conn, outputs, result, archived, path, context, run_id) -> None:
    file_id = conn.execute(
        sa.insert(t.SourceFile.__table__)
        .values(
            _file_row(
                result, archived, path, context.office_id, run_id, context.received_at
            )
        )
        .returning(t.SourceFile.id)
    ).scalar_one()
    with _FileLoader(conn, result, file_id, context) as loader:
        for output in outputs:
            loader.add(output)
        loader.finish()
    result.rows_read = (
        result.rows_loaded + result.rows_unchanged + result.rows_quarantined
    )
    if result.rows_read == 0:
        raise FileRejected("the file holds no data rows")
    conn.execute(
        sa.update(t.SourceFile.__table__)
        .where(t.SourceFile.id == file_id)
        .values(
            status="loaded",
            rows_read=result.rows_read,
            rows_loaded=result.rows_loaded,
            rows_unchanged=result.rows_unchanged,
            rows_quarantined=result.rows_quarantined,
        )
    )


class _FileLoader:
    """Buffers a reader's output and writes it in chunks within one transaction."""

    def __init__(
        self,
        conn: sa.Connection,
        result: FileResult,
        file_id: int,
        context: ReadContext,
    ):
        self.conn, self.result, self.file_id, self.context = (
            conn,
            result,
            file_id,
            context,
        )
        self.kind = result.kind
        self.bulk = self.kind in BULK_KINDS
        self.model, self.key = load.NATURAL_KEYS[self.kind]
        self.items: list[Item] = []
        self.chunk = _BulkChunk()  # the bulk kinds' records, instead of items
        self.errors: list[dict[str, Any]] = []
        self.pending = 0
        self.chunk_records = CHUNK_RECORDS  # pending records that make a chunk
        self.coverages: list[Coverage] = []
        self.seen_ids: dict[str, set[str]] = {}
        self.span: list[datetime] = []
        self.constants = {"office_id": context.office_id, "source_file_id": file_id}
        # PostgreSQL: a bulk kind's new rows stream through one open COPY
        self.new_rows: load.NewRowsCopy | None = None
        if self.bulk and conn.dialect.name == "postgresql":
            load.lock_for_bulk_load(conn, self.model, context.office_id)
            self.new_rows = load.NewRowsCopy(conn, self.model, self.key, self.constants)

    def __enter__(self) -> _FileLoader:
        return self

    def __exit__(self, error_type: type | None, error: BaseException | None, _) -> None:
        if error is not None and self.new_rows is not None:
            self.new_rows.abort(error)  # the transaction cannot roll back mid-COPY

    def add(self, output: ReadOutput) -> None:
        if type(output) is Records:
            self.chunk.add_records(output)
            self.pending += len(output.rows)
        elif type(output) is Item:
            if self.bulk:  # the bulk path adds office and file as constants
                self.chunk.add_item(output)
            else:
                self.items.append(
                    Item(
                        output.row,
                        [self._complete(r) for r in output.records],
                        output.weight,
                    )
                )
            self.pending += len(output.records)
        elif isinstance(output, RowError):
            self._quarantine(output)
        else:
            self.coverages.append(output)
        if self.pending >= self.chunk_records:
            self._flush()

    def _quarantine(self, error: RowError) -> None:
        row = {
            "row_number": error.row,
            "column": error.column[:200],
            "reason": error.reason,
            "raw": error.raw,
        }
        if len(self.result.errors) < MAX_ERRORS_REPORTED:
            self.result.errors.append(row)
        self.result.rows_quarantined += 1
        self.errors.append(row)
        if len(self.errors) >= CHUNK_RECORDS:
            self._write_errors()

    def _write_errors(self) -> None:
        """Quarantine the rows buffered so far. A bulk kind does so once a
        chunk's worth is buffered and at the end, not with every chunk: the
        statement ends a COPY that new rows stream into."""
        if self.new_rows is not None:
            self.new_rows.pause()
        load.quarantine(self.conn, self.file_id, self.errors)
        self.errors = []

    def _flush(self) -> None:
        if self.bulk:
            self._flush_bulk()
            return
        self._write_errors()
        records = _last_wins(
            [record for item in self.items for record in item.records], self.key
        )
        if self.kind == "survey":
            changed = load.upsert_survey(self.conn, records) if records else set()
        else:
            changed = load.upsert(self.conn, self.model, self.key, records)
        for item in self.items:
            if any(load.key_of(r, self.key) in changed for r in item.records):
                self.result.rows_loaded += item.weight
            else:
                self.result.rows_unchanged += item.weight
        self._track_span(records)
        self.items, self.pending = [], 0

    def _flush_bulk(self) -> None:
        chunk, self.chunk, self.pending = self.chunk, _BulkChunk(), 0
        if chunk.rows:
            start, end = map(chunk.fields.index, SPAN_FIELDS[self.kind])
            self._widen_span(
                min(map(itemgetter(start), chunk.rows)),
                max(map(itemgetter(end), chunk.rows)),
            )
        model, key, result = self.model, self.key, self.result
        args = (chunk.fields, chunk.rows)
        constants = self.constants
        sqlite = self.conn.dialect.name == "sqlite"
        if sqlite and chunk.one_record_each and chunk.unit_weights:
            # one row in, one row out: the number of changed rows is all we need
            changed_rows = load.direct_upsert_sqlite(
                self.conn, model, key, *args, constants
            )
            result.rows_loaded += changed_rows
            result.rows_unchanged += len(chunk.rows) - changed_rows
        elif (
            self.new_rows is not None
            and chunk.one_record_each
            and self.new_rows.write(*args)
        ):
            # every record was new, so every item (and the rows merged in it) loaded
            result.rows_loaded += sum(chunk.weights)
        else:
            if self.new_rows is not None:
                self.new_rows.forget()  # these rows are written past its proof
            changed = load.stage_upsert(
                self.conn, model, key, *args, chunk.owners, constants
            )
            for number, weight in enumerate(chunk.weights):
                if number in changed:
                    result.rows_loaded += weight
                else:
                    result.rows_unchanged += weight
        streaming = self.new_rows is not None and self.new_rows.streaming
        self.chunk_records = (
            min(STREAM_RECORDS, CHUNK_RECORDS) if streaming else CHUNK_RECORDS
        )

    def _complete(self, record: dict[str, Any]) -> dict[str, Any]:
        record = {
            "office_id": self.context.office_id,
            **record,
            "source_file_id": self.file_id,
        }
        if self.kind == "bookings":
            record["updated_at"] = datetime.now(UTC)
            self.seen_ids.setdefault(record["source"], set()).add(record["external_id"])
        return record

    def _track_span(self, records: list[dict[str, Any]]) -> None:
        if self.kind in SPAN_FIELDS and records:
            start, end = SPAN_FIELDS[self.kind]
            self._widen_span(
                min(r[start] for r in records), max(r[end] for r in records)
            )

    def _widen_span(self, first: datetime, last: datetime) -> None:
        """The rollups are refreshed for the time the file touched."""
        if self.span:
            first, last = min(first, self.span[0]), max(last, self.span[1])
        self.span = [first, last]

    def finish(self) -> None:
        self._flush()
        self._write_errors()  # and the COPY ends: statements follow
        zone = self.context.timezone
        for coverage in self.coverages:
            removed = load.mark_removed(
                self.conn,
                self.context.office_id,
                coverage.source,
                coverage.start,
                coverage.end,
                self.seen_ids.get(coverage.source, set()),
            )
            if removed:
                self.span = [
                    min([coverage.start] + self.span[:1]),
                    max([coverage.end] + self.span[1:]),
                ]
        if not self.span:
            return
        start, end = self.span[0], self.span[1] + rollups.HOUR
        if self.bulk:
            load.refresh_statistics(self.conn, self.model, self.result.rows_loaded)
        if self.kind == "door":
            rollups.refresh_door(self.conn, self.context.office_id, start, end, zone)
        elif self.kind == "bookings":
            rollups.refresh_bookings(
                self.conn, self.context.office_id, start, end, zone
            )


class _BulkChunk:
    """A bulk kind's records as tuples, with the item each came from."""

    def __init__(self) -> None:
        self.fields: tuple[str, ...] = ()  # the first output's, kept for the chunk
        self.rows: list[tuple[Any, ...]] = []
        self.owners: list[int] = []  # rows[i] came from item owners[i]
        self.weights: list[int] = []  # input rows per item
        self.one_record_each = True
        self.unit_weights = True

    def add_records(self, batch: Records) -> None:
        first = len(self.weights)
        self.fields = self.fields or batch.fields
        if batch.fields == self.fields:
            self.rows.extend(batch.rows)
        else:
            reorder = itemgetter(*map(batch.fields.index, self.fields))
            self.rows.extend(map(reorder, batch.rows))
        self.owners.extend(range(first, first + len(batch.rows)))
        self.weights.extend([1] * len(batch.rows))

    def add_item(self, item: Item) -> None:
        number = len(self.weights)
        self.weights.append(item.weight)
        self.one_record_each &= len(item.records) == 1
        self.unit_weights &= item.weight == 1
        for record in item.records:
            self.fields = self.fields or tuple(record)
            self.rows.append(tuple(record[field] for field in self.fields))
            self.owners.append(number)


def _last_wins(records: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict]:
    """Within one chunk, a later record for the same key replaces an earlier one
    (an upsert statement cannot touch the same row twice)."""
    unique: dict[tuple, dict] = {}
    for record in records:
        unique[load.key_of(record, key)] = record
    return list(unique.values())


def drop_folders(
    config: ProgrammeConfig, office: Office
) -> list[tuple[str, Path, str, dict[str, Any]]]:
    """(kind, folder, format, options) of an office's drop folders.

    A kind's folder is the one its ``sources`` entry names, else the default
    ``<inbox_dir>/<office>/<kind>/``; a URL feed's downloads land in the default.
    """
    folders = []
    for kind in KINDS:
        sources = [s for s in office.sources if s.kind == kind]
        configured = [s for s in sources if s.folder]
        for source in configured:
            folders.append(
                (
                    kind,
                    resolve_path(config, source.folder),
                    source.format,
                    dict(source.options),
                )
            )
        if not configured:
            source = sources[0] if sources else None
            folders.append(
                (
                    kind,
                    resolve_path(config, config.ingest.inbox_dir) / office.id / kind,
                    source.format if source else "auto",
                    dict(source.options) if source else {},
                )
            )
    return folders


def inbox_files(
    config: ProgrammeConfig, office_id: str | None = None
) -> Iterator[tuple[str, str, Path, str, dict[str, Any]]]:
    """(office, kind, path, format, options) for every file in the drop folders."""
    for office in config.offices:
        if office_id and office.id != office_id:
            continue
        for kind, folder, fmt, options in drop_folders(config, office):
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith((".", "~$")):
                    yield office.id, kind, path, fmt, options
