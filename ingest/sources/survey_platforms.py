"""Survey platforms: recognising an export by its header and reading its columns.

- Google Forms: first column ``Timestamp`` / ``Tidstämpel``, optionally followed by
  ``Email Address`` / ``E-postadress``; one header row; no response id.
- Microsoft Forms: ``ID, Start time, Completion time, Email, Name, …`` (Swedish
  labels guessed: ``ID, Starttid, Slutförandetid, E-post, Namn``); one header row.
- SurveyMonkey: ``Respondent ID, Collector ID, …`` and a second header row of
  sub-labels (``Response``, a choice text); a question spanning several columns
  has its text in the first one only.
- Qualtrics: ``StartDate, EndDate, Status, …`` ids, a row of labels and a row of
  ``{"ImportId": …}``.

A multi-row header becomes one question per column: the first row carried
forward across blanks, `` | ``, the second row. System columns (ids, times,
progress) are not answers, and personal data columns (names, e-mails, IP
addresses, locations) are dropped so they never reach a record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ingest.tabular import normalise_header

GOOGLE_FORMS = "google_forms"
MICROSOFT_FORMS = "microsoft_forms"
SURVEYMONKEY = "surveymonkey"
QUALTRICS = "qualtrics"
PLATFORMS = (GOOGLE_FORMS, MICROSOFT_FORMS, SURVEYMONKEY, QUALTRICS)

QUESTION_LENGTH = 500  # models.tables.SurveyAnswer.question


@dataclass(frozen=True)
class Platform:
    name: str
    max_header_rows: int
    submitted: tuple[str, ...]  # header names of the submission time, normalised
    response_id: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    system: frozenset[str] = frozenset()  # metadata columns, not answers
    system_prefixes: tuple[str, ...] = ()


_MS_START = ("start time", "starttid")
_MS_COMPLETION = ("completion time", "slutförandetid", "tid för slutförande", "sluttid")
_SM_ID = ("respondent id", "respondent-id")
_SM_COLLECTOR = ("collector id", "collector-id", "insamlar-id")

SPECS = {
    GOOGLE_FORMS: Platform(
        GOOGLE_FORMS,
        max_header_rows=1,
        submitted=("timestamp", "tidstämpel", "tidsstämpel"),
        system=frozenset({"score", "poäng"}),  # a quiz's total
    ),
    MICROSOFT_FORMS: Platform(
        MICROSOFT_FORMS,
        max_header_rows=1,
        submitted=_MS_COMPLETION,
        response_id=("id",),
        system=frozenset(
            {
                *_MS_START,
                "last modified time",
                "senaste ändringstid",
                "tid för senaste ändring",
                "total points",
                "totalpoäng",
                "quiz feedback",
                "grade posted time",
            }
        ),
        system_prefixes=("points - ", "feedback - ", "poäng - "),
    ),
    SURVEYMONKEY: Platform(
        SURVEYMONKEY,
        max_header_rows=2,
        submitted=("end date", "slutdatum"),
        response_id=_SM_ID,
        system=frozenset({*_SM_COLLECTOR, "start date", "startdatum"}),
    ),
    QUALTRICS: Platform(
        QUALTRICS,
        max_header_rows=3,
        submitted=("enddate",),
        response_id=("responseid",),
        status=("status",),
        system=frozenset(
            {
                "startdate",
                "progress",
                "duration (in seconds)",
                "finished",
                "recordeddate",
                "distributionchannel",
                "userlanguage",
            }
        ),
        system_prefixes=("q_",),  # Q_RecaptchaScore, Q_RelevantIDDuplicate, …
    ),
}

# Personal data: never stored, whatever the platform. Matched on each header row
# of a column (without a trailing "(frivilligt)" or ":"); a SurveyMonkey contact
# block with one such sub-label goes whole. Names and phones must be the whole
# header, so "Phone booths" or "Namnet på ert företag" stay questions.
_PRIVATE = re.compile(
    r"^(?:(?:ditt |your |full |first |last |för|efter)?(?:name|namn)"
    r"|(?:phone|telefon|mobil)(?:nummer| number|telefon)?|personnummer)$"
    r"|^(?:e-?mail|e-?post|epost|respondent e-?mail)"
    r"|^ip[- ]?ad+ress"
    r"|^location ?(?:latitude|longitude)"
    r"|^recipient"
    r"|^external ?(?:data )?reference"
    r"|^(?:custom|anpassade) data"
)


@dataclass(frozen=True)
class Column:
    index: int
    parts: tuple[str, ...]  # the header rows' texts, first row carried forward
    group: int  # the column where a multi-column question starts
    question: str


def detect(header: Sequence[Any]) -> str | None:
    """The platform whose export starts with this header row, or None."""
    names = [normalise_header(value) for value in header] + ["", "", ""]
    if names[0] in SPECS[GOOGLE_FORMS].submitted:
        return GOOGLE_FORMS
    if names[0] == "id" and names[1] in _MS_START and names[2] in _MS_COMPLETION:
        return MICROSOFT_FORMS
    if names[0] in _SM_ID and names[1] in _SM_COLLECTOR:
        return SURVEYMONKEY
    if names[:3] == ["startdate", "enddate", "status"]:
        return QUALTRICS
    return None


def is_extra_header(values: Sequence[Any], submitted_index: int) -> bool:
    """A SurveyMonkey/Qualtrics header row after the first: a row of labels or of
    ``{"ImportId": …}``, with no digit where a response has its time."""
    if any('"importid"' in str(value).casefold() for value in values):
        return True
    time = values[submitted_index] if submitted_index < len(values) else ""
    return not re.search(r"\d", str(time))


def build_columns(header_rows: list[Sequence[Any]]) -> list[Column]:
    """One column per position: ``row1 (carried forward) | row2``.

    Qualtrics' ImportId row names no question, so only the first two rows count.
    """
    rows = [
        [_text(v) for v in row]
        for row in header_rows
        if not any('"importid"' in str(v).casefold() for v in row)
    ][:2]
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    columns, carried, group = [], "", 0
    for index in range(width):
        first = rows[0][index]
        if first or len(rows) == 1:
            carried, group = first, index
        parts = (carried, *(row[index] for row in rows[1:]))
        question = " | ".join(part for part in parts if part)
        columns.append(Column(index, parts, group, question))
    return columns


def answer_columns(
    platform: Platform, columns: list[Column], taken: set[int]
) -> list[Column]:
    """The columns that hold answers: not ``taken`` (time, id, status), not
    system metadata, not personal data; question texts made unique."""
    private_groups = {c.group for c in columns if any(map(is_private, c.parts[1:]))}
    kept, seen = [], set()
    for column in columns:
        first = normalise_header(column.parts[0])
        if (
            column.index in taken
            or not column.question
            or first in platform.system
            or first.startswith(platform.system_prefixes)
            or is_private(column.parts[0])
            or column.group in private_groups
        ):
            continue
        question = _unique(column.question[:QUESTION_LENGTH], seen)
        kept.append(Column(column.index, column.parts, column.group, question))
    return kept


def is_private(header: str) -> bool:
    name = re.sub(r"\s*\([^)]*\)$", "", normalise_header(header)).rstrip(" :*?")
    return bool(_PRIVATE.search(name))


def _unique(question: str, seen: set[str]) -> str:
    # the database keeps one answer per question and response
    candidate, number = question, 1
    while candidate.casefold() in seen:
        number += 1
        suffix = f" ({number})"
        candidate = question[: QUESTION_LENGTH - len(suffix)] + suffix
    seen.add(candidate.casefold())
    return candidate


def _text(value: Any) -> str:
    # one line per header: Excel keeps the line breaks people type into questions
    return " ".join(str(value).replace("\ufeff", "").split())
