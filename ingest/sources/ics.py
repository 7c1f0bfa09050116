"""iCalendar (.ics) room and resource calendars: one booking per occurrence.

icalendar parses, x_wr_timezone applies ``X-WR-TIMEZONE`` and recurring_ical_events
expands RRULE/RDATE/EXDATE and RECURRENCE-ID overrides. This module only repairs
the quirks of real exports (FORMATS.md section 1.1) before and after parsing and
turns each occurrence into a booking record.

Decisions, in one place:

- Items: one per VEVENT, at the line of its ``BEGIN:VEVENT``. A series master
  holds its expanded occurrences; an override (``RECURRENCE-ID``) holds the one
  occurrence it replaces (with ``RANGE=THISANDFUTURE``, the ones after it too),
  so nothing is counted twice. An event that cannot be used (no DTSTART, broken
  RRULE, ends before it starts, a second master with the same UID) is a RowError;
  the rest still loads. An event without UID (Exchange OWA) gets one derived from
  its start, summary and location. A truncated file is rejected as a whole.
- external_id: UID + "/" + the occurrence's original start in UTC, so an override
  updates the row of the occurrence it replaces.
- Cancelled (``STATUS:CANCELLED`` on the event or on one occurrence's override):
  the occurrences are emitted with status "cancelled", so a later import cancels
  rows stored before.
- Free time (``TRANSP:TRANSPARENT`` or ``X-MICROSOFT-CDO-BUSYSTATUS:FREE``): does
  not block the room, so it is no booking; its VEVENT is an Item without records.
- Time zones: a TZID the file defines or tzdata knows is used as is (icalendar
  maps Windows names such as "W. Europe Standard Time"); an Outlook display name
  "(UTC+01:00) Amsterdam, ..., Stockholm, ..." is matched by city; any other TZID
  is office local time. A floating time is in ``X-WR-TIMEZONE`` if there is one,
  else office local time.
  Records carry aware datetimes in the office zone; all-day events run from local
  midnight of DTSTART to local midnight of the exclusive DTEND.
- Expansion window: ``received_at - lookback_days`` (option, default 400) to
  ``received_at + horizon_days``, so a series without end is bounded.
- Coverage: ends at the horizon and starts at the earliest one-off event
  (single event or override) of the file, but no earlier than the window and no
  later than ``received_at``. Publishers that limit a feed's range (Exchange,
  TimeEdit) drop old one-off events yet keep the masters of old series, so the
  one-off events show where the published range really begins; declaring more
  would mark bookings removed that were only left out of the feed.
- Source: "ics:" + the ``calendar`` option, else X-WR-CALNAME, else the file name,
  slugified (a name that is an e-mail address is pseudonymised first).
- Privacy: ORGANIZER is stored only through ``context.pseudonymise``; attendees
  are never read; row errors keep the event text without ORGANIZER/ATTENDEE lines
  and with e-mail addresses blanked.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, available_timezones

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.error import GloballyUniqueTZIDGuessed
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from ingest.base import Coverage, FileRejected, Item, ReadContext, ReadOutput, RowError

DEFAULT_LOOKBACK_DAYS = 400

_DATE_PROPS = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")
# A parse error in one of these makes the event unusable; others (ORGANIZER, X-...)
# do not matter for a booking.
_VITAL_PROPS = {
    **dict.fromkeys(_DATE_PROPS, "date/time"),
    "DURATION": "duration",
    "RRULE": "repeat rule",
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FOLD = re.compile(r"(?:\r\n|\r|\n)[ \t]")
_DISPLAY_NAME = re.compile(r"^\((?:UTC|GMT)\s*(?:([+-])(\d{1,2}):?(\d\d))?\)\s*(.*)$")
_SPACE = re.compile(r"\s+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PERSONAL_LINES = ("ORGANIZER", "ATTENDEE", "CONTACT")
_MAX_UID = 370  # external_id is 400 characters: UID + "/" + 20-character instant


class IcsReader:
    """Bookings from an iCalendar file (Google, Outlook/Exchange, TimeEdit...)."""

    kind: ClassVar[str] = "bookings"
    format: ClassVar[str] = "ics"

    def sniff(self, path: Path, head: bytes) -> bool:
        start = _decode(head, strict=False).lstrip("\ufeff \t\r\n").upper()
        return start.startswith(("BEGIN:VCALENDAR", "BEGIN:VEVENT"))

    def read(self, path: Path, context: ReadContext) -> Iterator[ReadOutput]:
        lines = _LINE_BREAK.split(_decode(path.read_bytes()))
        _check_framing(lines)
        calendar = _parse(_repair(lines))
        outputs, usable = _split_usable(calendar, lines)
        usable = _with_zones(calendar, usable, context.timezone)
        window = _window(context)
        names = _Names(calendar, context)
        for members in _by_uid(usable).values():
            outputs.extend(_expand(members, window, names, context))
        for output in sorted(outputs, key=lambda output: output.row):
            if isinstance(output, RowError):
                output = replace(output, raw=_raw_event(lines, output.row))
            yield output
        start = _coverage_start([event for _, event in usable], window, context)
        yield Coverage(names.source, start, window[1])


# --- Text: decoding, framing and quirk repair -------------------------------------


def _decode(raw: bytes, strict: bool = True) -> str:
    if strict and not raw.strip():
        raise FileRejected("the file is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    if strict and b"\x00" in raw:
        raise FileRejected("binary file: an iCalendar (.ics) file is text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Outlook on Windows can save in the ANSI code page; a head cut inside a
        # multi-byte character lands here too
        return raw.decode("cp1252", errors="replace")


def _is_begin_vevent(line: str) -> bool:
    return line.rstrip().upper() == "BEGIN:VEVENT"


def _check_framing(lines: list[str]) -> None:
    """Reject what is not a calendar, and truncated downloads.

    A truncated feed must not load: its Coverage would mark every booking after
    the cut as removed.
    """
    # counted like the rows are: a folded line starting with a space is no BEGIN
    content = [line.rstrip().upper().lstrip("\ufeff") for line in lines if line.strip()]
    first = content[0].strip() if content else ""
    if first not in ("BEGIN:VCALENDAR", "BEGIN:VEVENT"):
        shown = next((line for line in lines if line.strip()), "")[:60]
        raise FileRejected(
            "not an iCalendar (.ics) file: it should start with BEGIN:VCALENDAR, "
            f"but the first line is {shown!r}"
        )
    begins = content.count("BEGIN:VEVENT")
    ends = content.count("END:VEVENT")
    if begins != ends or (
        first == "BEGIN:VCALENDAR" and "END:VCALENDAR" not in content
    ):
        raise FileRejected(
            f"the calendar is incomplete ({begins} BEGIN:VEVENT, {ends} END:VEVENT"
            f"{'' if 'END:VCALENDAR' in content else ', no END:VCALENDAR'}); "
            "was the download cut off?"
        )


def _repair(lines: list[str]) -> str:
    """Unfold, fix known quirks and wrap a bare VEVENT; icalendar does the rest."""
    text = _FOLD.sub("", "\n".join(lines).lstrip("\ufeff"))
    fixed = [_repair_line(line) for line in text.split("\n") if line.strip()]
    if fixed[0].strip().upper() == "BEGIN:VEVENT":
        fixed = ["BEGIN:VCALENDAR", "VERSION:2.0", *fixed, "END:VCALENDAR"]
    return "\r\n".join(fixed) + "\r\n"


def _repair_line(line: str) -> str:
    # Exchange writes "BYDAY=MO, TU, WE", which recurring_ical_events rejects
    if line[:6].upper() in ("RRULE:", "RRULE;", "EXRULE"):
        name, _, value = line.partition(":")
        return name + ":" + _SPACE.sub("", value)
    return line


def _parse(text: str) -> icalendar.Calendar:
    try:
        with warnings.catch_warnings():
            # "/vendor/Europe/Stockholm" (libical) read as Europe/Stockholm is wanted
            warnings.simplefilter("ignore", GloballyUniqueTZIDGuessed)
            calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except ValueError as error:
        raise FileRejected(f"not a readable iCalendar (.ics) file: {error}") from error
    if not calendars:
        raise FileRejected("not a readable iCalendar (.ics) file: no VCALENDAR found")
    # Concatenated feeds (several VCALENDARs in one file) are read as one calendar.
    first, *rest = calendars
    for other in rest:
        first.subcomponents.extend(other.subcomponents)
    return first


def _split_usable(
    calendar: icalendar.Calendar, lines: list[str]
) -> tuple[list[Item | RowError], list[tuple[int, icalendar.Event]]]:
    """Row errors for the events that cannot be used; the others with their row."""
    events = calendar.walk("VEVENT")
    rows = [number for number, line in enumerate(lines, 1) if _is_begin_vevent(line)]
    if len(rows) != len(events):
        raise FileRejected(
            f"found {len(rows)} BEGIN:VEVENT lines but could read {len(events)} "
            "events; the file is malformed"
        )
    errors: list[Item | RowError] = []
    usable: list[tuple[int, icalendar.Event]] = []
    for row, event in zip(rows, events, strict=True):
        problem = _problem(event)
        if problem:
            errors.append(RowError(row, *problem))
        else:
            _ensure_uid(event)
            usable.append((row, event))
    return errors, usable


def _raw_event(lines: list[str], row: int) -> str:
    """The event's text for the quarantine, without personal data."""
    kept = []
    for line in lines[row - 1 :]:
        if not line.upper().startswith(_PERSONAL_LINES):
            kept.append(_EMAIL.sub("[e-mail]", line))
        if line.strip().upper() == "END:VEVENT":
            break
    return "\n".join(kept)[:4000]


# --- Events: validation and time zones --------------------------------------------


def _problem(event: icalendar.Event) -> tuple[str, str] | None:
    """(column, reason) when the event cannot become bookings, else None."""
    for name, noun in _VITAL_PROPS.items():
        for value in _values(event, name):
            if isinstance(value, icalendar.vBroken):
                return name, f"{name} has no usable {noun} (value: {str(value)!r})"
    if "DTSTART" not in event:
        return "DTSTART", "the event has no DTSTART, so it has no date"
    return None


def _ensure_uid(event: icalendar.Event) -> None:
    """Exchange's published calendars (OWA) can leave out UID entirely.

    The stand-in is derived from what identifies the booking, so the next import
    of the same event finds the same rows.
    """
    if not str(event.get("UID", "")).strip():
        parts = [event.get(name) for name in ("DTSTART", "SUMMARY", "LOCATION")]
        text = "|".join(str(getattr(part, "dt", part)) for part in parts)
        event["UID"] = "no-uid-" + _digest(text)[:24]


def _values(event: icalendar.Event, name: str) -> list[Any]:
    value = event.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _with_zones(
    calendar: icalendar.Calendar,
    usable: list[tuple[int, icalendar.Event]],
    office: ZoneInfo,
) -> list[tuple[int, icalendar.Event]]:
    """Give every date-time of the usable events a time zone.

    Order matters: a TZID icalendar did not know is mapped first, then
    X-WR-TIMEZONE claims the floating times, and the office zone takes the rest.
    """
    clean = icalendar.Calendar()
    for _, event in usable:
        _set_zones(event, lambda tzid: _zone_for_tzid(tzid, office) if tzid else None)
        clean.add_component(event)
    x_wr = calendar.get("X-WR-TIMEZONE")
    if x_wr:
        # to_standard copies the events it changes, so take them back in order
        clean = x_wr_timezone.to_standard(clean, _zone_for_tzid(str(x_wr), office))
    events = clean.walk("VEVENT")
    for event in events:
        _set_zones(event, lambda tzid: office)
    return [(row, event) for (row, _), event in zip(usable, events, strict=True)]


def _set_zones(
    event: icalendar.Event, zone_for: Callable[[str | None], tzinfo | None]
) -> None:
    for name in _DATE_PROPS:
        for prop in _values(event, name):
            zone = zone_for(prop.params.get("TZID"))
            for value in getattr(prop, "dts", [prop]):
                value.dt = _localise(value.dt, zone)


def _localise(value: Any, zone: tzinfo | None) -> Any:
    if isinstance(value, tuple):  # an RDATE period
        return tuple(_localise(part, zone) for part in value)
    if isinstance(value, datetime) and value.tzinfo is None and zone is not None:
        return value.replace(tzinfo=zone)
    return value


@functools.cache
def _zone_for_tzid(tzid: str, office: ZoneInfo) -> tzinfo:
    """The zone a TZID means; the office zone when it cannot be known."""
    name = tzid.strip().strip('"').removeprefix("/")  # "/Europe/Stockholm" (libical)
    name = WINDOWS_TO_OLSON.get(name, name)
    if name in _known_zones():
        return ZoneInfo(name)
    return _zone_for_display_name(name, office) or office


def _zone_for_display_name(name: str, office: ZoneInfo) -> tzinfo | None:
    """Outlook's "(UTC+01:00) Amsterdam, Berlin, ..., Stockholm, Vienna"."""
    match = _DISPLAY_NAME.match(name)
    if not match:
        return None
    sign, hours, minutes, places = match.groups()
    zones = [_zone_by_city().get(place.strip().lower()) for place in places.split(",")]
    zones = [zone for zone in zones if zone]
    if office.key in zones:
        return office
    if zones:
        return ZoneInfo(zones[0])
    # no city (e.g. "Eastern Time (US & Canada)"): trust the standard offset
    offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    offset = -offset if sign == "-" else offset
    if datetime(2001, 1, 15, tzinfo=office).utcoffset() == offset:
        return office
    return timezone(offset)


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())  # reads tzdata on every call


@functools.cache
def _zone_by_city() -> dict[str, str]:
    by_city: dict[str, str] = {}
    for key in sorted(_known_zones()):
        city = key.rsplit("/", 1)[-1].replace("_", " ").lower()
        by_city.setdefault(city, key)
    return by_city


def _by_uid(
    usable: list[tuple[int, icalendar.Event]],
) -> dict[str, list[tuple[int, icalendar.Event]]]:
    groups: dict[str, list[tuple[int, icalendar.Event]]] = defaultdict(list)
    for row, event in usable:
        groups[str(event["UID"])].append((row, event))
    return groups


# --- Expansion and records --------------------------------------------------------


class _Names:
    """The per-file names: the source and the resource fallbacks."""

    def __init__(self, calendar: icalendar.Calendar, context: ReadContext) -> None:
        options = context.options
        cal_name = str(calendar.get("X-WR-CALNAME", "")).strip()
        base = options.get("calendar") or cal_name or Path(context.file_name).stem
        if _EMAIL.search(base):
            # Google names a user's calendar after the e-mail address
            base = context.pseudonymise(base.lower())[:16]
        self.source = "ics:" + _slug(base)
        self.resource = options.get("resource", "")
        self.calendar_name = "" if _EMAIL.search(cal_name) else cal_name
        self.resource_type = str(options.get("resource_type", ""))[:40]


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.decode().lower()).strip("-")[:100]


ONE_OFF_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def _window(context: ReadContext) -> tuple[datetime, datetime]:
    lookback = int(context.options.get("lookback_days", DEFAULT_LOOKBACK_DAYS))
    received = context.received_at
    return (
        received - timedelta(days=lookback),
        received + timedelta(days=context.horizon_days),
    )


def _expand(
    members: list[tuple[int, icalendar.Event]],
    window: tuple[datetime, datetime],
    names: _Names,
    context: ReadContext,
) -> list[Item | RowError]:
    """Items (or errors) for the VEVENTs sharing one UID: a series and overrides."""
    errors, members = _drop_unusable(members)
    if not members:
        return errors
    master_row, master = next(
        (member for member in members if "RECURRENCE-ID" not in member[1]), members[0]
    )
    overrides = [(row, event) for row, event in members if "RECURRENCE-ID" in event]
    _inherit_duration(master, [event for _, event in overrides])
    if not any("RRULE" in event or "RDATE" in event for _, event in members):
        # the lookback only bounds the work of expanding series: a one-off
        # booking is history and is kept however old it is
        window = (ONE_OFF_EARLIEST, window[1])
    try:
        occurrences = list(_occurrences(members, window))
    except Exception as error:  # any library failure stays with these events
        return errors + [
            RowError(row, "RRULE" if "RRULE" in event else "", _cannot_expand(error))
            for row, event in members
        ]
    # an occurrence made from an override carries its RECURRENCE-ID
    row_of = {
        recurring_ical_events.EventAdapter(event).recurrence_ids: row
        for row, event in overrides
    }
    templates = {row: _template(event, names, context) for row, event in members}
    originals = {row: _original_start_of(event) for row, event in members}
    records: dict[int, dict[str, dict[str, Any]]] = {row: {} for row, _ in members}
    for occurrence in occurrences:
        row = row_of.get(occurrence.recurrence_ids, master_row)
        if templates[row] is not None:
            original = originals[row](occurrence.start)
            record = _record(templates[row], occurrence, original, context.timezone)
            records[row].setdefault(record["external_id"], record)
    return errors + [Item(row, list(found.values())) for row, found in records.items()]


def _occurrences(
    members: list[tuple[int, icalendar.Event]], window: tuple[datetime, datetime]
) -> Iterator[recurring_ical_events.Occurrence]:
    # Occurrence objects, not the components of ``between()``: building a
    # component per occurrence costs ten times the expansion itself.
    group = icalendar.Calendar()
    for _, event in members:
        group.add_component(event)
    for series in recurring_ical_events.of(group).series:
        yield from series.between(*window)


def _drop_unusable(
    members: list[tuple[int, icalendar.Event]],
) -> tuple[list[RowError], list[tuple[int, icalendar.Event]]]:
    errors: list[RowError] = []
    kept: list[tuple[int, icalendar.Event]] = []
    seen_master: int | None = None
    for row, event in members:
        problem = _span_problem(event)
        if not problem and "RECURRENCE-ID" not in event and seen_master is not None:
            problem = (
                "UID",
                f"the same UID is already used by the event at row "
                f"{seen_master}; only the first is loaded",
            )
        if problem:
            errors.append(RowError(row, *problem))
            continue
        if "RECURRENCE-ID" not in event:
            seen_master = row
        kept.append((row, event))
    return errors, kept


def _span_problem(event: icalendar.Event) -> tuple[str, str] | None:
    try:
        if event.end < event.start:
            return "DTEND", f"DTEND {event.end} is before DTSTART {event.start}"
    except (icalendar.InvalidCalendar, TypeError) as error:
        return "DTEND", f"start and end do not fit together: {error}"
    return None


def _inherit_duration(
    master: icalendar.Event, overrides: list[icalendar.Event]
) -> None:
    """An override without DTEND keeps the series' length (Google writes these)."""
    for override in overrides:
        if "DTEND" not in override and "DURATION" not in override:
            if isinstance(override.start, datetime):
                override.add("DURATION", master.duration)


def _cannot_expand(error: Exception) -> str:
    return f"the event's repeat rule cannot be expanded: {error}"


def _original_start_of(event: icalendar.Event) -> Callable[[date], date]:
    """How to find an occurrence's start in the series (what RECURRENCE-ID names)."""
    recurrence_id = event.get("RECURRENCE-ID")
    if recurrence_id is None:
        return lambda start: start
    if recurrence_id.params.get("RANGE", "").upper() == "THISANDFUTURE":
        # later occurrences are moved by as much as this override moved itself
        shift = event.start - recurrence_id.dt
        return lambda start: start - shift
    return lambda start: recurrence_id.dt


def _template(
    event: icalendar.Event, names: _Names, context: ReadContext
) -> dict[str, Any] | None:
    """The fields all occurrences of one VEVENT share; None if it blocks nothing."""
    status = _status(event)
    if status != "cancelled" and _is_free(event):
        return None
    uid = str(event["UID"])
    location = str(event.get("LOCATION", "")).strip()
    return {
        "source": names.source,
        "external_id": (uid if len(uid) <= _MAX_UID else _digest(uid)) + "/",
        "resource": (names.resource or location or names.calendar_name)[:200],
        "resource_type": names.resource_type,
        "status": status,
        "member_pseudonym": _organizer(event, context),
        "price": None,
    }


def _record(
    template: dict[str, Any],
    occurrence: recurring_ical_events.Occurrence,
    original: date,
    office: ZoneInfo,
) -> dict[str, Any]:
    """The booking of one occurrence."""
    record = dict(template)
    record["external_id"] += _instant(original, office)
    record["start_at"] = _aware(occurrence.start, office)
    record["end_at"] = _aware(occurrence.end, office)
    record["all_day"] = not isinstance(occurrence.start, datetime)
    return record


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _status(event: icalendar.Event) -> str:
    status = str(event.get("STATUS", "")).strip().upper()
    return {"CANCELLED": "cancelled", "TENTATIVE": "tentative"}.get(status, "confirmed")


def _is_free(event: icalendar.Event) -> bool:
    transparency = str(event.get("TRANSP", "")).strip().upper()
    busy = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).strip().upper()
    return transparency == "TRANSPARENT" or busy == "FREE"


def _organizer(event: icalendar.Event, context: ReadContext) -> str | None:
    address = str(event.get("ORGANIZER", "")).strip()
    address = re.sub(r"^mailto:", "", address, flags=re.IGNORECASE).strip().lower()
    return context.pseudonymise(address) if address else None


def _aware(value: date, office: tzinfo) -> datetime:
    """A date-time in the office zone; a date is the office's local midnight."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=office)
    if value.tzinfo is None:
        return value.replace(tzinfo=office)
    return value.astimezone(office)


def _instant(value: date, office: tzinfo) -> str:
    return _aware(value, office).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _coverage_start(
    events: list[icalendar.Event],
    window: tuple[datetime, datetime],
    context: ReadContext,
) -> datetime:
    one_offs = [
        _aware(event.start, context.timezone)
        for event in events
        if "RRULE" not in event and "RDATE" not in event
    ]
    return max(window[0], min([*one_offs, context.received_at]))
