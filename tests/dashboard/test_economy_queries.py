"""Economy queries on SQLite and PostgreSQL: prorated fees, booking charges, the
plan join, subsidy per funder, the self-financing ratio and path — and the scope.

The fixture programme: Figeholm (opened 2 Sep 2024, demand-driven) plans revenue
15 000 kr a quarter 2024Q3–2025Q1, region subsidy 22 000 kr 2024Q3–2025Q2 and
kommun subsidy 18 000 kr in 2024Q3 only, rent 33 000 kr 2024Q3–2025Q2 (+1 000 kr
in 2025Q2). Boda (opened 1 Oct 2024, compensation-driven) has no plans at all.
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.access import Scope
from dashboard.filters import Period, quarter, year
from dashboard.queries import economy as queries
from ingest import rollups
from models import tables as t
from models.db import transaction
from tests.dashboard.test_members_queries import add_members, figure_answer

REGION = Scope(1, "a@region.se", "region", frozenset({"boda", "figeholm"}), True)
BODA = Scope(
    user_id=1,
    email="x",
    role="kommun",
    office_ids=frozenset({"boda"}),
    all_offices=False,
)
BOTH = ["boda", "figeholm"]
DAILY = 12 / 365
LATER = date(2026, 6, 1)  # "today" for quarters that are over
TODAY = date(2025, 10, 15)  # "today" inside 2025Q4, for the path


def add_booking_days(engine, office: str, *days: tuple[date, float]) -> None:
    with transaction(engine) as session:
        for day, revenue in days:
            session.add(
                t.BookingDaily(
                    office_id=office,
                    day=day,
                    bookings=1,
                    booked_hours=2.0,
                    resources=1,
                    revenue=revenue,
                )
            )
        session.flush()
        dates = [day for day, _ in days]
        rollups.refresh_booking_months(
            session.connection(), office, min(dates), max(dates)
        )


def table(engine, scope=REGION, offices=BOTH, period=None, today=LATER, function=None):
    function = function or queries.quarter_table
    period = period or Period("custom", date(2024, 7, 1), date(2025, 6, 30))
    with transaction(engine) as session:
        return function(session, scope, offices, period, today)


def row(frame: pd.DataFrame, office: str, label: str) -> pd.Series:
    return frame[(frame.office_id == office) & (frame.quarter == label)].iloc[0]


@pytest.fixture
def economy(engine):
    add_members(
        engine,
        # active 16 Nov – 31 Dec: 46 of 2024Q4's 92 days
        {"office": "figeholm", "id": "a", "start": date(2024, 11, 16)},
        # ends inside 2025Q1: 1–20 January
        {
            "office": "figeholm",
            "id": "b",
            "start": date(2024, 12, 1),
            "end": date(2025, 1, 20),
            "type": "lounge",
            "fee": 250.0,
        },
        # a trial: no fee, whatever the register says
        {
            "office": "boda",
            "id": "c",
            "start": date(2024, 10, 1),
            "type": "prova",
            "fee": 500.0,
        },
    )
    add_booking_days(
        engine, "figeholm", (date(2024, 12, 3), 300.0), (date(2025, 1, 14), 150.0)
    )
    return engine


def test_membership_fees_are_prorated_by_active_days(economy):
    frame = table(economy)
    q4 = row(frame, "figeholm", "2024Q4")
    fee_a = 1995 * DAILY * 46
    fee_b = 250 * DAILY * 31
    assert q4.membership_revenue == pytest.approx(fee_a + fee_b)
    assert q4.booking_revenue == pytest.approx(300.0)
    assert q4.revenue == pytest.approx(fee_a + fee_b + 300.0)
    q1 = row(frame, "figeholm", "2025Q1")
    expected = 1995 * DAILY * 90 + 250 * DAILY * 20
    assert q1.membership_revenue == pytest.approx(expected)
    assert q1.booking_revenue == pytest.approx(150.0)
    # the trial member brings nothing; Boda has no booking data: fees only
    boda = row(frame, "boda", "2024Q4")
    assert boda.membership_revenue == 0 and pd.isna(boda.booking_revenue)
    assert boda.revenue == 0


def test_booking_charges_count_whole_months_and_the_days_until_today(economy):
    add_booking_days(
        economy,
        "figeholm",
        (date(2025, 3, 31), 20.0),  # a month's last day
        (date(2025, 4, 1), 1.0),
        (date(2025, 4, 15), 2.0),  # today
        (date(2025, 4, 16), 4.0),  # booked ahead: not yet revenue
    )
    today = date(2025, 4, 15)
    frame = table(economy, today=today)
    assert row(frame, "figeholm", "2025Q1").booking_revenue == pytest.approx(170.0)
    assert row(frame, "figeholm", "2025Q2").booking_revenue == pytest.approx(3.0)
    at_month_end = table(economy, today=date(2025, 3, 31))
    assert row(at_month_end, "figeholm", "2025Q1").booking_revenue == 170.0


def test_before_the_first_booking_day_booking_charges_are_unknown(economy):
    q3 = row(table(economy), "figeholm", "2024Q3")
    assert pd.isna(q3.booking_revenue)  # bookings start in December
    assert q3.revenue == 0  # the register says: no members yet


def test_the_plan_is_joined_per_quarter(economy):
    frame = table(economy)
    q3, q4 = row(frame, "figeholm", "2024Q3"), row(frame, "figeholm", "2024Q4")
    assert (q3.revenue_plan, q3.cost, q3.subsidy_plan) == (15000, 33000, 40000)
    assert (q4.revenue_plan, q4.cost, q4.subsidy_plan) == (15000, 33000, 22000)
    q2 = row(frame, "figeholm", "2025Q2")
    assert pd.isna(q2.revenue_plan) and q2.cost == 34000  # rent changed
    # Boda opened in October: no 2024Q3 row; no plan at all: gaps, not zeros
    assert "2024Q3" not in set(frame[frame.office_id == "boda"].quarter)
    boda = row(frame, "boda", "2024Q4")
    assert pd.isna(boda.cost) and pd.isna(boda.self_financing)
    assert pd.isna(boda.subsidy_used)


def test_self_financing_ratio_and_subsidy_used(economy):
    q4 = row(table(economy), "figeholm", "2024Q4")
    assert q4.self_financing == pytest.approx(q4.revenue / 33000)
    assert q4.subsidy_used == pytest.approx(33000 - q4.revenue)
    assert q4.plan_ratio == pytest.approx(15000 / 33000)
    assert q4.steering_model == "demand_driven" and not q4.partial


def test_the_quarter_in_progress_counts_until_today(economy):
    today = date(2024, 11, 30)  # 61 of 2024Q4's 92 days
    q4 = row(table(economy, today=today), "figeholm", "2024Q4")
    assert q4.partial
    assert q4.membership_revenue == pytest.approx(1995 * DAILY * 15)
    assert q4.revenue_plan == pytest.approx(15000 * 61 / 92)
    assert q4.cost == pytest.approx(33000 * 61 / 92)
    later = table(economy, today=today)
    assert "2025Q1" not in set(later.quarter)  # the future has no actuals


def test_the_period_picks_the_quarters(economy):
    frame = table(economy, period=year(2025))
    assert sorted(set(frame.quarter)) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    frame = table(economy, period=quarter(date(2024, 11, 5)))
    assert set(frame.quarter) == {"2024Q4"}


def test_subsidy_used_is_split_over_funders_by_planned_share(economy):
    frame = table(economy, function=queries.subsidy_by_funder)
    q3 = frame[(frame.office_id == "figeholm") & (frame.quarter == "2024Q3")]
    shares = dict(zip(q3.funder, q3.used, strict=True))
    used = 33000.0  # no revenue in 2024Q3
    assert shares["region"] == pytest.approx(used * 22 / 40)
    assert shares["kommun"] == pytest.approx(used * 18 / 40)
    assert dict(zip(q3.funder, q3.planned, strict=True)) == {
        "kommun": 18000,
        "region": 22000,
    }
    q4 = frame[(frame.office_id == "figeholm") & (frame.quarter == "2024Q4")]
    assert list(q4.funder) == ["region"]
    assert q4.used.iloc[0] == pytest.approx(
        row(table(economy), "figeholm", "2024Q4").subsidy_used
    )
    assert "boda" not in set(frame.office_id)  # no cost plan: nothing to split


def test_costs_by_category_are_the_plan(economy):
    frame = table(economy, function=queries.costs_by_category)
    amounts = frame.groupby("quarter").amount.sum()
    assert amounts["2024Q3"] == 33000 and amounts["2025Q2"] == 34000
    assert set(frame.category) == {"rent"}


def test_the_path_burns_down_the_subsidy_to_the_start_phase_end(economy):
    period = Period("custom", date(2024, 7, 1), date(2025, 12, 31))
    path = table(
        economy, REGION, ["figeholm"], period, TODAY, queries.self_financing_path
    )
    assert path.quarter.iloc[0] == "2024Q3" and path.quarter.iloc[-1] == "2027Q3"
    assert path.attrs["start_phase_end"] == date(2027, 8, 31)
    total = 22000 * 4 + 18000
    assert path.planned_subsidy.sum() == total
    assert list(path.remaining_plan[:4]) == [
        total - 40000,
        total - 62000,
        total - 84000,
        0,
    ]
    # after each full quarter, what the actual deficits left of the plan
    used = table(economy, offices=["figeholm"]).set_index("quarter").subsidy_used
    assert path.remaining_actual.iloc[0] == pytest.approx(total - used["2024Q3"])
    assert path.remaining_actual.iloc[3] == pytest.approx(total - used.sum())
    assert path.remaining_actual.iloc[5:].isna().all()  # 2025Q4 is in progress


def test_the_projection_is_a_linear_fit_over_the_last_four_quarters(economy):
    period = Period("custom", date(2024, 7, 1), date(2025, 12, 31))
    path = table(
        economy, REGION, ["figeholm"], period, TODAY, queries.self_financing_path
    )
    ratios = path.self_financing.iloc[:4]  # 2024Q3–2025Q2 have a cost plan
    assert ratios.notna().all() and path.self_financing.iloc[4:].isna().all()
    slope, intercept = np.polyfit(np.arange(4), ratios, 1)
    expected = np.clip(slope * np.arange(len(path)) + intercept, 0, None)
    assert path.projection.to_numpy() == pytest.approx(expected)


def test_a_kommun_user_never_gets_another_offices_numbers(economy):
    for function in (
        queries.quarter_table,
        queries.costs_by_category,
        queries.subsidy_by_funder,
        queries.self_financing_path,
    ):
        frame = table(economy, BODA, BOTH, function=function)
        text = frame.to_json() + json.dumps(frame.attrs, default=str)
        assert "figeholm" not in text.lower(), function.__name__
        if "office_id" in frame:
            assert set(frame.office_id) <= {"boda"}
    # Boda alone: no subsidy plan, so nothing remains to burn down
    path = table(economy, BODA, BOTH, function=queries.self_financing_path)
    assert path.planned_subsidy.sum() == 0
    nobody = Scope(3, "d@region.se", "admin", frozenset(), False)
    assert table(economy, nobody).empty


def test_the_economy_page_renders_for_a_region_user(economy, signed_in_client):
    client = signed_in_client("region")
    assert client.get("/ekonomi?period=year&at=2025").status_code == 200
    for panel in ("eco-revenue", "eco-costs", "eco-subsidy", "eco-ratio", "eco-path"):
        answer = figure_answer(client, "economy", panel, 2025)
        assert answer[f"{panel}-graph"]["figure"]["data"], panel
        note = answer[f"{panel}-completeness"]["children"]
        assert "Medlemsregister" in note and "plan" in note
    text = json.dumps(
        figure_answer(client, "economy", "eco-revenue", 2025), ensure_ascii=False
    )
    assert "Medlemsavgifter" in text and "Intäktsplan" in text


def test_a_period_from_year_one_starts_at_the_first_opening(economy):
    frame = table(economy, period=Period("custom", date(1, 1, 1), date(2025, 3, 31)))
    assert sorted(set(frame.quarter))[0] == "2024Q3"
    funders = table(
        economy,
        period=Period("custom", date(1, 1, 1), date(2024, 9, 30)),
        function=queries.subsidy_by_funder,
    )
    assert set(funders.quarter) == {"2024Q3"}
