"""People-counter exports (CSV/TSV/.xlsx) -> one door count per door and bin.

Layouts: *wide* (one row per bin with In and Out columns) and *long* (one row per
direction per bin, with a direction column and a count column; flow codes such
as CalIt2's 9/7 are mapped with ``options.direction_codes``). Columns are found
by Swedish and English header synonyms; ``options.columns`` overrides them, by
name or, with ``options.has_header: false``, by position. The demo format
``Datum;Tid;Dörr;In;Ut`` needs no options.

Decisions, so the figures can be trusted:

- **Missing data is a gap, never a zero.** An empty/``NA`` count or text such as
  ``Gate broken`` quarantines the row with the column and the value, and no
  record is written for the bin. A wide row with one bad count is a gap as a
  whole.
- **Long layout:** the direction rows of a bin merge into one record (Item
  weight = rows merged). An *absent* direction row counts 0, since sparse exports
  leave out zero rows; a direction row that is *present but has no count* makes
  the bin a gap, and the bin's other rows are quarantined with it.
- **Bins:** the length comes from ``options.minutes``, else from start/end
  columns, else from the most common step between a door's labels. Labels are
  the bin start unless ``options.label: end`` (or only an end column exists).
- **DST:** local times without offset are in ``options.timezone`` or the office
  zone. A label in the hour that does not exist (spring forward) is a row error;
  in the hour that occurs twice (fall back) the first row of a door (and
  direction) with that label is summer time, the second winter time, so 92- and
  100-slot days come out right. Labels with an offset or ``Z`` are exact.
- **Cumulative counters** (``options.cumulative``, or detected when a sample's
  values rise through the day and almost never fall) count from local midnight:
  a bin's count is the rise since the previous reading of that day; a fall is a
  counter reset, after which the reading itself is the count since the reset.
  Never negative. A day whose first reading is not at midnight cannot tell that
  bin's own count: it is a gap. After a missing reading the next bin carries the
  passages of the gap too, so daily totals stay right.
- **Streaming:** rows are read one by one. The long layout keeps, per door, only
  the bins not yet complete, and writes a bin once that door's rows have moved
  on by more than one bin. This assumes the rows of one bin are near each other
  (the file is in time order per door); a row for a bin already written is a
  row error asking for a sorted file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import chain, islice, pairwise
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingest.base import (
    FileRejected,
    Item,
    ReadContext,
    ReadOutput,
    Records,
    RowError,
)
from ingest.tabular import (
    TableRow,
    guess_day_first,
    is_xlsx,
    normalise_header,
    parse_count,
    parse_date,
    parse_datetime,
    read_table,
)

DEFAULT_DOOR = "Entré"
DOOR_LENGTH = 120  # models.tables.DoorCount.door
HEADER_SEARCH_ROWS = 10  # an export may start with a title line or two
SAMPLE_ROWS = 2000  # read ahead to learn the bin length, date style, cumulative
TIME_ROLES = ("timestamp", "date", "time", "end")
# a door count record as the quick path writes it (ingest.base.Records)
FIELDS = ("door", "period_start", "minutes", "entries", "exits")
BATCH_ROWS = 1000

COUNTER_COLUMNS: dict[str, set[str]] = {
    "timestamp": {
        "tidpunkt", "starttid", "start", "från", "fran", "from", "timestamp",
        "datetime", "date time", "date/time", "period_start", "period start",
        "interval start", "interval_start", "start time", "starttime", "tidsstämpel",
    },
    "date": {"datum", "date", "dates", "dag", "day"},
    "time": {"tid", "time", "klockslag", "kl", "kl."},
    "end": {
        "sluttid", "slut", "till", "to", "end", "interval end", "interval_end",
        "end time", "endtime", "period_end", "period end",
    },
    "in": {
        "in", "inpassager", "inpassage", "entries", "entrances", "in count",
        "total in", "enter", "enters", "fw", "forward", "in_count",
    },
    "out": {
        "ut", "utpassager", "utpassage", "exits", "out", "out count", "total out",
        "exit", "bw", "backward", "out_count",
    },
    "door": {
        "dörr", "dorr", "ingång", "ingang", "door", "sensor", "counter", "name",
        "device", "devicename", "device name", "door name", "location",
    },
    "direction": {"riktning", "direction", "flow_id", "flow", "flow id"},
    "count": {"antal", "count", "counts", "value", "värde", "varde"},
}  # fmt: skip

# what counters and access systems write for a direction, case-folded
DIRECTION_WORDS = {
    **dict.fromkeys(
        ("in", "inpassage", "inpassager", "inpassering", "entry", "entries",
         "enter", "entrance", "ingång", "fw", "forward", "i"),
        "in",
    ),
    **dict.fromkeys(
        ("out", "ut", "utpassage", "utpassager", "utpassering", "exit", "exits",
         "leave", "utgång", "bw", "backward", "u"),
        "out",
    ),
}  # fmt: skip

_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2})(?:[.,]\d+)?)?")
_COMPACT = re.compile(r"\d{12}(\d{2})?")  # Axis: YYYYMMDDhhmm[ss]


class RowProblem(Exception):
    """A row cannot be loaded: which column and why, for the quarantine."""

    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


class NonexistentTime(ValueError):
    """A local time that the clocks skip on the spring-forward day."""


# --- Columns ------------------------------------------------------------------------


def match_columns(
    header: list[Any], synonyms: dict[str, set[str]], overrides: dict[str, Any]
) -> dict[str, int]:
    """Role -> position for one header row; ``options.columns`` win over synonyms."""
    names = [normalise_header(cell) for cell in header]
    columns: dict[str, int] = {}
    for role, words in synonyms.items():
        found = next((i for i, name in enumerate(names) if name in words), None)
        if found is not None:
            columns[role] = found
    for role, wanted in overrides.items():
        if isinstance(wanted, int):
            position = wanted
        elif normalise_header(wanted) in names:
            position = names.index(normalise_header(wanted))
        else:
            columns.pop(role, None)
            continue
        # the column now has this role and no other
        for other in [r for r, i in columns.items() if i == position]:
            del columns[other]
        columns[role] = position
    return columns


@dataclass
class Table:
    columns: dict[str, int]  # role -> position
    names: list[str]  # header cells as written; empty without a header row
    rows: Iterator[TableRow]

    def name(self, role: str) -> str:
        position = self.columns.get(role)
        return "" if position is None else self.column(position)

    def column(self, position: int) -> str:
        if position < len(self.names) and self.names[position]:
            return self.names[position]
        return f"column {position + 1}"


def open_table(
    path: Path,
    options: dict[str, Any],
    synonyms: dict[str, set[str]],
    problem: Callable[[dict[str, int]], str | None],
) -> Table:
    """The header row and the data rows after it.

    ``problem(columns)`` says what is missing (None when the columns suffice);
    a file without usable columns is rejected with the columns it does have.
    """
    rows = read_table(path, options)
    overrides = dict(options.get("columns") or {})
    if options.get("has_header", True) is False:
        if not all(isinstance(v, int) for v in overrides.values()):
            raise FileRejected(
                "a file without a header row needs options.columns by position, "
                'e.g. {"direction": 0, "date": 1, "time": 2, "count": 3}'
            )
        missing = problem(overrides)
        if missing:
            raise FileRejected(f"{missing}; set options.columns by position")
        return Table(overrides, [], rows)
    first: tuple[TableRow, dict[str, int]] | None = None
    for row in islice(rows, HEADER_SEARCH_ROWS):
        columns = match_columns(row.values, synonyms, overrides)
        if problem(columns) is None:
            return Table(columns, [str(v).strip() for v in row.values], rows)
        first = first or (row, columns)
    if first is None:
        raise FileRejected("the file has no rows")
    row, columns = first
    found = ", ".join(str(v) for v in row.values)
    raise FileRejected(f"{problem(columns)}; columns are: {found}; set options.columns")


def sniff_header(
    path: Path, synonyms: dict[str, set[str]], accept: Callable[[dict[str, int]], bool]
) -> bool:
    """True when one of the first rows is a header that ``accept`` likes."""
    try:
        with closing(read_table(path)) as rows:
            heads = [row.values for row in islice(rows, HEADER_SEARCH_ROWS)]
    except (FileRejected, OSError, UnicodeError, ValueError):
        return False
    return any(accept(match_columns(values, synonyms, {})) for values in heads)


def door_name(value: Any, aliases: dict[str, str]) -> str:
    name = str(value).strip()
    if not name:
        raise ValueError("no door name")
    name = aliases.get(name, name)
    if len(name) > DOOR_LENGTH:
        raise ValueError(f"door name longer than {DOOR_LENGTH} characters: {name!r}")
    return name


def device_zone(context: ReadContext) -> ZoneInfo:
    """The zone of the device clock: ``options.timezone`` (e.g. UTC) or the office."""
    name = context.options.get("timezone")
    if not name:
        return context.timezone
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise FileRejected(f"options.timezone {name!r} is not a known zone") from None


# --- Local wall-clock labels -> UTC -----------------------------------------------


class LocalClock:
    """Turns date/time labels into UTC instants.

    Ordinary days cost one lookup in ``midnights`` (date text -> UTC of local
    midnight), one in ``clocks`` (time text -> time since midnight) and an
    addition; hot loops may use the two dicts directly. Days when the clocks
    change are never in ``midnights``, so they always take the careful path.

    A fall-back hour occurs twice. ``events=False`` (counters): a label seen a
    second time for the same key is the second pass. ``events=True`` (event
    logs, where many events share a minute): once the clock goes back within
    the repeated hour, the rest of that hour is the second pass.
    """

    def __init__(self, zone: ZoneInfo, day_first: bool = True, events: bool = False):
        self.zone = zone
        self.day_first = day_first
        self.events = events
        self.midnights: dict[Any, datetime] = {}
        self.clocks: dict[Any, timedelta | None] = {}  # None: not a plain time
        self._dates: dict[Any, date] = {}
        self._seen: set[tuple[Any, datetime]] = set()
        self._latest: dict[Any, datetime] = {}
        self._rewound: set[tuple[Any, date]] = set()

    def to_utc(self, day: Any, clock: Any = None, key: Any = ()) -> datetime:
        """The instant of a label given as one cell, or as a date and a time cell."""
        if clock is None:
            if type(day) is str and len(day) >= 16 and day[10] in " T":
                try:  # ISO-like "YYYY-MM-DD hh:mm": the cached date and time
                    return self.to_utc(day[:10], day[11:], key)
                except NonexistentTime:
                    raise
                except ValueError:
                    pass
            return self.resolve(self.naive(day), key)
        try:
            return self.midnights[day] + self.clocks[clock]
        except (KeyError, TypeError):
            return self._careful(day, clock, key)

    def _careful(self, day: Any, clock: Any, key: Any) -> datetime:
        plain_day = self._date(day)
        if clock not in self.clocks:
            self.clocks[clock] = _clock(clock)
        since_midnight = self.clocks[clock]
        if since_midnight is None:  # an offset, AM/PM, ...: the general parser
            return self.resolve(self.naive(day, clock), key)
        midnight = self.midnights.get(day)
        if midnight is not None:
            return midnight + since_midnight
        return self.resolve(datetime.combine(plain_day, time()) + since_midnight, key)

    def naive(self, day: Any, clock: Any = None) -> datetime:
        """The label as written: naive local time, or aware when it has an offset."""
        if clock is not None:
            plain_day = self._date(day)
            since_midnight = _clock(clock)
            if since_midnight is not None:
                return datetime.combine(plain_day, time()) + since_midnight
            day = f"{plain_day.isoformat()} {str(clock).strip()}"
        if isinstance(day, datetime):
            return day
        text = str(day).strip()
        if _COMPACT.fullmatch(text):
            return datetime.strptime(text.ljust(14, "0"), "%Y%m%d%H%M%S")
        value = parse_datetime(text, self.zone, self.day_first)
        if value is None:
            raise ValueError("no date and time")
        return value.replace(tzinfo=None) if value.tzinfo is self.zone else value

    def resolve(self, naive: datetime, key: Any = ()) -> datetime:
        """UTC of a local wall-clock time; raises NonexistentTime in the DST gap."""
        if naive.tzinfo is not None:
            return naive.astimezone(UTC)
        first = naive.replace(tzinfo=self.zone)
        instant = first.astimezone(UTC)
        if instant.astimezone(self.zone).replace(tzinfo=None) != naive:
            raise NonexistentTime(
                f"local time {naive:%H:%M} does not exist on {naive:%Y-%m-%d} "
                "(clocks go forward)"
            )
        second = naive.replace(tzinfo=self.zone, fold=1)
        if second.utcoffset() == first.utcoffset() or not self._second_pass(naive, key):
            return instant
        return second.astimezone(UTC)

    def _second_pass(self, naive: datetime, key: Any) -> bool:
        if not self.events:
            seen = (key, naive)
            if seen in self._seen:
                return True
            self._seen.add(seen)
            return False
        latest = self._latest.get(key)
        if latest is not None and latest.date() == naive.date() and naive < latest:
            self._rewound.add((key, naive.date()))
        self._latest[key] = max(latest, naive) if latest else naive
        return (key, naive.date()) in self._rewound

    def _date(self, value: Any) -> date:
        if value in self._dates:
            return self._dates[value]
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        else:
            text = str(value).strip()
            try:
                day = date.fromisoformat(text)
            except ValueError:
                day = parse_date(text, self.day_first)
            if day is None:
                raise ValueError("no date")
        self._dates[value] = day
        midnight = self._midnight(day)
        if midnight is not None:
            self.midnights[value] = midnight
        return day

    def _midnight(self, day: date) -> datetime | None:
        """UTC of local midnight, or None on a day the clocks change."""
        offset = datetime.combine(day, time(), self.zone).utcoffset()
        if offset != datetime.combine(day, time(23, 59, 59), self.zone).utcoffset():
            return None
        return datetime.combine(day, time(), UTC) - offset


def _clock(value: Any) -> timedelta | None:
    """Time since midnight of a plain time of day; None for anything else."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, datetime | time):
        return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
    match = _CLOCK.fullmatch(str(value).strip())
    if not match or int(match[1]) > 24 or int(match[2]) > 59:
        return None
    return timedelta(
        hours=int(match[1]), minutes=int(match[2]), seconds=int(match[3] or 0)
    )


# --- The reader ---------------------------------------------------------------------


def _counter_problem(columns: dict[str, int]) -> str | None:
    if not any(role in columns for role in TIME_ROLES):
        return "no time column found"
    if not ({"in", "out", "count"} & columns.keys()):
        return "no count columns found (In/Ut, or Riktning with Antal)"
    return None


def _is_counter_header(columns: dict[str, int]) -> bool:
    counts = {"in", "out"} & columns.keys() or {"count", "direction"} <= set(columns)
    return bool(counts) and any(role in columns for role in TIME_ROLES)


class DoorCounterReader:
    """People-counter bins, wide or long, interval or cumulative."""

    kind: ClassVar[str] = "door"
    format: ClassVar[str] = "counter"

    def sniff(self, path: Path, head: bytes) -> bool:
        return sniff_header(path, COUNTER_COLUMNS, _is_counter_header)

    def read(self, path: Path, context: ReadContext) -> Iterator[ReadOutput]:
        table = open_table(path, context.options, COUNTER_COLUMNS, _counter_problem)
        sample = list(islice(table.rows, SAMPLE_ROWS))
        plan = _plan(table, sample, context)
        with path.open("rb") as handle:
            plan.text_cells = not is_xlsx(path, handle.read(8))
        counter = _Counter(plan)
        rows = chain(sample, table.rows)
        yield from counter.long(rows) if counter.plan.long else counter.wide(rows)


@dataclass
class _Plan:
    """Everything decided before the rows stream."""

    table: Table
    zone: ZoneInfo
    day_first: bool
    day: int  # the label's date, or its whole timestamp
    clock: int | None  # the label's time of day, when in its own column
    end_label: bool
    minutes: int = 0
    cumulative: bool = False
    door: str = DEFAULT_DOOR  # when the file has no door column
    aliases: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # direction value -> in/out
    text_cells: bool = True  # CSV; .xlsx cells are typed

    @property
    def long(self) -> bool:
        return "in" not in self.table.columns and "out" not in self.table.columns


def _plan(table: Table, sample: list[TableRow], context: ReadContext) -> _Plan:
    options = context.options
    _fixed_direction(table, options)
    day, clock, end_day, end_clock, end_label = _label_columns(table, sample, options)
    day_values = [str(row.values[day]) for row in sample if day < len(row.values)]
    plan = _Plan(
        table=table,
        zone=device_zone(context),
        day_first=bool(options.get("day_first", guess_day_first(day_values))),
        day=day,
        clock=clock,
        end_label=end_label,
        door=str(options.get("door") or DEFAULT_DOOR),
        aliases={
            str(k): str(v) for k, v in (options.get("door_aliases") or {}).items()
        },
        codes={
            **DIRECTION_WORDS,
            **{_code(k): str(v).casefold() for k, v in _codes(options).items()},
        },
    )
    readings = _Sample(plan, sample, end_day, end_clock)
    plan.minutes = _minutes(options, readings)
    cumulative = options.get("cumulative")
    plan.cumulative = readings.cumulative() if cumulative is None else bool(cumulative)
    return plan


def _codes(options: dict[str, Any]) -> dict[Any, Any]:
    codes = options.get("direction_codes") or {}
    for value in codes.values():
        if str(value).casefold() not in ("in", "out"):
            raise FileRejected(f"options.direction_codes maps to {value!r}: use in/out")
    return codes


def _fixed_direction(table: Table, options: dict[str, Any]) -> None:
    """A lone count column counts one direction: ``options.direction`` says which."""
    columns = table.columns
    if "count" not in columns or {"in", "out", "direction"} & columns.keys():
        return
    direction = str(options.get("direction", "")).casefold()
    if direction not in ("in", "out"):
        raise FileRejected(
            f"the count column {table.name('count')!r} has no direction column next "
            "to it; set options.columns.direction, or options.direction to in or out"
        )
    columns[direction] = columns.pop("count")


def _label_columns(
    table: Table, sample: list[TableRow], options: dict[str, Any]
) -> tuple[int, int | None, int | None, int | None, bool]:
    """(day, clock) of the label, (day, clock) of an end column, end-labelled?"""
    columns = table.columns
    date_column = columns.get("date")

    def pair(position: int | None) -> tuple[int | None, int | None]:
        if position is None:
            return None, None
        cells = (r.values[position] for r in sample if position < len(r.values))
        first = next(cells, None)
        if date_column not in (None, position) and _clock(first) is not None:
            return date_column, position
        return position, None

    start_column = columns.get("timestamp", columns.get("time"))
    if start_column is None and "end" not in columns:
        start_column = date_column
    start_day, start_clock = pair(start_column) if sample else (start_column, None)
    end_day, end_clock = pair(columns.get("end")) if sample else (None, None)
    label = str(options.get("label", "start")).casefold()
    if label not in ("start", "end"):
        raise FileRejected(f"options.label must be start or end, not {label!r}")
    if start_day is None:
        return end_day, end_clock, None, None, True  # only an end column
    if end_day is not None:
        return start_day, start_clock, end_day, end_clock, False
    return start_day, start_clock, None, None, label == "end"


def _code(value: Any) -> str:
    """A direction cell as a lookup key: ``9``, ``9.0`` and ``"9"`` are the same."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().casefold()


class _Sample:
    """The first rows, parsed leniently, to learn bin length and counter type."""

    def __init__(
        self,
        plan: _Plan,
        rows: list[TableRow],
        end_day: int | None,
        end_clock: int | None,
    ):
        clock = LocalClock(plan.zone, plan.day_first)
        columns = plan.table.columns
        self.labels: dict[tuple[str, str], set[datetime]] = {}
        self.lengths: list[timedelta] = []
        self.series: dict[tuple[str, str, date], list[int]] = {}
        for row in rows:
            values = row.values
            try:
                door = _cell(values, columns.get("door"), plan.door)
                label = _utc_naive(
                    clock.naive(values[plan.day], _cell(values, plan.clock))
                )
                if end_day is not None:
                    end = clock.naive(values[end_day], _cell(values, end_clock))
                    self.lengths.append(_utc_naive(end) - label)
                for direction, value in _sample_counts(plan, values):
                    key = (str(door), direction)
                    self.labels.setdefault(key, set()).add(label)
                    self.series.setdefault((*key, label.date()), []).append(value)
            except (ValueError, TypeError, IndexError, StopIteration):
                continue

    def minutes(self) -> int | None:
        steps = self.lengths or [
            b - a
            for labels in self.labels.values()
            for a, b in pairwise(sorted(labels))
        ]
        if not steps:
            return None
        step = Counter(steps).most_common(1)[0][0]
        return round(step.total_seconds() / 60)

    def cumulative(self) -> bool:
        """Values that rise through each day and (almost) never fall."""
        rises = falls = 0
        for values in self.series.values():
            for a, b in pairwise(values):
                rises += b > a
                falls += b < a
        longest = max((len(v) for v in self.series.values()), default=0)
        # a fall now and then is a counter reset; interval counts fall about as
        # often as they rise
        return longest >= 12 and rises >= 6 and falls * 5 <= rises


def _sample_counts(plan: _Plan, values: list[Any]) -> Iterator[tuple[str, int]]:
    columns = plan.table.columns
    if plan.long:
        direction = plan.codes.get(_code(values[columns["direction"]]))
        count = parse_count(values[columns["count"]])
        if direction and count is not None:
            yield direction, count
        return
    for direction in ("in", "out"):
        if direction in columns:
            count = parse_count(values[columns[direction]])
            if count is not None:
                yield direction, count


def _cell(values: list[Any], position: int | None, default: Any = None) -> Any:
    return default if position is None else values[position]


def _utc_naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _minutes(options: dict[str, Any], sample: _Sample) -> int:
    minutes = options.get("minutes") or sample.minutes()
    if minutes is None:
        raise FileRejected(
            "cannot tell the bin length from fewer than two bins; set options.minutes"
        )
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise FileRejected(
            f"options.minutes must be whole minutes: {minutes!r}"
        ) from None
    if not 1 <= minutes <= 1440:
        raise FileRejected(f"a bin of {minutes} minutes is not a counter bin")
    return minutes


@dataclass(slots=True)
class _Bin:
    """A long-layout bin collecting its direction rows."""

    entries: int = 0
    exits: int = 0
    directions: set[str] = field(default_factory=set)
    rows: list[tuple[int, str]] = field(default_factory=list)  # (row, raw) merged
    broken: bool = False  # a direction row without a count: the bin is a gap


class _Counter:
    """Rows -> records, with the state that spans rows (folds, cumulative, bins)."""

    def __init__(self, plan: _Plan):
        self.plan = plan
        self.columns = plan.table.columns
        self.step = timedelta(minutes=plan.minutes)
        self.clock = LocalClock(plan.zone, plan.day_first)
        label = plan.day if plan.clock is None else plan.clock
        self.time_column = plan.table.column(label)
        self.previous: dict[tuple[str, str], tuple[date, int]] = {}
        self.doors: dict[Any, str] = {}

    # wide: one row per bin

    def wide(self, rows: Iterable[TableRow]) -> Iterator[ReadOutput]:
        quick = self._quick_wide()
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            if quick is not None:
                record = quick(row.values)
                if record is not None:
                    batch.append(record)
                    if len(batch) >= BATCH_ROWS:
                        yield Records(FIELDS, batch)
                        batch = []
                    continue
            if batch:  # the rows before this one first: a later row wins a key
                yield Records(FIELDS, batch)
                batch = []
            try:
                record = self._wide_record(row.values)
            except RowProblem as problem:
                yield RowError(row.number, problem.column, problem.reason, row.raw)
            except IndexError:
                yield self._short(row)
            else:
                yield Item(row.number, [record])
        if batch:
            yield Records(FIELDS, batch)

    def _wide_record(self, values: list[Any]) -> dict[str, Any]:
        door = self._door(values)
        start = self._start(values, door)
        entries = self._count(values, "in")
        exits = self._count(values, "out")
        if self.plan.cumulative:
            entries = self._since_previous(door, "in", start, entries)
            exits = self._since_previous(door, "out", start, exits)
            if entries is None or exits is None:
                raise RowProblem(self.time_column, self._no_first_reading(start))
        return {
            "door": door,
            "period_start": start,
            "minutes": self.plan.minutes,
            "entries": entries,
            "exits": exits,
        }

    def _quick_wide(self) -> Callable[[list[Any]], tuple[Any, ...] | None] | None:
        """The demo layout (text cells, date and time columns, interval counts) on
        ordinary days in one step, as a ``FIELDS`` tuple; None from it sends the
        row the careful way.

        A 1M-row file spends most of its time here, so this skips the method
        calls of the careful path; anything unusual falls through to it.
        """
        plan, columns = self.plan, self.columns
        if plan.cumulative or plan.clock is None or not plan.text_cells:
            return None
        if "in" not in columns or "out" not in columns:
            return None
        midnights, clocks, doors = self.clock.midnights, self.clock.clocks, self.doors
        day, clock, door = plan.day, plan.clock, columns.get("door")
        in_column, out_column = columns["in"], columns["out"]
        shift = self.step if plan.end_label else timedelta(0)
        minutes = plan.minutes

        def quick(values: list[Any]) -> tuple[Any, ...] | None:
            try:
                entries, exits = int(values[in_column]), int(values[out_column])
                start = midnights[values[day]] + clocks[values[clock]]
                name = plan.door if door is None else doors[values[door]]
            except (KeyError, TypeError, ValueError, IndexError):
                return None
            if entries < 0 or exits < 0:
                return None
            return (name, start - shift if shift else start, minutes, entries, exits)

        return quick

    # long: one row per direction per bin

    def long(self, rows: Iterable[TableRow]) -> Iterator[ReadOutput]:
        pending: dict[str, dict[datetime, _Bin]] = {}
        written: dict[str, datetime] = {}  # per door: the latest bin already yielded
        for row in rows:
            try:
                door, direction, start = self._long_key(row.values)
            except RowProblem as problem:
                yield RowError(row.number, problem.column, problem.reason, row.raw)
                continue
            except IndexError:
                yield self._short(row)
                continue
            bins = pending.setdefault(door, {})
            yield from self._flush(door, bins, written, start - self.step)
            if start not in bins and start <= written.get(door, start - self.step):
                yield RowError(row.number, self.time_column, self._late(door), row.raw)
                continue
            yield from self._add(
                bins.setdefault(start, _Bin()), row, door, direction, start
            )
        for door, bins in pending.items():
            yield from self._flush(door, bins, written, None)

    def _long_key(self, values: list[Any]) -> tuple[str, str, datetime]:
        door = self._door(values)
        value = values[self.columns["direction"]]
        direction = self.plan.codes.get(_code(value))
        if direction is None:
            raise RowProblem(
                self.plan.table.name("direction"),
                f"unknown direction {value!r}; map it with options.direction_codes",
            )
        return door, direction, self._start(values, (door, direction))

    def _add(
        self, bin_: _Bin, row: TableRow, door: str, direction: str, start: datetime
    ) -> Iterator[ReadOutput]:
        if direction in bin_.directions:
            yield RowError(
                row.number, self.plan.table.name("direction"),
                f"a second {direction!r} row for the bin at {start:%Y-%m-%d %H:%M} UTC",
                row.raw,
            )  # fmt: skip
            return
        bin_.directions.add(direction)
        try:
            count = self._count(row.values, "count")
            if self.plan.cumulative:
                count = self._since_previous(door, direction, start, count)
                if count is None:
                    raise RowProblem(self.time_column, self._no_first_reading(start))
        except RowProblem as problem:
            bin_.broken = True
            yield RowError(row.number, problem.column, problem.reason, row.raw)
            return
        if direction == "in":
            bin_.entries = count
        else:
            bin_.exits = count
        bin_.rows.append((row.number, row.raw))

    def _flush(
        self,
        door: str,
        bins: dict[datetime, _Bin],
        written: dict[str, datetime],
        before: datetime | None,
    ) -> Iterator[ReadOutput]:
        """Yield the door's bins older than ``before`` (all when None)."""
        for start in [s for s in bins if before is None or s < before]:
            bin_ = bins.pop(start)
            written[door] = max(written.get(door, start), start)
            if bin_.broken:
                for number, raw in bin_.rows:
                    yield RowError(
                        number, "", "the other direction of this bin has no count, "
                        "so the bin is kept as a gap", raw,
                    )  # fmt: skip
            elif bin_.rows:
                record = {
                    "door": door,
                    "period_start": start,
                    "minutes": self.plan.minutes,
                    "entries": bin_.entries,
                    "exits": bin_.exits,
                }
                yield Item(bin_.rows[0][0], [record], weight=len(bin_.rows))

    def _late(self, door: str) -> str:
        return (
            f"this row's bin of {door!r} was already written: the rows of one bin "
            "must be near each other; sort the file by time and import it again"
        )

    # cells

    def _door(self, values: list[Any]) -> str:
        position = self.columns.get("door")
        if position is None:
            return self.plan.door
        value = values[position]
        try:
            return self.doors[value]
        except KeyError:
            pass
        try:
            name = door_name(value, self.plan.aliases)
        except ValueError as exc:
            raise RowProblem(self.plan.table.name("door"), str(exc)) from None
        self.doors[value] = name
        return name

    def _start(self, values: list[Any], key: Any) -> datetime:
        plan = self.plan
        day = values[plan.day]
        clock = None if plan.clock is None else values[plan.clock]
        try:
            instant = self.clock.to_utc(day, clock, key)
        except NonexistentTime as exc:
            raise RowProblem(self.time_column, str(exc)) from None
        except (ValueError, TypeError, OverflowError):
            shown = day if clock is None else f"{day} {clock}"
            raise RowProblem(
                self.time_column, f"not a date and time: {shown!r}"
            ) from None
        return instant - self.step if plan.end_label else instant

    def _count(self, values: list[Any], role: str) -> int:
        position = self.columns.get(role)
        if position is None:
            return 0  # a file with only an In column: exits are not counted
        value = values[position]
        if type(value) is str and value.isdecimal():
            return int(value)
        try:
            count = parse_count(value)
        except ValueError:
            raise RowProblem(
                self.plan.table.name(role),
                f"not a count (value: {value!r}) — kept as a gap",
            ) from None
        if count is None:
            raise RowProblem(
                self.plan.table.name(role),
                f"no count (value: {value!r}) — kept as a gap",
            )
        return count

    def _since_previous(
        self, door: str, direction: str, start: datetime, value: int
    ) -> int | None:
        """Per-bin count from a counter counting up from local midnight; None when
        the bin's own count cannot be known (the day's first reading is later)."""
        if direction not in self.columns and not self.plan.long:
            return value  # the file does not count this direction at all
        local = start.astimezone(self.plan.zone)
        key = (door, direction)
        previous = self.previous.get(key)
        self.previous[key] = (local.date(), value)
        if previous is not None and previous[0] == local.date():
            # a fall is a reset (or rollover): the reading counts since then
            return value - previous[1] if value >= previous[1] else value
        return None if local.hour or local.minute else value

    def _no_first_reading(self, start: datetime) -> str:
        local = start.astimezone(self.plan.zone)
        return (
            f"the counter's first reading of {local:%Y-%m-%d} is at {local:%H:%M}, "
            "not midnight, so this bin's own count is unknown — kept as a gap"
        )

    def _short(self, row: TableRow) -> RowError:
        return RowError(
            row.number, "", f"the row has only {len(row.values)} cells", row.raw
        )
