"""Numbers as a Swedish (or English) reader expects them: sv-SE groups with a
no-break space and writes a decimal comma; "kr" and "%" stay on the line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard import formatting

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234567.5, "sv", 0, f"1{NBSP}234{NBSP}568"),
        (1234.56, "sv", 1, f"1{NBSP}234,6"),
        (-1234.5, "sv", 0, f"-1{NBSP}234"),  # half to even
        (1234.5, "en", 0, "1,234"),
        (None, "sv", 0, "–"),
    ],
)
def test_number(value, lang, decimals, expected):
    assert formatting.number(value, lang, decimals) == expected


def test_percent_and_kr():
    assert formatting.percent(0.456, "sv") == f"46{NBSP}%"
    assert formatting.percent(0.4567, "en", 1) == f"45.7{NBSP}%"
    assert formatting.percent(-0.05, "sv") == f"-5{NBSP}%"
    assert formatting.kr(1995, "sv") == f"1{NBSP}995{NBSP}kr"
    assert formatting.percent(None) == formatting.kr(None) == "–"


def test_local_time_is_stockholm_wall_clock_in_both_languages():
    winter = datetime(2025, 3, 1, 13, 5, 3, tzinfo=UTC)
    summer = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
    assert formatting.local_time(winter) == "2025-03-01 14:05:03"
    assert formatting.local_time(summer, lang="en") == "2025-07-01 14:00:00"
    # the October change: 02:30 happens twice, an hour apart in UTC
    for utc_hour in (0, 1):
        moment = datetime(2025, 10, 26, utc_hour, 30, tzinfo=UTC)
        assert formatting.local_time(moment) == "2025-10-26 02:30:00"
    assert formatting.local_time(datetime(2025, 3, 1, 13, 5, 3)) == (
        "2025-03-01 14:05:03"  # naive: taken as UTC, as stored
    )
    assert formatting.local_time(None) == "–"


def test_local_day_is_the_stockholm_day():
    # 23:30 UTC on 2 November is 00:30 on 3 November in Stockholm (CET)
    late = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)
    assert formatting.local_day(late) == "3 nov. 2026"
    assert formatting.local_day(late.replace(tzinfo=None)) == "3 nov. 2026"
    assert formatting.local_day(late, lang="en") == "3 Nov 2026"
    assert formatting.local_day(None) == "–"


def test_a_score_carries_its_sign_with_a_true_minus():
    assert formatting.signed(25) == "+25"
    assert formatting.signed(-10.4) == "\u221210"
    assert formatting.signed(-0.4) == formatting.signed(0) == "0"
    assert formatting.signed(None) == "–"
