"""Small-group privacy for survey figures: which cells may be shown.

Pure functions, no database and no Dash, so the rule can be tested on its own.

The rule (SECURITY-PERF §4):

1. *Primary suppression*: a cell with fewer respondents than the threshold
   (``privacy.min_group_size``, default 5) is hidden and shown as "< 5".
2. *Complementary suppression*: a total that is shown must not give a hidden
   cell away by subtraction. For every :class:`Group` (a total and the cells
   that add up to it) whose total is shown, exactly one hidden member is not
   allowed: the smallest member still shown is hidden as well (shown as
   "dold"/"hidden", since it has enough respondents itself). If no member is
   left to hide, the total is hidden. This repeats until no group changes, as
   hiding a cell in one group can leave another group with one hidden member.

Cells with no respondents are never hidden and never chosen as the extra cell:
an empty cell protects nobody. Keys may be anything hashable.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

SHOWN = "shown"
SMALL = "small"  # fewer respondents than the threshold
HIDDEN = "hidden"  # enough respondents, hidden to protect a small sibling

_HIDDEN_LABEL = {"sv": "dold", "en": "hidden"}


@dataclass(frozen=True)
class Group:
    """A total and the cells that add up to it (e.g. programme = offices)."""

    total: Hashable
    members: tuple[Hashable, ...]


def min_group_size(config: object) -> int:
    """The threshold from a :class:`models.config.ProgrammeConfig`."""
    return int(config.privacy.min_group_size)  # type: ignore[attr-defined]


def suppress(
    counts: Mapping[Hashable, int],
    groups: Iterable[Group] = (),
    min_size: int = 5,
) -> dict[Hashable, str]:
    """The status (SHOWN, SMALL or HIDDEN) of every cell and total in ``counts``."""
    status = {
        key: SMALL if 0 < count < min_size else SHOWN for key, count in counts.items()
    }
    groups = list(groups)
    changed = True
    while changed:
        changed = False
        for group in groups:
            if _protect(group, counts, status):
                changed = True
    return status


def _protect(group: Group, counts: Mapping, status: dict) -> bool:
    """Hide one more cell if this group's total would reveal a hidden member."""
    if status.get(group.total, SHOWN) != SHOWN:
        return False
    hidden = [m for m in group.members if status.get(m, SHOWN) != SHOWN]
    if len(hidden) != 1:
        return False
    candidates = sorted(
        (counts.get(m, 0), str(m), m)
        for m in group.members
        if status.get(m, SHOWN) == SHOWN and counts.get(m, 0) > 0
    )
    if candidates:
        status[candidates[0][2]] = HIDDEN
    else:
        status[group.total] = HIDDEN
    return True


def exposed(groups: Iterable[Group], status: Mapping[Hashable, str]) -> list:
    """Hidden cells that a shown total would still give away (should be none)."""
    leaks = []
    for group in groups:
        if status.get(group.total, SHOWN) != SHOWN:
            continue
        hidden = [m for m in group.members if status.get(m, SHOWN) != SHOWN]
        if len(hidden) == 1:
            leaks.extend(hidden)
    return leaks


def label(state: str, min_size: int = 5, lang: str = "sv") -> str | None:
    """What a suppressed cell shows instead of its number; None when shown."""
    if state == SMALL:
        return f"< {min_size}"
    if state == HIDDEN:
        return _HIDDEN_LABEL.get(lang, _HIDDEN_LABEL["sv"])
    return None


def localise(text: str, lang: str) -> str:
    """A label stored in a frame (Swedish, as downloads show it) in ``lang``."""
    if text == _HIDDEN_LABEL["sv"]:
        return _HIDDEN_LABEL.get(lang, text)
    return text
