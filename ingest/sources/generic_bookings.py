"""Booking exports as CSV or Excel from any system (Roomzilla, Robin, Spacebase, …).

Columns are found by Swedish or English header (any case); the source's
``options["columns"]`` names them otherwise, e.g. ``{"start": "Från kl"}``.
Only start and end are required. Times without an offset are office-local,
unless ``options["times_are_utc"]`` (Robin stores and exports UTC).
``options["statuses"]`` maps a system's own status words; ``options["system"]``
names the source (``csv:<system>``, default the file name without suffix — set
it, or each monthly file becomes its own source). ``options["day_first"]``
settles ``03/04/2025``; by default it is guessed from the first rows.

A row without an id column gets a stable id from resource + start, so a
re-import updates instead of duplicating. Titles and reservee names are never
read; a member column is pseudonymised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC
from pathlib import Path
from typing import Any, ClassVar

from ingest.base import Item, ReadContext, ReadOutput, RowError
from ingest.sources.common import (
    FieldError,
    booking_record,
    cell,
    day_first_for,
    has_columns,
    member_pseudonym,
    normalise_status,
    open_table,
    parsed_cell,
    stable_id,
)
from ingest.tabular import TableRow, parse_datetime, parse_number

SYNONYMS = {
    "id": (
        "Boknings-id", "Bokningsid", "Bokningsnummer", "Bokningsnr", "Reservation ID",
        "Booking ID", "ID",
    ),
    "resource": (
        "Resurs", "Rum", "Lokal", "Resource", "Resource Name", "Space_name",
        "Space name", "Desk Name", "Room", "Room name",
    ),
    "start": (
        "Start", "Starttid", "Från", "Start Time", "Start time (UTC)",
        "Reservation Start", "Check_in", "Check-in",
    ),
    "end": (
        "Slut", "Sluttid", "Till", "End Time", "End time (UTC)", "Reservation End",
        "Check_out", "Check-out",
    ),
    "status": ("Status", "Bokningsstatus", "Booking status"),
    "member": (
        "Medlem", "Medlemsnummer", "Kund", "Kundnummer", "Member", "Member ID",
        "Customer", "Customer ID", "renter", "Reservee", "Bokad av", "Booked by",
    ),
    "price": ("Pris", "Belopp", "Price", "Amount", "Cost"),
    "resource_type": ("Resurstyp", "Typ", "Resource type", "Type", "Kind"),
}  # fmt: skip
REQUIRED = ("start", "end")

# a register with a membership column is a member file, not bookings
MEMBER_COLUMNS = {
    "membership_type": (
        "Medlemskap", "Medlemskapstyp", "Membership", "Membership type", "Tariff",
    ),
}  # fmt: skip


class GenericBookingsReader:
    kind: ClassVar[str] = "bookings"
    format: ClassVar[str] = "csv"

    def sniff(self, path: Path, head: bytes) -> bool:
        return (
            has_columns(path, head, SYNONYMS, ("start", "end", "resource"))
            or has_columns(path, head, SYNONYMS, ("start", "end", "id"))
        ) and not has_columns(path, head, MEMBER_COLUMNS, ("membership_type",))

    def read(self, path: Path, context: ReadContext) -> Iterator[ReadOutput]:
        options = context.options
        columns, rows = open_table(path, options, SYNONYMS, REQUIRED, "booking export")
        _, sample = open_table(path, options, SYNONYMS, REQUIRED, "booking export")
        day_first = day_first_for(options, columns, sample, ("start", "end"))
        source = "csv:" + str(options.get("system") or Path(context.file_name).stem)
        for row in rows:
            try:
                record = _record(row, columns, source, day_first, context)
            except FieldError as exc:
                yield RowError(row.number, exc.column, exc.reason, row.raw)
            else:
                yield Item(row.number, [record])


def _record(
    row: TableRow,
    columns: Mapping[str, int],
    source: str,
    day_first: bool,
    context: ReadContext,
) -> dict[str, Any]:
    options = context.options
    zone = UTC if options.get("times_are_utc") else context.timezone

    def parsed(field: str, parse: Callable[[Any], Any]) -> Any:
        return parsed_cell(row, columns, field, parse)

    start = parsed("start", lambda v: parse_datetime(v, zone, day_first))
    end = parsed("end", lambda v: parse_datetime(v, zone, day_first))
    if start is None or end is None:
        raise FieldError("start" if start is None else "end", "no time given")
    status = parsed("status", lambda v: normalise_status(v, options.get("statuses")))
    price = parsed("price", parse_number)
    resource = cell(row, columns, "resource")
    booking_id = cell(row, columns, "id")
    try:
        return booking_record(
            source=source,
            external_id=booking_id or stable_id(resource, start.astimezone(UTC)),
            resource=resource,
            resource_type=cell(row, columns, "resource_type"),
            start=start,
            end=end,
            zone=context.timezone,
            status=status,
            member_pseudonym=member_pseudonym(cell(row, columns, "member"), context),
            price=price,
        )
    except ValueError as exc:
        raise FieldError("end", str(exc)) from None
