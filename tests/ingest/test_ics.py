"""The iCalendar bookings reader, one real-world quirk per test (FORMATS.md 1.1)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from ingest.base import Coverage, FileRejected, Item, ReadContext, RowError
from ingest.sources.ics import IcsReader

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ics"
# the project's shared folder beside the repository, when there is one
SHARED_SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "ics"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
RECEIVED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def fake_pseudonym(value: str) -> str:
    return "p-" + hashlib.sha256(value.encode()).hexdigest()[:12]


def context(name: str = "kalender.ics", **changes: Any) -> ReadContext:
    values: dict[str, Any] = {
        "office_id": "emmaboda",
        "timezone": STOCKHOLM,
        "file_name": name,
        "received_at": RECEIVED,
        "pseudonymise": fake_pseudonym,
    }
    return ReadContext(**{**values, **changes})


def read(path: Path, **changes: Any) -> list[Any]:
    """All outputs, after checking that every VEVENT became one Item or RowError."""
    outputs = list(IcsReader().read(path, context(path.name, **changes)))
    text = path.read_bytes().decode("utf-8-sig")
    begins = [
        number
        for number, line in enumerate(text.splitlines(), 1)
        if line.rstrip() == "BEGIN:VEVENT"
    ]
    rows = [out.row for out in outputs if isinstance(out, Item | RowError)]
    assert rows == begins
    assert sum(isinstance(out, Coverage) for out in outputs) == 1
    return outputs


def items(outputs: list[Any]) -> list[Item]:
    return [out for out in outputs if isinstance(out, Item)]


def errors(outputs: list[Any]) -> list[RowError]:
    return [out for out in outputs if isinstance(out, RowError)]


def coverage(outputs: list[Any]) -> Coverage:
    return next(out for out in outputs if isinstance(out, Coverage))


def records(outputs: list[Any]) -> list[dict[str, Any]]:
    found = [record for item in items(outputs) for record in item.records]
    return sorted(found, key=lambda record: record["start_at"])


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def starts(found: list[dict[str, Any]]) -> list[datetime]:
    return [record["start_at"].astimezone(UTC) for record in found]


# --- Recognising and rejecting files ----------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
        b"\xef\xbb\xbfBEGIN:VCALENDAR\r\n",
        b"\r\n  begin:vcalendar\n",
        b"BEGIN:VEVENT\nUID:1\n",
    ],
)
def test_sniff_recognises_calendars(head: bytes) -> None:
    assert IcsReader().sniff(Path("x.ics"), head)


@pytest.mark.parametrize(
    "head",
    [b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"Datum;Rum;Bokare\n2026-03-01;A;B\n"],
)
def test_sniff_ignores_other_files(head: bytes) -> None:
    assert not IcsReader().sniff(Path("x.ics"), head)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \r\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"Datum;Rum;Bokare\n2026-03-01;Kalmarsund;Anna\n", "BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:1\n", "cut off"),
        (b"BEGIN:VCALENDAR\nVERSION:2.0\n", "cut off"),
    ],
)
def test_not_a_calendar_is_rejected(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bokningar.ics"
    path.write_bytes(content)
    with pytest.raises(FileRejected, match=message):
        list(IcsReader().read(path, context()))


# --- Framing: line endings, BOM, long lines, no VCALENDAR -------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode(),
        lambda text: text.replace("\n", "\r\n").encode(),
        lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
    ],
    ids=["lf", "crlf", "bom-crlf"],
)
def test_line_endings_and_bom_do_not_matter(tmp_path: Path, encode: Any) -> None:
    text = (FIXTURES / "google_override_before_master.ics").read_text()
    path = tmp_path / "nybro.ics"
    path.write_bytes(encode(text))
    expected = records(read(FIXTURES / "google_override_before_master.ics"))
    assert records(read(path)) == expected


def test_bare_vevent_without_vcalendar() -> None:
    outputs = read(FIXTURES / "timeedit_bare_vevent.ics")
    [record] = records(outputs)
    assert record["start_at"] == utc(2026, 3, 10, 8)
    assert record["end_at"] == utc(2026, 3, 10, 10)
    assert record["resource"] == "Lokalnamn: Sal Kalmarsund. Campus: Kalmar"
    assert record["source"] == "ics:timeedit-bare-vevent"


def test_long_unfolded_lines_and_spaces_in_byday() -> None:
    """Exchange: 180-character lines and "BYDAY=MO, TU, WE" with spaces."""
    [item] = items(read(FIXTURES / "exchange_windows_tz.ics"))
    assert item.row == 21
    found = sorted(item.records, key=lambda record: record["start_at"])
    local_days = [record["start_at"].astimezone(STOCKHOLM).date() for record in found]
    assert local_days == [
        date(2026, 3, 23),
        date(2026, 3, 24),
        date(2026, 3, 25),
        date(2026, 3, 30),
        date(2026, 3, 31),
        date(2026, 4, 1),
        date(2026, 4, 6),
        date(2026, 4, 7),
        date(2026, 4, 8),
    ]


# --- Time zones --------------------------------------------------------------------


def test_weekly_series_keeps_local_time_across_both_dst_changes() -> None:
    found = records(read(FIXTURES / "google_weekly_dst.ics", horizon_days=365))
    by_start = starts(found)
    assert len(found) == 34
    # last Sunday of March is 29 March, last Sunday of October 25 October 2026
    assert utc(2026, 3, 26, 8) in by_start  # 09:00 CET
    assert utc(2026, 4, 2, 7) in by_start  # 09:00 CEST
    assert utc(2026, 10, 22, 7) in by_start  # 09:00 CEST
    assert utc(2026, 10, 29, 8) in by_start  # 09:00 CET
    local = {record["start_at"].astimezone(STOCKHOLM).time() for record in found}
    assert local == {datetime(2026, 1, 1, 9).time()}
    assert all(
        record["end_at"] - record["start_at"] == timedelta(hours=1) for record in found
    )


def test_windows_zone_names_with_vtimezone_follow_dst() -> None:
    found = records(read(FIXTURES / "exchange_windows_tz.ics"))
    assert found[0]["start_at"] == utc(2026, 3, 23, 7)  # 08:00 CET
    assert found[3]["start_at"] == utc(2026, 3, 30, 6)  # 08:00 CEST
    assert found[3]["end_at"] == utc(2026, 3, 30, 14)


def test_outlook_display_names_and_windows_names_without_vtimezone() -> None:
    found = records(read(FIXTURES / "owa_display_name_tz.ics"))
    assert starts(found) == [
        utc(2026, 3, 12, 9),  # "(UTC+01:00) ... Stockholm ..." 10:00 CET
        utc(2026, 3, 18, 12),  # the same, in the event without UID
        utc(2026, 4, 2, 8),  # "W. Europe Standard Time" 10:00 CEST
    ]


def test_display_name_is_matched_by_city_not_by_office_zone() -> None:
    """An office in London still reads "(UTC+01:00) Amsterdam, ..." as CET."""
    found = records(
        read(FIXTURES / "owa_display_name_tz.ics", timezone=ZoneInfo("Europe/London"))
    )
    assert starts(found)[0] == utc(2026, 3, 12, 9)


def test_event_without_uid_gets_a_stable_one() -> None:
    first = records(read(FIXTURES / "owa_display_name_tz.ics"))
    again = records(read(FIXTURES / "owa_display_name_tz.ics"))
    assert first[1]["external_id"].startswith("no-uid-")
    assert first[1]["external_id"] == again[1]["external_id"]


def test_slash_tzid_unknown_tzid_floating_and_utc_times() -> None:
    found = records(read(FIXTURES / "evolution_tzid_quirks.ics"))
    assert starts(found) == [
        utc(2026, 3, 5, 8),  # TZID=/Europe/Stockholm 09:00
        utc(2026, 3, 5, 9),  # unknown TZID, no VTIMEZONE: office time 10:00, not UTC
        utc(2026, 3, 5, 10),  # floating 11:00: office time
        utc(2026, 3, 5, 12),  # UTC stays UTC
    ]
    assert all(record["start_at"].tzinfo is not None for record in found)


def test_x_wr_timezone_turns_a_utc_series_into_local_time(tmp_path: Path) -> None:
    path = FIXTURES / "google_x_wr_timezone.ics"
    with_x_wr = starts(records(read(path)))
    assert with_x_wr == [utc(2026, 3, 19, 8), utc(2026, 3, 26, 8), utc(2026, 4, 2, 7)]
    # without X-WR-TIMEZONE the series is in UTC, as RFC 5545 says
    plain = tmp_path / "plain.ics"
    plain.write_text(path.read_text().replace("X-WR-TIMEZONE:Europe/Stockholm\n", ""))
    assert starts(records(read(plain)))[-1] == utc(2026, 4, 2, 8)


# --- Recurrence --------------------------------------------------------------------


def test_override_before_master_without_dtend_gets_master_duration() -> None:
    outputs = read(FIXTURES / "google_override_before_master.ics")
    override, master = items(outputs)
    assert override.row == 8 and master.row == 21
    [moved] = override.records
    assert moved["start_at"] == utc(2026, 3, 10, 14)
    assert moved["end_at"] == utc(2026, 3, 10, 15, 30)  # 1.5 h like the series
    uid = "0d7f3qk1r5hv9s2lm4p8c6b1ta@google.com"
    # the override updates the row of the occurrence it replaces
    assert moved["external_id"] == f"{uid}/2026-03-10T12:00:00Z"
    # 6 Tuesdays from 3 March, minus the moved 10 March and the EXDATE 24 March
    assert starts(master.records) == [
        utc(2026, 3, 3, 12),
        utc(2026, 3, 17, 12),
        utc(2026, 3, 31, 11),
        utc(2026, 4, 7, 11),
    ]


def test_this_and_future_override_moves_the_rest_of_the_series() -> None:
    master, moved = items(read(FIXTURES / "apple_this_and_future.ics"))
    assert starts(master.records) == [utc(2026, 3, 3, 8), utc(2026, 3, 10, 8)]
    # from 17 March on an hour later, still named by the original 09:00 start
    assert starts(moved.records) == [
        utc(2026, 3, 17, 9),
        utc(2026, 3, 24, 9),
        utc(2026, 3, 31, 8),
        utc(2026, 4, 7, 8),
    ]
    uid = "5E0C2A77-1B4D-4C9E-A3F2-8D61B0E4C7A9"
    assert moved.records[-1]["external_id"] == f"{uid}/2026-04-07T07:00:00Z"


def test_exdate_folded_list_rdate_and_duration() -> None:
    found = records(read(FIXTURES / "outlook_exdate_rdate_duration.ics"))
    assert starts(found) == [
        utc(2026, 3, 2, 9),
        utc(2026, 3, 12, 13),  # RDATE
        utc(2026, 3, 30, 8),
        utc(2026, 4, 6, 8),
        utc(2026, 4, 13, 8),
        utc(2026, 4, 20, 8),
    ]
    assert {record["end_at"] - record["start_at"] for record in found} == {
        timedelta(hours=2)
    }


def test_series_without_end_stops_at_the_horizon() -> None:
    found = records(read(FIXTURES / "google_multi_feature.ics", horizon_days=30))
    assert max(starts(found)) < RECEIVED + timedelta(days=30)


def test_expansion_starts_at_the_lookback() -> None:
    found = records(
        read(FIXTURES / "google_multi_feature.ics", options={"lookback_days": 10})
    )
    assert min(starts(found)) >= RECEIVED - timedelta(days=10, hours=1)


# --- Cancellation and free time ----------------------------------------------------


def test_cancelled_single_occurrence_is_emitted_as_cancelled() -> None:
    master, override = items(read(FIXTURES / "thunderbird_cancelled_occurrence.ics"))
    assert [record["status"] for record in master.records] == ["confirmed"] * 4
    [cancelled] = override.records
    assert cancelled["status"] == "cancelled"
    assert cancelled["start_at"] == utc(2026, 3, 11, 7)
    assert cancelled["external_id"] not in {r["external_id"] for r in master.records}


def test_cancelled_event_and_series_are_emitted_as_cancelled() -> None:
    found = records(read(FIXTURES / "apple_cancelled_event.ics"))
    assert len(found) == 4
    assert {record["status"] for record in found} == {"cancelled"}


def test_free_time_is_no_booking_but_still_counted() -> None:
    outputs = read(FIXTURES / "outlook_free_time.ics")
    counts = [len(item.records) for item in items(outputs)]
    # busy; TRANSP:TRANSPARENT; BUSYSTATUS:FREE; tentative series; free override
    assert counts == [1, 0, 0, 2, 0]
    series = items(outputs)[3].records
    assert {record["status"] for record in series} == {"tentative"}
    assert starts(series) == [utc(2026, 3, 9, 7), utc(2026, 3, 23, 7)]


# --- All-day events ------------------------------------------------------------------


def test_all_day_events_run_midnight_to_midnight_local() -> None:
    two_days, one_day = records(read(FIXTURES / "google_allday.ics"))
    assert two_days["all_day"] and one_day["all_day"]
    # DTEND is exclusive; the night of 29 March is 23 hours long
    assert two_days["start_at"] == utc(2026, 3, 27, 23)
    assert two_days["end_at"] == utc(2026, 3, 29, 22)
    # no DTEND: one day
    assert one_day["start_at"] == utc(2026, 4, 6, 22)
    assert one_day["end_at"] == utc(2026, 4, 7, 22)
    assert two_days["start_at"].tzinfo == STOCKHOLM


# --- Broken events -------------------------------------------------------------------


def test_broken_events_are_row_errors_and_the_rest_loads() -> None:
    outputs = read(FIXTURES / "exchange_broken_events.ics")
    found = {(error.row, error.column): error for error in errors(outputs)}
    assert sorted(found) == [
        (6, "DTSTART"),
        (23, "RRULE"),
        (32, "DTEND"),
        (40, "DTSTART"),
    ]
    empty_start = found[6, "DTSTART"]
    assert empty_start.reason == "DTSTART has no usable date/time (value: '')"
    assert empty_start.raw.startswith("BEGIN:VEVENT\nSUMMARY:Mötesrum Ölandsbron")
    assert "example.se" not in empty_start.raw and "ORGANIZER" not in empty_start.raw
    assert "before" in found[32, "DTEND"].reason
    assert "no DTSTART" in found[40, "DTSTART"].reason
    [loaded] = records(outputs)
    assert loaded["start_at"] == utc(2026, 3, 11, 8)


def test_duplicate_master_uid_is_a_row_error(tmp_path: Path) -> None:
    event = "BEGIN:VEVENT\nUID:dubbel@kontor\nDTSTART:2026031{}T090000Z\nEND:VEVENT\n"
    path = tmp_path / "dubbel.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\n"
        + event.format(0)
        + event.format(1)
        + "END:VCALENDAR\n"
    )
    outputs = read(path)
    assert [len(item.records) for item in items(outputs)] == [1]
    [error] = errors(outputs)
    assert error.row == 7 and error.column == "UID" and "row 3" in error.reason


# --- Records: names, privacy, coverage -----------------------------------------------


def test_record_fields() -> None:
    found = records(read(FIXTURES / "google_override_before_master.ics"))
    record = found[0]
    assert set(record) == {
        "source",
        "external_id",
        "resource",
        "resource_type",
        "start_at",
        "end_at",
        "all_day",
        "status",
        "member_pseudonym",
        "price",
    }
    assert record["source"] == "ics:kontoret-nybro-lilla-motesrummet"
    assert record["resource"] == "Lilla mötesrummet"
    assert record["resource_type"] == ""
    assert record["all_day"] is False
    assert record["price"] is None
    assert record["external_id"] == (
        "0d7f3qk1r5hv9s2lm4p8c6b1ta@google.com/2026-03-03T12:00:00Z"
    )


def test_organizer_is_pseudonymised_and_no_email_is_stored() -> None:
    found = records(read(FIXTURES / "google_override_before_master.ics"))
    master = [record for record in found if record["start_at"] != utc(2026, 3, 10, 14)]
    assert {record["member_pseudonym"] for record in master} == {
        fake_pseudonym("anna.lindqvist@example.se")
    }
    assert "@example.se" not in repr(found)


def test_options_name_the_source_and_resource() -> None:
    options = {
        "calendar": "Emmaboda rum",
        "resource": "Kalmarsund",
        "resource_type": "meeting_room",
    }
    found = records(read(FIXTURES / "google_weekly_dst.ics", options=options))
    assert {record["source"] for record in found} == {"ics:emmaboda-rum"}
    assert {record["resource"] for record in found} == {"Kalmarsund"}
    assert {record["resource_type"] for record in found} == {"meeting_room"}


def test_calendar_named_after_an_email_is_not_stored_raw(tmp_path: Path) -> None:
    """Google names a personal calendar after its owner's address."""
    text = (FIXTURES / "timeedit_bare_vevent.ics").read_text()
    text = text.replace("LOCATION:Lokalnamn: Sal Kalmarsund. Campus: Kalmar\n", "")
    path = tmp_path / "Anna.Lindqvist@example.se.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nX-WR-CALNAME:Anna.Lindqvist@example.se\n"
        + text
        + "END:VCALENDAR\n"
    )
    outputs = read(path)
    [record] = records(outputs)
    assert record["source"] == "ics:" + fake_pseudonym("anna.lindqvist@example.se")[:16]
    assert record["resource"] == ""
    assert "example" not in repr(outputs)


def test_coverage_from_earliest_one_off_event_to_horizon() -> None:
    outputs = read(FIXTURES / "google_multi_feature.ics")
    cover = coverage(outputs)
    assert cover.source == "ics:kontoret-emmaboda"
    assert cover.end == RECEIVED + timedelta(days=180)
    # the one-off booking of 20 February is the oldest the feed vouches for
    assert cover.start == utc(2026, 2, 20, 13)


def test_coverage_of_a_feed_with_only_series_starts_now() -> None:
    assert coverage(read(FIXTURES / "google_weekly_dst.ics")).start == RECEIVED


def test_coverage_never_reaches_before_the_lookback() -> None:
    cover = coverage(
        read(FIXTURES / "google_multi_feature.ics", options={"lookback_days": 3})
    )
    assert cover.start == RECEIVED - timedelta(days=3)


# --- Acceptance: the stored occurrences equal an independent expansion ---------------


def test_occurrences_equal_an_independent_expansion() -> None:
    path = FIXTURES / "google_multi_feature.ics"
    window = (RECEIVED - timedelta(days=400), RECEIVED + timedelta(days=180))
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    expected = {
        (as_utc(event.start), as_utc(event.end))
        for event in recurring_ical_events.of(calendar).between(*window)
        if str(event.get("STATUS", "")).upper() != "CANCELLED"
    }
    found = records(read(path))
    actual = {
        (record["start_at"].astimezone(UTC), record["end_at"].astimezone(UTC))
        for record in found
        if record["status"] != "cancelled"
    }
    assert len(expected) > 80  # the old open-ended series reaches back 400 days
    assert actual == expected
    assert len(actual) == len([r for r in found if r["status"] != "cancelled"])
    assert len({record["external_id"] for record in found}) == len(found)


def test_all_day_override_with_a_date_time_recurrence_id() -> None:
    """Exchange names an all-day occurrence by local midnight as a date-time."""
    found = records(read(FIXTURES / "google_multi_feature.ics"))
    mobile = [r for r in found if r["resource"] == "Hela kontoret"]
    assert starts(mobile) == [
        utc(2026, 5, 3, 22),
        utc(2026, 5, 11, 22),  # moved from Monday 11 May to Tuesday
        utc(2026, 5, 17, 22),
        utc(2026, 5, 24, 22),
    ]
    assert mobile[1]["external_id"].endswith("/2026-05-10T22:00:00Z")
    assert all(record["all_day"] for record in mobile)


def as_utc(value: date) -> datetime:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=STOCKHOLM)
    return value.astimezone(UTC)


# --- Performance and real samples ----------------------------------------------------


def test_open_ended_series_expand_only_to_the_horizon(tmp_path: Path) -> None:
    """300 endless weekly series: expansion stops at received_at + horizon."""
    events = []
    for number in range(300):
        day = 2 + number % 27
        events.append(
            f"BEGIN:VEVENT\nUID:serie-{number}@kontor\n"
            f"DTSTART;TZID=Europe/Stockholm:202603{day:02d}T{8 + number % 9:02d}0000\n"
            "DURATION:PT1H\nRRULE:FREQ=WEEKLY\n"
            f"EXDATE;TZID=Europe/Stockholm:202604{day:02d}T{8 + number % 9:02d}0000\n"
            "END:VEVENT\n"
        )
    path = tmp_path / "stor.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\n" + "".join(events) + "END:VCALENDAR\n"
    )
    outputs = list(IcsReader().read(path, context(options={"lookback_days": 30})))
    assert len(items(outputs)) == 300
    horizon = RECEIVED + timedelta(days=180)
    starts = [r["start_at"] for item in items(outputs) for r in item.records]
    assert max(starts) < horizon
    assert len(starts) < 300 * (180 + 30) / 7 + 300  # weekly, within the window


@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="no shared samples here")
@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in SHARED_SAMPLES.glob("*.ics"))
    if SHARED_SAMPLES.is_dir()
    else [],
)
def test_real_samples_read_cleanly(name: str) -> None:
    received = datetime(2020, 11, 1, tzinfo=UTC)
    outputs = read(SHARED_SAMPLES / name, received_at=received)
    for record in records(outputs):
        assert record["start_at"].tzinfo is not None
        assert record["end_at"] >= record["start_at"]


def test_old_one_off_bookings_are_kept_beyond_the_lookback(tmp_path):
    """The lookback bounds series expansion only; a one-off booking is history."""
    path = tmp_path / "gammal.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        "PRODID:-//Google Inc//Google Calendar//EN\r\n"
        "BEGIN:VEVENT\r\nUID:gammal-1@example.se\r\nDTSTAMP:20230101T000000Z\r\n"
        "DTSTART:20230110T080000Z\r\nDTEND:20230110T090000Z\r\n"
        "SUMMARY:Kundmöte\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    items = [o for o in IcsReader().read(path, context()) if isinstance(o, Item)]
    assert [r["start_at"].astimezone(UTC).isoformat() for r in items[0].records] == [
        "2023-01-10T08:00:00+00:00"
    ]
