"""Pseudonymising member identities before anything is stored.

A member id becomes ``HMAC-SHA256(key, normalised id)``. The key is kept outside
the database (an environment variable, or a key file created on first use with
owner-only permissions), so the database alone cannot reverse a pseudonym, and
a plain hash of a small id space (e-mails, member numbers) cannot be brute-forced.
Pseudonymised data is still personal data: access control still applies.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable

from models.config import ProgrammeConfig, resolve_path


def load_key(config: ProgrammeConfig) -> bytes:
    from_env = os.environ.get(config.privacy.pseudonym_key_env)
    if from_env:
        return from_env.encode()
    if not config.privacy.pseudonym_key_file:
        raise RuntimeError(
            f"no pseudonymisation key: set ${config.privacy.pseudonym_key_env} "
            "or privacy.pseudonym_key_file"
        )
    path = resolve_path(config, config.privacy.pseudonym_key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not write two keys
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode()


def pseudonymiser(key: bytes) -> Callable[[str], str]:
    def pseudonymise(member_id: str) -> str:
        normalised = " ".join(str(member_id).split()).casefold()
        return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()

    return pseudonymise
