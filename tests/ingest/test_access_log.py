"""Access-control event logs: 15-minute bins, renamed readers, denied events, and
never a credential or a name in what the reader gives out."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.base import FileRejected, Item
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
READER = AccessLogReader()
ALIASES = {"4th FL Wellness Centre - IN": "Wellness Centre"}
SHARED_SAMPLE = Path(
    "/work/shared/samples/door/accesslog__gym_badge_in_out_events_2015.csv"
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def data_rows(path: Path) -> int:
    return sum(1 for line in path.read_bytes().splitlines() if line.strip()) - 1


def everything_given_out(items: list[Item], errors: list) -> str:
    return repr(items) + repr(errors)


def test_events_become_15_minute_bins_with_weights():
    path = DOOR / "access_log_en.csv"
    items, errors = run(READER, path, door_aliases=ALIASES)
    assert_counted(data_rows(path), items, errors)
    bins = [item for item in items if item.records]
    assert [(i.row, i.weight) for i in bins] == [(2, 2), (4, 1), (6, 3), (9, 1)]
    assert records(bins)[0] == {
        "door": "Wellness Centre",
        "period_start": utc(2015, 2, 2, 7, 0),  # 08:11 and 08:14 CET, month first
        "minutes": 15,
        "entries": 2,
        "exits": 0,
    }


def test_renamed_reader_is_one_door_and_its_direction_column_is_trusted():
    items, _ = run(READER, DOOR / "access_log_en.csv", door_aliases=ALIASES)
    got = records(items)
    assert {r["door"] for r in got} == {"Wellness Centre"}
    # the reader is called "... - IN" but logged two exits at 12:07 and 12:14
    noon = next(r for r in got if r["period_start"] == utc(2015, 2, 13, 11, 0))
    assert (noon["entries"], noon["exits"]) == (1, 2)


def test_denied_events_are_rows_but_not_passages():
    items, _ = run(READER, DOOR / "access_log_en.csv", door_aliases=ALIASES)
    empty = [item for item in items if not item.records]
    assert [(i.row, i.weight) for i in empty] == [(5, 1)]
    assert sum(r["entries"] + r["exits"] for r in records(items)) == 7


def test_credentials_and_names_appear_nowhere():
    for name, secrets in (
        ("access_log_en.csv", ["CARD-9001"]),
        ("access_log_sv.csv", ["Anna", "Bertil", "Cecilia", "David", "4411"]),
    ):
        items, errors = run(READER, DOOR / name, door_aliases=ALIASES)
        given_out = everything_given_out(items, errors)
        assert errors, "the fixture has quarantined rows to check too"
        for secret in secrets:
            assert secret not in given_out, (name, secret)


def test_swedish_log_with_event_and_result_columns():
    path = DOOR / "access_log_sv.csv"
    items, errors = run(READER, path)
    assert_counted(data_rows(path), items, errors)
    got = records(items)
    assert [(r["period_start"], r["entries"], r["exits"]) for r in got] == [
        (utc(2025, 3, 3, 6, 45), 1, 0),  # 07:58:12 CET
        (utc(2025, 3, 3, 7, 0), 1, 0),  # 08:03:40; the denied 08:05 is not counted
        (utc(2025, 3, 3, 15, 30), 0, 1),
        (utc(2025, 3, 3, 15, 45), 0, 1),  # 16:59:59 is still in the 16:45 bin
    ]
    assert {r["door"] for r in got} == {"Huvudentré"}
    # "Nekad" and "Dörr uppbruten" are rows without a passage
    assert sorted(i.row for i in items if not i.records) == [4, 5]
    problems = {e.row: (e.column, e.reason) for e in errors}
    assert problems[8] == (
        "Händelse",
        "cannot tell whether this event is a way in or out",
    )
    assert problems[9][0] == "Tidpunkt"
    assert problems[9][1] == "not a time: 'inte en tid'"
    assert errors[0].raw == "2025-03-03 17:00:00;Huvudentré;Hälsning;<removed>;"


def test_options_minutes_and_day_first(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "Datum;Tid;Dörr;Riktning\n"
        "03/02/2025;08:10;Entré;In\n"
        "03/02/2025;08:50;Entré;Ut\n"
        "03/02/2025;09:05;Entré;In\n",
        encoding="utf-8",
    )
    items, errors = run(READER, path, minutes=60, day_first=True)
    assert not errors
    assert [(r["period_start"], r["entries"], r["exits"]) for r in records(items)] == [
        (utc(2025, 2, 3, 7), 1, 1),
        (utc(2025, 2, 3, 8), 1, 0),
    ]
    assert {r["minutes"] for r in records(items)} == {60}


def test_fall_back_events_land_in_both_passes_of_the_repeated_hour(tmp_path):
    path = tmp_path / "night.csv"
    path.write_text(
        "Tidpunkt;Dörr;Riktning\n"
        "2025-10-26 02:20;Entré;In\n"  # summer time: 00:20 UTC
        "2025-10-26 02:50;Entré;Ut\n"  # 00:50 UTC
        "2025-10-26 02:10;Entré;In\n"  # the clock went back: 01:10 UTC
        "2025-10-26 02:40;Entré;Ut\n"  # 01:40 UTC
        "2025-10-26 03:05;Entré;In\n",  # 02:05 UTC
        encoding="utf-8",
    )
    items, errors = run(READER, path)
    assert not errors
    assert [r["period_start"] for r in records(items)] == [
        utc(2025, 10, 26, 0, 15),
        utc(2025, 10, 26, 0, 45),
        utc(2025, 10, 26, 1, 0),
        utc(2025, 10, 26, 1, 30),
        utc(2025, 10, 26, 2, 0),
    ]


def test_a_sorted_big_log_is_flushed_day_by_day(tmp_path, monkeypatch):
    monkeypatch.setattr(AccessLogReader, "FLUSH_AFTER", 2)
    path = tmp_path / "days.csv"
    lines = ["Tidpunkt;Dörr;Riktning"]
    start = datetime(2025, 5, 5, 8)
    for n in range(12):
        lines.append(f"{start + timedelta(hours=6 * n):%Y-%m-%d %H:%M};Entré;In")
    lines.append("2025-05-05 09:00;Entré;In")  # older than flushed days
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = list(READER.read(path, context(path)))
    items = [o for o in outputs if isinstance(o, Item)]
    errors = [o for o in outputs if not isinstance(o, Item)]
    assert_counted(13, items, errors)
    assert len(items) == 12
    assert [e.row for e in errors] == [14]
    assert "not in time order" in errors[0].reason
    # bins of finished days came out before the last row was read
    assert outputs.index(errors[0]) > 0


def test_sniff_tells_access_logs_from_counter_files():
    for name in ("access_log_en.csv", "access_log_sv.csv"):
        path = DOOR / name
        assert READER.sniff(path, head(path))
        assert not DoorCounterReader().sniff(path, head(path))
    assert not READER.sniff(DOOR / "demo_wide.csv", head(DOOR / "demo_wide.csv"))


def test_a_file_without_direction_or_event_is_rejected(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("Tidpunkt;Dörr\n2025-03-03 08:00;Entré\n", encoding="utf-8")
    assert not READER.sniff(path, head(path))
    with pytest.raises(FileRejected, match="columns are: Tidpunkt, Dörr"):
        run(READER, path)


@pytest.mark.skipif(not SHARED_SAMPLE.exists(), reason="shared samples not here")
def test_the_real_gym_log():
    """7,759 events of a Toronto gym: renamed reader, M/D/YYYY, CRLF."""
    assert READER.sniff(SHARED_SAMPLE, head(SHARED_SAMPLE))
    assert not DoorCounterReader().sniff(SHARED_SAMPLE, head(SHARED_SAMPLE))
    items, errors = run(READER, SHARED_SAMPLE, door_aliases=ALIASES)
    assert not errors
    assert_counted(7759, items, errors)
    got = records(items)
    assert {r["door"] for r in got} == {"Wellness Centre"}
    totals = Counter()
    for record in got:
        totals.update(entries=record["entries"], exits=record["exits"])
    assert totals == {"entries": 5513, "exits": 2246}
    assert len({r["period_start"] for r in got}) == len(got)


def test_an_event_in_the_skipped_spring_hour_is_an_error(tmp_path):
    path = tmp_path / "spring.csv"
    path.write_text(
        "Tidpunkt;Dörr;Riktning\n"
        "2025-03-30 01:55;Entré;In\n"
        "2025-03-30 02:30;Entré;In\n"
        "2025-03-30 03:05;Entré;Ut\n",
        encoding="utf-8",
    )
    items, errors = run(READER, path)
    assert_counted(3, items, errors)
    assert [r["period_start"] for r in records(items)] == [
        utc(2025, 3, 30, 0, 45),
        utc(2025, 3, 30, 1, 0),
    ]
    assert errors[0].reason == (
        "local time 02:30 does not exist on 2025-03-30 (clocks go forward)"
    )
