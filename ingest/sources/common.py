"""Helpers shared by the booking, member and survey readers.

- Normalising what people type: target groups, home municipalities, booking
  statuses, member ids (pseudonymised, never stored raw).
- Finding columns in a spreadsheet by header synonyms (Swedish and English) with
  a per-source override, and sniffing the first rows of a file cheaply.
- Loading a JSON export with an error message that names the line and column.
- Building the booking record every booking reader emits.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ingest.base import FileRejected, ReadContext
from ingest.tabular import (
    TableRow,
    guess_day_first,
    is_missing,
    is_xlsx,
    normalise_header,
    read_table,
    read_xlsx,
    sniff_delimiter,
)
from models.config import KALMAR_KOMMUNER, TARGET_GROUPS

HEADER_SEARCH_ROWS = 10  # a spreadsheet may start with a title line or two

# column widths in models.tables: PostgreSQL refuses longer values
SOURCE_LENGTH = 120
EXTERNAL_ID_LENGTH = 400
RESOURCE_LENGTH = 200
RESOURCE_TYPE_LENGTH = 40
KOMMUN_LENGTH = 60


def fold(text: Any) -> str:
    """Lower case, no diacritics, single spaces: ``" Mörbylånga"`` -> ``morbylanga``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain).strip().casefold()


def clip(value: Any, limit: int) -> str:
    return "" if is_missing(value) else str(value).strip()[:limit]


# --- Target groups and home municipality ------------------------------------------

# first match wins; a value matching two groups ("Pendlare/Företagare") is refused
_TARGET_GROUP_PATTERNS = {
    "Pendlare": r"\bpendl|\bcommut",
    "Företagare": r"foretag|\bbusiness|\bentrepren|\bself.?employed|\bfrilans"
    r"|\bfreelanc|\bstart.?up",
    "Resande": r"\bresand|\bturist|\btourist|\btravel|\bvisitor|\bbesokare"
    r"|\bfritidshus|\bsommargast",
    "Nätverk": r"\bnatverk|\bnetwork|\bforening|\bassociation|\boffentlig",
}
assert tuple(_TARGET_GROUP_PATTERNS) == TARGET_GROUPS


def normalise_target_group(text: Any) -> str | None:
    """One of TARGET_GROUPS for what people write; None when empty.

    Accepts variants such as "Egenföretagare", "Företag", "Turist/Resande",
    "Förening/Nätverk", "Commuter", "Business owner", "Traveller", "Networker".
    Raises ValueError for a value that names no group or more than one, so the
    row is quarantined and the data-quality page shows it.
    """
    if is_missing(text):
        return None
    folded = fold(text)
    groups = [
        group
        for group, pattern in _TARGET_GROUP_PATTERNS.items()
        if re.search(pattern, folded)
    ]
    if len(groups) != 1:
        known = ", ".join(TARGET_GROUPS)
        problem = "names more than one" if groups else "is not one"
        raise ValueError(f"target group {text!r} {problem} of {known}")
    return groups[0]


_KOMMUN_BY_FOLDED_NAME = {fold(name): name for name in KALMAR_KOMMUNER.values()}


def normalise_kommun(text: Any) -> str | None:
    """A Kalmar län kommun name from a name or an SCB code; None when empty.

    ``"0882"``, ``882`` (Excel dropped the zero), ``"oskarshamn"`` and
    ``"Oskarshamns kommun"`` all give ``"Oskarshamn"``. Anything else (a
    municipality outside the county, a village) is kept as written, trimmed.
    """
    if is_missing(text):
        return None
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    written = re.sub(r"\s+", " ", str(text)).strip()
    if written.isdigit() and len(written) <= 4:
        return KALMAR_KOMMUNER.get(written.zfill(4), written)
    folded = fold(written).removesuffix(" kommun")
    # the genitive of "Oskarshamns kommun"
    for candidate in (folded, folded.removesuffix("s")):
        if candidate in _KOMMUN_BY_FOLDED_NAME:
            return _KOMMUN_BY_FOLDED_NAME[candidate]
    return written[:KOMMUN_LENGTH]


# --- Booking status ---------------------------------------------------------------

_STATUSES = {
    "confirmed": (
        "confirmed", "bekräftad", "bekraftad", "current", "ok", "active", "aktiv",
        "booked", "bokad", "approved", "godkänd", "godkand", "accepted",
        "completed", "checked in", "checked-in", "incheckad",
    ),
    "cancelled": (
        "cancelled", "canceled", "avbokad", "avbokat", "avbruten", "deleted",
        "borttagen", "raderad", "auto-canceled", "auto-cancelled", "rejected",
        "declined", "nekad", "avvisad", "makulerad",
    ),
    "tentative": (
        "tentative", "preliminär", "preliminar", "preliminary", "pending",
        "väntande", "requested", "förfrågan", "unconfirmed",
    ),
}  # fmt: skip
_STATUS_BY_WORD = {word: key for key, words in _STATUSES.items() for word in words}


def normalise_status(text: Any, overrides: Mapping[str, str] | None = None) -> str:
    """confirmed / cancelled / tentative; empty means confirmed.

    ``overrides`` (options["statuses"]) maps a system's own words. A status with
    a qualifier, e.g. Roomzilla's "rejected (overlap)", maps by its first word.
    """
    if is_missing(text):
        return "confirmed"
    word = str(text).strip().casefold()
    for key, status in (overrides or {}).items():
        if key.strip().casefold() == word:
            return status
    if word in _STATUS_BY_WORD:
        return _STATUS_BY_WORD[word]
    first = re.split(r"[\s(:/]", word, maxsplit=1)[0]
    if first in _STATUS_BY_WORD:
        return _STATUS_BY_WORD[first]
    raise ValueError(
        f"unknown booking status {text!r}; map it in the source's options.statuses"
    )


# --- Members ----------------------------------------------------------------------


def member_id(value: Any) -> str | None:
    """A member id as the pseudonym key: trimmed and lower-cased; None when empty."""
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel turns member number 1042 into 1042.0
    return str(value).strip().lower() or None


def member_pseudonym(value: Any, context: ReadContext) -> str | None:
    key = member_id(value)
    return context.pseudonymise(key) if key else None


# --- Spreadsheets -----------------------------------------------------------------


def find_columns(
    header: list[Any],
    synonyms: Mapping[str, tuple[str, ...]],
    overrides: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Field -> column position, by the configured name or else the first synonym."""
    index = {}
    for position, name in enumerate(header):
        index.setdefault(normalise_header(name), position)
    found = {}
    for field, names in synonyms.items():
        wanted = (overrides[field],) if overrides and field in overrides else names
        for name in wanted:
            if normalise_header(name) in index:
                found[field] = index[normalise_header(name)]
                break
    return found


def open_table(
    path: Path,
    options: Mapping[str, Any],
    synonyms: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    what: str,
    identity: str = "member",
) -> tuple[dict[str, int], Iterator[TableRow]]:
    """Locate the header row (within the first rows) and return the data rows.

    A title line above the header and a repeated header further down are not
    data, so they are not counted as rows. Each row's ``raw`` (kept for
    quarantine) has the ``identity`` column and personal columns blanked out.
    """
    overrides = options.get("columns") or {}
    rows = read_table(path, dict(options))
    first_missing: list[str] | None = None
    for row in islice(rows, HEADER_SEARCH_ROWS):
        columns = find_columns(row.values, synonyms, overrides)
        missing = [field for field in required if field not in columns]
        if not missing:
            hidden = _personal_positions(row.values, columns, identity)
            return columns, _data_rows(rows, row.values, hidden)
        if first_missing is None:
            first_missing = missing
    if first_missing is None:
        raise FileRejected(f"the file has no rows: not a {what} file")
    described = "; ".join(_wanted(f, synonyms, overrides) for f in first_missing)
    raise FileRejected(
        f"not a {what} file: no header row with the columns {described}; "
        "name the file's columns in the source's options.columns"
    )


def _wanted(field: str, synonyms: Mapping, overrides: Mapping) -> str:
    if field in overrides:
        return f"{field} ({overrides[field]!r} as set in options.columns)"
    return f"{field} ({', '.join(synonyms[field][:4])}, …)"


def _data_rows(
    rows: Iterator[TableRow], header: list[Any], hidden: set[int]
) -> Iterator[TableRow]:
    names = [normalise_header(value) for value in header]
    for row in rows:
        if [normalise_header(value) for value in row.values] != names:
            raw = ";".join(
                REDACTED if i in hidden else redact_text(value)
                for i, value in enumerate(row.values)
            )
            yield TableRow(row.number, row.values, raw)


def _personal_positions(
    header: list[Any], columns: Mapping[str, int], identity: str
) -> set[int]:
    read = set(columns.values()) - {columns.get(identity)}
    return {
        i for i, name in enumerate(header) if i not in read and is_personal(name)
    } | ({columns[identity]} if identity in columns else set())


class FieldError(Exception):
    """A value that makes a row unusable, with the field (column) to blame."""

    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column, self.reason = column, reason


def parsed_cell(
    row: TableRow,
    columns: Mapping[str, int],
    field: str,
    parse: Callable[[Any], Any],
) -> Any:
    """``parse`` of a cell; its ValueError becomes a FieldError naming the field."""
    try:
        return parse(cell(row, columns, field))
    except ValueError as exc:
        raise FieldError(field, str(exc)) from None


def cell(row: TableRow, columns: Mapping[str, int], field: str) -> Any:
    position = columns.get(field)
    if position is None or position >= len(row.values):
        return ""
    value = row.values[position]
    return value.strip() if isinstance(value, str) else value


def day_first_for(
    options: Mapping[str, Any],
    columns: Mapping[str, int],
    rows: Iterator[TableRow],
    fields: tuple[str, ...],
) -> bool:
    """options["day_first"], else guessed from the first rows' slash dates."""
    if "day_first" in options:
        return bool(options["day_first"])
    samples = [
        str(cell(row, columns, field)) for row in islice(rows, 500) for field in fields
    ]
    return guess_day_first(samples)


def head_rows(path: Path, head: bytes, limit: int = HEADER_SEARCH_ROWS) -> list[list]:
    """The first rows of a CSV or .xlsx file, for ``sniff``; [] when unreadable."""
    try:
        if is_xlsx(path, head):
            return [row.values for row in islice(read_xlsx(path), limit)]
        text = _decode_head(head)
        lines = text.splitlines()[:limit]
        delimiter = sniff_delimiter("\n".join(lines))
        return [values for values in csv.reader(lines, delimiter=delimiter) if values]
    except (FileRejected, csv.Error, OSError, ValueError):
        return []


def _decode_head(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    try:
        # the head may end inside a multi-byte character
        return codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return head.decode("cp1252", errors="replace")


def has_columns(
    path: Path,
    head: bytes,
    synonyms: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    absent: tuple[str, ...] = (),
) -> bool:
    """True when one of the first rows has the required and none of the absent."""
    for values in head_rows(path, head):
        columns = find_columns(values, synonyms)
        if all(f in columns for f in required) and not any(
            f in columns for f in absent
        ):
            return True
    return False


# --- Personal data in quarantined rows ---------------------------------------------

# what a column or JSON key that may hold a name, an e-mail, a phone number, a
# free-text title or a person's id is called (folded, separators removed)
_PERSONAL = re.compile(
    r"nam[ne]|mail|epost|phone|telefon|mobil|adress|address|personnummer|title"
    r"|titel|summary|description|beskrivning|note|anteckning|comment|kommentar"
    r"|attendee|deltagare|visitor|besokare|member|medlem|coworker|customer|kund"
    r"|renter|reservee|bokadav|bookedby|by$|tostringtext|billing|company|foretag"
    r"|team|contact|kontakt"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
REDACTED = "…"


def is_personal(name: Any) -> bool:
    """True for a column or key that may identify a person (see _PERSONAL)."""
    return bool(_PERSONAL.search(re.sub(r"[\s_.\-/]", "", fold(name))))


def redact_text(value: Any) -> str:
    return _EMAIL.sub(REDACTED, str(value))


def redacted_json(value: Any, keep: frozenset[str] = frozenset()) -> str:
    """A JSON object as text for quarantine, without personal keys or e-mails.

    ``keep`` lists keys (lower case) that look personal but are read, e.g.
    ``resourcename``; the member id key is never kept.
    """
    return json.dumps(_redact(value, keep), ensure_ascii=False, default=str)


def _redact(value: Any, keep: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: _redact(item, keep)
            for key, item in value.items()
            if str(key).casefold() in keep or not is_personal(key)
        }
    if isinstance(value, list):
        return [_redact(item, keep) for item in value]
    return redact_text(value) if isinstance(value, str) else value


# --- JSON -------------------------------------------------------------------------


def load_json(path: Path, what: str) -> Any:
    """The parsed file; FileRejected naming the line and column of a syntax error."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return json.load(handle)
    except UnicodeDecodeError:
        raise FileRejected(f"not a {what} JSON file: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise FileRejected(
            f"not a {what} JSON file: invalid JSON at line {exc.lineno}, "
            f"column {exc.colno}: {exc.msg}"
        ) from None


def json_head(head: bytes) -> str:
    """The start of a JSON file as text, for ``sniff``; "" when it isn't JSON."""
    text = _decode_head(head).lstrip()
    return text if text[:1] in ("[", "{") else ""


def has_keys(text: str, *keys: str) -> bool:
    return all(re.search(rf'"{re.escape(key)}"\s*:', text) for key in keys)


def parse_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in ("true", "1", "yes", "ja", "sant")
    return bool(value)


# --- Booking records --------------------------------------------------------------


def is_all_day(start: datetime, end: datetime, zone: ZoneInfo) -> bool:
    """Whole local days from midnight to midnight."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return (
        end > start
        and local_start.time() == time(0)
        and local_end.time() == time(0)
        and local_end.date() > local_start.date()
    )


def stable_id(*parts: Any) -> str:
    """An id for a booking that has none, the same on every import of the row."""
    text = "|".join(str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def booking_record(
    *,
    source: str,
    external_id: Any,
    resource: Any,
    resource_type: Any,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    status: str,
    member_pseudonym: str | None,
    price: float | None,
    all_day: bool = False,
) -> dict[str, Any]:
    """The booking record all booking readers emit (see models.tables.Booking).

    Raises ValueError for a booking that ends before it starts.
    """
    if end < start:
        raise ValueError(f"the booking ends ({end}) before it starts ({start})")
    return {
        "source": clip(source, SOURCE_LENGTH),
        "external_id": clip(external_id, EXTERNAL_ID_LENGTH),
        "resource": clip(resource, RESOURCE_LENGTH),
        "resource_type": clip(resource_type, RESOURCE_TYPE_LENGTH),
        "start_at": start.astimezone(UTC),
        "end_at": end.astimezone(UTC),
        "all_day": all_day or is_all_day(start, end, zone),
        "status": status,
        "member_pseudonym": member_pseudonym,
        "price": price,
    }
