"""Survey figures: empty states, one office, and suppressed cells."""

from __future__ import annotations

import json

import pandas as pd

from dashboard.figures import satisfaction as figures


def _text(figure) -> str:
    return json.dumps(figure.to_plotly_json(), ensure_ascii=False, default=str)


def test_empty_frames_say_where_to_put_a_survey_export():
    empty = pd.DataFrame(columns=["office", "respondents", "nps"])
    for build in (figures.nps_by_office, figures.nps_trend, figures.diverging):
        text = _text(build(empty, "sv"))
        assert "Inga enkätsvar ännu" in text and "data/inbox/<kontor>/survey/" in text
    assert "No survey answers yet" in _text(figures.nps_by_office(empty, "en"))


def one_office() -> pd.DataFrame:
    return pd.DataFrame([{"office": "Bodakontoret", "respondents": 8, "nps": 25.0}])


def test_one_office_gets_a_bar_with_its_score():
    figure = figures.nps_by_office(one_office(), "sv")
    bar = figure.data[0]
    assert list(bar.x) == [25.0] and list(bar.y) == ["Bodakontoret"]
    assert bar.text[0] == "+25" and "8 svar" in bar.customdata[0]


def suppressed() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"office": "Bodakontoret", "respondents": "< 5", "nps": None},
            {"office": "Kontoret Figeholm", "respondents": "dold", "nps": None},
            {"office": "Hela programmet", "respondents": 14, "nps": 10.0},
        ]
    )


def test_suppressed_cells_show_their_label_and_no_value():
    figure = figures.nps_by_office(suppressed(), "sv")
    assert list(figure.data[0].y) == ["Hela programmet"]  # the only bar
    labels = {a.y: a.text for a in figure.layout.annotations}
    assert labels == {"Bodakontoret": "< 5", "Kontoret Figeholm": "dold"}


def hidden_round() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"round": "2025Q1", "office": "Bodakontoret", "respondents": "< 5",
             "nps": None},
            {"round": "2025Q4", "office": "Bodakontoret", "respondents": 6,
             "nps": -10.0},
        ]
    )  # fmt: skip


def test_the_trend_leaves_a_gap_where_a_round_is_hidden():
    figure = figures.nps_trend(hidden_round(), "sv")
    line, hidden = figure.data
    assert list(line.x) == ["Q1 2025", "Q4 2025"]
    assert pd.isna(line.y[0]) and line.y[1] == -10.0
    assert list(hidden.text) == ["< 5"] and list(hidden.x) == ["Q1 2025"]


def measures() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"measure": "wifi", "answers": 10, "negative": 20.0, "neutral": 40.0,
             "positive": 40.0},
            {"measure": "parking", "answers": "< 5", "negative": None,
             "neutral": None, "positive": None},
        ]
    )  # fmt: skip


def test_diverging_bars_put_the_dissatisfied_left_of_zero():
    frame = measures()
    figure = figures.diverging(frame, "sv")
    negative, neutral, positive = figure.data
    assert list(negative.y) == ["Wifi och uppkoppling"]
    assert negative.base[0] == -40.0 and negative.x[0] == 20.0
    assert neutral.base[0] == -20.0 and positive.base[0] == 20.0
    assert [(a.y, a.text) for a in figure.layout.annotations] == [("Parkering", "< 5")]
    english = figures.diverging(frame, "en")
    assert list(english.data[0].y) == ["Wifi and connection"]


def test_compare_marks_the_previous_score_on_each_office_shown_then():
    now = pd.DataFrame(
        [
            {"office": "Bodakontoret", "respondents": 8, "nps": 25.0},
            {"office": "Kontoret Figeholm", "respondents": 9, "nps": -10.0},
        ]
    )
    before = pd.DataFrame(
        [
            {"office": "Bodakontoret", "respondents": 6, "nps": 0.0},
            {"office": "Kontoret Figeholm", "respondents": "< 5", "nps": None},
            {"office": "Ölandskontoret Borgholm", "respondents": 7, "nps": 50.0},
        ]
    )
    figure = figures.nps_by_office_compare(now, before, "sv")
    bars, marks = figure.data
    # hidden then, or not shown now: no mark
    assert list(marks.y) == ["Bodakontoret"] and list(marks.x) == [0.0]
    assert marks.name == "Föregående period" and figure.layout.showlegend
    assert bars.showlegend is False
    assert len(figures.nps_by_office_compare(now, before.iloc[0:0], "sv").data) == 1
