"""Beläggning over HTTP (Flask test client): the page, its panel callbacks and a
download, for a region user and a kommun user."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from models import tables as t
from models.db import transaction
from tests.dashboard.forgery import forged_bodies
from tests.dashboard.test_occupancy_queries import add_booking, add_door

FILTERS = ("office", "kind", "at", "range", "range", "compare", "lang")
PROPS = ("value", "value", "value", "start_date", "end_date", "value", "data")
# (panel id, is a table); the page module registers itself when the app is built
PANELS = [
    ("occ-utilisation", False),
    ("occ-daily", False),
    ("occ-heatmap", False),
    ("occ-weekly", False),
    ("occ-reconciliation", False),
    ("occ-health", True),
]


def filter_values(offices=None, at="2025-06", compare=False, lang="sv") -> list[dict]:
    values = [offices, "month", at, None, None, compare, lang]
    return [
        {"id": f"occupancy-filter-{name}", "property": prop, "value": value}
        for name, prop, value in zip(FILTERS, PROPS, values, strict=True)
    ]


def page_text(client, path: str) -> str:
    """What the page router answers for ``path``, as the browser would ask."""
    callbacks = client.get("/_dash-dependencies").get_json()
    router = next(
        c for c in callbacks if any(d["property"] == "pathname" for d in c["inputs"])
    )
    body = next(
        b
        for b in forged_bodies(router, [None])
        if any(i.get("value") == path for i in b["inputs"] if isinstance(i, dict))
    )
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False)


def panel_answer(client, panel: tuple[str, bool], **filters) -> tuple[str, int]:
    """A panel's answer (text with JSON escapes undone) and its size in bytes."""
    panel_id, table = panel
    target = f"{panel_id}-table.children" if table else f"{panel_id}-graph.figure"
    target_id, prop = target.rsplit(".", 1)
    body = {
        "output": f"..{target}...{panel_id}-completeness.children..",
        "outputs": [
            {"id": target_id, "property": prop},
            {"id": f"{panel_id}-completeness", "property": "children"},
        ],
        "inputs": filter_values(**filters),
        "changedPropIds": ["occupancy-filter-at.value"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    text = json.dumps(response.get_json(), ensure_ascii=False)
    return text, len(response.get_data())


@pytest.fixture
def june(engine):
    for day in (date(2025, 6, 2), date(2025, 6, 13)):
        add_door(engine, "figeholm", day, people=5)
        add_booking(engine, "figeholm", day, 1)
    add_door(engine, "boda", date(2025, 6, 3), people=2)
    with transaction(engine) as session:  # the counter file, two days ago
        session.add(
            t.SourceFile(
                office_id="figeholm", kind="door", format="counter", sha256="0" * 64,
                original_name="personraknare.csv", archived_path="", size_bytes=1,
                received_at=datetime.now(UTC) - timedelta(days=2), status="loaded",
            )
        )  # fmt: skip


def test_the_page_and_its_panels_for_a_region_user(signed_in_client, june):
    client = signed_in_client("region")
    assert client.get("/belaggning").status_code == 200
    layout = page_text(client, "/belaggning")
    assert "Beläggning" in layout and "Dörrräknarnas hälsa" in layout
    for panel in PANELS:
        assert f"{panel[0]}-completeness" in layout
        text, size = panel_answer(client, panel)
        assert size < 250_000, (panel, size)
        assert "kontorsdagar med data" in text  # two offices: office-days
        assert "senaste import för 2 dagar sedan" in text
    health, _ = panel_answer(client, PANELS[-1])
    assert "Kontoret Figeholm" in health and "Bodakontoret" in health
    compared, _ = panel_answer(client, PANELS[0], compare=True)
    assert "Föregående period" in compared
    assert "ingen jämförelse" not in compared
    # a panel that does not compare says so in its note
    heatmap, _ = panel_answer(client, PANELS[2], compare=True)
    assert "Föregående period" not in heatmap
    assert "sedan · ingen jämförelse i den här panelen" in heatmap
    english, _ = panel_answer(client, PANELS[0], lang="en")
    assert "Utilisation" in english and "office-days with data" in english


def test_a_kommun_user_sees_only_the_own_office(signed_in_client, june):
    client = signed_in_client("kommun", ["boda"])
    assert "Beläggning" in page_text(client, "/belaggning")
    for panel in PANELS:
        for offices in (None, ["figeholm"], ["boda", "figeholm"]):
            text, _ = panel_answer(client, panel, offices=offices)
            assert "figeholm" not in text.lower(), (panel, offices)
    health, _ = panel_answer(client, PANELS[-1])
    assert "Bodakontoret" in health
    note, _ = panel_answer(client, PANELS[0])
    assert "Dörrräknare: 1 av 30 dagar med data" in note


def test_no_door_data_yet_says_where_to_put_a_file(signed_in_client):
    client = signed_in_client("kommun", ["boda"])
    text, _ = panel_answer(client, PANELS[0])
    assert "Inga dörrräkningar ännu för Bodakontoret" in text
    assert "data/inbox/boda/door/" in text


def test_the_csv_download(signed_in_client, june):
    client = signed_in_client("region")
    body = {
        "output": "occ-reconciliation-download.data",
        "outputs": {"id": "occ-reconciliation-download", "property": "data"},
        "inputs": [
            {"id": "occ-reconciliation-xlsx", "property": "n_clicks", "value": None},
            {"id": "occ-reconciliation-csv", "property": "n_clicks", "value": 1},
        ],
        "state": filter_values(),
        "changedPropIds": ["occ-reconciliation-csv.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()["response"]["occ-reconciliation-download"]["data"]
    content = data["content"]
    csv = base64.b64decode(content).decode() if data.get("base64") else content
    assert csv.lstrip("\ufeff").startswith("day,desk_bookings,present")
    assert "2025-06-02,1.0,5.0,1.0,0.0,4.0" in csv
