"""Running a reader in a test: a fixed context and a fake (but keyed-looking) HMAC."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ingest.base import Item, ReadContext, Records, RowError

FIXTURES = Path(__file__).parent.parent / "fixtures"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
RECEIVED = datetime(2025, 3, 15, tzinfo=UTC)


def fake_pseudonym(value: str) -> str:
    return "p-" + hashlib.sha256(b"test-key" + value.encode()).hexdigest()[:16]


def context(path: Path, horizon_days: int = 180, **options: Any) -> ReadContext:
    return ReadContext(
        office_id="figeholm",
        timezone=STOCKHOLM,
        file_name=path.name,
        received_at=RECEIVED,
        horizon_days=horizon_days,
        options=options,
        pseudonymise=fake_pseudonym,
    )


def run(
    reader: Any, path: Path, horizon_days: int = 180, **options: Any
) -> tuple[list[Item], list[RowError]]:
    outputs = list(as_items(reader.read(path, context(path, horizon_days, **options))))
    items = [o for o in outputs if isinstance(o, Item)]
    errors = [o for o in outputs if isinstance(o, RowError)]
    assert len(items) + len(errors) == len(outputs)
    return items, errors


def as_items(outputs: Iterable[Any]) -> Iterator[Any]:
    """A reader's outputs with each batch of ``Records`` as the Items it stands
    for (one record, weight 1; the row number is not kept, so 0)."""
    for output in outputs:
        if isinstance(output, Records):
            for row in output.rows:
                yield Item(0, [dict(zip(output.fields, row, strict=True))])
        else:
            yield output


def records(items: list[Item]) -> list[dict[str, Any]]:
    return [record for item in items for record in item.records]


def assert_counted(data_rows: int, items: list[Item], errors: list[RowError]) -> None:
    """Every input row is loaded or quarantined: rows = sum(weights) + errors."""
    assert data_rows == sum(item.weight for item in items) + len(errors)


def head(path: Path) -> bytes:
    return path.read_bytes()[:65536]
