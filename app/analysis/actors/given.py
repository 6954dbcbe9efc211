"""Given names and the gender they usually carry, from the 1990 US census lists that the
``names`` package ships (``dist.male.first``: 1,219 names, ``dist.female.first``: 4,275, each
with its share of the population). Read once, on first use.

A name both lists carry is the gender of the list where it is at least three times as frequent
("James" male, "Leslie" neither). A few given names common in the news that the lists lack are
added (``_EXTRA``).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

Gender = Literal["male", "female"]
_RATIO = 3.0
# frequent in the news, missing from the 1990 US census lists
_EXTRA: dict[str, Gender] = {"sergei": "male", "dmitry": "male"}


@cache
def _table() -> tuple[frozenset[str], dict[str, Gender]]:
    shares: dict[str, dict[str, float]] = {}
    for gender in ("male", "female"):
        listing = resources.files("names").joinpath(f"dist.{gender}.first").read_text("utf-8")
        for line in listing.splitlines():
            fields = line.split()
            if len(fields) >= 2:
                shares.setdefault(fields[0].casefold(), {})[gender] = float(fields[1])
    genders: dict[str, Gender] = {}
    for name, share in shares.items():
        male, female = share.get("male", 0.0), share.get("female", 0.0)
        if male >= _RATIO * female:
            genders[name] = "male"
        elif female >= _RATIO * male:
            genders[name] = "female"
    genders.update(_EXTRA)
    return frozenset(shares) | frozenset(_EXTRA), genders


def given_name(word: str) -> bool:
    """True for a common given name ("Kevin", "Paul"), any case; not "Fires", "Concerning"."""
    return len(word) > 1 and word.casefold().strip(".") in _table()[0]


def gender(first: str) -> Gender | None:
    """The gender a given name usually carries, or None (unknown or used for both)."""
    return _table()[1].get(first.casefold().strip("."))


def gender_of(name: str) -> Gender | None:
    """The gender of a full name's first word ("Hillary Clinton" -> female), or None."""
    words = name.split()
    return gender(words[0]) if words else None
