"""Cobot bookings: the JSON:API document the Cobot API returns.

``{"data": [{"id", "type": "bookings", "attributes": {"from", "to", "price",
…}, "relationships": {"resource": {"data": {"id"}}, "membership": {"data":
{"id"}}}}], "included": [{"type": "resources", "id", "attributes": {"name"}}]}``

- Cobot states that times are always UTC; a time without an offset is UTC too.
- The resource's name comes from ``included`` (else its id, or
  ``options["resources"]``); its type from the resource's ``resourceType`` or
  ``kind`` attribute when present.
- Recurring bookings (``recurringId``) come as separate bookings: nothing to
  expand. Cobot deletes cancelled bookings, so all bookings are confirmed.
- ``title``, ``name``, ``comments`` and ``attendees`` (e-mails) are never read;
  the membership id is pseudonymised. ``options["source"]`` names the source
  (default ``cobot``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from ingest.base import FileRejected, Item, ReadContext, ReadOutput, RowError
from ingest.sources.common import (
    FieldError,
    booking_record,
    has_keys,
    json_head,
    load_json,
    member_pseudonym,
    redacted_json,
)
from ingest.tabular import is_missing, parse_datetime, parse_number


class CobotReader:
    kind: ClassVar[str] = "bookings"
    format: ClassVar[str] = "cobot"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = json_head(head)
        return has_keys(text, "data", "attributes") and (
            has_keys(text, "from", "to") or '"bookings"' in text
        )

    def read(self, path: Path, context: ReadContext) -> Iterator[ReadOutput]:
        document = load_json(path, "Cobot")
        if not isinstance(document, dict) or not isinstance(document.get("data"), list):
            raise FileRejected('not a Cobot JSON:API export: no {"data": [...]} list')
        resources = _resources(document.get("included") or [])
        for number, booking in enumerate(document["data"], 1):
            try:
                record = _record(booking, resources, context)
            except FieldError as exc:
                yield RowError(number, exc.column, exc.reason, redacted_json(booking))
            else:
                yield Item(number, [record])


def _resources(included: list[Any]) -> dict[str, tuple[str, str]]:
    """Resource id -> (name, type) from the ``included`` resources."""
    found = {}
    for entry in included:
        if isinstance(entry, dict) and entry.get("type") in ("resources", "resource"):
            attributes = entry.get("attributes") or {}
            kind = attributes.get("resourceType") or attributes.get("kind") or ""
            found[str(entry.get("id"))] = (str(attributes.get("name") or ""), kind)
    return found


def _record(
    booking: Any, resources: Mapping[str, tuple[str, str]], context: ReadContext
) -> dict[str, Any]:
    if not isinstance(booking, dict) or booking.get("type") not in (None, "bookings"):
        raise FieldError("type", "not a booking object")
    attributes = booking.get("attributes") or {}
    if is_missing(booking.get("id")):
        raise FieldError("id", "no booking id")
    start = _time(attributes.get("from"), "from")
    end = _time(attributes.get("to"), "to")
    resource_id = _related_id(booking, "resource")
    name, kind = resources.get(str(resource_id), ("", ""))
    names = context.options.get("resources") or {}
    price = _price(attributes.get("price"))
    try:
        return booking_record(
            source=str(context.options.get("source") or "cobot"),
            external_id=booking["id"],
            resource=name or names.get(str(resource_id)) or resource_id or "",
            resource_type=kind,
            start=start,
            end=end,
            zone=context.timezone,
            status="confirmed",
            member_pseudonym=member_pseudonym(
                _related_id(booking, "membership"), context
            ),
            price=price,
        )
    except ValueError as exc:
        raise FieldError("to", str(exc)) from None


def _time(value: Any, field: str) -> datetime:
    try:
        moment = parse_datetime(value, UTC)
    except ValueError as exc:
        raise FieldError(field, str(exc)) from None
    if moment is None:
        raise FieldError(field, f"no '{field}' time")
    return moment


def _related_id(booking: Mapping[str, Any], name: str) -> Any:
    related = (booking.get("relationships") or {}).get(name) or {}
    data = related.get("data") if isinstance(related, dict) else None
    return data.get("id") if isinstance(data, dict) else None


def _price(value: Any) -> float | None:
    """A number, a string, or a money object such as ``{"net": .., "gross": ..}``."""
    if isinstance(value, dict):
        value = next(
            (value[k] for k in ("gross", "amount", "net", "value") if k in value), None
        )
    try:
        return parse_number(value)
    except ValueError:
        raise FieldError("price", f"not a price: {value!r}") from None
