"""Plain html and Bootstrap elements for the big, repeated parts of a page
(table rows, the overview's office cards), written in the JSON Dash sends.

Dash spends ~40 µs creating and serialising each component object: a 100-row
table took 40 ms, and the overview's 50 office cards more than that. The same
JSON from plain dicts takes about a millisecond; the browser gets exactly what
``html.<Tag>(children, **props)`` or ``dbc.<Tag>(…)`` would give
(tests/dashboard/test_html_json.py compares them). Use components everywhere
else: they check their props.
"""

from __future__ import annotations

from typing import Any


def element(tag: str, children: Any = None, **props: Any) -> dict[str, Any]:
    """``html.<tag>(children, **props)`` as Dash sends it, e.g.
    ``element("Td", "12", className="text-end")``."""
    return _sent("dash_html_components", tag, children, props)


def bootstrap(tag: str, children: Any = None, **props: Any) -> dict[str, Any]:
    """``dbc.<tag>(children, **props)`` as Dash sends it, e.g.
    ``bootstrap("Badge", "I fas", color="success")``."""
    return _sent("dash_bootstrap_components", tag, children, props)


def _sent(namespace: str, tag: str, children: Any, props: dict) -> dict[str, Any]:
    return {
        "type": tag,
        "namespace": namespace,
        "props": {"children": children, **props},
    }
