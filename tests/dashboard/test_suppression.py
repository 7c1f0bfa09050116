"""Small-group suppression: the pure rule, without database or Dash."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from dashboard.suppression import (
    HIDDEN,
    SHOWN,
    SMALL,
    Group,
    exposed,
    label,
    min_group_size,
    suppress,
)


def test_cells_under_the_threshold_are_hidden():
    status = suppress({"a": 4, "b": 5, "c": 1, "d": 0})
    assert status == {"a": SMALL, "b": SHOWN, "c": SMALL, "d": SHOWN}
    assert label(SMALL, 5) == "< 5"
    assert label(SHOWN, 5) is None


def test_one_hidden_sibling_and_a_total_hides_the_next_smallest():
    counts = {"boda": 3, "figeholm": 12, "borgholm": 13, "vastervik": 9, "all": 37}
    group = Group("all", ("boda", "figeholm", "borgholm", "vastervik"))
    status = suppress(counts, [group])
    assert status["boda"] == SMALL
    assert status["vastervik"] == HIDDEN  # the smallest sibling still shown
    assert status["figeholm"] == status["borgholm"] == status["all"] == SHOWN
    assert exposed([group], status) == []
    assert label(HIDDEN, lang="sv") == "dold" and label(HIDDEN, lang="en") == "hidden"


def test_two_hidden_siblings_need_no_more():
    counts = {"a": 3, "b": 2, "c": 9, "all": 14}
    status = suppress(counts, [Group("all", ("a", "b", "c"))])
    assert status == {"a": SMALL, "b": SMALL, "c": SHOWN, "all": SHOWN}


def test_the_total_is_hidden_when_no_sibling_is_left_to_hide():
    counts = {"a": 3, "b": 7, "all": 10}
    status = suppress(counts, [Group("all", ("a", "b"))])
    assert status["b"] == HIDDEN  # hiding b keeps a safe with the total shown
    counts = {"a": 3, "all": 3}
    assert suppress(counts, [Group("all", ("a",))])["all"] == SMALL
    counts = {"a": 3, "empty": 0, "all": 8}  # a total with a cell the rule cannot use
    status = suppress({**counts, "all": 8}, [Group("all", ("a", "empty"))])
    assert status["all"] == HIDDEN and status["empty"] == SHOWN


def test_hiding_in_one_group_is_followed_up_in_the_others():
    # offices × rounds with both margins shown: a 2-D table
    counts = {
        ("q1", "a"): 3, ("q1", "b"): 8, ("q1", "c"): 20,
        ("q2", "a"): 9, ("q2", "b"): 6, ("q2", "c"): 30,
    }  # fmt: skip
    groups = [
        Group(("q1", "all"), (("q1", "a"), ("q1", "b"), ("q1", "c"))),
        Group(("q2", "all"), (("q2", "a"), ("q2", "b"), ("q2", "c"))),
        Group(("all", "a"), (("q1", "a"), ("q2", "a"))),
        Group(("all", "b"), (("q1", "b"), ("q2", "b"))),
        Group(("all", "c"), (("q1", "c"), ("q2", "c"))),
    ]
    for group in groups:
        counts[group.total] = sum(counts[m] for m in group.members)
    status = suppress(counts, groups)
    assert status[("q1", "a")] == SMALL
    assert exposed(groups, status) == []


@pytest.mark.parametrize("seed", range(30))
def test_no_hidden_value_can_be_derived_from_a_total(seed):
    sizes = [(seed * 7 + i * 5) % 13 for i in range(5)]
    counts = {f"o{i}": n for i, n in enumerate(sizes)}
    counts["all"] = sum(sizes)
    group = Group("all", tuple(f"o{i}" for i in range(5)))
    status = suppress(counts, [group])
    assert exposed([group], status) == []
    for key, n in counts.items():
        if 0 < n < 5:
            assert status[key] != SHOWN
    # the shown cells and the total never pin down one hidden cell exactly
    hidden = [k for k in group.members if status[k] != SHOWN]
    if status["all"] == SHOWN and hidden:
        rest = counts["all"] - sum(counts[k] for k in group.members if k not in hidden)
        solutions = {
            combo
            for combo in itertools.product(range(rest + 1), repeat=len(hidden))
            if sum(combo) == rest
        }
        for i in range(len(hidden)):
            assert len({combo[i] for combo in solutions}) > 1


def test_the_threshold_comes_from_the_config():
    config = SimpleNamespace(privacy=SimpleNamespace(min_group_size=7))
    assert min_group_size(config) == 7
    status = suppress({"a": 6, "b": 7}, min_size=min_group_size(config))
    assert status == {"a": SMALL, "b": SHOWN}
    assert label(SMALL, 7) == "< 7"


def test_the_fixture_programme_uses_five(programme):
    assert min_group_size(programme) == 5
