"""Dashboard fixtures: an app on a migrated database, a live server, a browser."""

from __future__ import annotations

import itertools
import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.auth import SECRET_KEY_ENV, AuthSettings
from models import users
from models.db import transaction

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
PASSWORD = "ett långt lösenord för test"
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_client_addresses = itertools.count(1)


@pytest.fixture
def make_app(engine, db_url, programme, monkeypatch):
    """Build the app with chosen sign-in settings (defaults, not the environment)."""
    # the key file would otherwise be written next to the fixture config
    monkeypatch.setenv(SECRET_KEY_ENV, secrets.token_hex(32))
    config = programme.model_copy(update={"database_url": db_url})
    return lambda **settings: create_app(config, AuthSettings(**settings))


@pytest.fixture
def dash_app(make_app):
    return make_app()


@pytest.fixture
def add_user(engine):
    """Create a user; returns the e-mail. Passwords are ``PASSWORD``."""

    def add(email: str, role: str = "region", offices=(), password=PASSWORD) -> str:
        with transaction(engine) as session:
            users.create_user(session, email, role, password, list(offices))
        return email

    return add


def client_for(dash_app):
    """A test client with an address of its own, so sign-in limits are per test."""
    client = dash_app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.0.0.{next(_client_addresses) % 250}"
    return client


def csrf_token(client) -> str:
    return CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)


def router_request(pathname: str, search: str = "") -> dict:
    """The page router's request for a page, as the browser sends it."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }


def sign_in(client, email: str, password: str = PASSWORD, next_path: str = ""):
    """Sign in through the real form, CSRF token and all; returns the response."""
    form = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    query = f"?next={next_path}" if next_path else ""
    return client.post(f"/login{query}", data=form)


@pytest.fixture
def signed_in_client(dash_app, add_user):
    """``signed_in_client(role, offices)``: a new user, signed in on a test client."""

    def make(role: str = "region", offices=(), email: str | None = None):
        email = email or f"{role}-{'-'.join(offices) or 'alla'}@example.se"
        add_user(email, role, offices)
        client = client_for(dash_app)
        response = sign_in(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


def sign_in_in_browser(page, base_url: str, email: str, password: str = PASSWORD):
    """Open the dashboard, get sent to /login, fill in the form and come back."""
    page.goto(base_url + "/")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(base_url + "/")


@pytest.fixture
def live_server(dash_app) -> Iterator[str]:
    """The app served on a free loopback port in a thread."""
    server = make_server("127.0.0.1", 0, dash_app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def chromium_path() -> str | None:
    return os.environ.get("PILOTPULS_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download needed)."""
    path = chromium_path()
    if not path:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium")
        pytest.skip("no chromium on PATH")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            # this machine has no outside network: stop Chromium calling home
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and failed callbacks."""
    context = browser.new_context(
        locale="sv-SE", viewport={"width": 1400, "height": 900}
    )
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda msg: (
            page.console_errors.append(msg.text) if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
