"""The report page's charts are pure functions of a stored table's rows."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.figures.report import utilisation_by_month
from pilotpuls.report.figures import COLUMNS, Table

ROWS = [
    {"month": "juli 2026", "utilisation": None, "target": 0.5},
    {"month": "augusti 2026", "utilisation": 0.31, "target": 0.5},
    {"month": "september 2026", "utilisation": 0.27, "target": 0.55},
]


def months() -> pd.DataFrame:
    return Table("utilisation", "Beläggning", COLUMNS["utilisation"], ROWS).to_frame()


def test_a_month_without_door_data_is_a_gap_not_zero():
    figure = utilisation_by_month(months(), "sv")
    bars, targets = figure.data
    assert math.isnan(bars.y[0]) and list(bars.y[1:]) == [31.0, 27.0]
    assert [round(v) for v in targets.y] == [50, 50, 55]
    assert list(bars.x) == ["juli 2026", "augusti 2026", "september 2026"]
    assert figure.layout.separators == ", "


def test_no_door_data_says_so():
    empty = utilisation_by_month(pd.DataFrame(columns=["month", "utilisation"]), "en")
    assert empty.layout.annotations[0].text == "No door data for the quarter"
    gaps = Table(
        "utilisation",
        "Beläggning",
        COLUMNS["utilisation"],
        [{"month": "juli 2026", "utilisation": None, "target": None}],
    ).to_frame()
    assert utilisation_by_month(gaps).layout.annotations[0].text.startswith("Ingen")
