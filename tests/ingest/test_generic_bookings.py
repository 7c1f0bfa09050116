"""Booking exports as CSV/xlsx with a column mapping (Roomzilla, Robin, Swedish)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openpyxl import Workbook

from ingest.base import FileRejected
from ingest.sources.common import normalise_status
from ingest.sources.generic_bookings import GenericBookingsReader
from tests.ingest.reader_helpers import (
    FIXTURES,
    assert_counted,
    context,
    fake_pseudonym,
    head,
    records,
    run,
)

ROOMZILLA = FIXTURES / "bookings" / "roomzilla_reservations.csv"
ROBIN = FIXTURES / "bookings" / "robin_desk_reservations.csv"
SWEDISH = FIXTURES / "bookings" / "boda_bokningar.csv"
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


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def by_id(items) -> dict:
    return {r["external_id"]: r for r in records(items)}


def test_roomzilla_statuses_and_local_times():
    items, errors = run(GenericBookingsReader(), ROOMZILLA, system="roomzilla")

    assert_counted(8, items, errors)
    assert all(set(r) == KEYS for r in records(items))
    bookings = by_id(items)
    meeting = bookings["58211"]
    assert meeting["source"] == "csv:roomzilla"
    assert meeting["resource"] == "Mötesrummet Kvarnen"
    # 09:00 in Figeholm in March (CET) is 08:00 UTC
    assert (meeting["start_at"], meeting["end_at"]) == (
        utc(2025, 3, 4, 8),
        utc(2025, 3, 4, 10, 30),
    )
    assert (meeting["status"], meeting["all_day"], meeting["price"]) == (
        "confirmed",
        False,
        None,
    )
    assert meeting["member_pseudonym"] is None
    assert {k: bookings[k]["status"] for k in ("58213", "58214", "58215")} == {
        "58213": "cancelled",  # deleted
        "58214": "cancelled",  # auto-canceled
        "58215": "cancelled",  # rejected (overlap)
    }
    assert bookings["58218"]["all_day"]  # midnight to midnight


def test_roomzilla_bad_rows_and_titles():
    items, errors = run(GenericBookingsReader(), ROOMZILLA, system="roomzilla")

    assert [(e.row, e.column) for e in errors] == [(7, "end"), (8, "status")]
    assert "before it starts" in errors[0].reason
    assert "on hold" in errors[1].reason
    # reservation titles may hold names: never stored, blanked in quarantine
    text = str(records(items)) + str(errors)
    assert "Karin Lind" not in text and "Fel i tider" not in text

    items, errors = run(
        GenericBookingsReader(), ROOMZILLA, statuses={"On hold": "tentative"}
    )
    assert by_id(items)["58217"]["status"] == "tentative"
    assert records(items)[0]["source"] == "csv:roomzilla_reservations"  # file stem


def test_robin_times_are_utc_and_reservee_is_pseudonymised():
    items, errors = run(
        GenericBookingsReader(),
        ROBIN,
        system="robin",
        times_are_utc=True,
        columns={"member": "Reservee Email"},
    )

    assert_counted(3, items, errors)
    assert errors == []
    bookings = by_id(items)
    assert bookings["r-9001"]["start_at"] == utc(2025, 3, 29, 8)
    # no offset, but Robin exports UTC: 07:00 UTC is 09:00 in Stockholm (CEST)
    assert bookings["r-9002"]["start_at"] == utc(2025, 3, 31, 7)
    # 22:00 UTC to 22:00 UTC is midnight to midnight in Stockholm: all day
    assert bookings["r-9003"]["all_day"]
    # " PER.SUND@example.se " and "per.sund@example.se" are one member
    per = fake_pseudonym("per.sund@example.se")
    assert bookings["r-9002"]["member_pseudonym"] == per
    assert bookings["r-9003"]["member_pseudonym"] == per
    text = str(records(items))
    for personal in ("Anna Berg", "anna.berg@example.se", "Per Sund", "per.sund"):
        assert personal not in text


def test_swedish_export_without_ids_gets_stable_ids():
    reader = GenericBookingsReader()
    items, errors = run(reader, SWEDISH, system="boda-bokning")

    assert_counted(4, items, errors)
    assert [(e.row, e.column) for e in errors] == [(5, "end")]
    bookings = records(items)
    assert [b["status"] for b in bookings] == ["confirmed", "tentative", "cancelled"]
    assert [b["price"] for b in bookings] == [450.0, None, 0.0]
    assert bookings[0]["member_pseudonym"] == fake_pseudonym("k-17")
    assert bookings[2]["member_pseudonym"] is None
    ids = [b["external_id"] for b in bookings]
    assert len(set(ids)) == 3
    again = records(run(reader, SWEDISH, system="boda-bokning")[0])
    assert [b["external_id"] for b in again] == ids


def test_xlsx_export_with_excel_datetimes(tmp_path):
    path = tmp_path / "bokningar.xlsx"
    book = Workbook()
    book.active.append(
        ["Bokningsnummer", "Resurs", "Resurstyp", "Start", "Slut", "Pris"]
    )
    book.active.append(
        [
            101,
            "Mötesrummet",
            "Mötesrum",
            datetime(2025, 3, 31, 9),
            datetime(2025, 3, 31, 10),
            300,
        ]
    )
    book.active.append(
        ["Bokningsnummer", "Resurs", "Resurstyp", "Start", "Slut", "Pris"]
    )
    book.active.append(
        [102, "Skrivbord 1", "Skrivbord", "2025-04-01", "2025-04-02", None]
    )
    book.save(path)

    assert GenericBookingsReader().sniff(path, head(path))
    items, errors = run(GenericBookingsReader(), path)

    # the repeated header row is not data and not counted
    assert_counted(2, items, errors)
    first, second = records(items)
    assert (first["external_id"], first["resource_type"]) == ("101", "Mötesrum")
    assert first["start_at"] == utc(2025, 3, 31, 7)  # 09:00 CEST
    assert first["price"] == 300.0
    assert second["all_day"] and second["start_at"] == utc(2025, 3, 31, 22)


def test_us_dates_are_recognised_from_the_first_rows(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "ID,Room,Start Time,End Time\n"
        "1,Board room,03/04/2025 9:00 AM,03/04/2025 10:00 AM\n"
        "2,Board room,03/14/2025 2:00 PM,03/14/2025 3:30 PM\n"
    )
    items, _ = run(GenericBookingsReader(), path)
    assert [r["start_at"] for r in records(items)] == [
        utc(2025, 3, 4, 8),
        utc(2025, 3, 14, 13),
    ]
    items, _ = run(GenericBookingsReader(), path, day_first=True)
    assert records(items)[0]["start_at"] == utc(2025, 4, 3, 7)


def test_sniff_and_reject():
    for path in (ROOMZILLA, ROBIN, SWEDISH):
        assert GenericBookingsReader().sniff(path, head(path))
    register = FIXTURES / "members" / "figeholm_medlemmar.csv"
    assert not GenericBookingsReader().sniff(register, head(register))
    nexudus = FIXTURES / "bookings" / "nexudus_bookings_api.json"
    assert not GenericBookingsReader().sniff(nexudus, head(nexudus))


def test_a_file_without_start_and_end_columns_is_rejected(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Namn;Telefon\nAnna;070-1\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="not a booking export.*start"):
        list(GenericBookingsReader().read(path, context(path)))
    with pytest.raises(FileRejected, match="start \\('Från kl' as set"):
        list(
            GenericBookingsReader().read(
                path, context(path, columns={"start": "Från kl"})
            )
        )


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Confirmed", "confirmed"),
        ("bekräftad", "confirmed"),
        ("current", "confirmed"),
        ("OK", "confirmed"),
        ("", "confirmed"),
        ("canceled", "cancelled"),
        ("Avbokad", "cancelled"),
        ("deleted", "cancelled"),
        ("auto-canceled", "cancelled"),
        ("rejected (time limit)", "cancelled"),
        ("Tentative", "tentative"),
        ("Preliminär", "tentative"),
    ],
)
def test_status_words(text, status):
    assert normalise_status(text) == status
