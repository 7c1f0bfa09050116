"""The language switch in a real headless Chromium: plotly.js writes Swedish month
names on date axes in Swedish (its Swedish locale is registered after plotly.js
itself), English ones in English, and the menu follows the language."""

from __future__ import annotations

import json
from datetime import date

import dash
import pytest

from dashboard import access, app, i18n
from tests.dashboard.conftest import client_for, screenshot, sign_in_in_browser
from tests.dashboard.test_pages_browser import (  # noqa: F401  (demo_data: a fixture)
    demo_data,
    wait_until_settled,
)

SWEDISH_MONTHS = {
    "jan.",
    "feb.",
    "mars",
    "apr.",
    "maj",
    "juni",
    "juli",
    "aug.",
    "sep.",
    "okt.",
    "nov.",
    "dec.",
}
ENGLISH_MONTHS = {
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
}
ENGLISH_DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
# a date axis: members per target group, day by day over the period
DATE_AXIS = "#members-by-group-graph"
SWEDISH_NAV = ("Översikt", "Beläggning", "Medlemmar", "Ekonomi", "Logg")
ENGLISH_NAV = ("Overview", "Occupancy", "Members", "Economy", "Data quality")


def nav_pages() -> list[dict]:
    return [p for p in dash.page_registry.values() if p.get("nav", True)]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_menu_page_has_an_english_name_and_the_same_swedish_one(dash_app):
    assert len(nav_pages()) >= 2
    for page in nav_pages():
        key = "nav_" + page["module"].rsplit(".", 1)[-1]
        assert key in i18n.STRINGS, page["module"]
        assert i18n.text(key, "sv") == page["name"]
        assert app.nav_label(page, "en") == i18n.text(key, "en") != page["name"]
    for role, label in access.ROLE_LABELS.items():
        assert i18n.text(f"role_{role}", "sv") == label


def menu_request(href) -> dict:
    """The menu callback's request for the page at ``href``, as the browser asks."""
    outputs = [("nav-links", "children"), ("nav-user", "children"), ("shell", "lang")]
    body = {
        "output": "..nav-links.children...nav-user.children...shell.lang..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": "_pages_location", "property": "href", "value": href}],
        "state": [],
        "changedPropIds": ["_pages_location.href"],
    }
    return body


def menu_answer(client, href) -> str:
    response = client.post("/_dash-update-component", json=menu_request(href))
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json(), ensure_ascii=False)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_server_names_the_menu_and_still_picks_its_pages(
    dash_app, signed_in_client
):
    kommun = signed_in_client("kommun", ["boda"])
    english = menu_answer(kommun, "http://pilotpuls.example/medlemmar?lang=en")
    assert '"Members"' in english and '"/medlemmar?lang=en"' in english
    assert '"Sign out"' in english and '"Municipality"' in english
    assert '"Medlemmar"' not in english and "Logga ut" not in english
    assert "/logg" not in english and "/datakvalitet" not in english
    swedish = menu_answer(kommun, "http://pilotpuls.example/medlemmar?period=year")
    assert '"Medlemmar"' in swedish and '"/medlemmar"' in swedish
    assert '"Members"' not in swedish and "Logga ut" in swedish
    region = menu_answer(signed_in_client("region"), "/logg?lang=en")
    assert '"Log"' in region and '"/logg?lang=en"' in region
    # anything but an address is the programme's language, not an error
    assert '"Medlemmar"' in menu_answer(kommun, None)
    anonymous = client_for(dash_app).post(
        "/_dash-update-component", json=menu_request("/?lang=en")
    )
    assert anonymous.status_code == 401


def tick_words(page, graph: str) -> list[str]:
    """The words of a graph's axis tick labels, as drawn in the SVG (one
    ``tspan.line`` per line of a two-line date label such as "jan. / 2026")."""
    page.locator(f"{graph} .xtick text").first.wait_for(timeout=20_000)
    labels = page.eval_on_selector_all(
        f"{graph} .xtick text, {graph} .ytick text",
        """texts => texts.flatMap(text => {
            const lines = text.querySelectorAll("tspan.line");
            const words = lines.length ? [...lines] : [text];
            return words.map(line => line.textContent);
        })""",
    )
    return " ".join(labels).split()


def menu_says(page, word: str) -> None:
    """Wait until the menu shows ``word`` (the menu is renamed after the load)."""
    page.wait_for_function(
        "word => document.querySelector('#nav-links')?.innerText.includes(word)",
        arg=word,
        timeout=15_000,
    )


def nav_text(page) -> str:
    return page.locator("#nav-links").inner_text()


def open_members(page, base_url: str, lang: str | None = None) -> None:
    query = f"?period=year&at={date.today().year}" + (f"&lang={lang}" if lang else "")
    page.goto(f"{base_url}/medlemmar{query}")
    wait_until_settled(page)


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("demo_data")
def test_date_axes_and_menu_follow_the_language(live_server, page, add_user):
    add_user("projektledare@region.example", "region", ())
    sign_in_in_browser(page, live_server, "projektledare@region.example")

    # the Swedish locale is a script of its own, after plotly.js
    scripts = page.eval_on_selector_all("script[src]", "s => s.map(e => e.src)")
    plotly = next(i for i, s in enumerate(scripts) if "plotly-cartesian" in s)
    locale = next(i for i, s in enumerate(scripts) if "plotly-locale-sv" in s)
    assert plotly < locale

    open_members(page, live_server)
    menu_says(page, "Medlemmar")
    words = tick_words(page, DATE_AXIS)
    assert SWEDISH_MONTHS & set(words), words
    assert not (ENGLISH_MONTHS | ENGLISH_DAYS) & set(words), words
    assert all(name in nav_text(page) for name in SWEDISH_NAV)
    assert not any(name in nav_text(page) for name in ENGLISH_NAV)
    screenshot(page, "locale-medlemmar-sv")

    # the language switch in the user menu: a page load with ?lang=en
    page.locator("#user-menu").click()
    page.get_by_text("English", exact=True).click()
    page.wait_for_url("**lang=en**")
    wait_until_settled(page)
    menu_says(page, "Members")
    assert all(name in nav_text(page) for name in ENGLISH_NAV), nav_text(page)
    assert not any(name in nav_text(page) for name in SWEDISH_NAV)
    page.locator("#user-menu").click()
    assert page.get_by_text("Sign out", exact=True).is_visible()
    page.keyboard.press("Escape")

    # the menu's links keep the language; the page shown is the active one
    page.locator("#nav-links").get_by_role("link", name="Occupancy").click()
    page.wait_for_url("**/belaggning?lang=en")
    # a client-side move: the page router's callback draws the heading after the URL
    page.locator("h1", has_text="Occupancy").wait_for(timeout=20_000)
    wait_until_settled(page)
    assert page.locator("h1").inner_text() == "Occupancy"
    assert page.locator("#nav-links .nav-link.active").inner_text() == "Occupancy"
    open_members(page, live_server, "en")
    words = tick_words(page, DATE_AXIS)
    assert ENGLISH_MONTHS & set(words), words
    assert not SWEDISH_MONTHS & set(words), words
    assert page.locator("#nav-links .nav-link.active").inner_text() == "Members"
    screenshot(page, "locale-medlemmar-en")
    assert page.console_errors == []


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_english_menu_still_lists_only_the_pages_of_the_role(
    live_server, page, add_user
):
    email = add_user("kontakt@emmaboda.se", "kommun", ["boda"])
    sign_in_in_browser(page, live_server, email)
    page.goto(f"{live_server}/?lang=en")
    menu_says(page, "Overview")
    menu = nav_text(page)
    assert "Occupancy" in menu and "Members" in menu
    assert "Data quality" not in menu and "Datakvalitet" not in menu
    assert page.get_by_role("link", name="Log", exact=True).count() == 0
    assert page.console_errors == []
