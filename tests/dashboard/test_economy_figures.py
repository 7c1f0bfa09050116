"""Economy figures on small frames: empty, one office, missing quarters, kronor
in Swedish format, and each steering model against its own expectation."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dashboard.figures import economy as figures
from dashboard.queries.economy import QUARTER_COLUMNS

NBSP = "\u00a0"


def quarters(**columns) -> pd.DataFrame:
    """A quarter table for one demand-driven office; columns override defaults."""
    count = len(columns.get("quarter", ["2025Q1"]))
    data = {
        "office_id": ["figeholm"] * count,
        "office": ["Kontoret Figeholm"] * count,
        "steering_model": ["demand_driven"] * count,
        "quarter": ["2025Q1"],
        "partial": [False] * count,
        "membership_revenue": [10000.0] * count,
        "booking_revenue": [500.0] * count,
        "revenue_plan": [15000.0] * count,
        "cost": [30000.0] * count,
        "subsidy_plan": [20000.0] * count,
        "subsidy_used": [19500.0] * count,
        "self_financing": [0.35] * count,
        "plan_ratio": [0.5] * count,
    }
    data.update(columns)
    data["revenue"] = [
        np.nan if np.isnan(m) and np.isnan(b) else np.nansum([m, b])
        for m, b in zip(
            data["membership_revenue"], data["booking_revenue"], strict=True
        )
    ]
    return pd.DataFrame(data)[QUARTER_COLUMNS]


def test_quarter_labels_and_money_read_the_swedish_way():
    assert figures.quarter_text("2025Q3") == "Q3 2025"
    assert figures.quarter_text("2026Q4", partial=True) == "Q4 2026*"
    assert figures.money(1234567.4) == f"1{NBSP}234{NBSP}567{NBSP}kr"
    assert figures.money(np.nan) == "–"
    assert figures.ratio_text(0.456, "sv") == f"46{NBSP}%"


def test_an_empty_frame_says_what_to_add():
    frame = pd.DataFrame(columns=QUARTER_COLUMNS)
    frame.attrs["offices"] = ["Bodakontoret"]
    for builder in (
        figures.revenue_vs_plan,
        figures.costs_by_category,
        figures.subsidy_by_funder,
        figures.self_financing,
        figures.self_financing_path,
    ):
        text = builder(frame, "sv").layout.annotations[0].text.replace("<br>", " ")
        assert text.startswith("Ingen ekonomi att visa för Bodakontoret"), builder
        assert "config.yaml" in text
    english = figures.revenue_vs_plan(pd.DataFrame(columns=QUARTER_COLUMNS), "en")
    assert "the chosen offices" in english.layout.annotations[0].text.replace(
        "<br>", " "
    )


def test_revenue_bars_in_tkr_with_full_kronor_on_hover():
    figure = figures.revenue_vs_plan(quarters())
    fees, bookings, plan = figure.data
    assert list(fees.x) == ["Q1 2025"] and list(fees.y) == [10.0]
    assert list(fees.customdata) == [f"10{NBSP}000{NBSP}kr"]
    assert list(bookings.y) == [0.5] and list(plan.y) == [15.0]
    assert figure.layout.yaxis.title.text == "tkr"
    assert figure.layout.separators == ", "
    assert [t.name for t in figures.revenue_vs_plan(quarters(), "en").data] == [
        "Membership fees",
        "Booking charges",
        "Revenue plan",
    ]


def test_missing_quarters_and_plans_are_gaps_not_zeros():
    frame = quarters(
        quarter=["2025Q1", "2025Q3"],
        revenue_plan=[15000.0, np.nan],
        booking_revenue=[np.nan, np.nan],
        partial=[False, True],
    )
    fees, bookings, plan = figures.revenue_vs_plan(frame).data
    assert list(fees.x) == ["Q1 2025", "Q3 2025*"]  # no invented 2025Q2
    assert np.isnan(plan.y[1]) and all(np.isnan(bookings.y))
    assert plan.customdata[1] == "–"


def costs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "office_id": ["boda"] * 3,
            "office": ["Bodakontoret"] * 3,
            "quarter": ["2025Q1", "2025Q1", "2025Q2"],
            "partial": [False, False, False],
            "category": ["cleaning", "rent", "rent"],
            "amount": [3000.0, 21000.0, 21000.0],
        }
    )


def test_costs_stack_by_category_with_swedish_names():
    figure = figures.costs_by_category(costs())
    assert [t.name for t in figure.data] == ["Hyra", "Städning"]
    assert figure.data[1].y[1] == 0 or np.isnan(figure.data[1].y[1])
    assert figure.layout.barmode == "stack"


def subsidies() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "office_id": ["figeholm"] * 3,
            "office": ["Kontoret Figeholm"] * 3,
            "quarter": ["2024Q3", "2024Q3", "2024Q4"],
            "partial": [False] * 3,
            "funder": ["kommun", "region", "region"],
            "planned": [18000.0, 22000.0, 22000.0],
            "used": [9000.0, 11000.0, np.nan],
        }
    )


def test_subsidy_plan_and_use_stand_side_by_side_per_funder():
    figure = figures.subsidy_by_funder(subsidies())
    names = [t.name for t in figure.data]
    assert names == [
        "Kommunen – plan",
        "Kommunen – använt",
        "Regionen – plan",
        "Regionen – använt",
    ]
    kommun_plan, _, _, region_used = figure.data
    assert list(kommun_plan.y) == [18.0, 0.0]  # no kommun line in 2024Q4: 0 planned
    assert np.isnan(region_used.y[1])  # unknown revenue: unknown use
    assert {t.offsetgroup for t in figure.data} == {"plan", "used"}


def compensation_driven() -> pd.DataFrame:
    return quarters(
        quarter=["2025Q1", "2025Q2"],
        office=["Bodakontoret"] * 2,
        office_id=["boda"] * 2,
        steering_model=["compensation_driven"] * 2,
        self_financing=[0.2, 0.3],
        plan_ratio=[0.25, 0.25],
    )


def both_models() -> pd.DataFrame:
    """A demand-driven and a compensation-driven office, two quarters each."""
    demand = quarters(quarter=["2025Q1", "2025Q2"], self_financing=[0.8, 0.9])
    return pd.concat([demand, compensation_driven()])


def test_each_steering_model_is_held_to_its_own_expectation():
    figure = figures.self_financing(both_models())
    names = [t.name for t in figure.data]
    assert names == ["Bodakontoret", "Bodakontoret – egen plan", "Kontoret Figeholm"]
    assert figure.data[1].line.dash == "dot" and list(figure.data[1].y) == [25, 25]
    assert list(figure.data[2].y) == [80, 90]
    assert figure.data[0].legendgrouptitle.text == "Kompensationsstyrda"
    assert figure.layout.shapes[0].y0 == 100  # demand-driven: 100 % self-financing
    only_compensation = figures.self_financing(compensation_driven())
    assert not only_compensation.layout.shapes  # no 100 % line to be judged by


def path() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "quarter": ["2025Q1", "2025Q2", "2025Q3"],
            "partial": [False, True, True],
            "planned_subsidy": [40000.0, 40000.0, 20000.0],
            "remaining_plan": [60000.0, 20000.0, 0.0],
            "remaining_actual": [65000.0, np.nan, np.nan],
            "revenue": [10000.0, 5000.0, np.nan],
            "cost": [30000.0, 15000.0, np.nan],
            "self_financing": [1 / 3, 1 / 3, np.nan],
            "projection": [0.3, 0.4, 0.5],
        }
    )
    frame.attrs["start_phase_end"] = date(2025, 9, 30)
    return frame


def test_the_path_shows_the_burn_down_and_a_dashed_projection():
    figure = figures.self_financing_path(path())
    left, actual, ratio, projection = figure.data
    assert list(left.y) == [60.0, 20.0, 0.0]
    assert np.isnan(actual.y[1])
    assert ratio.yaxis == "y2" and projection.line.dash == "dash"
    assert list(projection.y) == [30.0, 40.0, 50.0]
    note = figure.layout.annotations[0].text
    assert "Startfasen slutar 30 sep. 2025" in note
    assert f"Prognos vid startfasens slut: 50{NBSP}%" in note
    assert figure.layout.yaxis2.ticksuffix == " %"


def test_compare_puts_the_previous_quarters_revenue_beside_this_periods():
    now = quarters(
        quarter=["2026Q1", "2026Q2"],
        membership_revenue=[10000.0, 12000.0],
        booking_revenue=[500.0, 0.0],
    )
    before = quarters(
        quarter=["2025Q3", "2025Q4"],
        membership_revenue=[8000.0, np.nan],
        booking_revenue=[0.0, np.nan],
    )
    figure = figures.revenue_compare(now, before, "sv")
    *_, previous = figure.data
    assert previous.name == "Föregående period" and previous.mode == "markers"
    # the n-th previous quarter on the n-th quarter; an unknown one is a gap
    assert list(previous.x) == ["Q1 2026", "Q2 2026"]
    assert previous.y[0] == 8.0 and np.isnan(previous.y[1])
    assert previous.customdata[0] == f"Q3 2025: 8{NBSP}000{NBSP}kr"
    # nothing before: the chart alone
    nothing = quarters().iloc[0:0]
    assert len(figures.revenue_compare(now, nothing, "sv").data) == 3
