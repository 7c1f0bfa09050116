"""Per-office access: scopes per role, query filters, page guards, forged callbacks."""

from __future__ import annotations

import json
import re
from datetime import date

import dash
import pytest
import sqlalchemy as sa
from flask_login import login_user

from dashboard import access, queries
from dashboard.access import FORBIDDEN_TEXT, Scope
from dashboard.auth import SignedInUser
from models import tables as t
from models.db import transaction
from models.sync import sync_programme
from tests.dashboard.conftest import router_request
from tests.dashboard.forgery import (
    assert_nothing_leaks,
    forge_every_callback,
    page_paths,
)

# what a Boda user must never see of Figeholm: its name, kommun and opening day
FIGEHOLM_SECRETS = ["figeholm", "Oskarshamn", "2 sep. 2024"]
FORGED_OFFICES = [
    "figeholm",
    "all",
    ["figeholm"],
    ["boda", "figeholm"],
    ["all"],
    None,
    {"office": "figeholm"},
    [{"office": "figeholm"}],
    42,
]
DAY = date(2025, 6, 1)


def scope_of(engine, email: str) -> Scope:
    with transaction(engine) as session:
        user = session.scalar(sa.select(t.User).where(t.User.email == email))
        return access.scope_for(session, user.id, user.email, user.role)


def audit_lines(engine, action: str) -> list[t.AuditLog]:
    with transaction(engine) as session:
        query = sa.select(t.AuditLog).where(t.AuditLog.action == action)
        return list(session.scalars(query))


def test_each_role_gets_its_offices_from_the_database(engine, add_user):
    add_user("anna@region.se", "region")
    add_user("kalle@emmaboda.se", "kommun", ["boda"])
    add_user("styr@figeholm.se", "steering", ["figeholm"])
    add_user("styr@programmet.se", "steering")
    add_user("drift@region.se", "admin")

    region = scope_of(engine, "anna@region.se")
    assert region.office_ids == {"boda", "figeholm"} and region.all_offices
    kommun = scope_of(engine, "kalle@emmaboda.se")
    assert kommun.office_ids == {"boda"} and not kommun.all_offices
    assert kommun.allows("boda") and not kommun.allows("figeholm")
    assert kommun.can_see_rows
    office_steering = scope_of(engine, "styr@figeholm.se")
    assert office_steering.office_ids == {"figeholm"}
    assert not office_steering.can_see_rows
    programme_steering = scope_of(engine, "styr@programmet.se")
    assert programme_steering.office_ids == {"boda", "figeholm"}
    assert programme_steering.all_offices
    admin = scope_of(engine, "drift@region.se")
    assert admin.office_ids == frozenset() and not admin.can_see_rows


def test_an_inactive_office_drops_out_of_every_scope(engine, add_user, programme):
    add_user("kalle@emmaboda.se", "kommun", ["boda"])
    with transaction(engine) as session:
        only_figeholm = programme.model_copy(update={"offices": programme.offices[:1]})
        sync_programme(session, only_figeholm)
    assert scope_of(engine, "kalle@emmaboda.se").office_ids == frozenset()


def test_restrict_keeps_allowed_offices_and_audits_the_rest(dash_app, engine):
    scope = Scope(1, "kalle@emmaboda.se", "kommun", frozenset({"boda"}), False)
    body = {"output": "office-chart.figure"}
    with dash_app.server.test_request_context(
        "/_dash-update-component", method="POST", json=body
    ):
        assert scope.restrict(None) == ["boda"]
        assert scope.restrict("all") == ["boda"]
        assert scope.restrict("boda") == ["boda"]
        assert scope.restrict(["figeholm", "boda", "boda"]) == ["boda"]
        assert scope.restrict("figeholm") == []
        assert scope.restrict({"office": "figeholm"}) == []
        assert scope.restrict(["boda", {"office": "figeholm"}]) == ["boda"]
        assert scope.restrict([]) == []
    denied = [line.detail for line in audit_lines(engine, "denied")]
    assert len(denied) == 4
    assert all("callback office-chart.figure" in detail for detail in denied)
    assert "figeholm" in denied[0]


def test_queries_only_return_offices_in_the_scope(engine):
    everyone = Scope(1, "a@region.se", "region", frozenset({"boda", "figeholm"}), True)
    boda = Scope(2, "k@emmaboda.se", "kommun", frozenset({"boda"}), False)
    nobody = Scope(3, "d@region.se", "admin", frozenset(), False)
    with transaction(engine) as session:
        assert set(queries.offices(session, everyone, DAY).office_id) == {
            "boda",
            "figeholm",
        }
        assert list(queries.offices(session, boda, DAY).office_id) == ["boda"]
        assert queries.offices(session, nobody, DAY).empty
        assert queries.audit_lines(session, boda).empty


def test_the_programme_median_needs_enough_offices_to_stay_anonymous(engine, programme):
    boda = Scope(2, "k@emmaboda.se", "kommun", frozenset({"boda"}), False)
    with transaction(engine) as session:
        assert queries.programme_median(session, boda, DAY) is None  # two offices
        third = programme.offices[1].model_copy(
            update={"id": "hogsby", "name": "Högsbykontoret", "kommun": "0821"}
        )
        bigger = programme.model_copy(update={"offices": [*programme.offices, third]})
        sync_programme(session, bigger)
        median = queries.programme_median(session, boda, DAY)
    # seats: Figeholm 14, Boda 4, Högsby 4
    assert median == {"offices": 3, "seats": 4, "target_members": 6}


def test_the_navigation_lists_only_pages_the_role_may_open(signed_in_client):
    region = json.dumps(signed_in_client("region").get("/_dash-layout").get_json())
    kommun_client = signed_in_client("kommun", ["boda"])
    kommun = json.dumps(kommun_client.get("/_dash-layout").get_json())
    assert '"Logg"' in region and '"/logg"' in region
    assert '"Logg"' not in kommun and '"/logg"' not in kommun
    assert "kommun-boda@example.se" in kommun and "Logga ut" in kommun


def test_forged_callbacks_show_a_kommun_user_nothing_of_other_offices(
    signed_in_client,
):
    client = signed_in_client("kommun", ["boda"])
    answers = forge_every_callback(client, FORGED_OFFICES)
    assert_nothing_leaks(answers, FIGEHOLM_SECRETS)
    # the forgery really reached the pages: the user's own office is shown
    overview = [a for a in answers if _pathname(a.body) == "/" and a.status == 200]
    assert overview and all("Bodakontoret" in a.text for a in overview)
    refused = [a for a in answers if _pathname(a.body) == "/logg"]
    assert refused and all(FORBIDDEN_TEXT in a.text for a in refused)


@pytest.mark.parametrize("offices", [(), ("figeholm",)])
def test_steering_users_get_no_data_from_pages_they_may_not_open(
    signed_in_client, offices
):
    client = signed_in_client("steering", offices)
    answers = forge_every_callback(client, [None, "figeholm", "all"])
    forbidden = [
        page["path"]
        for page in dash.page_registry.values()
        if "steering" not in access.page_roles(page)
    ]
    assert "/logg" in forbidden
    for answer in answers:
        if _pathname(answer.body) in forbidden:
            assert FORBIDDEN_TEXT in answer.text
            assert "-table" not in answer.text  # neither office nor audit table
            for name in ("Bodakontoret", "Kontoret Figeholm", "sign-in"):
                assert name not in answer.text


def test_each_role_starts_on_a_page_it_may_open(signed_in_client):
    # a sign-in lands on "/", the overview, which the steering group may not open
    steering = signed_in_client("steering")
    response = steering.get("/?lang=en")
    assert response.status_code == 302
    assert response.headers["Location"] == "/rapport?lang=en"
    assert steering.get("/ordlista").status_code == 200  # other pages: as asked
    for role, offices in (("region", ()), ("kommun", ("boda",))):
        assert signed_in_client(role, offices).get("/").status_code == 200
    # an admin may open no page: the refusal is all there is
    assert signed_in_client("admin").get("/").status_code == 200


def test_an_admin_sees_no_office_data(signed_in_client):
    client = signed_in_client("admin")
    answers = forge_every_callback(client, FORGED_OFFICES)
    assert_nothing_leaks(answers, [*FIGEHOLM_SECRETS, "Bodakontoret", "Emmaboda"])


def test_refused_pages_are_audited(signed_in_client, engine):
    client = signed_in_client("kommun", ["boda"])
    forge_every_callback(client, [None])
    details = [line.detail for line in audit_lines(engine, "denied")]
    assert any("page" in detail and "audit" in detail for detail in details)
    lines = audit_lines(engine, "denied")
    assert {line.actor for line in lines} == {"kommun-boda@example.se"}


def test_region_users_read_the_audit_log_in_stockholm_time(signed_in_client):
    client = signed_in_client("region")
    answers = forge_every_callback(client, [None])
    log = next(a for a in answers if _pathname(a.body) == "/logg")
    assert "audit-table" in log.text and "sign-in" in log.text
    assert "region-alla@example.se" in log.text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", log.text)


def test_the_audit_log_follows_the_language_switch(signed_in_client):
    client = signed_in_client("region")

    def log_page(search: str) -> str:
        request = router_request("/logg", search)
        response = client.post("/_dash-update-component", json=request)
        assert response.status_code == 200
        return json.dumps(response.get_json(), ensure_ascii=False)

    english, swedish = log_page("?lang=en"), log_page("")
    assert "The latest 200 events, newest first." in english
    assert '"Time"' in english and '"Event"' in english
    assert "Händelse" not in english and "De senaste" not in english
    assert "De senaste 200 händelserna, nyast först." in swedish
    assert '"Tid"' in swedish and '"Händelse"' in swedish
    for page in (english, swedish):  # the same lines and times in both
        assert "region-alla@example.se" in page
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", page)


def test_every_registered_page_is_guarded():
    assert access.unguarded_pages(dash.page_registry.values()) == []
    unguarded = {"module": "pages.forgot", "layout": lambda: "data"}
    assert access.unguarded_pages([unguarded]) == ["pages.forgot"]
    assert "/" in page_paths() and "/logg" in page_paths()


def test_callbacks_limited_to_a_role_answer_403(dash_app, signed_in_client):
    def region_only():
        access.require_roles("region")
        return {"rows": 1}

    dash_app.server.add_url_rule("/_test-region-only", view_func=region_only)
    kommun = signed_in_client("kommun", ["boda"])
    response = kommun.get("/_test-region-only")
    assert response.status_code == 403
    assert response.get_json() == {"error": "forbidden"}
    assert signed_in_client("region").get("/_test-region-only").status_code == 200
    anonymous = dash_app.server.test_client()
    assert anonymous.get("/_test-region-only").status_code == 401


def test_the_current_scope_comes_from_flask_login(dash_app):
    scope = Scope(7, "x@region.se", "region", frozenset({"boda"}), True)
    with dash_app.server.test_request_context("/"):
        assert access.signed_in_scope() is None
        login_user(SignedInUser(scope, "stamp"))
        assert access.current_scope() is scope


def _pathname(body: dict) -> str | None:
    for entry in body["inputs"]:
        if isinstance(entry, dict) and entry["property"] == "pathname":
            return entry["value"]
    return None


def test_callbacks_defined_in_a_page_run_only_for_its_roles(
    dash_app, signed_in_client, engine
):
    audit_page = next(
        key for key, page in dash.page_registry.items() if page["path"] == "/logg"
    )

    def latest_sign_ins(_clicks):
        return "rader ur loggen"

    latest_sign_ins.__module__ = audit_page  # as if written in pages/audit.py
    dash_app.callback(
        dash.Output("log-rows", "children"), dash.Input("log-refresh", "n_clicks")
    )(latest_sign_ins)
    body = {
        "output": "log-rows.children",
        "outputs": {"id": "log-rows", "property": "children"},
        "inputs": [{"id": "log-refresh", "property": "n_clicks", "value": 1}],
        "state": [],
        "changedPropIds": ["log-refresh.n_clicks"],
    }
    assert access.callback_page(dash_app.callback_map, "log-rows.children") == (
        audit_page
    )
    kommun = signed_in_client("kommun", ["boda"])
    refused = kommun.post("/_dash-update-component", json=body)
    assert refused.status_code == 403
    assert refused.get_json() == {"error": "forbidden"}
    region = signed_in_client("region")
    allowed = region.post("/_dash-update-component", json=body)
    assert allowed.status_code == 200 and "rader ur loggen" in allowed.text
    assert any(
        "callback log-rows.children" in line.detail
        for line in audit_lines(engine, "denied")
    )
