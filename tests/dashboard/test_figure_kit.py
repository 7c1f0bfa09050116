"""The shared helpers under the figures and queries: ``set_layout`` gives what
``update_layout`` gives, and ``once_per_session`` shares work within one read
session only."""

from __future__ import annotations

import plotly.graph_objects as go
import sqlalchemy.orm as so

from dashboard.figures import base_layout, set_layout
from dashboard.queries import once_per_session


def _figure() -> go.Figure:
    figure = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    figure.add_annotation(text="hej", x=0.5, y=0.5, showarrow=False)
    return base_layout(figure, "sv", xaxis={"title": "Dag", "tickformat": "%-d/%-m"})


def test_set_layout_merges_like_update_layout():
    changes = {
        "height": 500,
        "margin": {"l": 10},  # the other margins stay
        "xaxis": {"tickformat": "%b"},  # the title stays
        "yaxis2": {"overlaying": "y", "side": "right"},
    }
    ours = set_layout(_figure(), **changes).to_plotly_json()
    plotly = _figure().update_layout(**changes).to_plotly_json()
    assert ours == plotly
    assert ours["layout"]["margin"] == {"l": 10, "r": 10, "t": 10, "b": 40}
    assert ours["layout"]["annotations"][0]["text"] == "hej"
    assert ours["layout"]["template"] == plotly["layout"]["template"]


def test_once_per_session_computes_once_in_a_session_and_again_in_the_next():
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    first, second = so.Session(), so.Session()
    assert once_per_session(first, ("k", 1), compute) == 1
    assert once_per_session(first, ("k", 1), compute) == 1
    assert once_per_session(first, ("k", 2), compute) == 2  # another key
    assert once_per_session(second, ("k", 1), compute) == 3  # another session
