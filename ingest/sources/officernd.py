"""OfficeRnD bookings (JSON): ``/bookings`` or, better, ``/bookings/occurrences``.

A booking: ``_id, start{dateTime|date}, end{dateTime|date}, timezone,
resourceId, member, canceled, tentative, free, recurrence{rrule, exdates}``.
The file is a list of bookings or an API page ``{"results": [...]}``.

- Times with an offset (usually ``…Z``) are taken as they are; without one they
  are in the booking's ``timezone``, else the office's. A ``date`` booking is
  all-day; its end date is exclusive (as in Google Calendar) and a same-day end
  is read as one whole day.
- Recurring series: prefer the ``/bookings/occurrences`` export, already
  expanded; an ``_id`` seen more than once in a file marks such an export and
  is never expanded again. A series that appears once with
  ``recurrence.rrule`` (the ``/bookings`` export) is expanded with dateutil in
  the booking's wall-clock time, minus ``exdates``, up to
  ``received_at + horizon_days``. ``options["expand_recurrence"] = False``
  turns that off. Either way an occurrence's id is ``<_id>@<start UTC>``, so the
  two exports give the same keys.
- ``resourceId`` is stored as the resource unless ``options["resources"]`` maps
  it to a name. ``free: true`` gives price 0; other prices aren't in a booking.
- ``summary``, ``description``, ``visitors`` and names are never read; the
  member id is pseudonymised. ``options["source"]`` names the source
  (default ``officernd``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

from ingest.base import FileRejected, Item, ReadContext, ReadOutput, RowError
from ingest.sources.common import (
    FieldError,
    booking_record,
    has_keys,
    json_head,
    load_json,
    member_pseudonym,
    parse_bool,
    redacted_json,
)
from ingest.tabular import is_missing, parse_date, parse_datetime

_UTC_UNTIL = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


class OfficeRndReader:
    kind: ClassVar[str] = "bookings"
    format: ClassVar[str] = "officernd"

    def sniff(self, path: Path, head: bytes) -> bool:
        return has_keys(json_head(head), "_id", "resourceId")

    def read(self, path: Path, context: ReadContext) -> Iterator[ReadOutput]:
        bookings = _bookings(load_json(path, "OfficeRnD"))
        times_seen = Counter(b.get("_id") for b in bookings if isinstance(b, dict))
        for number, booking in enumerate(bookings, 1):
            try:
                records = _records(booking, times_seen, context)
            except FieldError as exc:
                yield RowError(number, exc.column, exc.reason, redacted_json(booking))
            else:
                yield Item(number, records)


def _bookings(data: Any) -> list[Any]:
    if isinstance(data, dict):
        data = data.get("results", data.get("data"))
    if not isinstance(data, list):
        raise FileRejected(
            'not an OfficeRnD export: expected a list of bookings or {"results": [...]}'
        )
    first = data[0] if data else {}
    if data and not (isinstance(first, dict) and "_id" in first and "start" in first):
        raise FileRejected(
            "not an OfficeRnD booking export: the first object has no _id and start"
        )
    return data


def _records(
    booking: Any, times_seen: Mapping[Any, int], context: ReadContext
) -> list[dict[str, Any]]:
    if not isinstance(booking, dict):
        raise FieldError("", "not a booking object")
    booking_id = booking.get("_id")
    if is_missing(booking_id):
        raise FieldError("_id", "no booking id")
    zone = _zone(booking.get("timezone"), context.timezone)
    start, start_is_date = _time(booking.get("start"), "start", zone)
    end, _ = _time(booking.get("end"), "end", zone)
    if start_is_date and end <= start:
        end = start + timedelta(days=1)  # an inclusive end date: one whole day
    rrule = (booking.get("recurrence") or {}).get("rrule")
    series = bool(rrule) or times_seen[booking_id] > 1
    expand = (
        bool(rrule)
        and times_seen[booking_id] == 1
        and context.options.get("expand_recurrence", True)
    )
    starts = [start]
    if expand:
        until = context.received_at + timedelta(days=context.horizon_days)
        exdates = (booking.get("recurrence") or {}).get("exdates") or []
        starts = _occurrences(start, rrule, exdates, zone, until)
    return [
        _record(booking, occurrence, occurrence + (end - start), series, zone, context)
        for occurrence in starts
    ]


def _record(
    booking: dict[str, Any],
    start: datetime,
    end: datetime,
    series: bool,
    zone: ZoneInfo,
    context: ReadContext,
) -> dict[str, Any]:
    booking_id = str(booking["_id"])
    if series:
        booking_id += "@" + start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        return booking_record(
            source=str(context.options.get("source") or "officernd"),
            external_id=booking_id,
            resource=_resource(booking.get("resourceId"), context.options),
            resource_type="",
            start=start,
            end=end,
            zone=zone,
            status=_status(booking),
            member_pseudonym=member_pseudonym(_ref(booking.get("member")), context),
            price=0.0 if parse_bool(booking.get("free", False)) else None,
        )
    except ValueError as exc:
        raise FieldError("end", str(exc)) from None


def _zone(name: Any, default: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(str(name)) if name else default
    except (ZoneInfoNotFoundError, ValueError):
        return default


def _time(value: Any, field: str, zone: ZoneInfo) -> tuple[datetime, bool]:
    """(aware time, whether it was a date) from ``{"dateTime"}`` or ``{"date"}``."""
    if not isinstance(value, dict):
        value = {"dateTime": value}
    try:
        if not is_missing(value.get("dateTime")):
            return parse_datetime(value["dateTime"], zone), False
        day = parse_date(value.get("date"))
    except ValueError as exc:
        raise FieldError(field, str(exc)) from None
    if day is None:
        raise FieldError(field, f"no {field} time")
    return datetime.combine(day, time(0), zone), True


def _occurrences(
    start: datetime, rrule: str, exdates: list[Any], zone: ZoneInfo, until: datetime
) -> list[datetime]:
    """Series starts in local wall-clock time, so 09:00 stays 09:00 across DST."""
    local_start = start.astimezone(zone).replace(tzinfo=None)
    text = str(rrule).strip().removeprefix("RRULE:")
    # dateutil needs UNTIL and DTSTART alike: both naive local
    text = _UTC_UNTIL.sub(lambda m: "UNTIL=" + _local(m[1], zone), text)
    try:
        rule = rrulestr(text, dtstart=local_start)
    except (ValueError, TypeError) as exc:
        raise FieldError("recurrence.rrule", f"not a valid RRULE: {exc}") from None
    limit = until.astimezone(zone).replace(tzinfo=None)
    instants, days = _excluded(exdates, zone)
    starts = [o.replace(tzinfo=zone) for o in rule.between(local_start, limit, True)]
    return [s for s in starts if s not in instants and s.date() not in days]


def _local(utc_text: str, zone: ZoneInfo) -> str:
    moment = datetime.strptime(utc_text, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def _excluded(exdates: list[Any], zone: ZoneInfo) -> tuple[set[datetime], set[date]]:
    """Excluded instants, and whole local days for date-only exdates."""
    instants, days = set(), set()
    for value in exdates:
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value).strip()):
                days.add(parse_date(value))
            else:
                instants.add(parse_datetime(value, zone))
        except ValueError:
            raise FieldError("recurrence.exdates", f"not a date: {value!r}") from None
    return instants, days


def _ref(value: Any) -> Any:
    """An id, whether the API gave it plain or as a populated object."""
    return value.get("_id") if isinstance(value, dict) else value


def _resource(value: Any, options: Mapping[str, Any]) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("_id") or "")
    names = options.get("resources") or {}
    return str(names.get(str(value), value or ""))


def _status(booking: Mapping[str, Any]) -> str:
    if parse_bool(booking.get("canceled", False)):
        return "cancelled"
    if parse_bool(booking.get("tentative", False)):
        return "tentative"
    return "confirmed"
