"""The cost-share statement (the Härnösand model): shares, indexation, invoices."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from models.config import CostSharing, load_config
from pilotpuls.report.costshare import (
    INVOICE_COLUMNS,
    STATEMENT_COLUMNS,
    annual_costs,
    annual_statement,
    quarter_invoices,
)

ROOT = Path(__file__).parents[2]

# the non-rent direct costs of the worked example; they sum to 755 000 kr
OTHER_COSTS = {
    "operation": 180_000,
    "consumables": 40_000,
    "reception": 300_000,
    "cleaning": 90_000,
    "security": 25_000,
    "interest": 60_000,
    "depreciation": 60_000,
}


def sharing(**changes: Any) -> CostSharing:
    """The worked example's office (see the first test), with ``changes``."""
    data: dict[str, Any] = {
        "total_area_m2": 1000,
        "split": "staff",
        "base_year": 2024,
        "annual_costs": {"rent": 1_200_000, **OTHER_COSTS},
        "parties": [
            {"name": "Kommunen", "own_area_m2": 200, "staff": 6, "host": True},
            {"name": "Myndigheten", "own_area_m2": 290, "staff": 4},
        ],
    }
    return CostSharing.model_validate(data | changes)


def row(frame, party: str) -> dict[str, Any]:
    return frame.set_index("party").loc[party].to_dict()


def tkr(kronor: float) -> int:
    return round(kronor / 1000)


def test_worked_example_reproduces_the_guests_2024_rent():
    """A host and a guest, split by staff; the guest pays 593 + 302 + 89 = 984 tkr.

    Inputs (base year 2024, so 2024 is unindexed):
      total area 1 000 m², rent 1 200 000 kr/year  -> rate 1 200 kr/m²
      own areas: host 200 m², guest 290 m²         -> shared area 510 m²
      staff: host 6, guest 4                       -> guest share 4/10 = 0.4
      other direct costs 755 000 kr/year (operation 180 000, consumables
      40 000, reception 300 000, cleaning 90 000, security 25 000,
      interest 60 000, depreciation 60 000)

    Guest:
      premises    = (290 + 510 × 0.4) × 1 200 = 494 × 1 200 = 592 800 kr -> 593
      other costs = 755 000 × 0.4                          = 302 000 kr -> 302
      overhead    = 0.10 × (592 800 + 302 000)             =  89 480 kr ->  89
      total       = 592 800 + 302 000 + 89 480             = 984 280 kr -> 984
    Host (share 0.6, no overhead):
      premises    = (200 + 510 × 0.6) × 1 200 = 607 200 kr
      other costs = 755 000 × 0.6             = 453 000 kr
    so premises sum to the rent (1 200 000) and other costs to 755 000.
    """
    statement = annual_statement(sharing(), 2024)

    assert tuple(statement.columns) == STATEMENT_COLUMNS
    assert list(statement["party"]) == ["Kommunen", "Myndigheten"]
    guest = row(statement, "Myndigheten")
    assert guest["share"] == pytest.approx(0.4)
    assert guest["premises"] == pytest.approx(592_800)
    assert guest["other_costs"] == pytest.approx(302_000)
    assert guest["overhead"] == pytest.approx(89_480)
    assert guest["total"] == pytest.approx(984_280)
    assert [tkr(guest[k]) for k in ("premises", "other_costs", "overhead")] == [
        593,
        302,
        89,
    ]
    assert tkr(guest["total"]) == 984
    host = row(statement, "Kommunen")
    assert host["host"] and not guest["host"]
    assert host["premises"] == pytest.approx(607_200)
    assert host["other_costs"] == pytest.approx(453_000)
    assert host["total"] == pytest.approx(1_060_200)


def test_host_pays_no_overhead_and_guests_pay_the_configured_rate():
    statement = annual_statement(sharing(overhead=0.15), 2024)
    host, guest = row(statement, "Kommunen"), row(statement, "Myndigheten")

    assert host["overhead"] == 0.0
    assert host["total"] == pytest.approx(host["premises"] + host["other_costs"])
    assert guest["overhead"] == pytest.approx(
        0.15 * (guest["premises"] + guest["other_costs"])
    )


def test_split_by_area_uses_own_areas_not_staff():
    by_staff = annual_statement(sharing(split="staff"), 2024)
    by_area = annual_statement(sharing(split="area"), 2024)

    # staff 6 : 4, own areas 200 : 290 m²
    assert list(by_staff["share"]) == pytest.approx([0.6, 0.4])
    assert list(by_area["share"]) == pytest.approx([200 / 490, 290 / 490])
    guest_area = row(by_area, "Myndigheten")
    assert guest_area["premises"] == pytest.approx((290 + 510 * 290 / 490) * 1_200)
    assert guest_area["other_costs"] == pytest.approx(755_000 * 290 / 490)
    assert guest_area["total"] > row(by_staff, "Myndigheten")["total"]


@pytest.mark.parametrize("split", ["staff", "area"])
def test_parties_premises_and_other_costs_sum_to_the_offices_costs(split):
    three = sharing(
        split=split,
        parties=[
            {"name": "Kommunen", "own_area_m2": 120, "staff": 5, "host": True},
            {"name": "Myndigheten", "own_area_m2": 290, "staff": 4},
            {"name": "Föreningen", "own_area_m2": 35, "staff": 0.5},
        ],
        indexation=[{"year": 2025, "percent": 2.0}],
    )
    statement = annual_statement(three, 2025)

    costs = annual_costs(three, 2025)
    assert statement["share"].sum() == pytest.approx(1.0)
    assert statement["premises"].sum() == pytest.approx(costs["rent"])
    assert (statement["premises"] + statement["other_costs"]).sum() == pytest.approx(
        sum(costs.values())
    )
    assert statement["total"].sum() == pytest.approx(
        sum(costs.values()) + statement["overhead"].sum()
    )


def test_indexation_compounds_from_the_base_year():
    indexed = sharing(
        indexation=[{"year": 2025, "percent": 2.0}, {"year": 2026, "percent": 3.0}]
    )
    totals = {
        year: annual_statement(indexed, year)["total"].sum()
        for year in (2024, 2025, 2026, 2027)
    }
    base = annual_statement(sharing(), 2024)["total"].sum()

    assert totals[2024] == pytest.approx(base)
    assert totals[2025] == pytest.approx(base * 1.02)
    assert totals[2026] == pytest.approx(base * 1.02 * 1.03)
    assert totals[2027] == pytest.approx(base * 1.02 * 1.03)  # no step for 2027
    assert annual_costs(indexed, 2026)["rent"] == pytest.approx(1_200_000 * 1.02 * 1.03)


def test_a_step_in_or_before_the_base_year_is_already_in_the_costs():
    indexed = sharing(indexation=[{"year": 2024, "percent": 5.0}])

    assert annual_costs(indexed, 2024)["rent"] == pytest.approx(1_200_000)
    assert annual_costs(indexed, 2025)["rent"] == pytest.approx(1_200_000)


def test_a_year_before_the_base_year_is_an_error():
    with pytest.raises(ValueError, match="before the cost sharing's base_year 2024"):
        annual_statement(sharing(), 2023)
    with pytest.raises(ValueError, match="base_year"):
        quarter_invoices(sharing(), "2023Q4")


def test_quarter_invoice_is_a_quarter_of_the_year_plus_the_quarters_one_offs():
    with_one_offs = sharing(
        indexation=[{"year": 2025, "percent": 2.0}],
        one_off=[
            {
                "party": "Myndigheten",
                "quarter": "2025Q2",
                "description": "Skylt",
                "amount": 4_500,
            },
            {
                "party": "Myndigheten",
                "quarter": "2025Q2",
                "description": "Flytt",
                "amount": 12_000,
            },
            {
                "party": "Kommunen",
                "quarter": "2025Q3",
                "description": "Ny vägg",
                "amount": 30_000,
            },
        ],
    )
    annual = annual_statement(with_one_offs, 2025).set_index("party")
    q2 = quarter_invoices(with_one_offs, "2025Q2")

    assert tuple(q2.columns) == INVOICE_COLUMNS
    assert list(q2["party"]) == ["Kommunen", "Myndigheten"]
    assert set(q2["due"]) == {date(2025, 4, 1)}
    for name in ("premises", "other_costs", "overhead"):
        assert list(q2[name]) == pytest.approx(list(annual[name] / 4))
    assert list(q2["rent"]) == pytest.approx(list(annual["total"] / 4))
    guest, host = row(q2, "Myndigheten"), row(q2, "Kommunen")
    assert guest["one_off"] == pytest.approx(16_500)
    assert guest["one_off_text"] == "Skylt; Flytt"
    assert guest["invoice"] == pytest.approx(
        annual.loc["Myndigheten", "total"] / 4 + 16_500
    )
    assert host["one_off"] == 0.0
    assert host["one_off_text"] == ""
    assert host["invoice"] == pytest.approx(host["rent"])

    q3 = quarter_invoices(with_one_offs, "2025Q3")
    assert set(q3["due"]) == {date(2025, 7, 1)}
    assert list(q3["one_off"]) == [30_000.0, 0.0]
    assert list(q3["one_off_text"]) == ["Ny vägg", ""]
    q1 = quarter_invoices(with_one_offs, "2025Q1")
    assert set(q1["due"]) == {date(2025, 1, 1)}
    assert list(q1["invoice"]) == pytest.approx(list(q1["rent"]))


def test_four_quarters_invoice_the_years_rent():
    invoices = [quarter_invoices(sharing(), f"2024Q{q}") for q in range(1, 5)]

    assert [i["due"].iloc[0] for i in invoices] == [
        date(2024, 1, 1),
        date(2024, 4, 1),
        date(2024, 7, 1),
        date(2024, 10, 1),
    ]
    assert sum(i["rent"].sum() for i in invoices) == pytest.approx(
        annual_statement(sharing(), 2024)["total"].sum()
    )


@pytest.mark.parametrize("quarter", ["2025Q5", "2025-Q1", "2025q1", "Q1 2025", ""])
def test_a_bad_quarter_is_a_clear_error(quarter):
    with pytest.raises(ValueError, match="quarter must look like 2026Q3"):
        quarter_invoices(sharing(), quarter)


def test_the_shipped_hogsby_example_shares_the_indexed_costs():
    example = load_config(ROOT / "config.yaml").office("hogsby").cost_sharing
    assert example is not None

    for year in (2025, 2026):
        statement = annual_statement(example, year)
        costs = annual_costs(example, year)
        assert (statement["premises"] + statement["other_costs"]).sum() == (
            pytest.approx(sum(costs.values()))
        )
        assert (statement["total"] - statement["overhead"]).sum() == pytest.approx(
            sum(costs.values())
        )
        assert statement.loc[statement["host"], "overhead"].sum() == 0.0
    assert annual_costs(example, 2026)["rent"] == pytest.approx(144_000 * 1.021)
    q1 = quarter_invoices(example, "2026Q1").set_index("party")
    assert q1.loc["Arbetsförmedlingen", "one_off"] == 4_500
    assert q1.loc["Arbetsförmedlingen", "one_off_text"] == "Skylt vid entrén"
