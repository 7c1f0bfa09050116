"""People-counter exports: layouts, bins, DST days, cumulative counters, bad cells."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.base import FileRejected
from ingest.sources.access_log import AccessLogReader
from ingest.sources.door_counter import DoorCounterReader
from tests.ingest.reader_helpers import (
    FIXTURES,
    assert_counted,
    context,
    head,
    records,
    run,
)

DOOR = FIXTURES / "door"
READER = DoorCounterReader()
CALIT2 = {
    "has_header": False,
    "columns": {"direction": 0, "date": 1, "time": 2, "count": 3},
    "direction_codes": {"9": "in", "7": "out"},
    "label": "end",
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def data_rows(path: Path, header_rows: int = 1) -> int:
    """Non-blank lines after the header: the rows a person would count."""
    lines = path.read_bytes().splitlines()
    return sum(1 for line in lines if line.strip()) - header_rows


def test_demo_format_loads_without_options():
    """Datum;Tid;Dörr;In;Ut, 15-min start-labelled local bins, as the demo writes."""
    path = DOOR / "demo_wide.csv"
    items, errors = run(READER, path)
    assert_counted(data_rows(path), items, errors)
    first = records(items)[1]
    assert first == {
        "door": "Entré",
        "period_start": utc(2025, 3, 3, 7, 15),  # 08:15 CET
        "minutes": 15,
        "entries": 3,
        "exits": 1,
    }
    assert {r["door"] for r in records(items)} == {"Entré", "Baksidan"}
    assert all(r["period_start"].tzinfo is UTC for r in records(items))


def test_missing_and_broken_counts_are_gaps_not_zeros():
    items, errors = run(READER, DOOR / "demo_wide.csv")
    gaps = {utc(2025, 3, 3, 7, 45), utc(2025, 3, 3, 8), utc(2025, 3, 3, 8, 15)}
    stored = {r["period_start"] for r in records(items) if r["door"] == "Entré"}
    assert not gaps & stored
    assert [(e.row, e.column) for e in errors] == [(5, "In"), (6, "In"), (7, "In")]
    assert errors[0].reason == "no count (value: 'NA') — kept as a gap"
    assert "Gate broken" in errors[1].reason
    assert errors[1].raw == "2025-03-03;09:00;Entré;Gate broken;0"


def test_cp1252_file_with_swedish_headers_and_hourly_bins():
    path = DOOR / "cp1252_dorr.csv"
    items, errors = run(READER, path)
    assert not errors
    assert_counted(data_rows(path), items, errors)
    got = records(items)
    assert {r["door"] for r in got} == {"Ingång Söder"}
    assert {r["minutes"] for r in got} == {60}  # detected from the labels
    assert got[1]["period_start"] == utc(2025, 4, 7, 6)  # 08:00 CEST
    assert (got[2]["entries"], got[2]["exits"]) == (7, 3)


def test_xlsx_with_start_and_end_columns(tmp_path):
    """Typed cells; the bin length comes from the end column, no option needed."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Counter report, Figeholm"])  # a title line before the header
    sheet.append(["Start", "End", "Sensor", "Entries", "Exits"])
    start = datetime(2025, 9, 1, 8, 0)
    for n in range(4):
        begin = start + timedelta(minutes=30 * n)
        sheet.append([begin, begin + timedelta(minutes=30), "Door A", n, 1])
    sheet.append([start + timedelta(hours=2), None, "Door A", "NA", 0])
    path = tmp_path / "counter.xlsx"
    book.save(path)

    assert READER.sniff(path, head(path))
    items, errors = run(READER, path)
    assert_counted(5, items, errors)
    got = records(items)
    assert [r["period_start"] for r in got] == [
        utc(2025, 9, 1, 6, 0),
        utc(2025, 9, 1, 6, 30),
        utc(2025, 9, 1, 7, 0),
        utc(2025, 9, 1, 7, 30),
    ]
    assert {r["minutes"] for r in got} == {30}
    assert {r["door"] for r in got} == {"Door A"}
    assert [(e.row, e.column) for e in errors] == [(7, "Entries")]


def test_headerless_long_calit2_file_by_position():
    """flow_id,date,time,count: 7 = out, 9 = in, MM/DD/YY, end-labelled 30 min."""
    path = DOOR / "calit2_headerless.csv"
    items, errors = run(READER, path, **CALIT2)
    assert not errors
    assert_counted(data_rows(path, header_rows=0), items, errors)
    assert [item.weight for item in items] == [2] * 6  # in + out rows merged
    first = records(items)[0]
    # "00:30" labels the end of the bin: it started at 00:00 CEST (22:00 UTC)
    assert first["period_start"] == utc(2005, 7, 23, 22, 0)
    assert (first["minutes"], first["entries"], first["exits"]) == (30, 0, 1)
    assert (records(items)[4]["entries"], records(items)[4]["exits"]) == (5, 2)


def test_headerless_file_needs_positions():
    with pytest.raises(FileRejected, match="by position"):
        run(READER, DOOR / "calit2_headerless.csv", has_header=False)


def test_long_layout_merges_directions_and_quarantines_half_bins():
    path = DOOR / "long_swedish.csv"
    items, errors = run(READER, path)
    assert_counted(data_rows(path), items, errors)
    by_key = {(r["door"], r["period_start"]): r for r in records(items)}
    assert {r["minutes"] for r in by_key.values()} == {30}
    # Ut before In in the file: still one bin
    assert by_key[("Entré", utc(2025, 6, 2, 7))]["entries"] == 5
    assert by_key[("Entré", utc(2025, 6, 2, 7))]["exits"] == 3
    # only an In row exists: an absent row means nobody went out
    lone = by_key[("Verkstad", utc(2025, 6, 2, 6, 30))]
    assert (lone["entries"], lone["exits"]) == (1, 0)
    # Ut was NA: the whole bin is a gap, its In row is quarantined with it
    assert ("Entré", utc(2025, 6, 2, 6, 30)) not in by_key
    reasons = {e.row: e.reason for e in errors}
    assert reasons[7].startswith("no count")
    assert "the other direction" in reasons[6]
    assert "unknown direction 'Sidled'" in reasons[11]
    assert "sort the file by time" in reasons[14]  # a late row of a written bin


def test_cumulative_counter_with_reset_is_detected_and_converted():
    path = DOOR / "cumulative_reset.csv"
    items, errors = run(READER, path)
    assert not errors
    assert_counted(data_rows(path), items, errors)
    got = records(items)
    assert [r["entries"] for r in got[6:16]] == [0, 2, 7, 6, 3, 2, 6, 3, 4, 5]
    #                                       the reset at 13:00 ^ (26 -> 3)
    assert [r["exits"] for r in got[12:15]] == [4, 1, 4]
    assert all(r["entries"] >= 0 and r["exits"] >= 0 for r in got)
    assert sum(r["entries"] for r in got) == 26 + 16  # before + after the reset


def test_cumulative_file_starting_mid_day_cannot_know_its_first_bin(tmp_path):
    path = tmp_path / "axis.csv"
    path.write_text(
        "Tidpunkt;In;Ut\n"
        "2025-05-06 10:00;40;30\n"
        "2025-05-06 10:15;42;30\n"
        "2025-05-06 10:30;41;33\n",  # a reset: 41 since then
        encoding="utf-8",
    )
    items, errors = run(READER, path, cumulative=True)
    assert_counted(3, items, errors)
    assert [e.row for e in errors] == [2]
    assert "not midnight" in errors[0].reason
    assert [(r["entries"], r["exits"]) for r in records(items)] == [(2, 0), (41, 3)]


def test_interval_counts_are_not_mistaken_for_cumulative():
    items, _ = run(READER, DOOR / "fall_back.csv")
    assert [r["entries"] for r in records(items)[:6]] == [0, 1, 2, 3, 0, 1]


def test_spring_forward_day_has_92_bins_and_the_missing_hour_is_an_error():
    path = DOOR / "spring_forward.csv"
    items, errors = run(READER, path)
    assert_counted(data_rows(path), items, errors)
    starts = [r["period_start"] for r in records(items)]
    assert len(starts) == len(set(starts)) == 92
    expected = [utc(2025, 3, 29, 23) + timedelta(minutes=15 * n) for n in range(92)]
    assert starts == expected
    assert len(errors) == 1
    assert errors[0].column == "Tid"
    assert errors[0].reason == (
        "local time 02:15 does not exist on 2025-03-30 (clocks go forward)"
    )


def test_spring_forward_hour_is_fine_when_the_device_runs_on_utc(tmp_path):
    path = tmp_path / "utc.csv"
    path.write_text(
        "Datum;Tid;In;Ut\n2025-03-30;02:00;1;0\n2025-03-30;02:15;2;0\n",
        encoding="utf-8",
    )
    items, errors = run(READER, path, timezone="UTC")
    assert not errors
    assert records(items)[1]["period_start"] == utc(2025, 3, 30, 2, 15)


def test_fall_back_day_has_100_bins_the_repeated_hour_twice():
    path = DOOR / "fall_back.csv"
    items, errors = run(READER, path)
    assert not errors
    assert_counted(data_rows(path), items, errors)
    starts = [r["period_start"] for r in records(items)]
    expected = [utc(2025, 10, 25, 22) + timedelta(minutes=15 * n) for n in range(100)]
    assert starts == expected
    # the first 02:00 is summer time (00:00 UTC), the second winter time (01:00)
    assert starts[8] == utc(2025, 10, 26, 0, 0)
    assert starts[12] == utc(2025, 10, 26, 1, 0)


def test_end_labelled_hourly_bins_over_fall_back():
    """Only an end column (Sluttid): labels are bin ends, 25 hours that day."""
    path = DOOR / "hourly_end_fallback.csv"
    items, errors = run(READER, path)
    assert not errors
    got = records(items)
    starts = [r["period_start"] for r in got]
    assert starts == [utc(2025, 10, 25, 22) + timedelta(hours=n) for n in range(25)]
    assert {r["minutes"] for r in got} == {60}


def test_end_label_option_with_a_single_time_column(tmp_path):
    path = tmp_path / "hourly.csv"
    path.write_text(
        "Tidpunkt;In;Ut\n2025-05-06 09:00;3;1\n2025-05-06 10:00;5;2\n",
        encoding="utf-8",
    )
    items, _ = run(READER, path, label="end")
    assert [r["period_start"] for r in records(items)] == [
        utc(2025, 5, 6, 6),  # 08:00-09:00 CEST
        utc(2025, 5, 6, 7),
    ]


def test_options_override_columns_door_and_minutes(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text(
        "When;Passed in;Passed out\n2025-05-06 09:00;3;1\n", encoding="utf-8"
    )
    options = {
        "columns": {"timestamp": "When", "in": "Passed in", "out": "passed out"},
        "door": "Bakdörr",
        "minutes": 15,
    }
    items, errors = run(READER, path, **options)
    assert not errors
    assert records(items) == [
        {
            "door": "Bakdörr",
            "period_start": utc(2025, 5, 6, 7),
            "minutes": 15,
            "entries": 3,
            "exits": 1,
        }
    ]


def test_a_file_without_time_or_counts_is_rejected_with_its_columns(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Namn;Kommun\nAnna;Kalmar\n", encoding="utf-8")
    with pytest.raises(FileRejected) as rejected:
        list(READER.read(path, context(path)))
    message = str(rejected.value)
    assert message.startswith("no time column found; columns are: Namn, Kommun")
    assert "options.columns" in message
    assert not READER.sniff(path, head(path))


def test_a_single_bin_needs_the_minutes_option(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("Tidpunkt;In;Ut\n2025-05-06 09:00;3;1\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="options.minutes"):
        run(READER, path)


@pytest.mark.parametrize(
    "name",
    [
        "demo_wide.csv",
        "cp1252_dorr.csv",
        "long_swedish.csv",
        "cumulative_reset.csv",
        "hourly_end_fallback.csv",
    ],
)
def test_sniff_knows_counter_files_and_not_access_logs(name):
    path = DOOR / name
    assert READER.sniff(path, head(path))
    assert not AccessLogReader().sniff(path, head(path))


def test_sniff_refuses_access_logs_and_headerless_files():
    for name in ("access_log_en.csv", "access_log_sv.csv", "calit2_headerless.csv"):
        path = DOOR / name
        assert not READER.sniff(path, head(path)), name


def test_a_year_of_bins_goes_through_the_fast_path(tmp_path):
    """Smoke test of the fast path: a year of bins in time order, all loaded."""
    path = tmp_path / "year.csv"
    instant = utc(2024, 12, 31, 23)  # local midnight
    lines = ["Datum;Tid;Dörr;In;Ut"]
    zone = context(path).timezone
    for n in range(365 * 96):
        local = (instant + timedelta(minutes=15 * n)).astimezone(zone)
        lines.append(f"{local:%Y-%m-%d};{local:%H:%M};Entré;{n % 5};{n % 3}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items, errors = run(READER, path)
    assert not errors
    starts = [r["period_start"] for r in records(items)]
    assert starts == [instant + timedelta(minutes=15 * n) for n in range(365 * 96)]


def test_quick_rows_come_in_batches_around_the_rows_that_need_care(tmp_path):
    """A row whose date, time and door texts were seen before is yielded in a
    Records batch; the others take the careful path (an Item or a RowError),
    each after the batch of the rows before it, so the file's order holds."""
    path = tmp_path / "wide.csv"
    path.write_text(
        "Datum;Tid;Dörr;In;Ut\n"
        "2025-05-05;08:00;Entré;1;0\n"
        "2025-05-05;08:00;Baksidan;2;0\n"
        "2025-05-05;08:15;Entré;3;0\n"
        "2025-05-05;08:15;Baksidan;4;0\n"
        "2025-05-05;08:30;Entré;x;0\n"
        "2025-05-05;08:30;Baksidan;5;0\n",
        encoding="utf-8",
    )
    outputs = list(READER.read(path, context(path, minutes=15)))
    assert [type(o).__name__ for o in outputs] == [
        "Item", "Item", "Item", "Records", "RowError", "Records"
    ]  # fmt: skip
    batch, error, last = outputs[3:]
    assert batch.fields == ("door", "period_start", "minutes", "entries", "exits")
    assert batch.rows == [("Baksidan", utc(2025, 5, 5, 6, 15), 15, 4, 0)]
    assert last.rows == [("Baksidan", utc(2025, 5, 5, 6, 30), 15, 5, 0)]
    assert (error.row, error.column) == (6, "In")
