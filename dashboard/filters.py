"""The filter bar's state, read from and written to the URL (shareable links).

``?office=figeholm,boda&period=quarter&at=2026Q3&compare=1`` — offices (empty =
every office the user may see), a period (month, quarter, year or custom
``from``/``to``) and whether to compare with the previous period of the same
length. Pure functions: parsing never trusts the URL for access; the callback
passes the offices through ``Scope.restrict``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

PERIOD_KINDS = ("month", "quarter", "year", "custom")
MONTHS_SV = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
MONTHS_EN = list(calendar.month_name)[1:]


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def key(self) -> str:
        """The ``at`` value in the URL."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def label(self, lang: str = "sv") -> str:
        if self.kind == "month":
            names = MONTHS_SV if lang == "sv" else MONTHS_EN
            return f"{names[self.start.month - 1]} {self.start.year}"
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def previous(self) -> Period:
        """The period of the same kind (or length) just before this one."""
        if self.kind == "month":
            return month(self.start - timedelta(days=1))
        if self.kind == "quarter":
            return quarter(self.start - timedelta(days=1))
        if self.kind == "year":
            return year(self.start.year - 1)
        return Period(
            "custom",
            self.start - timedelta(days=self.days),
            self.start - timedelta(days=1),
        )


def previous_quarters(period: Period) -> Period:
    """As many whole quarters as ``period`` touches, just before them: the
    previous period of a page that counts in quarters (economy, surveys),
    where a month's previous month may lie in the same quarter."""
    first, last = quarter(period.start), quarter(period.end)
    count = (last.start.year - first.start.year) * 4
    count += (last.start.month - first.start.month) // 3 + 1
    start = first.start
    for _ in range(count):
        start = quarter(start - timedelta(days=1)).start
    return Period("custom", start, first.start - timedelta(days=1))


def month(day: date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period("month", day.replace(day=1), day.replace(day=last))


def quarter(day: date) -> Period:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    return replace(
        month(date(day.year, first_month + 2, 1)), kind="quarter", start=start
    )


def year(number: int) -> Period:
    return Period("year", date(number, 1, 1), date(number, 12, 31))


def parse_period(
    kind: str | None, at: str | None, start: str | None, end: str | None, today: date
) -> Period:
    """A period from URL values; anything malformed falls back to this month."""
    kind = kind if kind in PERIOD_KINDS else "month"
    try:
        if kind == "custom":
            first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
            if first > last:
                first, last = last, first
            return Period("custom", first, last)
        if kind == "year":
            return (
                year(int(at)) if at and re.fullmatch(r"\d{4}", at) else year(today.year)
            )
        if kind == "quarter":
            match = re.fullmatch(r"(\d{4})Q([1-4])", at or "")
            if match:
                return quarter(date(int(match[1]), int(match[2]) * 3, 1))
            return quarter(today)
        match = re.fullmatch(r"(\d{4})-(\d{2})", at or "")
        if match and 1 <= int(match[2]) <= 12:
            return month(date(int(match[1]), int(match[2]), 1))
    except ValueError:
        pass
    return month(today)


def period_choices(
    kind: str, first: date, last: date, lang: str = "sv"
) -> list[dict[str, str]]:
    """Dropdown options for every period of ``kind`` between two days, newest first."""
    maker = {"month": month, "quarter": quarter, "year": lambda d: year(d.year)}[kind]
    choices, cursor = [], maker(last)
    while cursor.end >= first:
        choices.append({"label": cursor.label(lang), "value": cursor.key()})
        cursor = cursor.previous()
    return choices


@dataclass(frozen=True)
class Filters:
    offices: tuple[str, ...]  # requested; empty = all the user may see
    period: Period
    compare: bool = False
    lang: str = "sv"

    def query_string(self) -> str:
        values: dict[str, str] = {}
        if self.offices:
            values["office"] = ",".join(self.offices)
        values["period"] = self.period.kind
        if self.period.kind == "custom":
            values["from"] = self.period.start.isoformat()
            values["to"] = self.period.end.isoformat()
        else:
            values["at"] = self.period.key()
        if self.compare:
            values["compare"] = "1"
        if self.lang != "sv":
            values["lang"] = self.lang
        return "?" + urlencode(values, safe=",")


def parse_filters(
    query: dict[str, str | list[str]], today: date, default_lang: str = "sv"
) -> Filters:
    """Filters from a page's query-string keyword arguments."""

    def one(name: str) -> str | None:
        value = query.get(name)
        return value[0] if isinstance(value, list) else value

    offices = tuple(o for o in (one("office") or "").split(",") if o)
    lang = one("lang") if one("lang") in ("sv", "en") else default_lang
    return Filters(
        offices=offices,
        period=parse_period(one("period"), one("at"), one("from"), one("to"), today),
        compare=one("compare") in ("1", "true", "ja"),
        lang=lang or "sv",
    )
