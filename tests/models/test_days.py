from datetime import date

from models.days import closed_days


def test_closed_days_are_public_and_de_facto_holidays_of_every_year_asked():
    closed = closed_days(2025, 2026)
    assert date(2025, 6, 6) in closed  # national day
    assert date(2026, 6, 19) in closed  # midsummer eve (de facto)
    assert date(2026, 12, 24) in closed  # Christmas eve (de facto)
    assert date(2026, 6, 18) not in closed
    assert date(2027, 1, 1) not in closed  # outside the years asked
    assert closed_days(2025, 2026) is closed  # built once
