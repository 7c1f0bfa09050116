"""The cost-share statement of premises shared by several organisations.

The Härnösand model (:class:`models.config.CostSharing`): every party pays its
own area at full cost, a share of the shared area and of the other direct
costs (by staff or by own area), and each guest pays the host an overhead on
that computed rent. Costs are given per year in ``base_year`` kronor, indexed
annually, and invoiced quarterly in advance together with the quarter's
one-off costs.

Pure functions of the config: no database, no Dash. Amounts are kronor and
unrounded; pages and reports round them (usually to tkr).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from models.config import QUARTER_RE, CostSharing, quarter_index

QUARTERS_PER_YEAR = 4
STATEMENT_COLUMNS = (
    "party",
    "host",
    "own_area_m2",
    "share",
    "premises",
    "other_costs",
    "overhead",
    "total",
)
INVOICE_COLUMNS = (
    "party",
    "host",
    "share",
    "premises",
    "other_costs",
    "overhead",
    "rent",
    "one_off",
    "invoice",
    "due",
    "one_off_text",
)
_AMOUNTS = ("premises", "other_costs", "overhead")


def index_factor(sharing: CostSharing, year: int) -> float:
    """The factor that turns ``base_year`` kronor into kronor of ``year``.

    The product of ``1 + percent/100`` over the indexation steps with
    ``base_year < step.year <= year``; 1.0 in the base year itself.

    Raises:
        ValueError: ``year`` is before ``base_year`` (no costs are known then).
    """
    if year < sharing.base_year:
        raise ValueError(
            f"year {year} is before the cost sharing's base_year "
            f"{sharing.base_year}; there are no costs for it"
        )
    return math.prod(
        1 + step.percent / 100
        for step in sharing.indexation
        if sharing.base_year < step.year <= year
    )


def annual_costs(sharing: CostSharing, year: int) -> dict[str, float]:
    """Each cost category's amount in ``year`` (kronor, indexed)."""
    factor = index_factor(sharing, year)
    return {name: amount * factor for name, amount in sharing.annual_costs.items()}


def party_shares(sharing: CostSharing) -> pd.Series:
    """Each party's share (0–1) of the shared area and the other direct costs.

    Indexed by party name in config order; by staff (FTE) or by own area
    relative to the sum of the parties' own areas, as ``split`` says.
    """
    key = "staff" if sharing.split == "staff" else "own_area_m2"
    weights = pd.Series(
        [float(getattr(party, key)) for party in sharing.parties],
        index=[party.name for party in sharing.parties],
    )
    return weights / weights.sum()


def annual_statement(sharing: CostSharing, year: int) -> pd.DataFrame:
    """What each party pays for ``year``: one row per party in config order.

    Columns ``party``, ``host``, ``own_area_m2``, ``share`` (0–1) and the
    kronor per year ``premises`` (own area plus its share of the shared area
    at the year's rent per m²), ``other_costs`` (its share of the non-rent
    categories), ``overhead`` (on premises + other costs, guests only) and
    ``total``. Premises and other costs of all parties sum to the year's
    costs.

    Raises:
        ValueError: ``year`` is before ``base_year``.
    """
    costs = annual_costs(sharing, year)
    rate = costs.get("rent", 0.0) / sharing.total_area_m2
    other_total = sum(amount for name, amount in costs.items() if name != "rent")
    share = party_shares(sharing).to_numpy()
    frame = pd.DataFrame(
        {
            "party": [party.name for party in sharing.parties],
            "host": [party.host for party in sharing.parties],
            "own_area_m2": [float(party.own_area_m2) for party in sharing.parties],
            "share": share,
        }
    )
    shared_area = sharing.total_area_m2 - frame["own_area_m2"].sum()
    frame = frame.assign(
        premises=(frame["own_area_m2"] + shared_area * frame["share"]) * rate,
        other_costs=other_total * frame["share"],
    )
    # the overhead pays the host's indirect costs, so the host pays none itself
    overhead = sharing.overhead * (frame["premises"] + frame["other_costs"])
    frame = frame.assign(overhead=overhead.where(~frame["host"], 0.0))
    frame = frame.assign(total=frame[list(_AMOUNTS)].sum(axis=1))
    return frame[list(STATEMENT_COLUMNS)]


def quarter_invoices(sharing: CostSharing, quarter: str) -> pd.DataFrame:
    """The invoices of ``quarter`` (like ``"2026Q3"``): one row per party.

    Rent is invoiced in advance, a quarter of the year's amount: ``premises``,
    ``other_costs`` and ``overhead`` are the annual statement's divided by 4
    and ``rent`` is their sum. ``one_off`` is the party's one-off costs in
    this quarter (0.0 if none), ``one_off_text`` their descriptions joined
    with "; ", ``invoice`` = ``rent`` + ``one_off``, and ``due`` the first day
    of the quarter.

    Raises:
        ValueError: ``quarter`` is not like ``2026Q3`` or its year is before
            ``base_year``.
    """
    if not isinstance(quarter, str) or not QUARTER_RE.fullmatch(quarter):
        raise ValueError(f"quarter must look like 2026Q3, got {quarter!r}")
    index = quarter_index(quarter)
    year, number = divmod(index, QUARTERS_PER_YEAR)
    annual = annual_statement(sharing, year)
    amounts, texts = _one_offs(sharing, index)
    frame = annual[["party", "host", "share"]].assign(
        **{name: annual[name] / QUARTERS_PER_YEAR for name in _AMOUNTS}
    )
    frame = frame.assign(
        rent=frame[list(_AMOUNTS)].sum(axis=1),
        one_off=frame["party"].map(amounts).astype(float),
        due=date(year, 3 * number + 1, 1),
        one_off_text=frame["party"].map(texts),
    )
    frame = frame.assign(invoice=frame["rent"] + frame["one_off"])
    return frame[list(INVOICE_COLUMNS)]


def _one_offs(
    sharing: CostSharing, index: int
) -> tuple[dict[str, float], dict[str, str]]:
    """Per party: the sum and the "; "-joined descriptions of a quarter's one-offs."""
    amounts = {party.name: 0.0 for party in sharing.parties}
    texts: dict[str, list[str]] = {party.name: [] for party in sharing.parties}
    for cost in sharing.one_off:
        if quarter_index(cost.quarter) == index:
            amounts[cost.party] += cost.amount
            texts[cost.party].append(cost.description)
    return amounts, {name: "; ".join(parts) for name, parts in texts.items()}
