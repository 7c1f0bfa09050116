"""The membership register: one row per membership period, from CSV or Excel.

Columns are found by Swedish or English header (any case); the source's
``options["columns"]`` names them when a register uses other words, e.g.
``{"member": "Kundnr"}``. Membership types are mapped to the office's type ids
by ``options["membership_types"]`` (``{"Hot desk": "flexibel"}``) and otherwise
by keywords. ``options["office_membership_types"]`` (type id -> monthly price,
from config.yaml) makes a type the office doesn't offer an error and fills an
empty fee with the list price.

Privacy: the member column may hold a member number, an e-mail or a name; it is
only ever stored as ``context.pseudonymise`` of the trimmed, lower-cased value.
No other personal column is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from ingest.base import Item, ReadContext, ReadOutput, RowError
from ingest.sources.common import (
    FieldError,
    cell,
    clip,
    day_first_for,
    fold,
    has_columns,
    member_id,
    normalise_kommun,
    normalise_target_group,
    open_table,
    parsed_cell,
)
from ingest.tabular import TableRow, is_missing, parse_date, parse_number

# the first synonym found wins: a member number before an e-mail before a name
SYNONYMS = {
    "member": (
        "Medlemsnummer", "Medlemsnr", "Medlems-id", "Medlemsid", "Medlem",
        "Kundnummer", "Kundnr", "Member ID", "Member number", "Member", "Customer",
        "Customer ID", "E-post", "Epost", "E-mail", "Email", "Namn", "Name",
    ),
    "membership_type": (
        "Medlemskap", "Medlemskapstyp", "Typ", "Avtal", "Membership",
        "Membership type", "Plan", "Tariff",
    ),
    "monthly_fee": (
        "Månadsavgift", "Pris/mån", "Pris per månad", "Avgift", "Pris",
        "Monthly fee", "Price",
    ),
    "start": ("Startdatum", "Start", "Från", "Från och med", "Fr.o.m.", "Start date"),
    "end": ("Slutdatum", "Slut", "Till", "Till och med", "T.o.m.", "End date"),
    "target_group": ("Målgrupp", "Kategori", "Target group"),
    "home_kommun": ("Hemkommun", "Kommun", "Bostadsort", "Home municipality"),
}  # fmt: skip
REQUIRED = ("member", "membership_type", "start")

# checked in this order: "Prova på flex" is a trial, "Privat rum" is not a lounge
TYPE_KEYWORDS = {
    "lounge": r"\blounge|\bdrop.?in|\bdagkort|\bday ?pass|\bklippkort",
    "prova": r"\bprov|\btrial|\bgratis|\bfree\b",
    "privat": r"\bprivat|\brum\b|\boffice|\bprivate|\bkontorsrum",
    "fast": r"\bfast|\bfixed|\bdedicated",
    "flexibel": r"\bflex|\bhot ?desk",
}

# a header with a resource column is a booking export, even with a "Typ" column
BOOKING_COLUMNS = {"resource": ("Resurs", "Resource", "Resource Name", "Rum", "Lokal")}


class MembersReader:
    kind: ClassVar[str] = "members"
    format: ClassVar[str] = "members"

    def sniff(self, path: Path, head: bytes) -> bool:
        return has_columns(path, head, SYNONYMS, REQUIRED) and not has_columns(
            path, head, BOOKING_COLUMNS, ("resource",)
        )

    def read(self, path: Path, context: ReadContext) -> Iterator[ReadOutput]:
        options = context.options
        columns, rows = open_table(path, options, SYNONYMS, REQUIRED, "member register")
        _, sample = open_table(path, options, SYNONYMS, REQUIRED, "member register")
        day_first = day_first_for(options, columns, sample, ("start", "end"))
        for row in rows:
            try:
                record = _record(row, columns, options, day_first, context)
            except FieldError as exc:
                yield RowError(row.number, exc.column, exc.reason, row.raw)
            else:
                yield Item(row.number, [record])


def _record(
    row: TableRow,
    columns: dict[str, int],
    options: Mapping[str, Any],
    day_first: bool,
    context: ReadContext,
) -> dict[str, Any]:
    def value(field: str) -> Any:
        return cell(row, columns, field)

    def parsed(field: str, parse: Callable[[Any], Any]) -> Any:
        return parsed_cell(row, columns, field, parse)

    key = member_id(value("member"))
    if key is None:
        raise FieldError("member", "no member id: the row can't be linked to a member")
    membership_type = parsed("membership_type", lambda v: map_type(v, options))
    fee = parsed("monthly_fee", parse_number)
    if fee is None:
        fee = _list_price(membership_type, options)
    if fee < 0:
        raise FieldError("monthly_fee", f"a negative monthly fee: {fee}")
    start = parsed("start", lambda v: parse_date(v, day_first))
    if start is None:
        raise FieldError("start", "no start date")
    end: date | None = parsed("end", lambda v: parse_date(v, day_first))
    if end is not None and end < start:
        raise FieldError("end", f"the membership ends ({end}) before it starts")
    return {
        "member_pseudonym": context.pseudonymise(key),
        "membership_type": membership_type,
        "monthly_fee": fee,
        "start_date": start,
        "end_date": end,
        "target_group": parsed("target_group", normalise_target_group),
        "home_kommun": normalise_kommun(value("home_kommun")),
    }


def map_type(text: Any, options: Mapping[str, Any]) -> str:
    """The office's membership type id for a register's type text."""
    if is_missing(text):
        raise ValueError("no membership type")
    folded = fold(text)
    explicit = {fold(k): v for k, v in (options.get("membership_types") or {}).items()}
    type_id = explicit.get(folded) or next(
        (tid for tid, pattern in TYPE_KEYWORDS.items() if re.search(pattern, folded)),
        None,
    )
    if type_id is None:
        raise ValueError(
            f"unknown membership type {text!r}; map it in the source's "
            "options.membership_types, e.g. {'" + str(text) + "': 'flexibel'}"
        )
    offered = options.get("office_membership_types")
    if offered is not None and type_id not in offered:
        raise ValueError(
            f"membership type {text!r} means {type_id!r}, which the office does not "
            f"offer ({', '.join(offered)}); map it in options.membership_types"
        )
    return clip(type_id, 40)


def _list_price(type_id: str, options: Mapping[str, Any]) -> float:
    offered = options.get("office_membership_types")
    if isinstance(offered, Mapping) and offered.get(type_id) is not None:
        return float(offered[type_id])
    raise FieldError("monthly_fee", "no monthly fee")
