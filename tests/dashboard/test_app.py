"""The app shell over HTTP (Flask test client) and in a real headless Chromium."""

from __future__ import annotations

import json

import pytest

from tests.dashboard.conftest import screenshot


def test_shell_and_layout_are_served(dash_app):
    client = dash_app.server.test_client()
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    assert "Översikt" in json.dumps(layout.get_json(), ensure_ascii=False)


def test_responses_are_compressed(dash_app):
    client = dash_app.server.test_client()
    response = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_overview_lists_the_offices_in_a_browser(live_server, page):
    page.goto(live_server + "/")
    table = page.locator("#office-table")
    table.wait_for(timeout=15_000)
    text = table.inner_text()
    assert "Kontoret Figeholm" in text and "Bodakontoret" in text
    assert "2 sep. 2024" in text  # a Swedish date
    screenshot(page, "overview")
    assert page.console_errors == []
