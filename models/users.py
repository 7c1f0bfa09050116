"""People who may sign in: password hashing, user admin and the sign-in check.

Pure SQLAlchemy and argon2, no Flask, so both the ``pilotpuls users`` command and
the dashboard use the same rules. Callers own the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
import sqlalchemy.orm as so
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models import tables as t

ROLES = ("region", "kommun", "steering", "admin")
# region sees every office anyway and admin no office data: only these link offices
ROLES_WITH_OFFICES = ("kommun", "steering")
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()


class UserError(ValueError):
    """A user admin request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class LockoutPolicy:
    """How many wrong passwords in a row lock an account, and for how long."""

    max_failures: int = 10
    lock_for: timedelta = timedelta(minutes=15)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must be at least {MIN_PASSWORD_LENGTH} long")
    return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def session_stamp(password_hash: str | None) -> str:
    """Changes whenever the password does, so a new password ends old sessions."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


def _password_matches(password_hash: str | None, password: str) -> bool:
    # an unknown e-mail is checked against a dummy hash so it takes as long
    # as a wrong password: the timing must not tell which e-mails exist
    try:
        _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def find_user(session: so.Session, email: str) -> t.User | None:
    return session.scalar(
        sa.select(t.User).where(t.User.email == normalise_email(email))
    )


def authenticate(
    session: so.Session,
    email: str,
    password: str,
    *,
    now: datetime,
    policy: LockoutPolicy = LockoutPolicy(),
) -> t.User | None:
    """The user if the password is right and the account may sign in, else None.

    Unknown, disabled and locked accounts fail exactly like a wrong password.
    """
    user = find_user(session, email)
    matches = _password_matches(user.password_hash if user else None, password)
    if user is None or not user.active:
        return None
    if user.locked_until is not None and user.locked_until > now:
        return None
    if not matches:
        _count_failure(user, now, policy)
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = _hasher.hash(password)
    return user


def _count_failure(user: t.User, now: datetime, policy: LockoutPolicy) -> None:
    user.failed_logins += 1
    if user.failed_logins >= policy.max_failures:
        user.locked_until = now + policy.lock_for
        user.failed_logins = 0


def create_user(
    session: so.Session,
    email: str,
    role: str,
    password: str,
    office_ids: list[str] | tuple[str, ...] = (),
) -> t.User:
    email = normalise_email(email)
    _check_new_user(session, email, role, office_ids)
    user = t.User(
        email=email,
        role=role,
        password_hash=hash_password(password),
        offices=[t.UserOffice(office_id=office_id) for office_id in set(office_ids)],
    )
    session.add(user)
    session.flush()
    return user


def _check_new_user(
    session: so.Session, email: str, role: str, office_ids: list[str] | tuple[str, ...]
) -> None:
    if "@" not in email:
        raise UserError(f"{email!r} is not an e-mail address")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if office_ids and role not in ROLES_WITH_OFFICES:
        raise UserError(f"a {role} user is not linked to offices: drop --office")
    if role == "kommun" and not office_ids:
        raise UserError("a kommun user needs at least one office (--office ID)")
    known = set(session.scalars(sa.select(t.Office.id)))
    unknown = sorted(set(office_ids) - known)
    if unknown:
        raise UserError(f"unknown office {', '.join(unknown)}")
    if find_user(session, email) is not None:
        raise UserError(f"a user with the e-mail {email} already exists")


def existing_user(session: so.Session, email: str) -> t.User:
    user = find_user(session, email)
    if user is None:
        raise UserError(f"no user with the e-mail {normalise_email(email)}")
    return user


def set_active(session: so.Session, email: str, active: bool) -> t.User:
    user = existing_user(session, email)
    user.active = active
    if active:  # enabling also lifts a lockout
        user.failed_logins = 0
        user.locked_until = None
    return user


def set_password(session: so.Session, email: str, password: str) -> t.User:
    user = existing_user(session, email)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    return user


def all_users(session: so.Session) -> list[t.User]:
    return list(session.scalars(sa.select(t.User).order_by(t.User.email)))


def record_audit(
    session: so.Session,
    action: str,
    detail: str = "",
    *,
    actor: str = "",
    user_id: int | None = None,
    ip: str = "",
) -> None:
    """One line in the audit log; never put a password in ``detail``."""
    session.add(
        t.AuditLog(action=action, detail=detail, actor=actor, user_id=user_id, ip=ip)
    )
