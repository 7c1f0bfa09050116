"""URL feeds (an .ics calendar, a CSV export): download into the drop folder.

Each feed is saved as ``feed-<name><suffix>`` in the kind's drop folder,
replacing the previous download; the pipeline then treats it like any dropped
file (an unchanged feed has the same SHA-256 and is not loaded twice, and every
version that was loaded is kept in the archive).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import urllib3
from urllib3.util import Retry, Timeout

from models.config import ProgrammeConfig, Source, resolve_path


def feed_path(config: ProgrammeConfig, office_id: str, source: Source) -> Path:
    parsed = urlparse(source.url or "")
    name = source.options.get("name") or Path(parsed.path).stem or parsed.netloc
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-") or "feed"
    suffix = Path(parsed.path).suffix.lower() or (
        ".ics" if source.kind == "bookings" else ".csv"
    )
    folder = (
        resolve_path(config, source.folder)
        if source.folder
        else resolve_path(config, config.ingest.inbox_dir) / office_id / source.kind
    )
    return folder / f"feed-{slug}{suffix}"


def download(url: str, target: Path, timeout: float, retries: int) -> None:
    http = urllib3.PoolManager(
        timeout=Timeout(total=timeout),
        retries=Retry(
            total=retries,
            backoff_factor=1.0,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=("GET",),
        ),
    )
    response = http.request("GET", url, preload_content=False)
    try:
        if response.status != 200:
            raise OSError(f"HTTP {response.status}")
        target.parent.mkdir(parents=True, exist_ok=True)
        # a dot name: the inbox scan skips it while it is being written
        partial = target.with_name(f".{target.name}.part")
        with partial.open("wb") as handle:
            for chunk in response.stream(1 << 16):
                handle.write(chunk)
        partial.replace(target)  # the drop folder never shows half a download
    finally:
        response.release_conn()


def fetch_feeds(config: ProgrammeConfig, office_id: str) -> list[str]:
    """Download every URL source of the office; return problems as sentences."""
    problems = []
    for source in config.office(office_id).sources:
        if not source.url:
            continue
        try:
            download(
                source.url,
                feed_path(config, office_id, source),
                config.ingest.http_timeout_seconds,
                config.ingest.http_retries,
            )
        except (OSError, urllib3.exceptions.HTTPError) as exc:
            problems.append(
                f"{office_id}: feed {source.url} could not be fetched: {exc}"
            )
    return problems
