"""The overview: the status rule, and the cards a region and a kommun user get."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.overview_cards import OfficeFigures, status
from tests.dashboard.conftest import router_request


def figures(**changes) -> OfficeFigures:
    values = {
        "office_id": "boda",
        "name": "Bodakontoret",
        "kommun": "Emmaboda",
        "members": 9,
        "target_members": 10,
        "utilisation": 0.33,
        "target_utilisation": 0.35,
        "self_financing": 0.4,
        "nps": 20.0,
        "nps_note": "",
        "last_imports": {"door": datetime(2026, 11, 20, tzinfo=UTC)},
    }
    return OfficeFigures(**(values | changes))


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, "on_track"),  # 90 % and 94 % of target
        ({"members": 8}, "watch"),  # 80 % of the member target
        ({"utilisation": 0.2}, "behind"),  # 57 % of the utilisation target
        ({"utilisation": None}, "on_track"),  # no door data: judged on members
        ({"utilisation": None, "members": None}, "no_data"),
        ({"target_members": 0, "utilisation": None}, "no_data"),
    ],
)
def test_status_against_the_office_s_own_targets(changes, expected):
    assert status(figures(**changes)) == expected


def test_overview_cards_for_region_and_kommun(signed_in_client):
    region = signed_in_client("region").get("/_dash-layout")
    assert region.status_code == 200
    client = signed_in_client("kommun", ["boda"])
    body = client.post("/_dash-update-component", json=router_request("/")).get_data(
        as_text=True
    )
    assert "card-boda" in body and "card-figeholm" not in body
    assert "Figeholm" not in body
