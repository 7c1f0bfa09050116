"""The survey reader: Google Forms, Microsoft Forms, SurveyMonkey and Qualtrics
exports as offices send them, read with no configuration."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from ingest.base import FileRejected, Item, ReadContext, RowError
from ingest.sources.survey import SurveyReader, parse_submitted, survey_slug
from ingest.sources.survey_measures import (
    DEFAULT_MEASURE_PATTERNS,
    MEASURES,
    answer_value,
    home_kommun,
    target_group,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "survey"
SHARED_SAMPLES = Path("/work/shared/samples/survey")
ZONE = ZoneInfo("Europe/Stockholm")

DEMO_QUESTIONS = [
    "Hur troligt är det att du skulle rekommendera kontoret till en vän eller kollega?",
    "Nätverkande – jag får nya kontakter här",
    "Samhörighet – jag känner mig som en del av gemenskapen",
    "Stämningen på kontoret",
    "Inspiration – kontoret ger mig energi och idéer",
    "Wifi och uppkoppling",
    "Kaffe och fika",
    "Parkering",
    "Tillgänglighet",
    "Öppettider",
    "Vilken grupp beskriver dig bäst?",
    "Vilken kommun bor du i?",
    "Övriga synpunkter",
]
DEMO_MEASURES = [
    "recommend",
    "networking",
    "belonging",
    "atmosphere",
    "inspiration",
    "wifi",
    "coffee",
    "parking",
    "accessibility",
    "opening_hours",
    "target_group",
    "home_kommun",
    "free_text",
]


def read(path: Path, **options: Any) -> list[Item | RowError]:
    context = ReadContext(
        office_id="kontoret",
        timezone=ZONE,
        file_name=path.name,
        received_at=datetime(2026, 5, 1, tzinfo=UTC),
        options=options,
    )
    return list(SurveyReader().read(path, context))


def records(outputs: list[Item | RowError]) -> list[dict[str, Any]]:
    return [r for o in outputs if isinstance(o, Item) for r in o.records]


def assert_counted(outputs: list[Item | RowError], data_rows: int) -> None:
    """Every data row is one item or one row error: rows_read adds up."""
    weights = sum(o.weight for o in outputs if isinstance(o, Item))
    errors = sum(isinstance(o, RowError) for o in outputs)
    assert weights + errors == data_rows
    assert len({o.row for o in outputs}) == len(outputs)


def answers_by_question(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["question"]: a for a in record["answers"]}


def assert_absent(outputs: list[Item | RowError], *secrets: str) -> None:
    text = repr(outputs)
    for secret in secrets:
        assert secret not in text


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# --- Google Forms -----------------------------------------------------------------


def test_swedish_google_forms_download() -> None:
    """Tidstämpel, quoted fields, (n)/-n scales, Likert words, NPS out of range."""
    outputs = read(FIXTURES / "google_forms_sv.csv")
    assert_counted(outputs, 3)
    first, second, third = records(outputs)
    assert [o.row for o in outputs] == [2, 4, 5]  # a free-text cell spans two lines
    assert first["platform"] == "google_forms"
    assert first["survey_id"] == "google-forms-sv"
    assert first["submitted_at"] == datetime(2025, 3, 14, 8, 12, 45, tzinfo=UTC)
    assert third["submitted_at"] == datetime(2025, 3, 31, 20, 0, tzinfo=UTC)
    by_measure = {a["measure"]: a for a in first["answers"]}
    assert by_measure["networking"]["raw"] == "(5) Mycket"
    assert by_measure["networking"]["value"] == 5
    assert (by_measure["belonging"]["raw"], by_measure["belonging"]["value"]) == (
        "-3",
        3,
    )
    assert by_measure["wifi"]["value"] == 1
    assert by_measure["atmosphere"]["value"] == 5  # Instämmer helt
    assert by_measure["free_text"]["raw"] == 'Bra "fika"!\nMen wifi borde bli bättre.'
    assert answers_by_question(first)["Vilka dagar är du här?"]["raw"] == (
        "Måndag;Onsdag"
    )
    assert first["recommend_score"] == 9
    assert [r["target_group"] for r in (first, second, third)] == [
        "Företagare",
        "Pendlare",
        "Nätverk",
    ]
    assert [r["home_kommun"] for r in (first, second, third)] == [
        "Högsby",
        "Oskarshamn",
        "Växjö",  # outside Kalmar län: kept as written
    ]
    # an 11 on a 0–10 scale: the response is loaded, the score is unknown
    recommend = next(a for a in second["answers"] if a["measure"] == "recommend")
    assert (recommend["raw"], recommend["value"]) == ("11", None)
    assert second["recommend_score"] is None
    assert "Stämningen på kontoret" not in answers_by_question(third)  # left blank


def test_google_forms_email_never_stored() -> None:
    outputs = read(FIXTURES / "google_forms_sv.csv")
    assert_absent(outputs, "example.se", "example.org", "E-postadress", "svensson")


def test_english_google_sheets_download_day_first() -> None:
    """Sheet-locale DD/MM/YYYY times, grid columns, labelled ends, quoted text."""
    outputs = read(FIXTURES / "google_sheets_en.csv")
    assert_counted(outputs, 3)
    first, second, third = records(outputs)
    assert first["submitted_at"] == datetime(2024, 6, 12, 10, 37, 16, tzinfo=ZONE)
    assert third["submitted_at"] == datetime(2024, 7, 3, 0, 6, 16, tzinfo=ZONE)
    assert first["recommend_score"] == 10
    values = {a["measure"]: a["value"] for a in first["answers"]}
    assert values == {
        "recommend": 10,
        "coffee": 5,  # Very good
        "parking": 5,  # (5) more
        "wifi": 5,  # 5 - Excellent, from "Rate the office [Wi-Fi]"
        "target_group": None,
    }
    assert [r["target_group"] for r in (first, second, third)] == [
        "Pendlare",
        "Företagare",
        "Resande",
    ]
    comment = answers_by_question(second)["Any other comments?"]
    assert comment == {
        "question": "Any other comments?",
        "measure": "free_text",
        "raw": 'Great place, "really" nice\nand quiet',
        "value": None,
    }


def test_cp1252_swedish_sheet() -> None:
    outputs = read(FIXTURES / "google_sheets_sv_cp1252.csv")
    assert_counted(outputs, 2)
    first, second = records(outputs)
    assert first["home_kommun"] == "Mörbylånga"
    assert second["home_kommun"] == "Mönsterås"  # "mönsterås kommun"
    values = {a["measure"]: a["value"] for a in first["answers"]}
    assert values["opening_hours"] == 4  # Instämmer delvis
    assert values["parking"] == 1  # Mycket dålig
    assert values["accessibility"] == 2  # Tar delvis avstånd
    assert first["submitted_at"] == datetime(2025, 3, 14, 9, 12, 45, tzinfo=ZONE)


def test_bad_timestamp_rows_are_quarantined() -> None:
    outputs = read(FIXTURES / "google_bad_timestamp.csv")
    assert_counted(outputs, 4)
    errors = [o for o in outputs if isinstance(o, RowError)]
    assert [(e.row, e.column) for e in errors] == [(3, "Timestamp"), (4, "Timestamp")]
    assert "yesterday" in errors[0].reason
    assert "empty" in errors[1].reason
    assert errors[0].raw == "yesterday;8;Late"  # without the e-mail column
    assert [r["recommend_score"] for r in records(outputs)] == [9, 10]
    assert_absent(outputs, "@example.com")


def test_google_response_id_is_stable_across_shapes(tmp_path: Path) -> None:
    """The form download and the linked sheet give the same id to a response."""
    download = tmp_path / "download.csv"
    download.write_text(
        '"Timestamp","Email Address","Parkering","Kommentar"\n'
        '"2025/03/14 9:12:45 AM GMT+1","a@example.se","3","Bra"\n',
        encoding="utf-8",
    )
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "Timestamp,Parkering,Ny fråga,Kommentar\n14/03/2025 09:12:45,-3,,Bra\n",
        encoding="utf-8",
    )
    first = records(read(download))[0]["response_id"]
    assert first == records(read(sheet))[0]["response_id"]
    assert first == records(read(download))[0]["response_id"]


# --- Microsoft Forms --------------------------------------------------------------


def test_microsoft_forms_xlsx(tmp_path: Path) -> None:
    """Native export: anonymous e-mails, names, a header with a line break and
    multi-choice answers with a trailing ';'."""
    path = write_xlsx(
        tmp_path / "Medlemsenkät(1-3).xlsx",
        [
            [
                "ID",
                "Start time",
                "Completion time",
                "Email",
                "Name",
                "Last modified time",
                "Hur nöjd är du med\nkaffet?",
                "Vilka dagar är du här?",
                "How likely are you to recommend the office?",
            ],
            [
                1,
                datetime(2026, 4, 15, 22, 31),
                datetime(2026, 4, 15, 22, 38),
                "anonymous",
                None,
                None,
                4,
                "Måndag;Tisdag;",
                9,
            ],
            [
                2,
                datetime(2026, 4, 16, 8, 1),
                datetime(2026, 4, 16, 8, 5),
                "lisa.holm@example.se",
                "Lisa Holm",
                None,
                "Mycket bra",
                "Fredag;",
                "10",
            ],
            [3, "4/17/2026 9:00", "4/17/2026 9:02", "anonymous", "Anonymous"],
        ],
    )
    outputs = read(path)
    assert_counted(outputs, 3)
    first, second, third = records(outputs)
    assert [r["response_id"] for r in (first, second, third)] == ["1", "2", "3"]
    assert first["platform"] == "microsoft_forms"
    assert first["submitted_at"] == datetime(2026, 4, 15, 22, 38, tzinfo=ZONE)
    assert third["submitted_at"] == datetime(2026, 4, 17, 9, 2, tzinfo=ZONE)
    coffee = answers_by_question(first)["Hur nöjd är du med kaffet?"]
    assert (coffee["measure"], coffee["raw"], coffee["value"]) == ("coffee", "4", 4)
    assert answers_by_question(first)["Vilka dagar är du här?"]["raw"] == (
        "Måndag;Tisdag;"
    )
    assert answers_by_question(second)["Hur nöjd är du med kaffet?"]["value"] == 5
    assert [r["recommend_score"] for r in (first, second)] == [9, 10]
    assert third["answers"] == []
    assert_absent(outputs, "anonymous", "Anonymous", "Lisa", "Holm", "example.se")


def test_swedish_microsoft_forms_csv() -> None:
    """Re-saved by Swedish Excel: ';', BOM, CRLF, "2026-04-15 22:38"."""
    outputs = read(FIXTURES / "ms_forms_sv.csv")
    assert_counted(outputs, 2)
    first, second = records(outputs)
    assert first["platform"] == "microsoft_forms"
    assert first["response_id"] == "1"
    assert first["submitted_at"] == datetime(2026, 4, 15, 22, 38, tzinfo=ZONE)
    days = answers_by_question(first)["Vilka dagar brukar du vara här?"]
    assert (days["raw"], days["measure"]) == ("Måndag;Tisdag;", None)
    assert (first["target_group"], second["target_group"]) == ("Resande", "Företagare")
    assert (first["home_kommun"], second["home_kommun"]) == ("Borgholm", "Borgholm")
    values = {a["measure"]: a["value"] for a in second["answers"]}
    assert (values["coffee"], values["parking"]) == (5, 2)
    assert_absent(outputs, "anonymous", "lisa", "Lisa", "Holm")


def test_microsoft_forms_without_header_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "responses.csv"
    path.write_text(
        "1,7/2/20 11:00:22,7/2/20 11:02:10,pupil@example.com,A Pupil,Yes\n",
        encoding="utf-8",
    )
    with pytest.raises(FileRejected, match="without its header row"):
        read(path)
    with pytest.raises(FileRejected, match="without its header row"):
        read(path, platform="microsoft_forms")


# --- SurveyMonkey and Qualtrics ---------------------------------------------------


def test_surveymonkey_two_header_rows() -> None:
    outputs = read(FIXTURES / "surveymonkey.csv")
    assert_counted(outputs, 2)
    assert [o.row for o in outputs] == [3, 4]  # the second header row is no data
    first, second = records(outputs)
    assert first["platform"] == "surveymonkey"
    assert first["response_id"] == "114000000001"
    # US dates: 06/14 says month first
    assert first["submitted_at"] == datetime(2024, 6, 3, 9, 15, 40, tzinfo=ZONE)
    assert second["submitted_at"] == datetime(2024, 6, 14, 13, 10, tzinfo=ZONE)
    questions = answers_by_question(first)
    wifi = questions["How satisfied are you with: | Wi-Fi"]
    assert (wifi["measure"], wifi["value"]) == ("wifi", 5)
    assert questions["How satisfied are you with: | Parking"]["value"] == 2
    assert first["recommend_score"] == 9
    assert (first["target_group"], second["target_group"]) == ("Pendlare", "Nätverk")
    comment = answers_by_question(second)[
        'Any other comments? ("honest", please) | Open-Ended Response'
    ]
    assert comment["raw"] == "Line one, with comma\nline two"
    assert comment["measure"] == "free_text"


def test_surveymonkey_personal_columns_dropped() -> None:
    outputs = read(FIXTURES / "surveymonkey.csv")
    assert_absent(
        outputs, "192.0.2", "anna.a@", "Andersson", "070-", "member-17", "Contact"
    )


def test_qualtrics_three_header_rows_and_preview() -> None:
    outputs = read(FIXTURES / "qualtrics.csv")
    assert_counted(outputs, 2)
    real, preview = outputs
    assert isinstance(preview, Item) and preview.row == 5 and preview.records == []
    record = real.records[0]
    assert real.row == 4
    assert record["platform"] == "qualtrics"
    assert record["response_id"] == "R_1abcDEF234ghiJK"
    assert record["submitted_at"] == datetime(2019, 5, 2, 6, 32, 40, tzinfo=ZONE)
    assert record["recommend_score"] == 10
    assert record["home_kommun"] == "Kalmar"
    atmosphere = answers_by_question(record)["Q2 | Stämningen på kontoret"]
    assert (atmosphere["measure"], atmosphere["value"]) == ("atmosphere", 4)
    assert_absent(outputs, "198.51", "Nilsson", "per.nilsson", "56.66", "16.35")


# --- The demo generator's shapes, with no options ---------------------------------


def test_demo_google_forms_csv_needs_no_options(tmp_path: Path) -> None:
    path = tmp_path / "enkat.csv"
    header = ["Tidstämpel", *DEMO_QUESTIONS]
    rows = [
        ["2025/03/14 9:12:45 AM GMT+1", "9", "4", "5", "4", "3", "2", "5", "4", "3"]
        + ["5", "Företagare", "Kalmar", "Toppen!"],
        ["2025/03/15 4:01:02 PM GMT+1", "6", "1", "2", "3", "4", "5", "1", "2", "3"]
        + ["4", "Nätverk", "Nybro", ""],
    ]
    lines = [",".join(f'"{v}"' for v in row) for row in [header, *rows]]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    outputs = read(path)
    assert_counted(outputs, 2)
    first, second = records(outputs)
    assert [a["measure"] for a in first["answers"]] == DEMO_MEASURES
    assert first["submitted_at"] == datetime(2025, 3, 14, 8, 12, 45, tzinfo=UTC)
    assert (first["recommend_score"], first["target_group"]) == (9, "Företagare")
    assert (second["target_group"], second["home_kommun"]) == ("Nätverk", "Nybro")
    assert [a["value"] for a in first["answers"][1:10]] == [4, 5, 4, 3, 2, 5, 4, 3, 5]


def test_demo_microsoft_forms_xlsx_needs_no_options(tmp_path: Path) -> None:
    header = ["ID", "Start time", "Completion time", "Email", "Name", *DEMO_QUESTIONS]
    answers = [10, 5, 4, 4, 5, 3, 2, 1, 4, 5, "Pendlare", "Oskarshamn", "Bra ställe"]
    path = write_xlsx(
        tmp_path / "enkat.xlsx",
        [
            header,
            [1, datetime(2025, 3, 14, 9), datetime(2025, 3, 14, 9, 4)]
            + ["anonymous", None, *answers],
            [2, datetime(2025, 3, 14, 10), datetime(2025, 3, 14, 10, 2)]
            + ["nils@example.se", "Nils Nilsson", 3, 2, 2, 3, 3, 4, 4, 5, 5, 5]
            + ["Resande", "Västervik", ""],
        ],
    )
    outputs = read(path)
    assert_counted(outputs, 2)
    first, second = records(outputs)
    assert [a["measure"] for a in first["answers"]] == DEMO_MEASURES
    assert first["submitted_at"] == datetime(2025, 3, 14, 9, 4, tzinfo=ZONE)
    assert (first["recommend_score"], first["target_group"]) == (10, "Pendlare")
    assert (second["recommend_score"], second["home_kommun"]) == (3, "Västervik")
    assert_absent(outputs, "anonymous", "nils@", "Nilsson")


# --- Options ----------------------------------------------------------------------


def test_options_platform_measures_scales_and_survey_id(tmp_path: Path) -> None:
    """A Google form in another UI language, with its own questions and words."""
    path = tmp_path / "respuestas.csv"
    path.write_text(
        "Marca temporal,Q7 Score,Café?,Grupo\n"
        "2025/03/14 9:12:45 AM GMT+1,8,Toppen,Pendlare\n",
        encoding="utf-8",
    )
    with pytest.raises(FileRejected, match="not a recognised survey export"):
        read(path)
    outputs = read(
        path,
        platform="google_forms",
        survey_id="varenkat-2025",
        measures={"recommend": "Q7 Score", "coffee": r"caf[eé]", "target_group": None},
        scales={"coffee": {"toppen": 5}},
    )
    record = records(outputs)[0]
    assert record["survey_id"] == "varenkat-2025"
    assert record["recommend_score"] == 8
    by_question = answers_by_question(record)
    assert by_question["Café?"]["measure"] == "coffee"
    assert by_question["Café?"]["value"] == 5
    assert by_question["Grupo"]["measure"] is None


def test_unknown_measure_or_platform_rejected() -> None:
    with pytest.raises(FileRejected, match="unknown measure"):
        read(FIXTURES / "google_forms_sv.csv", measures={"happiness": "glad"})
    with pytest.raises(FileRejected, match="timestamp_column"):
        read(FIXTURES / "ms_forms_sv.csv", timestamp_column="Skickad")
    with pytest.raises(FileRejected, match="options.platform"):
        read(FIXTURES / "google_forms_sv.csv", platform="typeform")


# --- Sniffing ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.csv")))
def test_sniff_recognises_fixtures(name: str) -> None:
    path = FIXTURES / name
    assert SurveyReader().sniff(path, path.read_bytes()[:65536])


def test_sniff_recognises_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [["ID", "Start time", "Completion time"]])
    assert SurveyReader().sniff(path, path.read_bytes()[:65536])


@pytest.mark.parametrize(
    "text",
    [
        "Timestamp,In,Out\n2025-03-14 09:00,3,1\n",
        "Start,End,Resource,Member\n2025-03-14 09:00,2025-03-14 10:00,Rum 1,42\n",
        "",
    ],
)
def test_sniff_refuses_other_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "other.csv"
    path.write_text(text, encoding="utf-8")
    assert not SurveyReader().sniff(path, path.read_bytes())


# --- Values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "raw", "value"),
    [
        ("wifi", "(1) Inte alls", 1),
        ("wifi", "(5) Mycket", 5),
        ("wifi", "(3)", 3),
        ("wifi", "-3", 3),
        ("wifi", "3", 3),
        ("wifi", "5 - It's extremely important", 5),
        ("wifi", "Instämmer inte alls", 1),
        ("wifi", "Instämmer inte särskilt", 2),
        ("wifi", "Tar helt avstånd", 1),
        ("wifi", "Strongly disagree", 1),
        ("wifi", "Okej", 3),
        ("wifi", "Vet ej", None),
        ("wifi", "7", None),  # not a 1–5 answer
        ("recommend", "0", 0),
        ("recommend", "10", 10),
        ("recommend", "11", None),
        ("recommend", "7,5", None),
        ("recommend", "Bra", None),
        ("free_text", "5", None),
        (None, "(2) lite", 2),
        (None, "Ja", None),
    ],
)
def test_answer_values(measure: str | None, raw: str, value: float | None) -> None:
    assert answer_value(measure, raw) == value


@pytest.mark.parametrize(
    ("raw", "group"),
    [
        ("Företagare / egenföretagare", "Företagare"),
        ("Pendlare", "Pendlare"),
        ("Resande/besökare", "Resande"),
        ("Nätverk/förening", "Nätverk"),
        ("Business owner", "Företagare"),
        ("Commuter", "Pendlare"),
        ("Traveller", "Resande"),
        ("Networker", "Nätverk"),
        ("Pensionär", None),
        ("Pendlare;Företagare", None),  # two groups: ambiguous
    ],
)
def test_target_groups(raw: str, group: str | None) -> None:
    assert target_group(raw) == group


@pytest.mark.parametrize(
    ("raw", "kommun"),
    [
        ("Hogsby", "Högsby"),
        ("0882", "Oskarshamn"),
        ("  VIMMERBY ", "Vimmerby"),
        ("Borgholms kommun", "Borgholm"),
        ("Växjö", "Växjö"),
    ],
)
def test_home_kommun(raw: str, kommun: str) -> None:
    assert home_kommun(raw) == kommun


def test_default_patterns_cover_every_measure() -> None:
    assert set(DEFAULT_MEASURE_PATTERNS) == set(MEASURES)


def test_submission_times() -> None:
    assert parse_submitted("2022/11/30 10:39:41 PM GMT+1", ZONE, False) == datetime(
        2022, 11, 30, 21, 39, 41, tzinfo=UTC
    )
    assert parse_submitted("9/6/2018 0:06:16", ZONE, False) == datetime(
        2018, 9, 6, 0, 6, 16, tzinfo=ZONE
    )
    assert parse_submitted("46200.5", ZONE, True) == datetime(
        2026, 6, 27, 12, 0, tzinfo=ZONE
    )
    assert parse_submitted("", ZONE, True) is None


def test_survey_slug() -> None:
    assert survey_slug("Medlemsenkät 2025 (Svar) (1).csv") == "medlemsenkat-2025-svar"


# --- Real exports, when the shared samples are present ----------------------------


@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="no shared survey samples")
def test_shared_samples_read_without_errors() -> None:
    for path in sorted(SHARED_SAMPLES.glob("*.csv")):
        assert SurveyReader().sniff(path, path.read_bytes()[:65536]), path.name
        outputs = read(path)
        assert outputs and not any(isinstance(o, RowError) for o in outputs)
        for record in records(outputs):
            assert record["submitted_at"].tzinfo is not None
            assert not re.search(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", repr(record))
