"""Matching labels as people type them: case, runs of spaces and apostrophes do not matter.

Both instruments compare what was typed with the labels of a form (answer labels, services,
roles, a return question's options) through these keys, so that 'Don’t know', "don't  know"
and 'DONT KNOW' are the same answer. Nothing here guesses: a key either matches or it does not.
"""

from __future__ import annotations

import re

# Curly and other look-alike apostrophes, so that "Don’t know" reads as "Don't know".
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_SPECIFY = re.compile(r"\s*\(\s*please\s+specify\s*\)[\s_.:]*$", re.IGNORECASE)


def label_key(text: object) -> str:
    """A label for matching: lower case, single spaces, apostrophes (straight or curly) removed."""
    return " ".join(str(text).translate(_APOSTROPHES).replace("'", "").lower().split())


def label_text_key(text: object) -> str:
    """:func:`label_key`, also folding dashes, spaces around a hyphen or before '%' and '(please specify)'.

    The organisational return's options are longer labels ('1 - 10', 'more than 80%', 'Other
    (please specify)') that people retype with small differences.
    """
    s = _SPECIFY.sub("", str(text)).replace("\u2013", "-").replace("\u2014", "-")
    s = label_key(s)
    s = re.sub(r"\s*-\s*", "-", s)
    return re.sub(r"\s+%", "%", s)
