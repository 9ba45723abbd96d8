"""Whose apt holds are whose: provision's own (listed in its holds file on the host) and
everyone else's, which provision respects: it never changes a package someone else held."""

from __future__ import annotations

from provision.facts.model import Facts


def foreign_holds(names: list[str], facts: Facts) -> list[str]:
    """Those of `names` held by someone other than provision (not in its holds file)."""
    held, own = set(facts.apt.held), set(facts.provision.holds)
    return sorted(name for name in names if name in held and name not in own)


def own_holds(names: list[str], facts: Facts) -> list[str]:
    """Those of `names` held by provision, which it releases before changing them."""
    held, own = set(facts.apt.held), set(facts.provision.holds)
    return sorted(name for name in names if name in held and name in own)


def held_reason(subject: str, blocked: list[str]) -> str:
    """The refusal for a change that would have to override someone else's holds."""
    one = len(blocked) == 1
    return (
        f"{', '.join(blocked)} {'is' if one else 'are'} held, not by provision, and "
        f"{subject} must change {'it' if one else 'them'}: release the hold (apt-mark unhold "
        f"{' '.join(blocked)}) to let provision proceed"
    )
