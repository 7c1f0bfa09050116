"""Plain elements send the browser exactly what Dash's html components would."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
from dash import html
from dash._utils import to_json

from dashboard.html_json import bootstrap, element


def same_json(plain, component) -> bool:
    return json.loads(to_json(plain)) == json.loads(to_json(component))


def test_an_element_is_the_json_of_its_component():
    assert same_json(
        element("Td", "1 234", className="text-end"),
        html.Td("1 234", className="text-end"),
    )
    assert same_json(element("Td", "x", colSpan=3), html.Td("x", colSpan=3))
    assert same_json(element("Br"), html.Br())
    nested = element("Div", [element("Strong", "Figeholm"), " · Oskarshamn"], id="card")
    component = html.Div([html.Strong("Figeholm"), " · Oskarshamn"], id="card")
    assert same_json(nested, component)


def test_elements_and_components_mix_in_one_tree():
    mixed = html.Div([element("Small", "senast"), html.Span("i går")])
    components = html.Div([html.Small("senast"), html.Span("i går")])
    assert same_json(mixed, components)


def test_a_bootstrap_element_is_the_json_of_its_component():
    badge = bootstrap("Badge", "I fas", color="success", className="ms-auto")
    assert same_json(badge, dbc.Badge("I fas", color="success", className="ms-auto"))
    column = bootstrap("Col", bootstrap("Card", ["x"], id="card-a"), md=6, xl=4)
    assert same_json(column, dbc.Col(dbc.Card(["x"], id="card-a"), md=6, xl=4))
