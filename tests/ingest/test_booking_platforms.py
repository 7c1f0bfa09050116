"""Coworking platform exports: Nexudus, OfficeRnD and Cobot."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.base import FileRejected
from ingest.sources.cobot import CobotReader
from ingest.sources.generic_bookings import GenericBookingsReader
from ingest.sources.nexudus import NexudusReader
from ingest.sources.officernd import OfficeRndReader
from tests.ingest.reader_helpers import (
    FIXTURES,
    STOCKHOLM,
    assert_counted,
    context,
    fake_pseudonym,
    head,
    records,
    run,
)

BOOKINGS = FIXTURES / "bookings"
NEXUDUS_API = BOOKINGS / "nexudus_bookings_api.json"
NEXUDUS_CANCELLED = BOOKINGS / "nexudus_cancelledbookings.json"
NEXUDUS_PORTAL = BOOKINGS / "nexudus_portal_fullcalendar.json"
NEXUDUS_CSV = BOOKINGS / "nexudus_bookings.csv"
OFFICERND = BOOKINGS / "officernd_occurrences.json"
OFFICERND_SERIES = BOOKINGS / "officernd_bookings_series.json"
COBOT = BOOKINGS / "cobot_bookings.json"
KEYS = {
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
PERSONAL = (
    "Sven Nilsson",
    "sven.nilsson@example.se",
    "Karin Lind",
    "karin.lind@example.se",
    "Ali Haddad",
    "Anna Berg",
    "anna.berg@example.se",
    "Per Sund",
    "per.sund@example.se",
    "Erik Holm",
    "erik.holm@example.se",
    "070-123",
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def by_id(items) -> dict:
    return {r["external_id"]: r for r in records(items)}


def json_rows(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("Records", data.get("data"))
    return len(data)


def assert_no_personal_data(items, errors) -> None:
    text = str(records(items)) + str(errors)
    for personal in PERSONAL:
        assert personal not in text


# --- Nexudus ----------------------------------------------------------------------


def test_nexudus_api_records():
    items, errors = run(NexudusReader(), NEXUDUS_API)

    assert_counted(json_rows(NEXUDUS_API), items, errors)
    assert all(set(r) == KEYS for r in records(items))
    assert [i.row for i in items] == [1, 2]  # position in the Records list
    meeting = by_id(items)["1250001"]
    assert meeting == {
        "source": "nexudus",
        "external_id": "1250001",
        "resource": "Mötesrum Hamnen",
        "resource_type": "Meeting room",
        "start_at": utc(2025, 3, 13, 8),
        "end_at": utc(2025, 3, 13, 10),
        "all_day": False,
        "status": "confirmed",
        "member_pseudonym": fake_pseudonym("9001"),
        "price": 350.0,
    }
    assert by_id(items)["1250002"]["status"] == "tentative"
    assert [(e.row, e.column) for e in errors] == [(3, "ToTime"), (4, "FromTime")]
    assert_no_personal_data(items, errors)


def test_nexudus_cancelled_bookings_export():
    items, errors = run(NexudusReader(), NEXUDUS_CANCELLED)

    assert errors == []
    (booking,) = records(items)
    assert (booking["external_id"], booking["status"]) == ("1250005", "cancelled")
    assert booking["member_pseudonym"] == fake_pseudonym("9002")


def test_nexudus_portal_times_labelled_z_are_local():
    """ignoreTimezone: "2019-02-01T17:00Z" is 17:00 in Stockholm, 16:00 UTC."""
    items, errors = run(NexudusReader(), NEXUDUS_PORTAL)

    assert_counted(2, items, errors)
    meeting = by_id(items)["80417"]
    assert meeting["start_at"] == datetime(2019, 2, 1, 17, tzinfo=STOCKHOLM)
    assert meeting["start_at"] == utc(2019, 2, 1, 16)
    assert meeting["end_at"] == utc(2019, 2, 1, 17, 30)
    # the portal's coworkerId is a string; the same member as CoworkerId 9004
    assert meeting["member_pseudonym"] == fake_pseudonym("9004")
    desk = by_id(items)["80418"]
    assert desk["all_day"] and desk["start_at"] == utc(2019, 6, 30, 22)  # CEST
    assert_no_personal_data(items, errors)


def test_nexudus_portal_without_ignore_timezone_is_utc(tmp_path):
    portal = json.loads(NEXUDUS_PORTAL.read_text(encoding="utf-8"))
    portal[0]["ignoreTimezone"] = False
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps(portal), encoding="utf-8")

    items, _ = run(NexudusReader(), path)
    assert by_id(items)["80417"]["start_at"] == utc(2019, 2, 1, 17)


def test_nexudus_csv_export():
    items, errors = run(NexudusReader(), NEXUDUS_CSV)

    assert_counted(2, items, errors)
    first, second = records(items)
    assert (first["start_at"], first["price"]) == (utc(2025, 3, 21, 8), 350.0)
    # a time without offset in a CSV export is office-local
    assert (second["start_at"], second["status"]) == (utc(2025, 3, 21, 7), "tentative")
    assert_no_personal_data(items, errors)


def test_invalid_json_is_rejected_naming_line_and_column(tmp_path):
    path = tmp_path / "bookings.json"
    path.write_text('[\n  {"Id": 1,\n   "FromTime": "2025-03-13T08:00:00Z",,\n]')
    for reader in (NexudusReader(), OfficeRndReader(), CobotReader()):
        with pytest.raises(FileRejected, match="line 3, column"):
            list(reader.read(path, context(path)))


def test_platform_readers_reject_each_others_files():
    for reader, path in [
        (NexudusReader(), COBOT),
        (NexudusReader(), OFFICERND),
        (OfficeRndReader(), NEXUDUS_API),
        (OfficeRndReader(), COBOT),
        (CobotReader(), NEXUDUS_PORTAL),
        (CobotReader(), OFFICERND),
    ]:
        with pytest.raises(FileRejected, match="not a"):
            list(reader.read(path, context(path)))


def test_sniff_recognises_only_its_own_files():
    readers = {
        "nexudus": NexudusReader(),
        "officernd": OfficeRndReader(),
        "cobot": CobotReader(),
        "csv": GenericBookingsReader(),
    }
    expected = {
        NEXUDUS_API: "nexudus",
        NEXUDUS_CANCELLED: "nexudus",
        NEXUDUS_PORTAL: "nexudus",
        NEXUDUS_CSV: "nexudus",
        OFFICERND: "officernd",
        OFFICERND_SERIES: "officernd",
        COBOT: "cobot",
    }
    for path, name in expected.items():
        found = [n for n, reader in readers.items() if reader.sniff(path, head(path))]
        assert found == [name], path.name


# --- OfficeRnD --------------------------------------------------------------------


def test_officernd_occurrences():
    items, errors = run(OfficeRndReader(), OFFICERND)

    assert_counted(json_rows(OFFICERND), items, errors)
    assert all(set(r) == KEYS for r in records(items))
    bookings = records(items)
    first = bookings[0]
    assert first["external_id"] == "65f0a1b2c3d4e5f60718a001"
    assert (first["start_at"], first["end_at"]) == (
        utc(2025, 3, 4, 8),
        utc(2025, 3, 4, 10),
    )
    assert first["member_pseudonym"] == fake_pseudonym("63b7d9e1f2a3b4c5d6e7f801")
    assert first["resource"] == "64a1f0c2e4b0a1b2c3d4e501"
    assert bookings[1]["status"] == "cancelled"
    # the occurrences export holds a series' occurrences under one _id: not
    # expanded again, each keyed by its start
    assert [b["external_id"] for b in bookings[2:4]] == [
        "65f0a1b2c3d4e5f60718a003@20250318T080000Z",
        "65f0a1b2c3d4e5f60718a003@20250325T080000Z",
    ]
    all_day = bookings[4]
    assert (all_day["status"], all_day["price"], all_day["all_day"]) == (
        "tentative",
        0.0,
        True,
    )
    assert all_day["start_at"] == utc(2025, 3, 11, 23)  # 12 March, local midnight
    assert all_day["member_pseudonym"] is None
    assert [(e.row, e.column) for e in errors] == [(6, "end")]
    assert_no_personal_data(items, errors)


def test_officernd_resource_names_from_options():
    items, _ = run(
        OfficeRndReader(),
        OFFICERND,
        resources={"64a1f0c2e4b0a1b2c3d4e501": "Mötesrummet"},
    )
    assert records(items)[0]["resource"] == "Mötesrummet"


def test_officernd_series_are_expanded_in_local_time():
    items, errors = run(OfficeRndReader(), OFFICERND_SERIES)

    assert_counted(3, items, errors)  # one item per series, however many dates
    weekly = items[0].records
    # 09:00 Stockholm on Tuesdays: 08:00 UTC before 30 March, 07:00 UTC after;
    # 8 April is an exdate and UNTIL is 22 April 23:59:59 UTC
    assert [r["start_at"] for r in weekly] == [
        utc(2025, 3, 18, 8),
        utc(2025, 3, 25, 8),
        utc(2025, 4, 1, 7),
        utc(2025, 4, 15, 7),
        utc(2025, 4, 22, 7),
    ]
    assert all(r["end_at"] - r["start_at"] == timedelta(hours=1) for r in weekly)
    assert len({r["external_id"] for r in weekly}) == 5
    assert [(e.row, e.column) for e in errors] == [(3, "recurrence.rrule")]


def test_officernd_endless_series_stop_at_the_horizon():
    items, _ = run(OfficeRndReader(), OFFICERND_SERIES, horizon_days=10)

    # received 15 March 00:00 UTC + 10 days: up to 25 March 00:00 UTC
    assert [r["start_at"].day for r in items[0].records] == [18]
    assert [r["start_at"].day for r in items[1].records] == list(range(17, 25))


def test_officernd_expansion_can_be_turned_off():
    items, errors = run(OfficeRndReader(), OFFICERND_SERIES, expand_recurrence=False)
    assert [len(item.records) for item in items] == [1, 1, 1]
    assert errors == []


# --- Cobot ------------------------------------------------------------------------


def test_cobot_json_api():
    items, errors = run(CobotReader(), COBOT)

    assert_counted(json_rows(COBOT), items, errors)
    assert all(set(r) == KEYS for r in records(items))
    meeting, phone = records(items)
    assert meeting == {
        "source": "cobot",
        "external_id": "b-4f1a9c",
        "resource": "Mötesrummet Glasbruket",
        "resource_type": "",
        "start_at": utc(2025, 3, 4, 8),
        "end_at": utc(2025, 3, 4, 10),
        "all_day": False,
        "status": "confirmed",
        "member_pseudonym": fake_pseudonym("m-7781"),
        "price": 450.0,
    }
    assert (phone["resource"], phone["price"]) == ("Telefonbåset", 75.5)
    assert phone["start_at"] == utc(2025, 3, 5, 9)  # "2025/03/05 09:00:00 +0000"
    assert phone["member_pseudonym"] is None
    assert [(e.row, e.column) for e in errors] == [(3, "to")]
    assert_no_personal_data(items, errors)
