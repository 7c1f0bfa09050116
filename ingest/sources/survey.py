"""Member survey responses from Google Forms, Microsoft Forms, SurveyMonkey and
Qualtrics exports (.csv or .xlsx), one reader for all of them.

The platform is recognised from the header (see ``survey_platforms``) or named
with ``options["platform"]``. Each response row becomes one item with one record::

    {"survey_id", "response_id", "platform", "submitted_at", "recommend_score",
     "target_group", "home_kommun",
     "answers": [{"question", "measure", "raw", "value"}, ...]}

Options (config ``sources[].options``): ``survey_id`` (default: a slug of the
file name, so set it when a form is downloaded under changing names),
``platform``, ``measures`` and ``scales`` (see ``survey_measures``),
``timestamp_column``, ``day_first``, ``sheet``, ``delimiter``.

Decisions:

- Response id: the platform's (``ID``, ``Respondent ID``, ``ResponseId``). Google
  Forms has none, and SurveyMonkey's may be blanked, so the id is then a hash of
  the submission time (UTC) and the non-blank answers in column order, scale
  answers as their number. It is the same whether the file is the form's
  download (``3``) or the linked sheet's (``(3) label``, ``-3``), survives added
  or renamed questions, and never includes a dropped (personal) column.
- Names, e-mails, IP addresses and locations are dropped before anything else:
  they are in no record and in no quarantined row text.
- Blank answers are not stored; every non-blank answer is, with its raw text.
- A response whose NPS answer is unusable (empty, ``11``, ``vet ej``) is still
  loaded, with ``recommend_score`` None; likewise for target group and kommun.
  A row is quarantined only when its submission time is missing or unreadable.
- Qualtrics preview, test and spam responses are rows but not data: an item
  with no records (counted, never loaded).
- Local times are in the office's zone; ambiguous slash dates (``9/6/2018``)
  are month first unless a day above 12 in the file says otherwise, because
  they come from US-locale Excel and Sheets (``options["day_first"]`` decides).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from ingest.base import FileRejected, Item, ReadContext, ReadOutput, RowError
from ingest.sources.common import clip, fold, head_rows, stable_id
from ingest.sources.survey_measures import (
    MeasureMatcher,
    answer_value,
    home_kommun,
    scale_value,
    target_group,
)
from ingest.sources.survey_platforms import (
    GOOGLE_FORMS,
    PLATFORMS,
    SPECS,
    Column,
    Platform,
    answer_columns,
    build_columns,
    detect,
    is_extra_header,
)
from ingest.tabular import TableRow, normalise_header, parse_datetime, read_table

ID_LENGTH = 120  # survey_id and response_id in models.tables.SurveyResponse
NOT_RESPONSES = {"survey preview", "survey test", "spam", "1", "2", "8"}
_SLASH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/\d")
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")  # a Sheets/Excel day number
_DATA_TIME = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\s+\d{1,2}:\d{2}")


@dataclass(frozen=True)
class Layout:
    platform: Platform
    header_end: int  # row number of the last header row
    submitted: int
    submitted_name: str
    response_id: int | None
    status: int | None
    answers: list[tuple[Column, str | None]]  # with the question's measure


class SurveyReader:
    kind: ClassVar[str] = "survey"
    format: ClassVar[str] = "survey"

    def sniff(self, path: Path, head: bytes) -> bool:
        rows = head_rows(path, head, limit=1)
        if not rows:
            return False
        platform = detect(rows[0])
        if platform == GOOGLE_FORMS:
            # "Timestamp" also starts door-counter files: want a real question
            return any(_is_question(value) for value in rows[0][1:])
        return platform is not None

    def read(self, path: Path, context: ReadContext) -> Iterator[ReadOutput]:
        options = context.options
        rows = read_table(path, dict(options))
        layout, first_data = open_survey(rows, options)
        day_first = _day_first(path, options, layout)
        survey_id = clip(options.get("survey_id"), ID_LENGTH) or survey_slug(
            context.file_name or path.name
        )
        for row in chain(first_data, rows):
            yield _response(
                row, layout, survey_id, context.timezone, day_first, options
            )


def open_survey(
    rows: Iterator[TableRow], options: Mapping[str, Any]
) -> tuple[Layout, list[TableRow]]:
    """Read the header row(s); return the layout and the first data row, if any."""
    first = next(rows, None)
    if first is None:
        raise FileRejected("the file has no rows: not a survey export")
    spec = SPECS[_platform(first.values, options)]
    named = options.get("timestamp_column")
    submitted = _find(first.values, _names(named) if named else spec.submitted)
    if submitted is None and named:
        raise FileRejected(f"options.timestamp_column: no column named {named!r}")
    if submitted is None and spec.name == GOOGLE_FORMS:
        submitted = 0  # Google always puts the time first, in any UI language
    if submitted is None:
        raise FileRejected(
            f"no submission time column in the {spec.name} header (looked for "
            f"{', '.join(spec.submitted)}); name it in options.timestamp_column"
        )
    headers, first_data = [first], []
    for row in rows:
        if len(headers) < spec.max_header_rows and is_extra_header(
            row.values, submitted
        ):
            headers.append(row)
            continue
        first_data.append(row)
        break
    response_id = _find(first.values, spec.response_id)
    status = _find(first.values, spec.status)
    taken = {submitted, response_id, status} - {None}
    columns = answer_columns(spec, build_columns([h.values for h in headers]), taken)
    matcher = MeasureMatcher(options.get("measures"))
    layout = Layout(
        platform=spec,
        header_end=headers[-1].number,
        submitted=submitted,
        submitted_name=_text(first.values[submitted]).strip(),
        response_id=response_id,
        status=status,
        answers=[(c, matcher.measure_for(c.question, c.parts)) for c in columns],
    )
    return layout, first_data


def _platform(header: list[Any], options: Mapping[str, Any]) -> str:
    wanted = options.get("platform")
    if wanted and wanted not in PLATFORMS:
        raise FileRejected(
            f"options.platform {wanted!r} is not one of {', '.join(PLATFORMS)}"
        )
    found = detect(header)
    if found and not wanted:
        return found
    if _looks_like_response(header):
        raise FileRejected(
            "the first row holds answers, not column names: the file was saved "
            "without its header row (Microsoft Forms: ID, Start time, Completion "
            "time, …). Export the responses again and keep the first row."
        )
    if not wanted:
        start = ", ".join(_text(v).strip() for v in header[:3])
        raise FileRejected(
            f"not a recognised survey export (the header starts {start!r}); "
            "expected Google Forms (Timestamp/Tidstämpel), Microsoft Forms (ID, "
            "Start time, Completion time), SurveyMonkey (Respondent ID, Collector "
            "ID) or Qualtrics (StartDate, EndDate, Status); or set options.platform"
        )
    return wanted


def _looks_like_response(header: list[Any]) -> bool:
    return any(
        isinstance(value, datetime) or _DATA_TIME.search(str(value))
        for value in header[:4]
    )


def _find(header: list[Any], names: tuple[str, ...]) -> int | None:
    normalised = [normalise_header(value) for value in header]
    for name in names:
        if name in normalised:
            return normalised.index(name)
    return None


def _names(value: Any) -> tuple[str, ...]:
    return (normalise_header(value),)


def _is_question(header: Any) -> bool:
    text = str(header).strip()
    return text.endswith("?") or len(text.split()) >= 4


def _day_first(path: Path, options: Mapping[str, Any], layout: Layout) -> bool:
    """options["day_first"], else the first slash date with a day above 12."""
    if "day_first" in options:
        return bool(options["day_first"])
    for row in read_table(path, dict(options)):
        if row.number <= layout.header_end:
            continue
        match = _SLASH_DATE.match(_text(_cell(row.values, layout.submitted)))
        if match and int(match[1]) > 12:
            return True
        if match and int(match[2]) > 12:
            return False
    return False


def survey_slug(file_name: str) -> str:
    """``Medlemsenkät 2025 (Svar) (1).csv`` -> ``medlemsenkat-2025-svar``."""
    stem = re.sub(r"\s*\(\d+\)$", "", Path(file_name).stem)  # a second download
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")
    return slug[:ID_LENGTH] or "survey"


# --- One response -----------------------------------------------------------------


def _response(
    row: TableRow,
    layout: Layout,
    survey_id: str,
    zone: ZoneInfo,
    day_first: bool,
    options: Mapping[str, Any],
) -> Item | RowError:
    cells = row.values
    if layout.status is not None:
        status = _text(_cell(cells, layout.status)).strip().casefold()
        if status in NOT_RESPONSES:
            return Item(row.number, [])
    given = _cell(cells, layout.submitted)
    try:
        submitted = parse_submitted(given, zone, day_first)
        problem = "the submission time is empty"
    except ValueError:
        submitted, problem = None, f"not a date and time: {_text(given)!r}"
    if submitted is None:
        return RowError(
            row.number, layout.submitted_name, problem, _safe_raw(cells, layout)
        )
    scales = options.get("scales") or {}
    answers = _answers(cells, layout, scales)
    record = {
        "survey_id": survey_id,
        "response_id": _response_id(cells, layout, submitted, answers),
        "platform": layout.platform.name,
        "submitted_at": submitted,
        "recommend_score": _recommend_score(answers),
        "target_group": _first(answers, "target_group", target_group, scales),
        "home_kommun": _first(answers, "home_kommun", home_kommun, scales),
        "answers": answers,
    }
    return Item(row.number, [record])


def _answers(
    cells: list[Any], layout: Layout, scales: Mapping[str, Any]
) -> list[dict[str, Any]]:
    answers = []
    for column, measure in layout.answers:
        raw = _text(_cell(cells, column.index))
        if raw.strip():
            answers.append(
                {
                    "question": column.question,
                    "measure": measure,
                    "raw": raw,
                    "value": answer_value(measure, raw, scales),
                }
            )
    return answers


def _recommend_score(answers: list[dict[str, Any]]) -> int | None:
    for answer in answers:
        if answer["measure"] == "recommend" and answer["value"] is not None:
            return int(answer["value"])
    return None


def _first(
    answers: list[dict[str, Any]],
    measure: str,
    normalise: Callable[[str, Any], str | None],
    scales: Mapping[str, Any],
) -> str | None:
    for answer in answers:
        if answer["measure"] == measure:
            found = normalise(answer["raw"], scales.get(measure))
            if found:
                return found
    return None


def _response_id(
    cells: list[Any],
    layout: Layout,
    submitted: datetime,
    answers: list[dict[str, Any]],
) -> str:
    if layout.response_id is not None:
        given = clip(_text(_cell(cells, layout.response_id)), ID_LENGTH)
        if given:
            return given
    canonical = [_canonical(answer["raw"]) for answer in answers]
    return stable_id(submitted.astimezone(UTC).isoformat(), *canonical)


def _canonical(raw: str) -> str:
    number = scale_value(raw, None, words=False)
    return f"{number:g}" if number is not None else " ".join(raw.split())


def _safe_raw(cells: list[Any], layout: Layout) -> str:
    """The row's text for quarantine, without the dropped (personal) columns."""
    kept = [layout.submitted, layout.response_id, layout.status]
    kept += [column.index for column, _ in layout.answers]
    return ";".join(_text(_cell(cells, i)) for i in sorted({*kept} - {None}))


# --- Values -----------------------------------------------------------------------


def parse_submitted(value: Any, zone: ZoneInfo, day_first: bool) -> datetime | None:
    """The submission time, aware; None when empty; ValueError when unreadable."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_day_number(float(value), zone)
    text = " ".join(str(value).split())
    if _SERIAL.match(text):
        return _from_day_number(float(text.replace(",", ".")), zone)
    # a Swedish-locale form download: "9:12:45 fm CET"
    text = re.sub(r"\b(fm|em)\b", lambda m: "AM" if m[1] == "fm" else "PM", text)
    text = re.sub(r"\bCEST$", "GMT+2", re.sub(r"\bCET$", "GMT+1", text))
    return parse_datetime(text, zone, day_first)


def _from_day_number(days: float, zone: ZoneInfo) -> datetime:
    # spreadsheets count days from 1899-12-30 in the sheet's (local) zone
    naive = datetime(1899, 12, 30) + timedelta(seconds=round(days * 86400))
    return naive.replace(tzinfo=zone)


def _cell(cells: list[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else ""


def _text(value: Any) -> str:
    """A cell as the text a person sees: Excel's 5.0 is "5"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)
