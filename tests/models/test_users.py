"""Users without Flask: password hashing, user admin rules and the sign-in check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from models import tables as t
from models import users
from models.db import transaction

PASSWORD = "ett långt lösenord för test"
NOW = t.utcnow()


def add(engine, email="anna@region.se", role="region", offices=()):
    with transaction(engine) as session:
        users.create_user(session, email, role, PASSWORD, list(offices))


def check(engine, email, password, **kwargs):
    with transaction(engine) as session:
        user = users.authenticate(session, email, password, now=NOW, **kwargs)
        return user.email if user else None


def test_passwords_are_stored_as_argon2_hashes(engine):
    add(engine, "Anna@Region.SE ")
    with transaction(engine) as session:
        user = users.find_user(session, "anna@region.se")
        assert user.email == "anna@region.se"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("role", "offices", "message"),
    [
        ("kommun", (), "needs at least one office"),
        ("kommun", ("ljungby",), "unknown office ljungby"),
        ("region", ("boda",), "not linked to offices"),
        ("admin", ("boda",), "not linked to offices"),
        ("boss", (), "unknown role"),
    ],
)
def test_user_admin_rules(engine, role, offices, message):
    with pytest.raises(users.UserError, match=message):
        add(engine, "ny@example.se", role, offices)


def test_an_email_is_used_once_and_passwords_are_long(engine):
    add(engine)
    with pytest.raises(users.UserError, match="already exists"):
        add(engine, "ANNA@region.se")
    with transaction(engine) as session, pytest.raises(users.UserError, match="12"):
        users.create_user(session, "kort@region.se", "region", "kort")


def test_sign_in_checks_the_password(engine):
    add(engine, "kalle@emmaboda.se", "kommun", ["boda"])
    assert check(engine, "kalle@emmaboda.se", PASSWORD) == "kalle@emmaboda.se"
    assert check(engine, "KALLE@emmaboda.se", PASSWORD) == "kalle@emmaboda.se"
    assert check(engine, "kalle@emmaboda.se", "fel lösenord") is None


def test_an_unknown_email_costs_a_hash_check_like_a_known_one(engine, monkeypatch):
    add(engine)
    checked = []
    verify = PasswordHasher.verify
    monkeypatch.setattr(
        PasswordHasher,
        "verify",
        lambda self, hash, password: (
            checked.append(hash) or verify(self, hash, password)
        ),
    )
    assert check(engine, "okand@region.se", "fel lösenord") is None
    assert check(engine, "anna@region.se", "fel lösenord") is None
    assert len(checked) == 2 and checked[0] != checked[1]


def test_a_disabled_user_cannot_sign_in(engine):
    add(engine)
    with transaction(engine) as session:
        users.set_active(session, "anna@region.se", False)
    assert check(engine, "anna@region.se", PASSWORD) is None


def test_wrong_passwords_lock_the_account_for_a_while(engine):
    add(engine)
    policy = users.LockoutPolicy(max_failures=3, lock_for=timedelta(minutes=15))
    for _ in range(3):
        assert check(engine, "anna@region.se", "fel", policy=policy) is None
    assert check(engine, "anna@region.se", PASSWORD, policy=policy) is None
    with transaction(engine) as session:
        user = users.find_user(session, "anna@region.se")
        assert user.locked_until > NOW
        user.locked_until = NOW - timedelta(seconds=1)  # the lock has run out
    assert check(engine, "anna@region.se", PASSWORD, policy=policy) is not None
    with transaction(engine) as session:
        user = users.find_user(session, "anna@region.se")
        assert user.failed_logins == 0 and user.locked_until is None


def test_enabling_a_user_lifts_a_lockout(engine):
    add(engine)
    with transaction(engine) as session:
        users.find_user(session, "anna@region.se").locked_until = NOW + timedelta(1)
        users.set_active(session, "anna@region.se", True)
    assert check(engine, "anna@region.se", PASSWORD) is not None


def test_old_hashes_are_upgraded_at_sign_in(engine):
    add(engine)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    with transaction(engine) as session:
        users.find_user(session, "anna@region.se").password_hash = weak.hash(PASSWORD)
    assert check(engine, "anna@region.se", PASSWORD) is not None
    with transaction(engine) as session:
        upgraded = users.find_user(session, "anna@region.se").password_hash
    assert "m=8192" not in upgraded and not PasswordHasher().check_needs_rehash(
        upgraded
    )


def test_a_new_password_changes_the_session_stamp(engine):
    add(engine)
    with transaction(engine) as session:
        user = users.find_user(session, "anna@region.se")
        before = users.session_stamp(user.password_hash)
        users.set_password(session, "anna@region.se", "ett annat långt lösenord")
        assert users.session_stamp(user.password_hash) != before
