"""The period a page compares with: the same kind before, or whole quarters."""

from __future__ import annotations

from datetime import date

from dashboard.filters import Period, month, previous_quarters, quarter, year


def span(period: Period) -> tuple[date, date]:
    return period.start, period.end


def test_a_period_of_a_kind_compares_with_the_one_before():
    assert month(date(2026, 12, 4)).previous() == month(date(2026, 11, 1))
    assert quarter(date(2026, 1, 15)).previous() == quarter(date(2025, 12, 1))
    assert year(2026).previous() == year(2025)
    ten_days = Period("custom", date(2025, 6, 1), date(2025, 6, 10))
    assert span(ten_days.previous()) == (date(2025, 5, 22), date(2025, 5, 31))


def test_pages_in_quarters_compare_with_as_many_whole_quarters_before():
    # December's previous month is in the same quarter: the quarter before it
    assert span(previous_quarters(month(date(2026, 12, 1)))) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    assert span(previous_quarters(quarter(date(2026, 2, 1)))) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )
    assert span(previous_quarters(year(2025))) == (date(2024, 1, 1), date(2024, 12, 31))
    # two quarters touched (mid-May to mid-August): the two before them
    summer = Period("custom", date(2025, 5, 15), date(2025, 8, 15))
    assert span(previous_quarters(summer)) == (date(2024, 10, 1), date(2025, 3, 31))
