"""Nöjdhet, Datakvalitet and Ordlista over HTTP (Flask test client): the pages,
their panel callbacks and downloads, and who may open them."""

from __future__ import annotations

import base64
import json
from datetime import date

import numpy as np

from dashboard.access import FORBIDDEN_TEXT
from tests.dashboard.forgery import forged_bodies
from tests.dashboard.test_satisfaction_queries import add_round

FILTERS = ("office", "kind", "at", "range", "range", "compare", "lang")


def page_text(client, path: str, search: str = "") -> str:
    """What the page router answers for ``path`` (as the browser would ask)."""
    callbacks = client.get("/_dash-dependencies").get_json()
    router = next(
        c for c in callbacks if any(d["property"] == "pathname" for d in c["inputs"])
    )
    body = next(
        b
        for b in forged_bodies(router, [None])
        if any(i.get("value") == path for i in b["inputs"] if isinstance(i, dict))
    )
    for entry in body["inputs"]:
        if entry["property"] == "search":
            entry["value"] = search
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return json.dumps(response.get_json(), ensure_ascii=False)


def _filter_values(
    page: str, at: int | str, lang: str, compare: bool = False
) -> list[dict]:
    """The filters for a year (2025) or a month ("2025-03")."""
    kind = "month" if isinstance(at, str) else "year"
    values = [None, kind, str(at), None, None, compare, lang]
    props = ["value", "value", "value", "start_date", "end_date", "value", "data"]
    return [
        {"id": f"{page}-filter-{name}", "property": prop, "value": value}
        for name, prop, value in zip(FILTERS, props, values, strict=True)
    ]


def panel_text(
    client,
    page: str,
    panel: str,
    at: int | str,
    lang: str = "sv",
    graph: bool = False,
    compare: bool = False,
) -> str:
    """A table (or ``graph``) panel's answer for a year or a month (``at``)."""
    shown = (
        {"id": f"{panel}-graph", "property": "figure"}
        if graph
        else {"id": f"{panel}-table", "property": "children"}
    )
    output = f"{shown['id']}.{shown['property']}"
    body = {
        "output": f"..{output}...{panel}-completeness.children..",
        "outputs": [
            shown,
            {"id": f"{panel}-completeness", "property": "children"},
        ],
        "inputs": _filter_values(page, at, lang, compare),
        "changedPropIds": [f"{page}-filter-at.value"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json(), ensure_ascii=False)


def download(client, page: str, panel: str, year: int, kind: str = "csv") -> bytes:
    body = {
        "output": f"{panel}-download.data",
        "outputs": {"id": f"{panel}-download", "property": "data"},
        "inputs": [
            {"id": f"{panel}-xlsx", "property": "n_clicks", "value": None},
            {"id": f"{panel}-csv", "property": "n_clicks", "value": 1},
        ],
        "state": _filter_values(page, year, "sv"),
        "changedPropIds": [f"{panel}-{kind}.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()["response"][f"{panel}-download"]["data"]
    content = data["content"]
    return base64.b64decode(content) if data.get("base64") else content.encode()


def test_the_satisfaction_page_renders_with_suppressed_cells(signed_in_client, engine):
    add_round(engine, "figeholm", [9] * 8, comments=["Bra wifi"] * 8)
    add_round(engine, "boda", [3, 4, 10], comments=["Hemligt"] * 3)
    client = signed_in_client("region")
    page = page_text(client, "/nojdhet")
    assert "Nöjdhet" in page and "sat-nps-office-graph" in page
    table = panel_text(client, "satisfaction", "sat-responses", 2025)
    assert "< 5" in table and "dold" in table and "Q1 2025" in table
    assert "Hela programmet" in table
    csv = download(client, "satisfaction", "sat-responses", 2025).decode("utf-8-sig")
    assert "< 5" in csv and "dold" in csv
    assert ",3," not in csv and ",8," not in csv  # the hidden counts never leave
    # Figeholm is "dold": its eight comments beside the total of 11 would give
    # Boda's 3 away, so neither office's comments are shown
    comments = panel_text(client, "satisfaction", "sat-free-text", 2025)
    assert "Bra wifi" not in comments and "Hemligt" not in comments
    assert "Inga fritextsvar att visa" in comments
    for panel in ("sat-soft", "sat-facilities", "sat-free-text"):  # every panel
        graph = panel != "sat-free-text"
        note = panel_text(client, "satisfaction", panel, 2025, graph=graph)
        assert "Senast importerad enkät: –" in note and "färre än 5 svar" in note
    english = panel_text(client, "satisfaction", "sat-responses", 2025, "en")
    assert "Respondents" in english and "hidden" in english and "dold" not in english


def test_the_recommend_score_compares_with_the_quarter_before(signed_in_client, engine):
    add_round(engine, "figeholm", [10] * 6, day=date(2024, 12, 10))
    add_round(engine, "figeholm", [10, 10, 9, 0, 0, 0])
    client = signed_in_client("kommun", ["figeholm"])
    answer = json.loads(
        panel_text(
            client,
            "satisfaction",
            "sat-nps-office",
            "2025-03",
            graph=True,
            compare=True,
        )
    )
    bars, marks = answer["response"]["sat-nps-office-graph"]["figure"]["data"]
    assert values(bars["x"]) == [0.0]  # March 2025: the first quarter's round
    # February is in the same round: the quarter before, NPS 100, is compared
    assert marks["name"] == "Föregående period" and values(marks["x"]) == [100.0]


def values(encoded) -> list:
    """A figure's array as plotly sends numpy arrays: typed, base64 encoded."""
    if isinstance(encoded, dict):
        raw = base64.b64decode(encoded["bdata"])
        return np.frombuffer(raw, dtype=encoded["dtype"]).tolist()
    return list(encoded)


def test_the_satisfaction_page_says_what_to_do_without_surveys(signed_in_client):
    client = signed_in_client("kommun", ["boda"])
    assert "Bodakontoret" in page_text(client, "/nojdhet")
    table = panel_text(client, "satisfaction", "sat-responses", date.today().year)
    assert "Inga enkätsvar ännu" in table and "data/inbox/<kontor>/survey/" in table


def test_the_quality_page_is_for_region_users(signed_in_client):
    region = signed_in_client("region")
    page = page_text(region, "/datakvalitet")
    assert "Datakvalitet" in page and "dq-gaps-table" in page
    gaps = panel_text(region, "quality", "dq-gaps", 2025)
    assert "luckor med sammanlagt" in gaps  # the note counts the gaps
    assert "Kontoret Figeholm" in gaps  # no door data at all in the fixture
    kommun = signed_in_client("kommun", ["boda"])
    answer = page_text(kommun, "/datakvalitet")
    assert FORBIDDEN_TEXT in answer and "dq-" not in answer


def test_the_glossary_lists_every_term_in_the_users_language(signed_in_client):
    client = signed_in_client("steering")
    swedish = page_text(client, "/ordlista")
    assert "Ordlista" in swedish and "Rekommendationsvilja (NPS)" in swedish
    assert "Svarsfrekvens" in swedish and "Lucka i dörrdata" in swedish
    english = page_text(client, "/ordlista", "?lang=en")
    assert "Glossary" in english and "Response rate" in english
    assert english.index("Data completeness") < english.index("Utilisation")


def test_the_compare_switch_shows_only_where_a_panel_compares(signed_in_client):
    client = signed_in_client("region")
    for path, page, shown in (
        ("/datakvalitet", "quality", False),
        ("/nojdhet", "satisfaction", True),
    ):
        tree = json.loads(page_text(client, path))
        column = _parent_of(tree, f"{page}-filter-compare")
        hidden = (column.get("props", {}).get("style") or {}).get("display") == "none"
        assert hidden is not shown, path


def _parent_of(node, component_id: str, parent=None):
    """The component holding the one with ``component_id`` (in a Dash layout)."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return parent
        children = node.values()
        holder = node if "props" in node else parent
        for child in children:
            found = _parent_of(child, component_id, holder)
            if found is not None:
                return found
    elif isinstance(node, list):
        for child in node:
            found = _parent_of(child, component_id, parent)
            if found is not None:
                return found
    return None
