"""Member surveys: recommend score (NPS), soft values, facilities, response rates
and free text — with small groups suppressed before anything leaves the server.

The unit of publication is a *cell*: one office in one survey round. A round is
a calendar quarter (local time) and a period shows every round whose quarter
overlaps it, whole: a shorter or shifted period cannot cut a round into parts
that could be subtracted from each other.

Which cells are shown is decided once per round over *all* the scope's offices
(:func:`cell_status`), never over the offices a user picked in the filter: a
free choice of offices would otherwise let totals be differenced. Region users
see a programme total per round, protected by complementary suppression. Every
other figure is built from shown cells only, so whatever offices and periods
are compared, the differences are sums of cells that could be shown anyway.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from dashboard import suppression
from dashboard.access import Scope
from dashboard.filters import Period, quarter
from dashboard.queries import frame, in_scope, last_imports
from models import tables as t
from models.days import day_bounds
from models.sql import epoch_seconds

PROGRAMME = "__programme__"  # the office id of the programme total row
PROGRAMME_NAME = "Hela programmet"
SOFT_VALUES = ("networking", "belonging", "atmosphere", "inspiration")
FACILITIES = ("wifi", "coffee", "parking", "accessibility", "opening_hours")


# --- settings ---------------------------------------------------------------


def settings(min_size: int | None, zone: str | None) -> tuple[int, str]:
    """The privacy threshold and time zone: given (tests) or from the config."""
    if min_size is None or zone is None:
        from dashboard.database import programme_config

        config = programme_config()
        min_size = min_size or suppression.min_group_size(config)
        zone = zone or config.timezone
    return min_size, zone


# --- reading responses ------------------------------------------------------


def rounds_in(period: Period) -> tuple[date, date]:
    """The first and last day of the quarters the period touches."""
    return quarter(period.start).start, quarter(period.end).end


def responses(
    session: so.Session, scope: Scope, period: Period, zone: str
) -> pd.DataFrame:
    """Every response of the scope's offices in the rounds the period touches."""
    first, last = rounds_in(period)
    start, end = day_bounds(first, last, zone)
    r = t.SurveyResponse
    rows = frame(
        session.connection().execute(
            sa.select(
                r.id.label("response"),
                r.office_id,
                t.Office.name.label("office"),
                epoch_seconds(r.submitted_at).label("submitted"),
                r.recommend_score,
            )
            .join(t.Office, t.Office.id == r.office_id)
            .where(
                in_scope(r.office_id, scope, sorted(scope.office_ids)),
                r.submitted_at >= start,
                r.submitted_at < end,
            )
        )
    )
    if rows.empty:
        return rows.assign(day=[], round=[])
    # whole seconds: their local day and quarter are those of the exact time
    local = pd.to_datetime(rows.pop("submitted"), unit="s", utc=True).dt.tz_convert(
        zone
    )
    days = local.dt.tz_localize(None).to_numpy(dtype="datetime64[D]")
    rows["day"] = days.astype(object)  # dates
    years = days.astype("datetime64[Y]").astype(int) + 1970
    quarters = days.astype("datetime64[M]").astype(int) % 12 // 3 + 1
    keys = list(zip(years.tolist(), quarters.tolist(), strict=True))
    labels = {key: f"{key[0]}Q{key[1]}" for key in set(keys)}
    rows["round"] = [labels[key] for key in keys]
    return rows


CELL_COLUMNS = ["round", "office_id", "office", "respondents", "status"]


def cell_status(rows: pd.DataFrame, scope: Scope, min_size: int) -> pd.DataFrame:
    """Respondents and suppression status per office and round, plus the
    programme total per round for a programme-wide scope."""
    # lists: pandas iterates a text column an element at a time (1 µs each)
    keys = zip(rows["round"].tolist(), rows["office_id"].tolist(), strict=True)
    counts = dict(sorted(Counter(keys).items()))  # by round, then office id
    names = dict(zip(rows["office_id"].tolist(), rows["office"].tolist(), strict=True))
    groups = []
    if scope.all_offices and len(scope.office_ids) > 1:
        for round_ in sorted({round_ for round_, _ in counts}):
            members = tuple(key for key in counts if key[0] == round_)
            total = (round_, PROGRAMME)
            groups.append(suppression.Group(total, members))
        for group in groups:
            counts[group.total] = sum(counts[key] for key in group.members)
        names[PROGRAMME] = PROGRAMME_NAME
    status = suppression.suppress(counts, groups, min_size)
    cells = sorted(
        (
            (round_, office, names[office], count, status[round_, office])
            for (round_, office), count in counts.items()
        ),
        key=lambda cell: (cell[0], cell[2]),  # by round, then office name
    )
    return pd.DataFrame(cells, columns=CELL_COLUMNS)


def _cells(
    session: so.Session, scope: Scope, period: Period, min_size: int, zone: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = responses(session, scope, period, zone)
    if rows.empty:
        return rows, pd.DataFrame(columns=CELL_COLUMNS)
    return rows, cell_status(rows, scope, min_size)


def _wanted(cells: pd.DataFrame, offices: list[str]) -> pd.DataFrame:
    """The cells of the offices asked for, and the programme total."""
    return cells[cells["office_id"].isin([*offices, PROGRAMME])]


def _shown_rows(rows: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """The responses that lie in shown office cells."""
    return _rows_in(rows, cells[cells["status"] == suppression.SHOWN])


def _rows_in(rows: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """The responses that lie in any of ``cells`` (round and office)."""
    wanted = set(zip(cells["round"], cells["office_id"], strict=True))
    keys = zip(rows["round"].tolist(), rows["office_id"].tolist(), strict=True)
    return rows[np.fromiter((key in wanted for key in keys), bool, len(rows))]


def _count_or_label(count: int, state: str, min_size: int) -> int | str:
    return count if state == suppression.SHOWN else suppression.label(state, min_size)


# --- NPS --------------------------------------------------------------------


PROMOTER, DETRACTOR = 9, 6  # scores from 9 promote, scores up to 6 detract


def nps(scores: pd.Series) -> float | None:
    """% promoters (9–10) minus % detractors (0–6), −100…+100; None if no scores."""
    return _nps_if_enough(_tally(scores), 1)


def _nps_of(answered: int, promoters: int, detractors: int) -> float:
    return float(100 * (promoters - detractors) / answered)


Tally = tuple[int, int, int]  # scores answered, promoters, detractors


def _tally(scores) -> Tally:
    """Scores answered, promoters and detractors (a skipped question: NaN)."""
    answered = [score for score in scores if not pd.isna(score)]
    promoters = sum(1 for score in answered if score >= PROMOTER)
    detractors = sum(1 for score in answered if score <= DETRACTOR)
    return len(answered), promoters, detractors


def _tallies(rows: pd.DataFrame) -> dict[tuple[str, str], Tally]:
    """The tally of each cell (round, office) and of each programme cell
    (round, ``PROGRAMME``): every office of the scope counts towards the
    programme."""
    scores: dict[tuple[str, str], list] = {}
    cells = zip(
        rows["round"].tolist(),
        rows["office_id"].tolist(),
        rows["recommend_score"].tolist(),
        strict=True,
    )
    for round_, office, score in cells:
        for key in ((round_, office), (round_, PROGRAMME)):
            scores.setdefault(key, []).append(score)
    return {key: _tally(values) for key, values in scores.items()}


def _nps_if_enough(tally: Tally, min_size: int) -> float | None:
    """Fewer scores than the threshold (some skipped the question): no value."""
    answered, promoters, detractors = tally
    if answered < min_size or not answered:
        return None
    return _nps_of(answered, promoters, detractors)


def _summed(tallies: list[Tally]) -> Tally:
    answered, promoters, detractors = (sum(c) for c in zip(*tallies, strict=True))
    return answered, promoters, detractors


def nps_trend(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    min_size: int | None = None,
    zone: str | None = None,
) -> pd.DataFrame:
    """NPS per office and round; hidden cells carry "< 5" and no value."""
    min_size, zone = settings(min_size, zone)
    rows, cells = _cells(session, scope, period, min_size, zone)
    tallies = _tallies(rows)
    out = []
    for cell in _wanted(cells, offices).itertuples():
        value = None
        if cell.status == suppression.SHOWN:
            tally = tallies.get((cell.round, cell.office_id), (0, 0, 0))
            value = _nps_if_enough(tally, min_size)
        out.append(
            {
                "round": cell.round,
                "office": cell.office,
                "respondents": _count_or_label(cell.respondents, cell.status, min_size),
                "nps": value,
            }
        )
    return pd.DataFrame(out, columns=["round", "office", "respondents", "nps"])


def nps_by_office(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    min_size: int | None = None,
    zone: str | None = None,
) -> pd.DataFrame:
    """NPS per office over the period's shown rounds (programme: shown totals)."""
    min_size, zone = settings(min_size, zone)
    rows, cells = _cells(session, scope, period, min_size, zone)
    tallies = _tallies(rows)
    names: dict[str, str] = {}
    respondents: dict[str, int] = {}  # in shown cells
    shown_tallies: dict[str, list[Tally]] = {}
    hidden: set[str] = set()
    for round_, office_id, office, count, status in _wanted(cells, offices).itertuples(
        index=False
    ):
        names[office_id] = office
        if status == suppression.SHOWN:
            respondents[office_id] = respondents.get(office_id, 0) + count
            tally = tallies.get((round_, office_id), (0, 0, 0))
            shown_tallies.setdefault(office_id, []).append(tally)
        elif status == suppression.HIDDEN:
            hidden.add(office_id)
    out = []
    # by office id, the programme last
    for office_id in sorted(names, key=lambda office: (office == PROGRAMME, office)):
        office = names[office_id]
        if office_id in respondents:
            # an office's NPS is over the responses of its shown cells only
            value = _nps_if_enough(_summed(shown_tallies[office_id]), min_size)
            out.append(
                {"office": office, "respondents": respondents[office_id], "nps": value}
            )
            continue
        state = suppression.HIDDEN if office_id in hidden else suppression.SMALL
        label = suppression.label(state, min_size)
        out.append({"office": office, "respondents": label, "nps": None})
    return pd.DataFrame(out, columns=["office", "respondents", "nps"])


# --- answers per measure: the diverging bars --------------------------------


def _answers(session: so.Session, ids: list[int], measures: tuple) -> pd.DataFrame:
    if not ids:
        return pd.DataFrame(columns=["response", "measure", "value"])
    a = t.SurveyAnswer
    return frame(
        session.connection().execute(
            sa.select(a.response_id.label("response"), a.measure, a.value).where(
                a.response_id.in_(ids),
                a.measure.in_(measures),
                a.value.is_not(None),
            )
        )
    )


def answer_shares(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    measures: tuple[str, ...],
    min_size: int | None = None,
    zone: str | None = None,
) -> pd.DataFrame:
    """Per measure: % answering 1–2, 3 and 4–5, from shown cells only.

    A measure with fewer answers than the threshold (people may skip a
    question) shows "< 5" and no shares.
    """
    min_size, zone = settings(min_size, zone)
    rows, cells = _cells(session, scope, period, min_size, zone)
    picked = _shown_rows(rows, cells)
    picked = picked[picked["office_id"].isin(offices)]
    answers = _answers(session, [int(i) for i in picked["response"]], measures)
    columns = ["measure", "answers", "negative", "neutral", "positive"]
    if rows[rows["office_id"].isin(offices)].empty:
        return pd.DataFrame(columns=columns)
    out = []
    for measure in measures:
        values = answers.loc[answers["measure"] == measure, "value"].round()
        if len(values) < min_size:
            label = f"< {min_size}"
            out.append(
                dict.fromkeys(columns[2:]) | {"measure": measure, "answers": label}
            )
            continue
        out.append(
            {
                "measure": measure,
                "answers": len(values),
                "negative": 100 * float((values <= 2).mean()),
                "neutral": 100 * float((values == 3).mean()),
                "positive": 100 * float((values >= 4).mean()),
            }
        )
    return pd.DataFrame(out, columns=columns)


def soft_values(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Networking, belonging, atmosphere, inspiration."""
    return answer_shares(session, scope, offices, period, SOFT_VALUES)


def facilities(
    session: so.Session, scope: Scope, offices: list[str], period: Period
) -> pd.DataFrame:
    """Wifi, coffee, parking, accessibility, opening hours."""
    return answer_shares(session, scope, offices, period, FACILITIES)


# --- response counts and rates ----------------------------------------------


def _members_on_survey_days(
    session: so.Session, survey_days: dict[tuple[str, str], date]
) -> dict[tuple[str, str], int]:
    """Members (distinct pseudonyms) of each cell's office on its survey day,
    for cells keyed (round, office), from one read of the memberships."""
    if not survey_days:
        return {}
    m = t.Membership
    memberships: dict[str, list[tuple]] = {}
    for office, pseudonym, start, end in session.connection().execute(
        sa.select(m.office_id, m.member_pseudonym, m.start_date, m.end_date).where(
            m.office_id.in_(sorted({office for _, office in survey_days})),
            m.start_date <= max(survey_days.values()),
            sa.or_(m.end_date.is_(None), m.end_date >= min(survey_days.values())),
        )
    ):
        memberships.setdefault(office, []).append((pseudonym, start, end))
    return {
        (round_, office): len(
            {
                pseudonym
                for pseudonym, start, end in memberships.get(office, [])
                if start <= day and (end is None or end >= day)
            }
        )
        for (round_, office), day in survey_days.items()
    }


def response_rates(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    min_size: int | None = None,
    zone: str | None = None,
) -> pd.DataFrame:
    """Respondents and response rate per office and round (and the programme).

    The rate is respondents ÷ members active on the round's first answer day
    (the survey date); a hidden cell hides its rate too, since the member count
    is known from the members page.
    """
    min_size, zone = settings(min_size, zone)
    rows, cells = _cells(session, scope, period, min_size, zone)
    columns = ["round", "office", "respondents", "members", "response_rate"]
    survey_days = rows.groupby(["round", "office_id"])["day"].min().to_dict()
    members = _members_on_survey_days(session, survey_days)
    out = []
    members_of_round: dict[str, int] = {}
    # every office's members count towards the programme's rate
    for cell in cells[cells["office_id"] != PROGRAMME].itertuples():
        mine = members[(cell.round, cell.office_id)]
        members_of_round[cell.round] = members_of_round.get(cell.round, 0) + mine
        if cell.office_id in offices:
            out.append(_rate_row(cell, mine, min_size))
    for cell in _wanted(cells, []).itertuples():
        out.append(_rate_row(cell, members_of_round.get(cell.round, 0), min_size))
    return pd.DataFrame(out, columns=columns)


def _rate_row(cell, members: int, min_size: int) -> dict:
    shown = cell.status == suppression.SHOWN
    return {
        "round": cell.round,
        "office": cell.office,
        "respondents": _count_or_label(cell.respondents, cell.status, min_size),
        "members": members,
        "response_rate": cell.respondents / members if shown and members else None,
    }


# --- free text --------------------------------------------------------------


def free_text(
    session: so.Session,
    scope: Scope,
    offices: list[str],
    period: Period,
    min_size: int | None = None,
    zone: str | None = None,
) -> pd.DataFrame:
    """Free-text answers of the groups (office × round) whose count is shown.

    Not of a group hidden to protect a small one ("dold"), though it has
    enough respondents: the number of its answers would bound its hidden
    count, and so the small group's. No names, ids or times: sorted by text
    within a group, so the order does not tell who answered first.
    """
    min_size, zone = settings(min_size, zone)
    rows, cells = _cells(session, scope, period, min_size, zone)
    columns = ["round", "office", "answer"]
    picked = _shown_rows(rows, cells[cells["office_id"].isin(offices)])
    answers = _answers_text(session, [int(i) for i in picked["response"]])
    if answers.empty:
        return pd.DataFrame(columns=columns)
    merged = answers.merge(picked[["response", "round", "office"]], on="response")
    merged = merged[merged["answer"].str.strip() != ""]
    return (
        merged.sort_values(["round", "office", "answer"], ascending=[False, True, True])
        .loc[:, columns]
        .reset_index(drop=True)
    )


def _answers_text(session: so.Session, ids: list[int]) -> pd.DataFrame:
    if not ids:
        return pd.DataFrame(columns=["response", "answer"])
    a = t.SurveyAnswer
    return frame(
        session.connection().execute(
            sa.select(a.response_id.label("response"), a.raw.label("answer")).where(
                a.response_id.in_(ids), a.measure == "free_text"
            )
        )
    )


# --- completeness -----------------------------------------------------------


def last_import(
    session: so.Session, scope: Scope, offices: list[str]
) -> datetime | None:
    """When a survey file was last loaded for these offices."""
    loads = last_imports(session, scope, offices, "survey").values()
    return max(loads, default=None)
