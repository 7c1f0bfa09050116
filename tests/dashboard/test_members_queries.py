"""Member queries on SQLite and PostgreSQL: counts per day, types, joins and
leaves, home kommun, the ramp-up target, the comparison — and the scope."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.access import Scope
from dashboard.filters import Period, month, quarter
from dashboard.queries import members as queries
from models import tables as t
from models.db import transaction
from models.sync import sync_programme

REGION = Scope(1, "a@region.se", "region", frozenset({"boda", "figeholm"}), True)
BODA = Scope(
    user_id=1,
    email="x",
    role="kommun",
    office_ids=frozenset({"boda"}),
    all_offices=False,
)
BOTH = ["boda", "figeholm"]


def add_members(engine, *rows: dict) -> None:
    """Membership rows; each dict needs office, id and start, the rest defaults."""
    with transaction(engine) as session:
        for row in rows:
            session.add(
                t.Membership(
                    office_id=row["office"],
                    member_pseudonym=row["id"],
                    membership_type=row.get("type", "flexibel"),
                    monthly_fee=row.get("fee", 1995.0),
                    start_date=row["start"],
                    end_date=row.get("end"),
                    target_group=row.get("group"),
                    home_kommun=row.get("home"),
                )
            )


def read(engine, function, scope=REGION, offices=BOTH, period=None):
    with transaction(engine) as session:
        return function(session, scope, offices, period or quarter(date(2025, 3, 1)))


@pytest.fixture
def members(engine):
    add_members(
        engine,
        {
            "office": "figeholm",
            "id": "a",
            "start": date(2025, 1, 1),
            "group": "Pendlare",
        },
        {
            "office": "figeholm",
            "id": "b",
            "start": date(2025, 1, 10),
            "end": date(2025, 2, 14),
            "group": "Företagare",
            "home": "Oskarshamn",
        },
        {
            "office": "figeholm",
            "id": "c",
            "start": date(2025, 2, 1),
            "type": "lounge",
            "fee": 250.0,
            "home": "Stockholm",
        },
        {
            "office": "boda",
            "id": "d",
            "start": date(2024, 12, 1),
            "type": "prova",
            "fee": 0.0,
            "group": "Nätverk",
            "home": "Emmaboda",
        },
    )
    return engine


def test_members_are_counted_per_day_and_target_group(members):
    frame = read(members, queries.members_by_group)
    on = frame.set_index(["day", "target_group"])["members"]
    assert on[(date(2025, 1, 1), "Pendlare")] == 1
    assert on[(date(2025, 1, 10), "Företagare")] == 1
    assert on[(date(2025, 2, 14), "Företagare")] == 1  # the end day still counts
    assert on[(date(2025, 2, 15), "Företagare")] == 0
    assert on[(date(2025, 2, 1), "Okänd")] == 1  # no target group in the register
    assert on[(date(2025, 1, 1), "Nätverk")] == 1  # Boda's trial member
    assert set(frame.day) == set(pd.date_range("2025-01-01", "2025-03-31").date)


def test_membership_types_carry_the_offices_own_names(members):
    frame = read(members, queries.members_by_type)
    assert set(frame.membership) == {"Flexibel", "Lounge", "Provperiod"}
    on = frame.set_index(["day", "membership"])["members"]
    assert on[(date(2025, 1, 20), "Flexibel")] == 2
    assert on[(date(2025, 3, 1), "Flexibel")] == 1


def test_new_and_ended_memberships_per_month(members):
    frame = read(members, queries.joins_and_leaves)
    assert list(frame.month) == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    assert list(frame.new) == [2, 1, 0]
    assert list(frame.ended) == [0, 1, 0]


def test_home_kommun_matrix_groups_outside_the_county_as_others(members):
    frame = read(members, queries.home_kommun_matrix)
    cells = {(r.office, r.home_kommun): r.members for r in frame.itertuples()}
    assert cells == {
        ("Kontoret Figeholm", "Oskarshamn"): 1,
        ("Kontoret Figeholm", "Övriga"): 1,
        ("Kontoret Figeholm", "Okänd"): 1,
        ("Bodakontoret", "Emmaboda"): 1,
    }


def test_members_against_the_ramp_up_target_valid_each_day(members):
    frame = read(members, queries.members_vs_target).set_index("day")
    # Figeholm: 8 members until February, 14 from 1 March; Boda: 6 throughout
    assert frame.loc[date(2025, 2, 28), "target"] == 8 + 6
    assert frame.loc[date(2025, 3, 1), "target"] == 14 + 6
    assert frame.loc[date(2025, 1, 10), "members"] == 3
    assert frame.loc[date(2025, 3, 1), "members"] == 3


def test_an_office_without_a_register_is_a_gap_not_zero(engine):
    frame = read(engine, queries.members_vs_target)
    assert frame.empty and frame.attrs["registered"] is False
    assert list(frame.attrs["offices"]) == ["Bodakontoret", "Kontoret Figeholm"]
    add_members(engine, {"office": "boda", "id": "x", "start": date(2025, 1, 1)})
    frame = read(engine, queries.members_vs_target).set_index("day")
    # only Boda has a register: Figeholm's target is not summed in
    assert frame.loc[date(2025, 3, 1), "target"] == 6
    comparison = read(engine, queries.members_comparison).set_index("label")
    assert comparison.loc["Bodakontoret", "members"] == 1
    assert pd.isna(comparison.loc["Kontoret Figeholm", "members"])
    assert comparison.loc["Kontoret Figeholm", "target_members"] == 14


def test_region_users_compare_the_offices_side_by_side(members):
    frame = read(members, queries.members_comparison, period=month(date(2025, 3, 1)))
    assert list(frame.label) == ["Bodakontoret", "Kontoret Figeholm"]
    assert list(frame.members) == [1, 2]
    assert list(frame.target_members) == [6, 14]
    assert set(frame.kind) == {"office"}


def test_a_kommun_user_never_gets_another_offices_members(members):
    for function in (
        queries.members_by_group,
        queries.members_by_type,
        queries.joins_and_leaves,
        queries.home_kommun_matrix,
        queries.members_vs_target,
        queries.members_comparison,
    ):
        # the filter asked for Figeholm too: the scope drops it
        frame = read(members, function, scope=BODA)
        text = frame.to_json(date_format="iso") + json.dumps(frame.attrs, default=str)
        assert "Figeholm" not in text and "figeholm" not in text, function.__name__
    by_type = read(members, queries.members_by_type, scope=BODA)
    assert set(by_type.membership) == {"Provperiod"}
    only_figeholm = read(members, queries.members_by_group, BODA, ["figeholm"])
    assert only_figeholm.empty


def test_the_median_is_anonymous_and_needs_three_offices(members, programme):
    period = month(date(2025, 3, 1))
    frame = read(members, queries.members_comparison, BODA, ["boda"], period)
    assert list(frame.kind) == ["office"]  # two offices: no median
    third = programme.offices[1].model_copy(
        update={"id": "hogsby", "name": "Högsbykontoret", "kommun": "0821"}
    )
    with transaction(members) as session:
        sync_programme(
            session,
            programme.model_copy(update={"offices": [*programme.offices, third]}),
        )
    add_members(
        members,
        *[
            {"office": "hogsby", "id": f"h{i}", "start": date(2025, 1, 1)}
            for i in range(5)
        ],
    )
    frame = read(members, queries.members_comparison, BODA, ["boda"], period)
    assert list(frame.label) == ["Bodakontoret", "median"]
    median = frame.set_index("kind").loc["median"]
    # members on 31 March: Boda 1, Figeholm 2, Högsby 5; targets 6, 14, 6
    assert (median.members, median.target_members, median.offices) == (2, 6, 3)
    text = frame.to_json() + json.dumps(frame.attrs, default=str)
    assert "Figeholm" not in text and "Högsby" not in text
    region = read(members, queries.members_comparison, period=period)
    assert "median" not in set(region.kind)  # region users see names instead


def test_an_empty_scope_sees_nothing(members):
    nobody = Scope(3, "d@region.se", "admin", frozenset(), False)
    period = Period("custom", date(2024, 1, 1), date(2025, 12, 31))
    for function in (queries.members_by_group, queries.members_comparison):
        assert read(members, function, nobody, BOTH, period).empty


# --- the page over HTTP -------------------------------------------------------


def figure_answer(client, page: str, panel: str, year: int, lang: str = "sv") -> dict:
    """One panel's figure callback for a whole year, as the browser asks it."""
    names = ("office", "kind", "at", "range", "range", "compare", "lang")
    props = ("value", "value", "value", "start_date", "end_date", "value", "data")
    values = (None, "year", str(year), None, None, False, lang)
    body = {
        "output": f"..{panel}-graph.figure...{panel}-completeness.children..",
        "outputs": [
            {"id": f"{panel}-graph", "property": "figure"},
            {"id": f"{panel}-completeness", "property": "children"},
        ],
        "inputs": [
            {"id": f"{page}-filter-{n}", "property": p, "value": v}
            for n, p, v in zip(names, props, values, strict=True)
        ],
        "changedPropIds": [f"{page}-filter-at.value"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def test_the_members_page_renders_for_a_region_user(members, signed_in_client):
    client = signed_in_client("region")
    layout = client.get("/medlemmar?period=year&at=2025")
    assert layout.status_code == 200
    for panel in (
        "members-by-group",
        "members-by-type",
        "members-target",
        "members-compare",
        "members-flow",
        "members-home",
    ):
        answer = figure_answer(client, "members", panel, 2025)
        figure = answer[f"{panel}-graph"]["figure"]
        assert figure["data"], panel
        note = answer[f"{panel}-completeness"]["children"]
        assert note.startswith("Medlemsregister:"), note
    home = figure_answer(client, "members", "members-home", 2025, "en")
    assert "Other (outside the county)" in json.dumps(home, ensure_ascii=False)


def test_a_period_from_year_one_starts_at_the_first_opening(members):
    period = Period("custom", date(1, 1, 1), date(2025, 3, 31))
    frame = read(members, queries.members_by_group, period=period)
    assert min(frame.day) == date(2024, 9, 2)  # Figeholm opened
    flow = read(members, queries.joins_and_leaves, period=period)
    assert flow.month.iloc[0] == date(2024, 9, 1) and flow.new.sum() == 4


def test_the_target_on_a_day_is_that_of_the_step_valid_then():
    """Per office, the latest step on or before the day; a step without a
    member target means no target (not the previous step's)."""
    steps = pd.DataFrame(
        [
            ("boda", date(2025, 1, 1), 8.0),
            ("boda", date(2025, 6, 1), np.nan),
            ("figeholm", date(2025, 3, 1), 20.0),
        ],
        columns=["office_id", "valid_from", "target_members"],
    )
    later = queries._target_per_office(steps, date(2025, 7, 1))
    assert later["figeholm"] == 20 and np.isnan(later["boda"])
    assert queries._target_per_office(steps, date(2025, 2, 1)) == {"boda": 8.0}


def test_summed_targets_follow_each_offices_steps():
    """Two offices ramping up at different times; a step without a member
    target counts as none (and alone is no plan)."""
    steps = pd.DataFrame(
        [
            ("boda", date(2025, 1, 2), 8.0),
            ("boda", date(2025, 1, 4), 20.0),
            ("figeholm", date(2025, 1, 3), np.nan),
            ("figeholm", date(2025, 1, 5), 10.0),
        ],
        columns=["office_id", "valid_from", "target_members"],
    )
    days = [date(2025, 1, d) for d in range(1, 7)]
    target, planned = queries._summed_targets(steps, days)
    assert list(target) == [0, 8, 8, 20, 30, 30]
    assert list(planned) == [False, True, True, True, True, True]
    only_unknown = steps[steps.office_id == "figeholm"].head(1)
    target, planned = queries._summed_targets(only_unknown, days)
    assert list(target) == [0] * 6 and not planned.any()
