"""Post forged values to every server callback, as a signed-in attacker could.

Dash runs a callback with whatever ``inputs`` and ``state`` a request carries; it
never checks that a value was one the page offered. These helpers read the real
callbacks from ``/_dash-dependencies`` and post each one with forged values: every
input and state gets the forged value, a ``pathname`` input gets every registered
page path (so the page router renders every page), and a ``search`` input carries
the value as ``?office=…``. New pages and callbacks are covered without changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import dash

WILDCARDS = (["MATCH"], ["ALL"], ["ALLSMALLER"])
QUERY_KEYS = ("office", "offices", "office_id", "kommun", "scope", "role")
OK_STATUSES = (200, 204, 403)


@dataclass(frozen=True)
class ForgedResponse:
    callback: str
    body: dict
    status: int
    text: str


def page_paths() -> list[str]:
    """Every registered page, and one that does not exist (the 404 page)."""
    return [page["path"] for page in dash.page_registry.values()] + ["/finns-inte"]


def forge_every_callback(client, forged_values: list[Any]) -> list[ForgedResponse]:
    """Post every server-side callback with each forged value; all the answers."""
    callbacks = client.get("/_dash-dependencies").get_json()
    answers = []
    for callback in callbacks:
        if callback.get("clientside_function"):
            continue  # runs in the browser; the server never sees it
        for body in forged_bodies(callback, forged_values):
            response = client.post("/_dash-update-component", json=body)
            answers.append(
                ForgedResponse(
                    callback["output"],
                    body,
                    response.status_code,
                    _readable(response),
                )
            )
    return answers


def assert_nothing_leaks(answers: list[ForgedResponse], secrets: list[str]) -> None:
    """No answer crashed or contains any of ``secrets`` (case-insensitive)."""
    assert answers, "no callback was posted"
    for answer in answers:
        assert answer.status in OK_STATUSES, (answer.callback, answer.body, answer.text)
        text = answer.text.lower()
        for secret in secrets:
            assert secret.lower() not in text, (secret, answer.callback, answer.body)


def _readable(response) -> str:
    """The body with JSON's \\u escapes undone, so "Högsby" can be searched for."""
    if response.is_json and response.get_data():
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


def forged_bodies(callback: dict, forged_values: list[Any]) -> Iterator[dict]:
    dependencies = callback["inputs"] + callback["state"]
    has_pathname = any(dep["property"] == "pathname" for dep in dependencies)
    for value in forged_values:
        for path in page_paths() if has_pathname else [None]:
            inputs = [_forged_input(dep, value, path) for dep in callback["inputs"]]
            yield {
                "output": callback["output"],
                "outputs": _outputs(callback["output"], value),
                "inputs": inputs,
                "state": [_forged_input(dep, value, path) for dep in callback["state"]],
                "changedPropIds": [_prop_id(callback["inputs"][0], value)]
                if callback["inputs"]
                else [],
            }


def _forged_input(dependency: dict, value: Any, path: str | None) -> Any:
    component_id, is_list = _concrete_id(dependency["id"], value)
    entry = {
        "id": component_id,
        "property": dependency["property"],
        "value": _value_for(dependency["property"], value, path),
    }
    return [entry] if is_list else entry


def _value_for(prop: str, value: Any, path: str | None) -> Any:
    if prop in ("pathname", "href"):
        return path
    if prop == "search":
        if isinstance(value, str | list):
            return "?" + urlencode(dict.fromkeys(QUERY_KEYS, value), doseq=True)
        return ""
    return value


def _outputs(output: str, value: Any) -> Any:
    """The ``outputs`` a browser would send, from the callback's output string."""
    multi = output.startswith("..")
    parts = output.strip(".").split("...") if multi else [output]
    outputs = []
    for part in parts:
        raw_id, prop = part.rsplit(".", 1)
        component_id, is_list = _concrete_id(raw_id, value)
        entry = {"id": component_id, "property": prop}
        outputs.append([entry] if is_list else entry)
    return outputs if multi else outputs[0]


def _concrete_id(raw_id: Any, value: Any) -> tuple[Any, bool]:
    """A pattern-matching id with its wildcards filled in by the forged value."""
    if isinstance(raw_id, str) and raw_id.startswith("{"):
        raw_id = json.loads(raw_id)
    if not isinstance(raw_id, dict):
        return raw_id, False
    key = value if isinstance(value, str) else "forged"
    concrete = {k: key if v in WILDCARDS else v for k, v in raw_id.items()}
    is_list = any(v in (["ALL"], ["ALLSMALLER"]) for v in raw_id.values())
    return concrete, is_list


def _prop_id(dependency: dict, value: Any) -> str:
    component_id, _ = _concrete_id(dependency["id"], value)
    if isinstance(component_id, dict):
        component_id = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return f"{component_id}.{dependency['property']}"
