"""The shared helpers under the figures and queries: ``common_layout`` gives
what ``update_layout`` gives, every figure built unvalidated (as in production) is
the validated one, and ``once_per_session`` shares work within one read session
only."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io
import pytest
import sqlalchemy.orm as so

from dashboard import figures
from dashboard.figures import (
    common_layout,
    economy,
    empty_figure,
    figure,
    members,
    occupancy,
    report,
    satisfaction,
)
from dashboard.queries import once_per_session
from dashboard.queries.economy import QUARTER_COLUMNS
from dashboard.queries.occupancy import DAILY_COLUMNS
from dashboard.queries.satisfaction import PROGRAMME_NAME as PROGRAMME
from tests.dashboard import test_economy_figures as economy_tests
from tests.dashboard import test_members_figures as members_tests
from tests.dashboard import test_occupancy_figures as occupancy_tests
from tests.dashboard import test_report_figures as report_tests
from tests.dashboard import test_satisfaction_figures as satisfaction_tests


def test_common_layout_merges_like_update_layout():
    changes = {
        "height": 500,
        "margin": {"l": 10},  # the other margins stay
        "xaxis": {"title": {"text": "Dag"}, "tickformat": "%b"},
        "yaxis2": {"overlaying": "y", "side": "right"},
    }
    bar = {"type": "bar", "x": ["a", "b"], "y": [1, 2]}
    ours = figure([bar], common_layout("sv", **changes)).to_plotly_json()
    plotly = (
        go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
        .update_layout(common_layout("sv"))
        .update_layout(**changes)
        .to_plotly_json()
    )
    assert ours == plotly
    assert ours["layout"]["margin"] == {"l": 10, "r": 10, "t": 10, "b": 40}
    assert ours["layout"]["separators"] == ", "  # decimal comma, space groups


def test_once_per_session_computes_once_in_a_session_and_again_in_the_next():
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    first, second = so.Session(), so.Session()
    assert once_per_session(first, ("k", 1), compute) == 1
    assert once_per_session(first, ("k", 1), compute) == 1
    assert once_per_session(first, ("k", 2), compute) == 2  # another key
    assert once_per_session(second, ("k", 1), compute) == 3  # another session


# --- production's unvalidated figures -----------------------------------------

NEVER_COUNTED = occupancy_tests.with_attrs(
    pd.DataFrame(columns=DAILY_COLUMNS), door_data=False
)
NO_ECONOMY = pd.DataFrame(columns=QUARTER_COLUMNS)
NO_REGISTER = members_tests.empty(
    ["day", "target_group", "members"],
    offices=["Kontoret Figeholm"],
    office_ids=["figeholm"],
)
NO_SURVEY = pd.DataFrame(columns=["office", "respondents", "nps"])

# every builder on the figure tests' frames: empty, one office, gaps, hidden cells
CASES: dict[str, Callable[[str], go.Figure]] = {
    "empty": lambda lang: empty_figure("Inga data", lang),
    "utilisation": lambda lang: occupancy.utilisation(
        occupancy_tests.daily("ogoocco"), lang
    ),
    "utilisation, only gaps": lambda lang: occupancy.utilisation(
        occupancy_tests.daily("ggcc"), lang
    ),
    "utilisation, no door data": lambda lang: occupancy.utilisation(
        NEVER_COUNTED, lang
    ),
    "utilisation compared": lambda lang: occupancy.utilisation_compare(
        occupancy_tests.daily("oooo", start=date(2025, 6, 1)),
        occupancy_tests.daily("oogo", start=date(2025, 5, 1)),
        lang,
    ),
    "occupancy per day": lambda lang: occupancy.occupancy_per_day(
        occupancy_tests.daily("og"), lang
    ),
    "occupancy per day, no door data": lambda lang: occupancy.occupancy_per_day(
        NEVER_COUNTED, lang
    ),
    "heatmap": lambda lang: occupancy.weekday_heatmap(
        occupancy_tests.heatmap_frame(), lang
    ),
    "heatmap, no door data": lambda lang: occupancy.weekday_heatmap(
        NEVER_COUNTED, lang
    ),
    "weekly": lambda lang: occupancy.weekly_trend(occupancy_tests.weekly_frame(), lang),
    "reconciliation": lambda lang: occupancy.reconciliation(
        occupancy_tests.reconciliation_frame(), lang
    ),
    "revenue": lambda lang: economy.revenue_vs_plan(economy_tests.quarters(), lang),
    "revenue, no economy": lambda lang: economy.revenue_vs_plan(NO_ECONOMY, lang),
    "costs": lambda lang: economy.costs_by_category(economy_tests.costs(), lang),
    "subsidy": lambda lang: economy.subsidy_by_funder(economy_tests.subsidies(), lang),
    "self-financing": lambda lang: economy.self_financing(
        economy_tests.both_models(), lang
    ),
    "self-financing, no economy": lambda lang: economy.self_financing(NO_ECONOMY, lang),
    "path": lambda lang: economy.self_financing_path(economy_tests.path(), lang),
    "members by group": lambda lang: members.members_over_time(
        members_tests.by_group(), lang
    ),
    "members by group, no register": lambda lang: members.members_over_time(
        NO_REGISTER, lang
    ),
    "members by type": lambda lang: members.members_by_type(
        members_tests.by_type(), lang
    ),
    "joins and leaves": lambda lang: members.joins_and_leaves(
        members_tests.flow(), lang
    ),
    "home kommun": lambda lang: members.home_kommun_heatmap(
        members_tests.home_kommuner(), lang
    ),
    "members against target": lambda lang: members.members_vs_target(
        members_tests.against_target(), lang
    ),
    "members against the median": lambda lang: members.members_comparison(
        members_tests.against_median(), lang
    ),
    "nps, one office": lambda lang: satisfaction.nps_by_office(
        satisfaction_tests.one_office(), lang
    ),
    "nps, hidden offices": lambda lang: satisfaction.nps_by_office(
        satisfaction_tests.suppressed(), lang
    ),
    "nps, no survey": lambda lang: satisfaction.nps_by_office(NO_SURVEY, lang),
    "nps trend": lambda lang: satisfaction.nps_trend(
        satisfaction_tests.hidden_round(), lang
    ),
    "nps trend, programme": lambda lang: satisfaction.nps_trend(
        satisfaction_tests.hidden_round().assign(office=["Bodakontoret", PROGRAMME]),
        lang,
    ),
    "diverging": lambda lang: satisfaction.diverging(
        satisfaction_tests.measures(), lang
    ),
    "report utilisation": lambda lang: report.utilisation_by_month(
        report_tests.months(), lang
    ),
}


def _json(figure: go.Figure) -> dict:
    """The figure as Dash sends it (the json engine, see dashboard.app), parsed
    (template included)."""
    return json.loads(plotly.io.json.to_json_plotly(figure, engine="json"))


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("case", CASES)
def test_an_unvalidated_figure_is_the_validated_one(case, lang, monkeypatch):
    """Production skips validation; the tests prove it changes nothing."""
    validated = _json(CASES[case](lang))
    monkeypatch.setattr(figures, "VALIDATE", False)
    assert _json(CASES[case](lang)) == validated


def test_a_misspelt_property_fails_in_the_tests():
    with pytest.raises(ValueError, match="colour"):
        figure([{"type": "scatter", "line": {"colour": "red"}}], {})


def test_each_figure_carries_the_small_template_not_plotly_white():
    template = figure([], {}).to_plotly_json()["layout"]["template"]
    assert template == plotly.io.templates["pilotpuls"].to_plotly_json()
    assert set(template["data"]) == {"bar", "heatmap", "scatter"}


def test_a_long_empty_message_is_wrapped_to_fit_a_card_and_a_path_stays_whole():
    path = "data/inbox/kontoret-i-en-mycket-lang-kommun/members/"
    message = f"Inget medlemsregister ännu för Kontoret Figeholm — lägg en fil i {path}"
    shown = empty_figure(message).layout.annotations[0].text
    lines = shown.split("<br>")
    assert len(lines) > 1 and " ".join(lines) == message
    assert path in lines
    assert all(
        len(line) <= figures.EMPTY_MESSAGE_WIDTH for line in lines if line != path
    )


def test_dates_on_an_axis_travel_as_the_text_plotly_would_write():
    days = [date(2025, 6, 2), date(2025, 6, 3)]
    moments = np.array([datetime(2025, 6, 2, 9, 30), pd.NaT], dtype=object)
    built = figures.figure(
        [
            {"type": "scatter", "x": days, "y": [1, 2]},
            {"type": "bar", "x": ["a", "b"], "y": moments},
            {"type": "scatter", "x": np.array([1.5, 2.5]), "y": [date(2025, 1, 1)]},
        ],
        {},
    )
    # held as text, so plotly neither deep-copies nor encodes date objects
    assert list(built.data[0].x) == ["2025-06-02", "2025-06-03"]
    as_dates = json.loads(plotly.io.to_json(built))["data"]
    assert [trace["x"] for trace in as_dates[:2]] == [
        ["2025-06-02", "2025-06-03"],
        ["a", "b"],
    ]
    assert as_dates[1]["y"] == ["2025-06-02T09:30:00", None]
    assert as_dates[2]["y"] == ["2025-01-01"]
    # the same JSON as plotly's own encoding of the date objects
    plain = go.Figure(
        {"data": [{"type": "scatter", "x": days, "y": [1, 2]}]}, _validate=False
    )
    assert json.loads(plotly.io.to_json(plain))["data"][0]["x"] == as_dates[0]["x"]
