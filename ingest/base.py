"""The one small interface every ingest source implements.

A *reader* turns one received file into a stream of :class:`Item` (records ready
to load, with the input row they came from; or :class:`Records`, a batch of
rows that became one record each) and :class:`RowError` (an input row
that cannot be loaded, with the row number, column and a reason a person
understands). A file that cannot be read at all raises :class:`FileRejected`.

Readers are pure: they never touch the database. ``ingest.load`` archives the
file, upserts the records in one transaction and quarantines the errors.

Counting rule (what users trust): every input row ends up loaded, unchanged or
quarantined, so ``rows_read = loaded + unchanged + quarantined``. An item stands
for ``weight`` input rows: 1 normally, more when a reader merges rows (two
direction rows into one bin, access-log events into a 15-minute count). A row
that is deliberately not data (a blank line, a repeated header) is not a row.

Adding a booking system = one module with a class like this + a REGISTRY entry
in ``ingest.sources`` + a ``sources:`` entry in config.yaml.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from models.tables import SOURCE_KINDS

KINDS = SOURCE_KINDS


class FileRejected(Exception):
    """The whole file cannot be read (binary, empty, wrong kind, unknown format)."""


@dataclass(frozen=True)
class RowError:
    row: int  # as a person counts: first line of the file is row 1
    column: str  # the column (or field, e.g. "DTSTART"); "" for the whole row
    reason: str
    raw: str = ""  # the row's text, so nothing is lost


@dataclass(slots=True)  # not frozen: a frozen dataclass costs ~1 µs a row to build
class Item:
    row: int
    records: list[dict[str, Any]]
    weight: int = 1


@dataclass(slots=True)
class Records:
    """Input rows that each became exactly one record (as an ``Item`` of weight 1
    would), as tuples in ``fields`` order.

    A reader of files with millions of rows yields these in batches: one object
    per batch instead of an ``Item`` and a dict per row, and the bulk loader
    keeps the tuples as they are. Row numbers are not kept: only quarantined
    rows are reported by number.
    """

    fields: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Coverage:
    """The file is the complete state of ``source`` between ``start`` and ``end``.

    Stored bookings of that source in the window that the file no longer holds
    are marked removed (a calendar feed is a snapshot, so a deleted or cancelled
    occurrence must disappear from the figures on the next import).
    """

    source: str
    start: datetime
    end: datetime


ReadOutput = Item | Records | RowError | Coverage


@dataclass(frozen=True)
class ReadContext:
    office_id: str
    timezone: ZoneInfo  # the office's zone: local times without offset are in it
    file_name: str
    received_at: datetime  # aware; recurring bookings expand from here
    horizon_days: int = 180
    options: dict[str, Any] = field(default_factory=dict)  # config sources[].options
    # keyed HMAC of a member id; readers must never emit raw ids, names or e-mails
    pseudonymise: Callable[[str], str] = lambda value: value


class Reader(Protocol):
    """One input format of one kind of data."""

    kind: ClassVar[str]  # one of KINDS
    format: ClassVar[str]  # e.g. "ics", "nexudus", "google_forms"

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when this reader recognises the file (used by ``--format auto``)."""
        ...

    def read(self, path: Path, context: ReadContext) -> Iterator[ReadOutput]:
        """Yield items, row errors and coverage declarations; stream, don't slurp."""
        ...
