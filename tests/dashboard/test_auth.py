"""Sign-in over HTTP: the guard, CSRF, cookies, sessions, throttling and lockout."""

from __future__ import annotations

import json
import re
import stat
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from dashboard.auth import SECRET_KEY_ENV, AuthSettings, safe_next, secret_key
from models import tables as t
from models import users
from models.config import load_config
from models.db import transaction
from tests.conftest import FIXTURES
from tests.dashboard.conftest import (
    PASSWORD,
    client_for,
    csrf_token,
    router_request,
    sign_in,
)

ROUTER_BODY = router_request("/")
FAILED = "Inloggningen misslyckades"


def audit_actions(engine) -> list[tuple[str, str, str]]:
    with transaction(engine) as session:
        lines = session.scalars(sa.select(t.AuditLog).order_by(t.AuditLog.id))
        return [(line.action, line.actor, line.detail) for line in lines]


def test_nothing_but_the_sign_in_page_is_served_without_a_session(dash_app):
    client = client_for(dash_app)
    for path in ("/", "/logg", "/finns-inte?x=1"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")
    assert client.get("/logg").location == "/login?next=/logg"
    for path in ("/_dash-layout", "/_dash-dependencies", "/_reload-hash"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.get_json() == {"error": "not signed in"}
    response = client.post("/_dash-update-component", json=ROUTER_BODY)
    assert response.status_code == 401
    assert "Bodakontoret" not in response.get_data(as_text=True)
    assert client.get("/assets/not-a-style.json").status_code == 302


def test_the_sign_in_page_and_what_it_needs_are_public(dash_app, signed_in_client):
    anonymous = client_for(dash_app)
    page = anonymous.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Logga in", "E-postadress", "Lösenord", 'lang="sv"'):
        assert text in html
    css = re.search(r'href="(/assets/[^"]+\.css)"', html).group(1)
    assert anonymous.get(css).status_code == 200
    assert anonymous.get("/_favicon.ico").status_code == 200
    index = signed_in_client("region").get("/").get_data(as_text=True)
    script = re.search(r'src="(/_dash-component-suites/[^"]+\.js)', index).group(1)
    assert anonymous.get(script).status_code == 200
    assert anonymous.get("/assets/session-expired.js").status_code == 200


def test_signing_in_with_the_forms_csrf_token(dash_app, add_user, engine):
    client = client_for(dash_app)
    add_user("anna@region.se")
    response = sign_in(client, "  Anna@Region.se ")
    assert response.status_code == 302 and response.location == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in this test
    assert client.get("/_dash-layout").status_code == 200
    assert client.post("/_dash-update-component", json=ROUTER_BODY).status_code == 200
    assert client.get("/login").location == "/"  # already signed in
    assert ("sign-in", "anna@region.se", "") in audit_actions(engine)
    with transaction(engine) as session:
        assert users.find_user(session, "anna@region.se").last_login_at is not None


def test_a_sign_in_without_the_csrf_token_is_refused(dash_app, add_user):
    client = client_for(dash_app)
    add_user("anna@region.se")
    form = {"email": "anna@region.se", "password": PASSWORD}
    response = client.post("/login", data=form)
    assert response.status_code == 400
    assert "Formuläret hade gått ut" in response.get_data(as_text=True)
    form["csrf_token"] = "forged"
    assert client.post("/login", data=form).status_code == 400
    assert client.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize(
    ("asked", "followed"),
    [
        ("/logg?kontor=boda", "/logg?kontor=boda"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/logout", "/"),
        ("", "/"),
    ],
)
def test_after_sign_in_only_local_paths_are_followed(asked, followed):
    assert safe_next(asked) == followed


def test_sign_in_returns_to_the_page_asked_for(dash_app, add_user):
    client = client_for(dash_app)
    add_user("anna@region.se")
    assert sign_in(client, "anna@region.se", next_path="/logg").location == "/logg"


def test_cookies_are_secure_over_https_and_behind_a_proxy(make_app, add_user):
    add_user("anna@region.se")
    https = client_for(make_app())
    token = csrf_token(https)
    form = {"email": "anna@region.se", "password": PASSWORD, "csrf_token": token}
    response = https.post("/login", data=form, base_url="https://localhost")
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]

    proxied = client_for(make_app(behind_proxy=True))
    page = proxied.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in page.headers["Set-Cookie"]

    forced = client_for(make_app(secure_cookies=True))
    assert "Secure" in forced.get("/login").headers["Set-Cookie"]


def test_signing_out_ends_the_session(signed_in_client, engine):
    client = signed_in_client("kommun", ["boda"])
    response = client.get("/logout")
    assert response.status_code == 302 and "signed_out=1" in response.location
    assert "Du är utloggad" in client.get(response.location).get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401
    actions = [action for action, _actor, _detail in audit_actions(engine)]
    assert actions == ["sign-in", "sign-out"]


def test_a_disabled_user_is_signed_out_at_once(signed_in_client, engine):
    client = signed_in_client("kommun", ["boda"])
    assert client.get("/_dash-layout").status_code == 200
    with transaction(engine) as session:
        users.set_active(session, "kommun-boda@example.se", False)
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/").location == "/login?next=/"
    with transaction(engine) as session:
        users.set_active(session, "kommun-boda@example.se", True)
    # enabling again does not bring the old session back
    assert client.get("/_dash-layout").status_code == 401


def test_a_new_password_ends_open_sessions(signed_in_client, engine):
    client = signed_in_client("region")
    with transaction(engine) as session:
        users.set_password(session, "region-alla@example.se", "ett helt nytt lösenord")
    assert client.get("/_dash-layout").status_code == 401


def test_a_role_change_in_the_database_applies_to_the_next_request(
    signed_in_client, engine
):
    client = signed_in_client("region")
    assert "/logg" in json.dumps(client.get("/_dash-layout").get_json())
    with transaction(engine) as session:
        user = users.find_user(session, "region-alla@example.se")
        user.role = "kommun"
        session.add(t.UserOffice(user_id=user.id, office_id="boda"))
    assert "/logg" not in json.dumps(client.get("/_dash-layout").get_json())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_session_expires_after_inactivity(make_app, add_user):
    client = client_for(make_app(session_lifetime=timedelta(seconds=2)))
    add_user("anna@region.se")
    sign_in(client, "anna@region.se")
    for _ in range(2):  # each request restarts the clock
        time.sleep(1.2)
        assert client.get("/_dash-layout").status_code == 200
    stolen = client.get_cookie("session").value
    time.sleep(3.1)
    # the server checks the age itself, also when a client keeps the cookie
    client.set_cookie("session", stolen)
    assert client.get("/_dash-layout").status_code == 401


def test_repeated_sign_ins_are_throttled_per_address(dash_app, add_user, engine):
    client = client_for(dash_app)
    add_user("anna@region.se")
    token = csrf_token(client)
    form = {"email": "anna@region.se", "password": "fel lösenord", "csrf_token": token}
    for _ in range(5):
        response = client.post("/login", data=form)
        assert response.status_code == 200 and FAILED in response.get_data(True)
    response = client.post("/login", data=form)
    assert response.status_code == 429
    assert "För många inloggningsförsök" in response.get_data(as_text=True)
    form["password"] = PASSWORD  # even the right password waits
    assert client.post("/login", data=form).status_code == 429
    assert ("sign-in throttled", "anna@region.se", "e-mail anna@region.se") in (
        audit_actions(engine)
    )


def test_repeated_sign_ins_are_throttled_per_email(dash_app, add_user):
    add_user("anna@region.se")
    statuses = []
    for _ in range(6):  # a new address each time, as from a botnet
        client = client_for(dash_app)
        statuses.append(sign_in(client, "anna@region.se", "fel lösenord").status_code)
    assert statuses == [200] * 5 + [429]


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(
    dash_app, add_user, engine
):
    add_user("anna@region.se")
    known = sign_in(client_for(dash_app), "anna@region.se", "fel lösenord")
    unknown = sign_in(client_for(dash_app), "okand@region.se", "fel lösenord")
    assert known.status_code == unknown.status_code == 200
    assert _without_token_and_email(known) == _without_token_and_email(unknown)
    assert FAILED in known.get_data(as_text=True)
    failures = [line for line in audit_actions(engine) if line[0] == "sign-in failed"]
    assert [actor for _action, actor, _detail in failures] == [
        "anna@region.se",
        "okand@region.se",
    ]
    assert not any("fel lösenord" in detail for _a, _b, detail in failures)


def test_accounts_lock_after_repeated_wrong_passwords(make_app, add_user, engine):
    app = make_app(
        login_rate="100 per minute",
        lockout=users.LockoutPolicy(max_failures=3, lock_for=timedelta(minutes=15)),
    )
    add_user("anna@region.se")
    for _ in range(3):
        sign_in(client_for(app), "anna@region.se", "fel lösenord")
    locked = sign_in(client_for(app), "anna@region.se")  # the right password
    assert locked.status_code == 200 and FAILED in locked.get_data(as_text=True)
    with transaction(engine) as session:
        assert users.find_user(session, "anna@region.se").locked_until is not None


def test_the_secret_key_comes_from_the_environment_or_a_private_file(
    tmp_path, monkeypatch
):
    config_file = tmp_path / "config.yaml"
    config_file.write_text((FIXTURES / "programme.yaml").read_text("utf-8"), "utf-8")
    config = load_config(config_file)
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    key = secret_key(config)
    key_file = tmp_path / "data/secrets/flask.key"
    assert key_file.read_text().strip() == key and len(key) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret_key(config) == key  # made once, then reused
    monkeypatch.setenv(SECRET_KEY_ENV, "from-the-environment")
    assert secret_key(config) == "from-the-environment"


def test_settings_come_from_the_environment():
    settings = AuthSettings.from_env(
        {
            "PILOTPULS_SESSION_MINUTES": "10",
            "PILOTPULS_SECURE_COOKIES": "1",
            "PILOTPULS_BEHIND_PROXY": "1",
        }
    )
    assert settings.session_lifetime == timedelta(minutes=10)
    assert settings.secure_cookies is True and settings.behind_proxy is True
    defaults = AuthSettings.from_env({})
    assert defaults.session_lifetime == timedelta(minutes=30)
    assert defaults.secure_cookies is None and defaults.behind_proxy is False


def _without_token_and_email(response) -> str:
    html = response.get_data(as_text=True)
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", html)
    return re.sub(r'name="email"[^>]*value="[^"]*"', 'name="email"', html)
