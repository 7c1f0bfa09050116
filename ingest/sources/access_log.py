"""Access-control event logs (one row per badge event) -> door counts per bin.

A row is a time, a door or reader, a direction or event type, maybe a
credential or user and a result. Passages are counted per door in bins of
``options.minutes`` (default 15) of local wall-clock time.

- **No personal data leaves this module.** Credential and user columns are never
  read; a quarantined row keeps only the columns known to be impersonal (time,
  door, direction, event, result), the rest are replaced by ``<removed>``.
- **Direction:** the Direction column is trusted over the reader's name (a
  reader called "... - IN" that logs ``Out`` is an exit). Without one, the event
  text decides (``Entry``, ``Exit``, ``Utpassage``...); a plain "access granted"
  is an entry, since badge readers guard the way in.
- **Not passages:** denied events (and alarms such as "door forced") are rows but
  add to no bin: ``Item(row, [], 1)``. An event that cannot be read is a row
  error.
- **Weights:** a bin's record stands for all its events: weight = events, row =
  the first event's row.
- **Renamed readers:** ``options.door_aliases`` maps old names to the door.
- **Dates** like ``2/2/2015 8:11`` are month- or day-first as a sample of the
  column shows (``options.day_first`` to force it).
- **Memory:** bins are kept in a dict until the end, which is fine for logs
  (thousands of events a month). A big log that is in time order is flushed day
  by day; an event older than an already flushed day is then a row error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain, islice
from pathlib import Path
from typing import Any, ClassVar

from ingest.base import FileRejected, Item, ReadContext, ReadOutput, RowError
from ingest.sources.door_counter import (
    DEFAULT_DOOR,
    DIRECTION_WORDS,
    SAMPLE_ROWS,
    TIME_ROLES,
    LocalClock,
    NonexistentTime,
    RowProblem,
    Table,
    device_zone,
    door_name,
    open_table,
    sniff_header,
)
from ingest.tabular import TableRow, guess_day_first, is_missing

ACCESS_COLUMNS: dict[str, set[str]] = {
    "timestamp": {
        "tidpunkt", "tidsstämpel", "timestamp", "datetime", "date time", "date/time",
        "alarmdatetime", "event time", "eventtime", "händelsetid", "occurred",
        "occurred at", "created", "created at",
    },
    "date": {"datum", "date", "dag"},
    "time": {"tid", "time", "klockslag"},
    "door": {
        "dörr", "dorr", "läsare", "lasare", "door", "reader", "devicename",
        "device name", "device", "door name", "doorlock", "lock", "lås", "enhet",
        "ingång", "ingang",
    },
    "direction": {"riktning", "direction", "in/out", "in/ut"},
    "event": {
        "händelse", "handelse", "event", "event type", "eventtype", "type", "typ",
        "details", "description", "beskrivning", "alarm", "händelsetyp",
    },
    "result": {"resultat", "result", "status", "access", "utfall", "booking state"},
    # only recognised so that they are removed from quarantined rows
    "credential": {
        "kort", "kortnummer", "användare", "anvandare", "card", "card number",
        "credential", "user", "user name", "username", "user id", "userid", "badge",
        "person", "name", "namn", "cardholder", "kortinnehavare", "tag", "tagg",
        "medium", "email", "e-post", "pin",
    },
    # counter columns: their presence means the file is not an event log
    "counts": {"in", "ut", "out", "antal", "count", "entries", "exits"},
}  # fmt: skip

# columns a quarantined row may keep: everything else may name a person
IMPERSONAL = ("timestamp", "date", "time", "door", "direction", "event", "result")

_WORD = re.compile(r"[^\W\d_]+")
DENIED = {
    "denied", "deny", "nekad", "nekat", "nekas", "rejected", "refused", "invalid",
    "ogiltig", "ogiltigt", "avvisad", "avvisat", "failed", "failure", "unauthorized",
    "obehörig", "blocked", "spärrad", "expired",
}  # fmt: skip
NOT_PASSAGE = {
    "alarm", "larm", "forced", "held", "tamper", "sabotage", "uppbruten", "offline",
    "battery", "batteri",
}  # fmt: skip
GRANTED = {
    "granted", "ok", "beviljad", "beviljat", "godkänd", "godkänt", "accepted",
    "success", "successful", "valid", "giltig", "unlocked", "upplåst", "opened",
}  # fmt: skip


def _access_problem(columns: dict[str, int]) -> str | None:
    if not any(role in columns for role in TIME_ROLES):
        return "no time column found"
    if "direction" not in columns and "event" not in columns:
        return "no direction or event column found"
    return None


def _is_access_header(columns: dict[str, int]) -> bool:
    return _access_problem(columns) is None and "counts" not in columns


@dataclass(slots=True)
class _Bin:
    row: int  # the first event's row
    entries: int = 0
    exits: int = 0
    weight: int = 0


class AccessLogReader:
    """Badge events aggregated to door counts; never a credential or a name."""

    kind: ClassVar[str] = "door"
    format: ClassVar[str] = "access_log"
    FLUSH_AFTER: ClassVar[int] = 20_000  # pending bins before a sorted log flushes

    def sniff(self, path: Path, head: bytes) -> bool:
        return sniff_header(path, ACCESS_COLUMNS, _is_access_header)

    def read(self, path: Path, context: ReadContext) -> Iterator[ReadOutput]:
        table = open_table(path, context.options, ACCESS_COLUMNS, _access_problem)
        sample = list(islice(table.rows, SAMPLE_ROWS))
        log = _Log(table, sample, context)
        yield from log.read(chain(sample, table.rows), self.FLUSH_AFTER)


class _Log:
    """One log being read: its columns, clock and pending bins."""

    def __init__(self, table: Table, sample: list[TableRow], context: ReadContext):
        options = context.options
        self.table = table
        self.columns = table.columns
        self.zone = device_zone(context)
        self.minutes = _bin_minutes(options)
        self.step = timedelta(minutes=self.minutes)
        self.door = str(options.get("door") or DEFAULT_DOOR)
        self.aliases = {
            str(k): str(v) for k, v in (options.get("door_aliases") or {}).items()
        }
        day = self.columns.get("date", self.columns.get("timestamp"))
        day = self.columns.get("time") if day is None else day
        dates = [str(r.values[day]) for r in sample if day < len(r.values)]
        day_first = options.get("day_first", guess_day_first(dates))
        self.clock = LocalClock(self.zone, bool(day_first), events=True)
        self.keep = {self.columns[r] for r in IMPERSONAL if r in self.columns}
        self.time_column = next(
            (table.name(r) for r in TIME_ROLES if r in self.columns), ""
        )

    def read(self, rows: Iterator[TableRow], flush_after: int) -> Iterator[ReadOutput]:
        bins: dict[tuple[datetime, str], _Bin] = {}
        flushed_before: datetime | None = None  # bins before this were yielded
        latest: datetime | None = None
        in_order = True
        for row in rows:
            try:
                door, direction, instant = self._event(row.values)
            except RowProblem as problem:
                yield RowError(
                    row.number, problem.column, problem.reason, self._raw(row)
                )
                continue
            except IndexError:
                reason = f"the row has only {len(row.values)} cells"
                yield RowError(row.number, "", reason, self._raw(row))
                continue
            if direction is None:
                yield Item(row.number, [], weight=1)  # a row, but not a passage
                continue
            start = self._bin_start(instant)
            if flushed_before is not None and start < flushed_before:
                yield RowError(row.number, self.time_column, _LATE, self._raw(row))
                continue
            in_order = in_order and (latest is None or instant >= latest)
            if in_order and latest and len(bins) > flush_after:
                midnight = self._local_midnight(instant)
                if midnight > self._local_midnight(latest):
                    yield from self._flush(bins, midnight)
                    flushed_before = midnight
            latest = instant
            bin_ = bins.get((start, door))
            if bin_ is None:
                bin_ = bins[(start, door)] = _Bin(row.number)
            bin_.weight += 1
            if direction == "in":
                bin_.entries += 1
            else:
                bin_.exits += 1
        yield from self._flush(bins, None)

    def _event(self, values: list[Any]) -> tuple[str, str | None, datetime]:
        """(door, "in"/"out" or None for not a passage, UTC instant)."""
        direction = self._direction(values)
        door = self.door
        if "door" in self.columns:
            try:
                door = door_name(values[self.columns["door"]], self.aliases)
            except ValueError as exc:
                raise RowProblem(self.table.name("door"), str(exc)) from None
        return door, direction, self._instant(values, (door,))

    def _instant(self, values: list[Any], key: Any) -> datetime:
        columns = self.columns
        if "date" in columns and "time" in columns:
            day, clock = values[columns["date"]], values[columns["time"]]
        else:
            position = columns.get(
                "timestamp", columns.get("date", columns.get("time"))
            )
            day, clock = values[position], None
        if is_missing(day) or (clock is not None and is_missing(clock)):
            raise RowProblem(self.time_column, "no time")
        try:
            return self.clock.to_utc(day, clock, key)
        except NonexistentTime as exc:
            raise RowProblem(self.time_column, str(exc)) from None
        except (ValueError, TypeError, OverflowError):
            shown = day if clock is None else f"{day} {clock}"
            raise RowProblem(self.time_column, f"not a time: {shown!r}") from None

    def _direction(self, values: list[Any]) -> str | None:
        """Trust the Direction column, then the event text; None: not a passage."""
        event = self._words(values, "event") | self._words(values, "result")
        if event & DENIED or (event & NOT_PASSAGE and not event & GRANTED):
            return None
        written = self._text(values, "direction")
        if written:
            direction = DIRECTION_WORDS.get(written.casefold())
            if direction is None:
                raise RowProblem(
                    self.table.name("direction"), f"unknown direction {written!r}"
                )
            return direction
        # one-letter words ("i" is Swedish for "in") are too common in free text
        named = {DIRECTION_WORDS.get(w) for w in event if len(w) > 1} - {None}
        if len(named) == 1:
            return named.pop()
        if not named and event & GRANTED:
            return "in"
        column = self.table.name("event") or self.table.name("result")
        raise RowProblem(column, "cannot tell whether this event is a way in or out")

    def _text(self, values: list[Any], role: str) -> str:
        position = self.columns.get(role)
        if position is None or is_missing(values[position]):
            return ""
        return str(values[position]).strip()

    def _words(self, values: list[Any], role: str) -> set[str]:
        return set(_WORD.findall(self._text(values, role).casefold()))

    def _bin_start(self, instant: datetime) -> datetime:
        """The UTC start of the local wall-clock bin holding ``instant``."""
        local = instant.astimezone(self.zone)
        into_day = timedelta(
            hours=local.hour,
            minutes=local.minute,
            seconds=local.second,
            microseconds=local.microsecond,
        )
        return instant - into_day % self.step

    def _local_midnight(self, instant: datetime) -> datetime:
        local = instant.astimezone(self.zone)
        return self.clock.resolve(datetime.combine(local.date(), datetime.min.time()))

    def _flush(
        self, bins: dict[tuple[datetime, str], _Bin], before: datetime | None
    ) -> Iterator[Item]:
        """Yield (and forget) the bins starting before ``before``; all when None."""
        for key in sorted(k for k in bins if before is None or k[0] < before):
            start, door = key
            bin_ = bins.pop(key)
            record = {
                "door": door,
                "period_start": start,
                "minutes": self.minutes,
                "entries": bin_.entries,
                "exits": bin_.exits,
            }
            yield Item(bin_.row, [record], weight=bin_.weight)

    def _raw(self, row: TableRow) -> str:
        """The row for the quarantine, without anything that may name a person."""
        return ";".join(
            str(value) if i in self.keep else "<removed>"
            for i, value in enumerate(row.values)
        )


_LATE = (
    "this event is older than events already counted (the log is not in time "
    "order); sort the log by time and import it again"
)


def _bin_minutes(options: dict[str, Any]) -> int:
    try:
        minutes = int(options.get("minutes", 15))
    except (TypeError, ValueError):
        raise FileRejected("options.minutes must be whole minutes") from None
    if minutes < 1 or 1440 % minutes:
        raise FileRejected(f"options.minutes must divide a day, not {minutes}")
    return minutes
