"""Common English given names by the gender they usually carry: a person's gender for
resolving he and she when the article's own pronouns do not settle it (`app.analysis.quotes`).

The most frequent given names of United States birth and census records, not names of
anyone in particular; a name used for both (Jordan, Taylor) is in neither list.
"""

from __future__ import annotations


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


MALE = _names(
    """
    aaron adam al alan albert alex alexander andrew andy anthony antonio arthur ben
    benjamin bernie bill billy bob bobby brad bradley brandon brett brian bruce bryan carl
    carlos charles charlie chris christopher chuck colin craig dan daniel danny darren dave
    david dennis dick don donald doug douglas duncan dylan ed eddie edward eric ernest eugene
    frank fred frederick gary gavin george gerald glenn gordon greg gregory harold harry
    henry howard ian jack jacob jake james jason jeff jeffrey jeremy jerry jesse jim jimmy joe
    joel john johnny jon jonathan jose joseph josh joshua juan justin keith ken kenneth kevin
    kyle larry lawrence leonard louis luis mark martin matt matthew michael mike mitch
    mitchell nathan neil nicholas nick noah oliver patrick paul pete peter phil philip
    ralph randy ray raymond richard rick rob robert roger ron ronald roy russell ryan sam
    samuel scott sean seth stephen steve steven ted thomas tim timothy todd tom
    tony travis victor vincent walter wayne william willie dmitry ivan sergei
    """
)

FEMALE = _names(
    """
    abigail alexandra alice alicia alison allison amanda amber amy andrea angela ann anna
    anne barbara betsy betty beverly brenda carol caroline carolyn catherine cheryl christina
    christine cindy claire claudia cynthia deborah debbie debra denise diana diane donna
    doris dorothy elaine elena elizabeth ellen emily emma evelyn frances gloria grace hannah
    heather helen holly irene jacqueline jane janet janice jean jennifer jessica jill
    joan joanne joyce judith judy julia julie karen kate katherine kathleen kathryn kathy kelly
    kim kimberly laura lauren linda lisa lori louise lucy margaret maria marie marilyn martha
    mary megan melissa michelle monica nancy natalie nicole nikki olivia pamela patricia
    paula rachel rebecca rose ruth sally samantha sandra sara sarah sharon shirley stephanie
    susan suzanne teresa theresa tiffany tina valerie victoria virginia wendy olga
    """
)


def gender(name: str) -> str | None:
    """``male`` or ``female`` for a full name whose first word is a common given name."""
    first = name.split()[0].casefold().strip(".") if name.split() else ""
    if first in MALE:
        return "male"
    if first in FEMALE:
        return "female"
    return None
