"""Survey queries on SQLite and PostgreSQL: NPS, suppression, scope, free text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from dashboard.access import Scope
from dashboard.filters import month, quarter, year
from dashboard.queries import satisfaction as queries
from models import tables as t
from models.db import transaction

ZONE = "Europe/Stockholm"
REGION = Scope(1, "r", "region", frozenset({"boda", "figeholm"}), True)
KOMMUN = Scope(1, "x", "kommun", frozenset({"boda"}), False)
ROUND = date(2025, 3, 14)


def add_round(engine, office: str, scores: list[int | None], comments=(), day=ROUND):
    """One survey round: a response per score, soft values 4, a comment each."""
    with transaction(engine) as session:
        for i, score in enumerate(scores):
            response = t.SurveyResponse(
                office_id=office,
                survey_id=f"enkat-{day:%Y-%m}",
                response_id=f"{office}-{day}-{i}",
                platform="google_forms",
                submitted_at=datetime.combine(day, datetime.min.time(), UTC)
                + timedelta(hours=9 + i),
                recommend_score=score,
            )
            session.add(response)
            session.flush()
            session.add(
                t.SurveyAnswer(
                    response_id=response.id, question="Wifi", measure="wifi",
                    raw=str(1 + i % 5), value=1 + i % 5,
                )
            )  # fmt: skip
            comment = comments[i] if i < len(comments) else ""
            session.add(
                t.SurveyAnswer(
                    response_id=response.id, question="Övrigt", measure="free_text",
                    raw=comment, value=None,
                )
            )  # fmt: skip


def add_members(engine, office: str, count: int, start=date(2025, 1, 1)):
    with transaction(engine) as session:
        for i in range(count):
            session.add(
                t.Membership(
                    office_id=office, member_pseudonym=f"{office}-{i}",
                    membership_type="flexibel", monthly_fee=1995, start_date=start,
                    end_date=None,
                )
            )  # fmt: skip


def run(engine, query, scope, offices=None, period=None, **extra):
    with transaction(engine) as session:
        return query(
            session,
            scope,
            sorted(scope.office_ids) if offices is None else offices,
            period or year(2025),
            min_size=5,
            zone=ZONE,
            **extra,
        )


def test_nps_is_promoters_minus_detractors(engine):
    # 3 promoters, 2 passives, 3 detractors, one who skipped: (3 - 3) / 8 = 0
    add_round(engine, "figeholm", [10, 9, 9, 8, 7, 6, 0, 3, None])
    # 4 promoters and 1 detractor of 5: +60
    add_round(engine, "boda", [10, 10, 9, 9, 2])
    frame = run(engine, queries.nps_by_office, REGION)
    scores = dict(zip(frame["office"], frame["nps"], strict=True))
    assert scores["Kontoret Figeholm"] == 0.0
    assert scores["Bodakontoret"] == 60.0
    # the programme: 7 promoters, 4 detractors of 13 scores
    assert scores["Hela programmet"] == pytest.approx(100 * 3 / 13)
    assert queries.nps(pd.Series([10, 9, 0, None])) == pytest.approx(100 / 3)
    assert queries.nps(pd.Series([], dtype=float)) is None


def test_nps_by_office_lists_many_offices_in_order_with_the_programme_last(engine):
    # more offices than a sort's small-array path: the order must still hold
    ids = [f"kontor-{number:02d}" for number in range(24)]
    with transaction(engine) as session:
        for number, office in enumerate(ids):
            session.add(
                t.Office(
                    id=office, name=f"Kontor {number:02d}", kommun_code="0880",
                    kommun_name="Kalmar", opened_on=date(2024, 9, 2),
                    operator="kommun", steering_model="demand",
                    start_phase_end=date(2027, 12, 31),
                )
            )  # fmt: skip
    for office in ids:
        add_round(engine, office, [9, 9, 9, 8, 7])
    everyone = Scope(1, "r", "region", frozenset(ids), True)
    frame = run(engine, queries.nps_by_office, everyone)
    names = [f"Kontor {number:02d}" for number in range(24)]
    assert list(frame["office"]) == [*names, "Hela programmet"]
    assert list(frame["nps"]) == [60.0] * 25


def test_a_small_office_is_hidden_and_its_sibling_protects_it(engine):
    add_round(engine, "figeholm", [9] * 8)
    add_round(engine, "boda", [3, 4, 10])
    frame = run(engine, queries.nps_trend, REGION)
    cells = {row.office: row for row in frame.itertuples()}
    assert cells["Bodakontoret"].respondents == "< 5"
    assert pd.isna(cells["Bodakontoret"].nps)
    # with the programme total (11) shown, Figeholm's 8 would give Boda away
    assert cells["Kontoret Figeholm"].respondents == "dold"
    assert pd.isna(cells["Kontoret Figeholm"].nps)
    assert cells["Hela programmet"].respondents == 11
    rates = run(engine, queries.response_rates, REGION)
    assert set(rates["respondents"]) == {"< 5", "dold", 11}
    assert 3 not in set(rates["respondents"]) and 8 not in set(rates["respondents"])


def test_a_kommun_user_never_sees_figeholm(engine):
    add_round(engine, "figeholm", [9] * 8, comments=["Figeholm är bäst"] * 8)
    add_round(engine, "boda", [10, 9, 8, 7, 6, 5], comments=["Bra i Boda"])
    for query in (
        queries.nps_by_office,
        queries.nps_trend,
        queries.response_rates,
        queries.free_text,
    ):
        frame = run(engine, query, KOMMUN, offices=["boda", "figeholm"])
        text = frame.to_csv()
        assert "Figeholm" not in text and "programmet" not in text, query
        assert "Bodakontoret" in text, query
    by_office = run(engine, queries.nps_by_office, KOMMUN)
    assert list(by_office["respondents"]) == [6]  # no complementary: no total


def test_free_text_needs_five_respondents_in_the_group(engine):
    add_round(engine, "boda", [9] * 6, comments=["sex svar"] * 6)
    add_round(engine, "figeholm", [9] * 5, comments=["b", "a", "", "c", "a"])
    frame = run(engine, queries.free_text, REGION)
    assert list(frame["answer"]) == ["sex svar"] * 6 + ["a", "a", "b", "c"]
    assert list(frame.columns) == ["round", "office", "answer"]  # no ids or times
    # by office, then sorted by text; empty answers dropped
    assert list(frame["office"]) == ["Bodakontoret"] * 6 + ["Kontoret Figeholm"] * 4


def test_free_text_of_a_small_group_and_of_its_protector_is_not_shown(engine):
    add_round(engine, "boda", [9, 9, 9, 9], comments=["fyra svar"] * 4)
    # Figeholm has 7, but is hidden ("dold") to protect Boda's 4 from the total
    # of 11: seven comments shown would tell Boda has at most 4 of the 11
    add_round(engine, "figeholm", [9] * 7, comments=["sju svar"] * 7)
    assert run(engine, queries.free_text, REGION).empty
    # a kommun user sees no programme total: Figeholm alone is shown
    figeholm = Scope(1, "x", "kommun", frozenset({"figeholm"}), False)
    assert list(run(engine, queries.free_text, figeholm)["answer"]) == ["sju svar"] * 7


def test_response_rate_is_respondents_over_members_on_the_survey_day(engine):
    add_members(engine, "figeholm", 10)
    add_members(engine, "figeholm", 5, start=ROUND + timedelta(days=1))  # later
    add_round(engine, "figeholm", [9] * 6)
    figeholm = Scope(1, "x", "kommun", frozenset({"figeholm"}), False)
    frame = run(engine, queries.response_rates, figeholm)
    row = frame.iloc[0]
    assert (row["respondents"], row["members"]) == (6, 10)
    assert row["response_rate"] == pytest.approx(0.6)


def test_answer_shares_use_shown_cells_and_hide_small_measures(engine):
    add_round(engine, "figeholm", [9] * 10)  # wifi 1,2,3,4,5,1,2,3,4,5
    figeholm = Scope(1, "x", "kommun", frozenset({"figeholm"}), False)
    frame = run(engine, queries.answer_shares, figeholm, measures=("wifi", "parking"))
    wifi, parking = frame.itertuples()
    assert wifi.answers == 10
    assert (wifi.negative, wifi.neutral, wifi.positive) == (40.0, 20.0, 40.0)
    assert parking.answers == "< 5" and pd.isna(parking.positive)
    # for the region, a small Boda hides Figeholm too: no shares from either
    add_round(engine, "boda", [9] * 3)
    frame = run(engine, queries.answer_shares, REGION, measures=("wifi",))
    assert list(frame["answers"]) == ["< 5"]
    assert frame["positive"].isna().all()


def test_rounds_are_whole_quarters(engine):
    add_round(engine, "figeholm", [9] * 5, day=date(2025, 3, 1))
    add_round(engine, "figeholm", [0] * 5, day=date(2025, 3, 31))
    march = month(date(2025, 3, 1))
    scope = Scope(1, "x", "kommun", frozenset({"figeholm"}), False)
    for period in (march, quarter(date(2025, 2, 1)), year(2025)):
        frame = run(engine, queries.nps_trend, scope, period=period)
        assert list(frame["respondents"]) == [10]
        assert list(frame["round"]) == ["2025Q1"]


def test_no_surveys_give_empty_frames(engine):
    for query in (queries.nps_by_office, queries.nps_trend, queries.free_text):
        assert run(engine, query, REGION).empty
    assert run(engine, queries.answer_shares, REGION, measures=("wifi",)).empty
