"""The app shell over HTTP (Flask test client) and in a real headless Chromium."""

from __future__ import annotations

import gc
import json

import pytest
from flask import Flask

from dashboard import app as app_module
from dashboard.app import settle_for_serving
from tests.dashboard.conftest import screenshot, sign_in_in_browser


def test_shell_and_layout_are_served(signed_in_client):
    client = signed_in_client("region")
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    assert "Översikt" in json.dumps(layout.get_json(), ensure_ascii=False)


def collected(thing: object) -> bool:
    """Whether the cyclic collector still looks at ``thing`` (not frozen)."""
    return any(tracked is thing for tracked in gc.get_objects())


def test_serving_leaves_start_up_objects_out_of_full_collections(monkeypatch):
    monkeypatch.setattr(app_module, "WARM_UP_REQUESTS", 3)
    server = Flask(__name__)
    warm: list[dict] = []  # a cache the requests fill

    @server.get("/")
    def fill() -> str:
        warm.append({"compiled": [len(warm)]})
        return "ok"

    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        settle_for_serving(server)
        assert gc.get_freeze_count() > 10_000  # the built app and its modules
        assert gc.get_count()[2] == 0  # nothing else left for a full collection
        # a full collection after 100 middle ones, not Python's default 10
        assert gc.get_threshold() == (thresholds[0], thresholds[1], 100)
        client = server.test_client()
        client.get("/"), client.get("/")
        assert collected(warm[0])  # still warming up
        client.get("/")  # the third request: what the first ones left is frozen
        assert not collected(warm[0]) and not collected(warm[2])
        client.get("/")
        assert collected(warm[3])  # once only: later objects are collected
    finally:
        gc.unfreeze()  # the rest of the test run collects as before
        gc.set_threshold(*thresholds)


def test_responses_are_compressed(signed_in_client):
    client = signed_in_client("region")
    response = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_overview_lists_the_offices_in_a_browser(live_server, page, add_user):
    sign_in_in_browser(page, live_server, add_user("anna@region.se", "region"))
    table = page.locator("#office-table")
    table.wait_for(timeout=15_000)
    text = table.inner_text()
    assert "Kontoret Figeholm" in text and "Bodakontoret" in text
    assert "2 sep. 2024" in text  # a Swedish date
    screenshot(page, "overview")
    # a narrow window, in the longer English names: the whole menu still shows
    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(live_server + "/?lang=en")
    page.get_by_role("link", name="Quarterly report").wait_for(timeout=15_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1100  # nothing pushed out of the window
    menu = page.locator("#user-menu").bounding_box()
    assert menu is not None and menu["x"] + menu["width"] <= 1100
    assert page.console_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_kommun_user_sees_only_their_office_in_a_browser(live_server, page, add_user):
    email = add_user("kontakt@emmaboda.se", "kommun", ["boda"])
    page.goto(live_server + "/")
    assert "/login" in page.url
    screenshot(page, "login")
    sign_in_in_browser(page, live_server, email)
    table = page.locator("#office-table")
    table.wait_for(timeout=15_000)
    assert "Bodakontoret" in table.inner_text()
    assert "Figeholm" not in page.content()
    assert page.get_by_role("link", name="Logg").count() == 0
    page.locator("#user-menu").click()
    assert page.get_by_text("Logga ut").is_visible()
    screenshot(page, "overview-kommun")
    assert page.console_errors == []
