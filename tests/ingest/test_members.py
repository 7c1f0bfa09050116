"""The membership register reader and the shared target-group/kommun normalisers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.base import FileRejected
from ingest.sources.common import normalise_kommun, normalise_target_group
from ingest.sources.generic_bookings import GenericBookingsReader
from ingest.sources.members import MembersReader
from tests.ingest.reader_helpers import (
    FIXTURES,
    assert_counted,
    context,
    fake_pseudonym,
    head,
    records,
    run,
)

DEMO = FIXTURES / "members" / "figeholm_medlemmar.csv"
LEGACY = FIXTURES / "members" / "boda_register_cp1252.csv"
KEYS = {
    "member_pseudonym",
    "membership_type",
    "monthly_fee",
    "start_date",
    "end_date",
    "target_group",
    "home_kommun",
}
PERSONAL = (
    "Åsa Öberg",
    "asa.oberg@example.se",
    "Örjan Ström",
    "orjan.strom@example.se",
    "Märta",
    "lars@example.se",
    "Anna Berg",
    "anna.berg@example.se",
)


def by_pseudonym(items) -> dict:
    return {r["member_pseudonym"]: r for r in records(items)}


def test_demo_register_loads_without_options():
    """The demo generator's file (UTF-8 BOM, `;`, Swedish headers) needs no options."""
    items, errors = run(MembersReader(), DEMO)

    assert_counted(9, items, errors)  # 11 lines: header, a blank line, 9 rows
    assert all(set(r) == KEYS for r in records(items))
    first = by_pseudonym(items)[fake_pseudonym("m-1042")]
    assert first == {
        "member_pseudonym": fake_pseudonym("m-1042"),
        "membership_type": "flexibel",
        "monthly_fee": 1995.0,
        "start_date": date(2024, 9, 2),
        "end_date": None,
        "target_group": "Företagare",
        "home_kommun": "Oskarshamn",
    }


def test_values_are_normalised():
    members = by_pseudonym(run(MembersReader(), DEMO)[0])

    ended = members[fake_pseudonym("m-1043")]
    assert (ended["membership_type"], ended["end_date"]) == ("fast", date(2025, 2, 28))
    assert ended["home_kommun"] == "Oskarshamn"  # written as SCB code 0882
    # " m-1044 " is the same member as "M-1044": trimmed and lower-cased first
    lounge = members[fake_pseudonym("m-1044")]
    assert (lounge["membership_type"], lounge["target_group"]) == ("lounge", "Resande")
    assert lounge["home_kommun"] == "Kalmar"
    private = members[fake_pseudonym("m-1045")]
    assert private["monthly_fee"] == 4000.0  # "4 000,00"
    assert private["start_date"] == date(2025, 3, 1)  # "1 mars 2025"
    assert (private["target_group"], private["home_kommun"]) == (
        "Nätverk",
        "Mönsterås",
    )
    empty = members[fake_pseudonym("m-1049")]
    assert (empty["target_group"], empty["home_kommun"]) == (None, None)


def test_unusable_rows_are_quarantined_with_row_column_and_reason():
    _, errors = run(MembersReader(), DEMO)

    found = {(e.row, e.column) for e in errors}
    assert found == {
        (6, "end"),  # ends before it starts
        (7, "membership_type"),  # "Månadskort Guld" maps to no type
        (8, "target_group"),  # "Studerande" is no target group
        (10, "member"),  # no member id
    }
    unknown = next(e for e in errors if e.column == "membership_type")
    assert "Månadskort Guld" in unknown.reason
    assert "options.membership_types" in unknown.reason
    # the raw text keeps the row for a person, but not the member id
    assert all("M-104" not in e.raw for e in errors)
    assert "Studerande" in next(e.raw for e in errors if e.row == 8)


def test_cp1252_register_with_names_and_emails_stores_neither():
    items, errors = run(MembersReader(), LEGACY)

    assert_counted(4, items, errors)
    assert errors == []
    text = str(records(items)) + str(errors)
    for personal in PERSONAL:
        assert personal not in text
    # "Kundnr" is preferred to the name and e-mail columns as the member id
    members = by_pseudonym(items)
    assert set(members) == {fake_pseudonym(n) for n in ("1001", "1002", "1003", "1004")}
    trial = members[fake_pseudonym("1001")]
    assert trial["membership_type"] == "prova" and trial["monthly_fee"] == 0.0
    assert trial["home_kommun"] == "Emmaboda"  # Excel dropped the zero of 0862
    assert trial["target_group"] == "Företagare"  # "Egenföretagare"
    fixed = members[fake_pseudonym("1002")]
    assert fixed["monthly_fee"] == 2450.0  # "2 450 kr"
    assert fixed["start_date"] == date(2024, 11, 15)  # "15/11/2024"
    assert fixed["home_kommun"] == "Emmaboda"  # "Emmaboda kommun"
    drop_in = members[fake_pseudonym("1003")]
    assert drop_in["membership_type"] == "lounge"
    assert drop_in["start_date"] == date(2024, 12, 1)  # "01.12.2024"
    assert drop_in["target_group"] == "Nätverk"  # "Förening"
    hot_desk = members[fake_pseudonym("1004")]
    assert hot_desk["membership_type"] == "flexibel"
    assert hot_desk["home_kommun"] == "Växjö"  # outside the county: kept as written


def write_xlsx(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Medlemsregister Ölandskontoret 2025"])  # a title above the header
    sheet.append([])
    sheet.append(
        [
            "Member ID",
            "Name",
            "Email",
            "Plan",
            "Monthly fee",
            "Start date",
            "End date",
            "Target group",
            "Home municipality",
        ]
    )
    sheet.append(
        [
            1042,
            "Anna Berg",
            "anna.berg@example.se",
            "Dedicated desk",
            2450,
            datetime(2025, 1, 13),
            None,
            "Traveller",
            885,
        ]
    )
    sheet.append(
        [1043, "Per Sund", "per.sund@example.se", "Day pass", None, "2025-02-03"]
        + [datetime(2025, 1, 31), "Commuter", "0840"]
    )
    book.save(path)


def test_xlsx_register_with_a_title_row(tmp_path):
    path = tmp_path / "medlemmar.xlsx"
    write_xlsx(path)

    assert MembersReader().sniff(path, head(path))
    items, errors = run(MembersReader(), path)

    assert_counted(2, items, errors)
    assert [i.row for i in items] == [4]  # sheet row numbers
    (member,) = records(items)
    assert member["member_pseudonym"] == fake_pseudonym("1042")
    assert member["membership_type"] == "fast"
    assert member["monthly_fee"] == 2450.0
    assert member["start_date"] == date(2025, 1, 13)
    assert (member["target_group"], member["home_kommun"]) == ("Resande", "Borgholm")
    # the second row has no fee and ends before it starts
    assert [(e.row, e.column) for e in errors] == [(5, "monthly_fee")]
    text = str(records(items)) + str(errors)
    assert "Anna Berg" not in text and "per.sund@example.se" not in text


def test_office_membership_types_fill_fees_and_refuse_types_not_offered(tmp_path):
    path = tmp_path / "medlemmar.xlsx"
    write_xlsx(path)
    offered = {"lounge": 250, "flexibel": 1995, "fast": 2900, "privat": 4000}

    items, errors = run(MembersReader(), path, office_membership_types=offered)

    assert [(e.row, e.column) for e in errors] == [(5, "end")]  # lounge fee filled
    items, errors = run(MembersReader(), LEGACY, office_membership_types=offered)
    assert [(e.row, e.column) for e in errors] == [(2, "membership_type")]
    assert "prova" in errors[0].reason and "does not offer" in errors[0].reason


def test_options_map_types_and_name_columns():
    items, errors = run(
        MembersReader(),
        DEMO,
        membership_types={"Månadskort Guld": "fast"},
    )
    assert (7, "membership_type") not in {(e.row, e.column) for e in errors}
    assert by_pseudonym(items)[fake_pseudonym("m-1047")]["membership_type"] == "fast"

    items, _ = run(MembersReader(), LEGACY, columns={"member": "E-post"})
    assert fake_pseudonym("asa.oberg@example.se") in by_pseudonym(items)


def test_sniff_tells_registers_from_booking_exports():
    roomzilla = FIXTURES / "bookings" / "roomzilla_reservations.csv"
    assert MembersReader().sniff(DEMO, head(DEMO))
    assert MembersReader().sniff(LEGACY, head(LEGACY))
    assert not MembersReader().sniff(roomzilla, head(roomzilla))
    assert not GenericBookingsReader().sniff(DEMO, head(DEMO))


def test_a_booking_export_is_rejected_with_a_clear_message():
    roomzilla = FIXTURES / "bookings" / "roomzilla_reservations.csv"
    with pytest.raises(FileRejected, match="not a member register file.*member"):
        list(MembersReader().read(roomzilla, context(roomzilla)))


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Pendlare", "Pendlare"),
        ("pendlar", "Pendlare"),
        ("Commuter", "Pendlare"),
        ("Företagare", "Företagare"),
        ("Egenföretagare", "Företagare"),
        ("Företag", "Företagare"),
        ("foretagare", "Företagare"),
        ("Business owner", "Företagare"),
        ("Resande", "Resande"),
        ("Turist/Resande", "Resande"),
        ("Traveller", "Resande"),
        ("Nätverk", "Nätverk"),
        ("Förening/Nätverk", "Nätverk"),
        ("Networker", "Nätverk"),
        ("", None),
        (None, None),
        ("  ", None),
    ],
)
def test_normalise_target_group(text, group):
    assert normalise_target_group(text) == group


@pytest.mark.parametrize("text", ["Studerande", "Pendlare/Företagare"])
def test_unknown_or_ambiguous_target_group_is_an_error(text):
    with pytest.raises(ValueError, match="target group"):
        normalise_target_group(text)


@pytest.mark.parametrize(
    ("text", "kommun"),
    [
        ("0882", "Oskarshamn"),
        ("882", "Oskarshamn"),
        (882, "Oskarshamn"),
        (882.0, "Oskarshamn"),
        ("oskarshamn", "Oskarshamn"),
        ("Oskarshamns kommun", "Oskarshamn"),
        ("MORBYLANGA", "Mörbylånga"),
        ("Västervik", "Västervik"),
        ("  Högsby ", "Högsby"),
        ("Växjö", "Växjö"),
        ("0180", "0180"),
        ("", None),
        (None, None),
    ],
)
def test_normalise_kommun(text, kommun):
    assert normalise_kommun(text) == kommun


def test_a_broken_excel_file_is_rejected(tmp_path):
    path = tmp_path / "medlemmar.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    assert not MembersReader().sniff(path, head(path))
    with pytest.raises(FileRejected, match="Excel"):
        list(MembersReader().read(path, context(path)))
