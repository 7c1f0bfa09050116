"""Survey measures: which question measures what, and answers as numbers.

A question (its column header) maps to one of :data:`MEASURES` by the source's
``options["measures"]`` (an exact header or a regex per measure) and otherwise by
:data:`DEFAULT_MEASURE_PATTERNS`, so a typical Swedish or English questionnaire
needs no configuration. Only headers are matched, never answers: "Nätverk" is
both a target-group answer and the networking measure.

Answers keep their raw text; the normalised ``value`` is:

- recommend: the NPS score, a whole number 0–10;
- soft values and facilities: Likert 1–5 from ``3``, ``(1) label``, ``-3`` (a
  spreadsheet turned ``(3)`` into a negative number), ``5 - label`` or the
  Swedish/English agreement and rating words; ``options["scales"][measure]``
  adds a source's own words (``{"Toppen": 5}``);
- target group, home kommun and free text: None (the first two are normalised
  onto the response instead, see :func:`target_group` and :func:`home_kommun`);
- unmapped questions: the same scale reading without a range check, or None.

An answer that cannot be read (``Vet ej``, an 11 on a 0–10 scale) keeps its raw
text with value None; the response itself is still loaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ingest.base import FileRejected
from ingest.sources.common import normalise_kommun, normalise_target_group
from ingest.tabular import normalise_header, parse_number
from models.config import TARGET_GROUPS

SOFT_VALUES = ("networking", "belonging", "atmosphere", "inspiration")
FACILITIES = ("wifi", "coffee", "parking", "accessibility", "opening_hours")
LIKERT = SOFT_VALUES + FACILITIES
MEASURES = ("recommend", *LIKERT, "target_group", "home_kommun", "free_text")

# Tried in this order, the first match wins. Target group and kommun come first
# because their questions may name another measure ("Vilken grupp: nätverk?");
# free text before the scales because "Kommentar om parkeringen" is a comment.
DEFAULT_MEASURE_PATTERNS: dict[str, str] = {
    "target_group": r"målgrupp|vilken grupp|beskriver dig bäst|target group"
    r"|which group|describes you best",
    "home_kommun": r"hemkommun|vilken kommun bor|kommun bor du|home municipality"
    r"|which municipality",
    "free_text": r"övriga synpunkter|kommentar|comment|anything else",
    "recommend": r"rekommendera|recommend",
    "networking": r"nätverk|networking",
    "belonging": r"samhörighet|gemenskap|belonging",
    "atmosphere": r"stämning|atmosfär|atmosphere",
    "inspiration": r"inspir",
    "wifi": r"wifi|wi-fi|uppkoppling|internet",
    "coffee": r"kaffe|coffee",
    "parking": r"parkering|parking",
    "accessibility": r"tillgänglighet|accessib",
    "opening_hours": r"öppettider|opening hours",
}

LIKERT_WORDS: dict[str, float] = {
    "instämmer helt": 5,
    "instämmer i hög grad": 4,
    "instämmer delvis": 4,
    "varken eller": 3,
    "varken instämmer eller tar avstånd": 3,
    "instämmer inte särskilt": 2,
    "tar delvis avstånd": 2,
    "instämmer inte alls": 1,
    "tar helt avstånd": 1,
    "mycket bra": 5,
    "bra": 4,
    "okej": 3,
    "ok": 3,
    "godkänt": 3,
    "varken bra eller dålig": 3,
    "dålig": 2,
    "dåligt": 2,
    "mycket dålig": 1,
    "mycket dåligt": 1,
    "mycket nöjd": 5,
    "nöjd": 4,
    "missnöjd": 2,
    "mycket missnöjd": 1,
    "strongly agree": 5,
    "agree": 4,
    "somewhat agree": 4,
    "neither agree nor disagree": 3,
    "neutral": 3,
    "somewhat disagree": 2,
    "disagree": 2,
    "strongly disagree": 1,
    "excellent": 5,
    "very good": 5,
    "good": 4,
    "fair": 3,
    "okay": 3,
    "poor": 2,
    "very poor": 1,
}

_LABELLED = re.compile(r"^\((\d{1,2})\)(?:\s|$)")  # "(1) Inte alls", "(3)"
_NEGATED = re.compile(r"^-(\d{1,2})$")  # Sheets read "(3)" as minus three
_NUMBER_LABEL = re.compile(r"^(\d{1,2})(?:\s*[-–—:.)]\s*|\s+)\D")  # "5 - It's ..."


class MeasureMatcher:
    """Question header -> measure, from the source's options and the defaults."""

    def __init__(self, configured: Mapping[str, Any] | None = None):
        configured = dict(configured or {})
        unknown = sorted(set(configured) - set(MEASURES))
        if unknown:
            raise FileRejected(
                f"options.measures: unknown measure(s) {', '.join(unknown)}; "
                f"known: {', '.join(MEASURES)}"
            )
        self.exact: list[tuple[str, str]] = []
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for measure, specs in configured.items():
            for spec in _as_list(specs):
                self.exact.append((measure, normalise_header(spec)))
                regex = _compile(spec)
                if regex:
                    self.patterns.append((measure, regex))
        # a configured measure replaces its default pattern (None switches it off)
        for measure, pattern in DEFAULT_MEASURE_PATTERNS.items():
            if measure not in configured:
                self.patterns.append((measure, re.compile(pattern, re.IGNORECASE)))

    def measure_for(self, question: str, parts: tuple[str, ...] = ()) -> str | None:
        """The measure of a question; ``parts`` are the rows of a multi-row header
        (so ``Q7`` in Qualtrics' first row can be named exactly)."""
        names = {normalise_header(question), *(normalise_header(p) for p in parts)}
        for measure, exact in self.exact:
            if exact in names:
                return measure
        for measure, regex in self.patterns:
            if regex.search(question):
                return measure
        return None


def _as_list(specs: Any) -> list[str]:
    if specs is None or specs == "":
        return []
    return [str(s) for s in specs] if isinstance(specs, list | tuple) else [str(specs)]


def _compile(spec: str) -> re.Pattern[str] | None:
    try:
        return re.compile(spec, re.IGNORECASE)
    except re.error:
        return None  # a header with regex characters: exact match only


def answer_value(
    measure: str | None, raw: str, scales: Mapping[str, Any] | None = None
) -> float | None:
    """The normalised value of one answer (see the module docstring)."""
    own_words = (scales or {}).get(measure) if measure else None
    if measure == "recommend":
        score = scale_value(raw, own_words, words=False)
        ok = score is not None and score.is_integer() and 0 <= score <= 10
        return score if ok else None
    if measure in LIKERT:
        value = scale_value(raw, own_words)
        return value if value is not None and 1 <= value <= 5 else None
    if measure is None:
        return scale_value(raw, None)
    return None


def scale_value(
    raw: str, own_words: Mapping[str, Any] | None, words: bool = True
) -> float | None:
    """A number read from a scale answer, or None."""
    text = " ".join(raw.split())
    key = text.casefold().rstrip(".!")
    for word, value in (own_words or {}).items():
        if str(word).strip().casefold() == key:
            return float(value)
    for pattern in (_NEGATED, _LABELLED, _NUMBER_LABEL):
        match = pattern.match(text)
        if match:
            return float(match[1])
    try:
        number = parse_number(text)
    except ValueError:
        number = None
    if number is not None:
        return number
    if words and key in LIKERT_WORDS:
        return float(LIKERT_WORDS[key])
    return None


def target_group(raw: str, own_words: Mapping[str, Any] | None = None) -> str | None:
    """One of TARGET_GROUPS, or None for an empty, unknown or ambiguous answer."""
    for word, group in (own_words or {}).items():
        if str(word).strip().casefold() == raw.strip().casefold():
            return group if group in TARGET_GROUPS else None
    try:
        return normalise_target_group(raw)
    except ValueError:
        return None


def home_kommun(raw: str, own_words: Mapping[str, Any] | None = None) -> str | None:
    """A Kalmar län kommun name (from a name or SCB code), else the text as given."""
    for word, kommun in (own_words or {}).items():
        if str(word).strip().casefold() == raw.strip().casefold():
            return str(kommun)
    return normalise_kommun(raw)
