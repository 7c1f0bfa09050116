"""Every page in a real headless Chromium, with the demo data loaded through the
real pipeline: no callback fails, no console error, filters change the URL, and
a kommun user's office list holds only their own office. A screenshot per page
lands in test-artifacts/ for review."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import dash
import pytest

from ingest.demo import generate
from ingest.runner import run_once
from models.config import load_config
from tests.dashboard.conftest import screenshot, sign_in_in_browser

FIXTURES = Path(__file__).parents[1] / "fixtures"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def demo_data(engine, db_url, tmp_path, monkeypatch):
    """One year of demo files for the fixture programme, ingested for real."""
    shutil.copy(FIXTURES / "programme.yaml", tmp_path / "config.yaml")
    monkeypatch.setenv("PILOTPULS_DATABASE_URL", db_url)
    monkeypatch.setenv("PILOTPULS_PSEUDONYM_KEY", "browser-test")
    config = load_config(tmp_path / "config.yaml")
    generate(config, seed=3, until=date.today(), years=1)
    summary = run_once(engine, config, trigger="test")
    assert summary.count("rejected") == 0


def nav_paths() -> list[str]:
    return [p["path"] for p in dash.page_registry.values() if p.get("nav", True)]


def wait_until_settled(page) -> None:
    page.wait_for_load_state("networkidle")
    # Dash marks components that are waiting for a callback
    page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=\"true\"]')",
        timeout=20_000,
    )


def failed_callbacks(page) -> list[str]:
    return [error for error in page.console_errors if "500" in error]


def test_every_page_renders_for_a_region_user(demo_data, live_server, page, add_user):
    failures = []
    page.on("response", lambda r: failures.append(r.url) if r.status >= 500 else None)
    add_user("projektledare@region.example", "region", ())
    sign_in_in_browser(page, live_server, "projektledare@region.example")
    paths = nav_paths()
    assert len(paths) >= 2
    for path in paths:
        page.goto(f"{live_server}{path}?period=year&at={date.today().year}")
        wait_until_settled(page)
        assert page.locator("#forbidden").count() == 0, path
        screenshot(page, f"page-{path.strip('/') or 'oversikt'}")
        assert page.console_errors == [], (path, page.console_errors)
    assert failures == []


def test_filters_travel_in_the_url(demo_data, live_server, page, add_user):
    add_user("projektledare@region.example", "region", ())
    sign_in_in_browser(page, live_server, "projektledare@region.example")
    with_filters = [p for p in nav_paths() if p != "/"]
    page.goto(
        f"{live_server}{with_filters[0]}?office=boda&period=year&at={date.today().year}"
    )
    wait_until_settled(page)
    assert "Bodakontoret" in page.locator(".filter-bar").inner_text()
    page.get_by_text("Kvartal", exact=True).click()
    page.wait_for_url("**period=quarter**", timeout=10_000)
    wait_until_settled(page)
    assert "office=boda" in page.url
    assert page.console_errors == []


def test_a_kommun_user_can_only_choose_their_own_office(
    demo_data, live_server, page, add_user
):
    add_user("kontakt@emmaboda.example", "kommun", ("boda",))
    sign_in_in_browser(page, live_server, "kontakt@emmaboda.example")
    with_filters = [p for p in nav_paths() if p != "/"]
    page.goto(f"{live_server}{with_filters[0]}?office=figeholm")
    wait_until_settled(page)
    text = page.locator("body").inner_text()
    assert "Figeholm" not in text
    screenshot(page, "kommun-view")
    assert page.console_errors == []


def test_the_region_closes_and_publishes_a_quarter_in_the_browser(
    demo_data, live_server, page, add_user
):
    add_user("projektledare@region.example", "region", ())
    sign_in_in_browser(page, live_server, "projektledare@region.example")
    page.goto(f"{live_server}/rapport")
    wait_until_settled(page)
    page.get_by_role("button", name="Stäng kvartal").click()
    page.get_by_text("är stängt som version 1").wait_for(timeout=60_000)
    # the status is drawn by a second callback, after the version list it waits for
    page.locator("#rp-status").get_by_text("utkast").wait_for(timeout=20_000)
    wait_until_settled(page)
    assert page.locator("#rp-body table").count() >= 5
    page.get_by_role("button", name="Publicera version").click()
    page.get_by_text("Version 1 är publicerad").wait_for(timeout=20_000)
    page.locator("#rp-status").get_by_text("publicerad 20").wait_for(timeout=20_000)
    screenshot(page, "page-rapport-publicerad")
    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner PDF").click()
    assert download.value.suggested_filename.endswith("-v1.pdf")
    assert page.console_errors == []
