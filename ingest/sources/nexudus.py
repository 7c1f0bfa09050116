"""Nexudus bookings: API JSON, member-portal calendar JSON and CSV exports.

Shapes read (field names in any case):

- the REST API: a list of booking objects, or ``{"Records": [...]}`` as a list
  call returns it, with ``Id, ResourceName, ResourceResourceTypeName,
  CoworkerId, FromTime, ToTime, Tentative, OverridePrice, …``. ``FromTime`` /
  ``ToTime`` end in ``Z`` and are UTC.
- the ``cancelledbookings`` entity: the same fields plus ``CancelledOn`` and
  ``CancellationReason``; such a booking is stored as cancelled. Its
  ``BookingId`` (when present) or ``Id`` is taken to be the booking's id, so it
  replaces the booking loaded before.
- the member portal's ``fullCalendarBookings``: ``id, resourceName, start, end,
  allDay, coworkerId, …`` with ``ignoreTimezone: true``. Those times are local
  wall-clock times although they end in ``Z`` (a Nexudus quirk), so the ``Z``
  is dropped and the time read in the office's zone.
- a CSV export whose header uses the API field names.

Repeating bookings are separate bookings in Nexudus (``RepeatSeriesUniqueId``
links them), so nothing is expanded here. The row of a JSON booking is its
1-based position in the list. Names, e-mails, titles and notes
(``CoworkerFullName``, ``coworkerEmail``, ``title``, …) are never read.
``options["source"]`` names the source (default ``nexudus``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from ingest.base import FileRejected, Item, ReadContext, ReadOutput, RowError
from ingest.sources.common import (
    FieldError,
    booking_record,
    has_keys,
    head_rows,
    json_head,
    load_json,
    member_pseudonym,
    parse_bool,
    redacted_json,
)
from ingest.tabular import is_missing, parse_datetime, parse_number, read_table

# the same field in the API / CSV shape and in the portal shape
FIELDS = {
    "id": ("BookingId", "Id", "UniqueId"),
    "resource": ("ResourceName", "ResourceId"),
    "resource_type": ("ResourceResourceTypeName",),
    "member": ("CoworkerId",),
    "start": ("FromTime", "Start"),
    "end": ("ToTime", "End"),
    "price": ("OverridePrice",),
}
# read although they look personal; the coworker id never goes into raw text
KEEP = frozenset({"resourcename", "resourceresourcetypename"})
_TRAILING_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


class NexudusReader:
    kind: ClassVar[str] = "bookings"
    format: ClassVar[str] = "nexudus"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = json_head(head)
        if text:
            return has_keys(text, "FromTime", "ToTime") or has_keys(
                text, "coworkerId", "start"
            )
        rows = head_rows(path, head, limit=1)
        names = {str(value).strip().casefold() for value in (rows[0] if rows else [])}
        return {"fromtime", "totime"} <= names

    def read(self, path: Path, context: ReadContext) -> Iterator[ReadOutput]:
        source = str(context.options.get("source") or "nexudus")
        for row, booking, raw in _bookings(path, context.options):
            try:
                record = _record(booking, source, context)
            except FieldError as exc:
                yield RowError(row, exc.column, exc.reason, raw)
            else:
                yield Item(row, [record])


def _bookings(path: Path, options: Mapping[str, Any]) -> Iterator[tuple[int, Any, str]]:
    """(row, booking object, raw text) from a JSON or CSV export."""
    with path.open("rb") as handle:
        first = handle.read(4096)
    if json_head(first):
        yield from _json_bookings(path)
    else:
        yield from _csv_bookings(path, options)


def _json_bookings(path: Path) -> Iterator[tuple[int, Any, str]]:
    data = load_json(path, "Nexudus")
    if isinstance(data, dict):
        data = _lower_keys(data).get("records")
    if not isinstance(data, list):
        raise FileRejected(
            'not a Nexudus export: expected a list of bookings or {"Records": [...]}'
        )
    if data and not _looks_like_nexudus(data[0]):
        raise FileRejected(
            "not a Nexudus booking export: the first object has no FromTime or start"
        )
    for number, booking in enumerate(data, 1):
        yield number, booking, redacted_json(booking, KEEP)


def _looks_like_nexudus(booking: Any) -> bool:
    if not isinstance(booking, dict):
        return False
    fields = _lower_keys(booking)
    # OfficeRnD also has "start", but as an object and beside "_id"
    portal = isinstance(fields.get("start"), str) and "_id" not in fields
    return "fromtime" in fields or portal


def _csv_bookings(
    path: Path, options: Mapping[str, Any]
) -> Iterator[tuple[int, Any, str]]:
    rows = read_table(path, dict(options))
    header = next(rows, None)
    names = [str(name).strip() for name in header.values] if header else []
    if "fromtime" not in {name.casefold() for name in names}:
        raise FileRejected(
            "not a Nexudus export: the header has no FromTime column "
            f"(columns: {', '.join(names[:12])})"
        )
    for row in rows:
        booking = dict(zip(names, row.values, strict=False))
        yield row.number, booking, redacted_json(booking, KEEP)


def _lower_keys(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).casefold(): value for key, value in mapping.items()}


def _record(booking: Any, source: str, context: ReadContext) -> dict[str, Any]:
    if not isinstance(booking, dict):
        raise FieldError("", "not a booking object")
    fields = _lower_keys(booking)

    def get(field: str) -> Any:
        for name in FIELDS[field]:
            value = fields.get(name.casefold())
            if not is_missing(value):
                return value
        return None

    local = parse_bool(fields.get("ignoretimezone", False))
    start = _time(get("start"), "FromTime", local, context.timezone)
    end = _time(get("end"), "ToTime", local, context.timezone)
    booking_id = get("id")
    if booking_id is None:
        raise FieldError("Id", "no booking id")
    try:
        price = parse_number(get("price"))
    except ValueError as exc:
        raise FieldError("OverridePrice", str(exc)) from None
    try:
        return booking_record(
            source=source,
            external_id=booking_id,
            resource=get("resource"),
            resource_type=get("resource_type"),
            start=start,
            end=end,
            zone=context.timezone,
            status=_status(fields),
            member_pseudonym=member_pseudonym(get("member"), context),
            price=price,
            all_day=parse_bool(fields.get("allday", False)),
        )
    except ValueError as exc:
        raise FieldError("ToTime", str(exc)) from None


def _time(value: Any, column: str, local: bool, zone: ZoneInfo) -> datetime:
    """UTC when labelled so; local for portal times and times without offset."""
    if local and value is not None:
        # portal times are wall-clock times mislabelled as UTC
        value = _TRAILING_OFFSET.sub("", str(value).strip())
    try:
        parsed = parse_datetime(value, zone)
    except ValueError as exc:
        raise FieldError(column, str(exc)) from None
    if parsed is None:
        raise FieldError(column, "no time given")
    return parsed


def _status(fields: Mapping[str, Any]) -> str:
    if not is_missing(fields.get("cancelledon")):
        return "cancelled"
    if parse_bool(fields.get("tentative", False)):
        return "tentative"
    return "confirmed"
