"""Which reader handles which kind and format: the only plug-in mechanism.

Adding a booking system = a module in ``ingest/sources`` with a Reader class,
one line here, and a ``sources:`` entry in config.yaml naming its format.
Readers are imported lazily so one broken optional reader cannot stop the rest.
"""

from __future__ import annotations

import codecs
import importlib
from pathlib import Path

from ingest.base import FileRejected, Reader

# (kind, format) -> "module:Class"; for --format auto they are tried in order
READERS: dict[tuple[str, str], str] = {
    ("bookings", "ics"): "ingest.sources.ics:IcsReader",
    ("bookings", "nexudus"): "ingest.sources.nexudus:NexudusReader",
    ("bookings", "officernd"): "ingest.sources.officernd:OfficeRndReader",
    ("bookings", "cobot"): "ingest.sources.cobot:CobotReader",
    ("bookings", "csv"): "ingest.sources.generic_bookings:GenericBookingsReader",
    ("members", "members"): "ingest.sources.members:MembersReader",
    ("door", "counter"): "ingest.sources.door_counter:DoorCounterReader",
    ("door", "access_log"): "ingest.sources.access_log:AccessLogReader",
    ("survey", "survey"): "ingest.sources.survey:SurveyReader",
}


def reader_for(kind: str, fmt: str) -> Reader:
    try:
        target = READERS[(kind, fmt)]
    except KeyError:
        known = ", ".join(f for k, f in READERS if k == kind)
        raise FileRejected(
            f"no reader for {kind} files in format {fmt!r}; known: {known}"
        ) from None
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)()


def formats(kind: str) -> list[str]:
    return [fmt for k, fmt in READERS if k == kind]


def detect(kind: str, path: Path) -> Reader:
    """The first reader of ``kind`` that recognises the file."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    _refuse_unreadable(head)
    for fmt in formats(kind):
        reader = reader_for(kind, fmt)
        if reader.sniff(path, head):
            return reader
    raise FileRejected(
        f"not a recognised {kind} file (tried: {', '.join(formats(kind))}); "
        "check the kind, or name the format with --format"
    )


def _refuse_unreadable(head: bytes) -> None:
    """Say plainly what is wrong with a file no reader could take."""
    if not head.strip():
        raise FileRejected("the file is empty")
    text_or_excel = head.startswith(
        (b"PK\x03\x04", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    )
    if b"\x00" in head and not text_or_excel:
        raise FileRejected(
            "the file is binary: not a text, CSV, JSON, .ics or .xlsx file"
        )
