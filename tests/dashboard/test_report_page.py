"""Kvartalsrapport over HTTP: stored versions only, drafts for the region only,
sections limited to the reader's scope, region actions refused to others."""

from __future__ import annotations

import base64
import io
import json
import shutil
from datetime import UTC, datetime

import openpyxl
import pytest

from ingest.pipeline import ingest_file
from models.config import ProgrammeConfig, load_config
from models.db import session_factory
from pilotpuls.report import snapshot
from tests.conftest import FIXTURES
from tests.dashboard.test_survey_quality_glossary_pages import page_text

QUARTER = "2025Q1"
AFTER = datetime(2025, 4, 10, 8, 0, tzinfo=UTC)


def call(
    client, outputs: list[str], inputs: dict, state: dict | None = None, changed=None
):
    """Post one callback as the browser would; returns (status, JSON text)."""

    def dep(key: str, value):
        id_, prop = key.split(".")
        return {"id": id_, "property": prop, "value": value}

    body = {
        "output": outputs[0]
        if len(outputs) == 1
        else ".." + "...".join(outputs) + "..",
        "outputs": [
            {"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs
        ]
        if len(outputs) > 1
        else {"id": outputs[0].split(".")[0], "property": outputs[0].split(".")[1]},
        "inputs": [dep(k, v) for k, v in inputs.items()],
        "state": [dep(k, v) for k, v in (state or {}).items()],
        "changedPropIds": [changed or next(iter(inputs))],
    }
    response = client.post("/_dash-update-component", json=body)
    if response.status_code != 200:
        return response.status_code, response.get_data(as_text=True)
    return 200, json.dumps(response.get_json(), ensure_ascii=False)


def choose(client, quarter=QUARTER) -> dict:
    status, text = call(
        client,
        [
            "rp-version.options",
            "rp-version.value",
            "rp-section.options",
            "rp-section.value",
        ],
        {"rp-quarter.value": quarter, "rp-changed.data": 0},
        {"rp-section.value": None},
    )
    assert status == 200, text
    return json.loads(text)["response"]


def show(client, section: str, version=None) -> str:
    status, text = call(
        client,
        ["rp-status.children", "rp-restatement.children", "rp-body.children"],
        {
            "rp-quarter.value": QUARTER,
            "rp-version.value": version,
            "rp-section.value": section,
            "rp-changed.data": 0,
        },
        {"rp-lang.data": "sv"},
    )
    assert status == 200, text
    return text


def download(client, button: str = "rp-xlsx") -> bytes:
    status, text = call(
        client,
        ["rp-download.data"],
        {"rp-pdf.n_clicks": None, "rp-xlsx.n_clicks": None, button + ".n_clicks": 1},
        {"rp-quarter.value": QUARTER, "rp-version.value": None},
        changed=f"{button}.n_clicks",
    )
    assert status == 200, text
    data = json.loads(text)["response"]["rp-download"]["data"]
    return base64.b64decode(data["content"])


@pytest.fixture
def programme(tmp_path, monkeypatch) -> ProgrammeConfig:
    """The fixture programme with its archive under tmp_path (files are loaded)."""
    shutil.copy(FIXTURES / "programme.yaml", tmp_path / "config.yaml")
    monkeypatch.setenv("PILOTPULS_PSEUDONYM_KEY", "test-key-not-secret")
    return load_config(tmp_path / "config.yaml")


@pytest.fixture
def closed(engine, programme):
    snapshot.close(engine, programme, QUARTER, "anna@region.se", now=AFTER)
    return engine


def test_region_users_see_drafts_and_their_tools(closed, signed_in_client):
    client = signed_in_client("region")
    text = page_text(client, "/rapport")
    assert "Kvartalsrapport" in text and "Stäng kvartal" in text
    chosen = choose(client)
    assert chosen["rp-section"]["value"] == "programme"
    body = show(client, "figeholm")
    assert "utkast" in body and "Kontoret Figeholm" in body
    assert "rp-comments" in body  # a draft's texts are editable


def test_others_see_nothing_until_published(closed, signed_in_client):
    client = signed_in_client("kommun", ["boda"])
    assert "Kvartalsrapport" in page_text(client, "/rapport")
    assert choose(client)["rp-section"]["value"] is None
    body = show(client, "boda")
    assert "Ingen publicerad kvartalsrapport" in body and "Bodakontoret" not in body


def test_a_kommun_contact_reads_only_its_own_published_section(
    closed, signed_in_client
):
    snapshot.publish(closed, QUARTER, None, "anna@region.se", now=AFTER)
    client = signed_in_client("kommun", ["boda"])
    chosen = choose(client)
    assert [o["value"] for o in chosen["rp-section"]["options"]] == ["boda"]
    assert "Bodakontoret" in show(client, "boda")
    for forged in ("figeholm", "programme"):
        body = show(client, forged)
        assert "Kontoret Figeholm" not in body and "Testprogram" not in body
    workbook = openpyxl.load_workbook(io.BytesIO(download(client)))
    titles = {
        row[0] for row in workbook["Nyckeltal"].iter_rows(min_row=2, values_only=True)
    }
    assert titles == {"Bodakontoret"}


def test_a_programme_steering_group_gets_the_whole_report(closed, signed_in_client):
    snapshot.publish(closed, QUARTER, None, "anna@region.se", now=AFTER)
    client = signed_in_client("steering")
    chosen = choose(client)
    assert [o["value"] for o in chosen["rp-section"]["options"]] == [
        "programme",
        "boda",
        "figeholm",
    ]
    assert download(client, "rp-pdf").startswith(b"%PDF-")


def press(client, button: str, close_quarter: str | None = None) -> tuple[int, str]:
    """Click one of the region's buttons: rp-close, rp-publish or rp-restate."""
    buttons = ("rp-close", "rp-publish", "rp-restate")
    return call(
        client,
        [
            "rp-message.children",
            "rp-changed.data",
            "rp-quarter.options",
            "rp-quarter.value",
            "rp-close-quarter.options",
        ],
        {f"{b}.n_clicks": 1 if b == button else None for b in buttons},
        {
            "rp-close-quarter.value": close_quarter,
            "rp-quarter.value": QUARTER,
            "rp-changed.data": 0,
            "rp-lang.data": "sv",
        },
        changed=f"{button}.n_clicks",
    )


def test_only_the_region_may_close_publish_or_write(closed, signed_in_client):
    client = signed_in_client("steering")
    for button in ("rp-close", "rp-publish", "rp-restate"):
        assert press(client, button, QUARTER)[0] == 403


def test_a_region_user_publishes_from_the_page(closed, signed_in_client, engine):
    client = signed_in_client("region")
    status, text = press(client, "rp-publish")
    assert status == 200 and "Version 1 är publicerad" in text
    with session_factory(engine)() as session:
        assert snapshot.latest(session, QUARTER).status == "published"
    status, text = press(client, "rp-publish")
    assert status == 200 and "already published" in text


def test_late_data_shows_the_restated_figures_to_the_region(
    closed, programme, signed_in_client
):
    register = FIXTURES / "members" / "figeholm_medlemmar.csv"
    assert ingest_file(closed, programme, register, "figeholm", "members").rows_loaded
    client = signed_in_client("region")
    body = show(client, "figeholm")
    assert "Omräknade siffror finns" in body
    assert "Medlemmar vid kvartalets slut" in body and "2 (mål 14)" in body
    status, text = press(client, "rp-restate")
    assert status == 200 and "Version 2 är sparad som utkast" in text
    assert "version 2" in show(client, "figeholm").lower()
    kommun = signed_in_client("kommun", ["figeholm"])
    assert "Omräknade" not in show(kommun, "figeholm")
