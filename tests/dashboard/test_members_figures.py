"""Member figures on small frames: empty, one office, gaps, languages."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dashboard.figures import members as figures

DAYS = [date(2025, 3, 1), date(2025, 3, 2)]


def message(figure) -> str:
    return figure.layout.annotations[0].text.replace("<br>", " ")  # as read


def empty(columns: list[str], **attrs) -> pd.DataFrame:
    frame = pd.DataFrame(columns=columns)
    frame.attrs.update(attrs)
    return frame


def test_an_empty_frame_says_whose_register_is_missing_and_where_it_goes():
    frame = empty(
        ["day", "target_group", "members"],
        offices=["Kontoret Figeholm"],
        office_ids=["figeholm"],
        registered=False,
    )
    text = message(figures.members_over_time(frame))
    assert text == (
        "Inget medlemsregister ännu för Kontoret Figeholm — lägg en fil i "
        "data/inbox/figeholm/members/"
    )
    english = message(figures.members_over_time(frame, "en"))
    assert english.startswith("No member register yet for Kontoret Figeholm")


def test_several_or_no_offices_get_a_general_folder():
    frame = empty(
        ["day"], offices=["Bodakontoret", "Kontoret Figeholm"], office_ids=["b", "f"]
    )
    text = message(figures.members_vs_target(frame))
    assert "för Bodakontoret och Kontoret Figeholm" in text
    assert "data/inbox/<kontor>/members/" in text
    assert "de valda kontoren" in message(figures.members_by_type(empty(["day"])))


def test_a_register_without_members_in_the_period_says_so():
    frame = empty(["month", "new", "ended"], offices=["Bodakontoret"], registered=True)
    assert message(figures.joins_and_leaves(frame)) == (
        "Inga aktiva medlemskap under perioden."
    )


def by_group() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": DAYS * 3,
            "target_group": ["Okänd"] * 2 + ["Pendlare"] * 2 + ["Företagare"] * 2,
            "members": [1, 1, 2, 3, 5, 5],
        }
    )


def test_target_groups_stack_in_a_fixed_order_with_translated_names():
    frame = by_group()
    swedish = figures.members_over_time(frame)
    assert [t.name for t in swedish.data] == ["Företagare", "Pendlare", "Okänd"]
    english = figures.members_over_time(frame, "en")
    assert [t.name for t in english.data] == ["Business owners", "Commuters", "Unknown"]
    assert english.layout.yaxis.title.text == "Members"


def by_type() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": DAYS * 2,
            "membership": ["Lounge"] * 2 + ["Fast plats"] * 2,
            "members": [1, 1, 4, 4],
        }
    )


def test_membership_types_use_their_names_largest_at_the_bottom():
    figure = figures.members_by_type(by_type())
    assert [t.name for t in figure.data] == ["Fast plats", "Lounge"]


def flow() -> pd.DataFrame:
    return pd.DataFrame(
        {"month": [date(2025, 1, 1), date(2025, 2, 1)], "new": [3, 0], "ended": [1, 2]}
    )


def test_ended_memberships_point_down():
    figure = figures.joins_and_leaves(flow())
    new, ended, net = figure.data
    assert list(new.y) == [3, 0] and list(ended.y) == [-1, -2]
    assert list(net.y) == [2, -2]
    assert figure.layout.barmode == "relative"
    assert figure.layout.yaxis.dtick == 1  # a few: whole numbers, no 0,5
    many = flow().assign(new=[30, 12])
    assert figures.joins_and_leaves(many).layout.yaxis.dtick is None


def home_kommuner() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "office": ["Kontoret Figeholm", "Kontoret Figeholm", "Bodakontoret"],
            "home_kommun": ["Övriga", "Oskarshamn", "Emmaboda"],
            "members": [1, 7, 3],
        }
    )


def test_the_home_kommun_matrix_puts_others_last_and_leaves_empty_cells_blank():
    frame = home_kommuner()
    heatmap = figures.home_kommun_heatmap(frame).data[0]
    assert list(heatmap.x) == ["Oskarshamn", "Emmaboda", "Övriga (utanför länet)"]
    assert list(heatmap.y) == ["Bodakontoret", "Kontoret Figeholm"]
    assert list(heatmap.text[0]) == ["", "3", ""]  # Boda: nobody from Oskarshamn
    english = figures.home_kommun_heatmap(frame, "en").data[0]
    assert english.x[-1] == "Other (outside the county)"


def against_target() -> pd.DataFrame:
    return pd.DataFrame({"day": DAYS, "members": [3, 4], "target": [np.nan, 6.0]})


def test_a_few_days_are_ticked_as_days_not_hours():
    # two days: plotly alone would tick 00:00, 12:00, … on a members chart
    for built in (
        figures.members_over_time(by_group()),
        figures.members_vs_target(against_target()),
    ):
        axis = built.layout.xaxis
        assert axis.dtick == 24 * 60 * 60 * 1000 and axis.tickformat == "%-d/%-m"
        assert axis.tick0 == DAYS[0].isoformat()


def test_a_missing_target_is_a_gap_in_the_step_line():
    members, target = figures.members_vs_target(against_target()).data
    assert np.isnan(target.y[0]) and target.y[1] == 6
    assert target.line.shape == "hv"
    assert list(members.y) == [3, 4]


def against_median() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["Bodakontoret", "median"],
            "kind": ["office", "median"],
            "offices": [1, 3],
            "members": [4, 9],
            "target_members": [6, 12],
        }
    )


def test_one_office_against_the_anonymous_median():
    frame = against_median()
    bars, targets = figures.members_comparison(frame).data
    assert list(bars.y) == ["Bodakontoret", "Programmets median (3 kontor)"]
    assert bars.marker.color[1] == figures.MEDIAN_COLOUR
    assert list(targets.x) == [6, 12]
    english = figures.members_comparison(frame, "en").data[0]
    assert english.y[1] == "Programme median (3 offices)"


def test_compare_lays_the_previous_members_on_this_periods_days():
    now = pd.DataFrame({"day": DAYS, "members": [3, 4], "target": [6.0, 6.0]})
    # the previous period is longer: only as many of its days are drawn
    february = [date(2025, 2, 1), date(2025, 2, 2), date(2025, 2, 3)]
    before = pd.DataFrame({"day": february, "members": [1, 2, 9], "target": [6.0] * 3})
    figure = figures.members_vs_target_compare(now, before, "sv")
    *_, previous = figure.data
    assert previous.name == "Föregående period"
    assert list(previous.x) == [day.isoformat() for day in DAYS]
    assert list(previous.y) == [1, 2]
    assert list(previous.customdata) == ["2025-02-01", "2025-02-02"]
