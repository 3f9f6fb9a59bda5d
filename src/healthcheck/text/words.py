"""Plain English for reports: ratings in words, lists, plurals, possessives, places, quotes and dates.

Every function is a pure function of its arguments, so the charts' alternative text and the
findings' sentences write a list, a count or a region the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Protocol

import pandas as pd

#: Counts under ten in words, as the reports write them ('one question', 'six per cent').
SMALL_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
#: A region named with 'the' before it starts with one of these ('the North West', but 'London').
COMPASS = ("North", "South", "East", "West")


class Rated(Protocol):
    """A rating band as the words need it (:class:`healthcheck.params.Band` is one)."""

    rating: str
    min: float


def rating_label(rating: object, action: object) -> str:
    """'Green (sustain)': the rating always with its word and action, never colour alone."""
    if rating is None or pd.isna(rating):
        return ""
    if action is None or pd.isna(action):
        return str(rating)
    return f"{rating} ({action})"


def ratings_top_first(bands: Iterable[Rated]) -> list[str]:
    """The bands' ratings from the top band down ('Green', 'Amber', 'Red')."""
    return [b.rating for b in sorted(bands, key=lambda b: -b.min)]


def rating_counts(ratings: pd.Series, bands: Iterable[Rated]) -> str:
    """'10 Green, 2 Amber, 1 Red': how many of ``ratings`` fall in each band, top band first."""
    counts = ratings.dropna().value_counts()
    return ", ".join(f"{int(counts[r])} {r}" for r in ratings_top_first(bands) if r in counts.index)


def join_list(words: Sequence[str], conjunction: str = "and") -> str:
    """'A', 'A and B', 'A, B and C'."""
    words = [w for w in words if w]
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 respondent', '22 respondents' (thousands with commas)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def number_word(count: int) -> str:
    """'zero' to 'nine' in words, digits from 10 on ('12')."""
    return SMALL_NUMBERS[count] if 0 <= count < len(SMALL_NUMBERS) else str(count)


def count_words(count: int, word: str) -> str:
    """'one question', 'two questions', '12 questions'."""
    return f"{number_word(count)} {word if count == 1 else word + 's'}"


def possessive(name: str) -> str:
    """ "Halton's", "St Helens'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def article(word: str) -> str:
    """'a green', 'an amber'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def capitalise(text: str) -> str:
    """The text with its first letter a capital ('the North West' -> 'The North West')."""
    return text[:1].upper() + text[1:]


def the_region(region: str) -> str:
    """'the North West', 'London', 'Yorkshire and The Humber', 'the East of England'."""
    return f"the {region}" if region.split(" ")[0] in COMPASS else region


def in_region(region: str) -> str:
    """'in the North West', 'in London', 'in Yorkshire and The Humber', 'in the East of England'."""
    return f"in {the_region(region)}"


def quote(text: str) -> str:
    """Text in single curly quotes, its own quotations in double ones and apostrophes curled.

    "employment 'deal': what" becomes ‘employment “deal”: what’; "years' time" keeps an
    apostrophe, because a quotation only opens after a space or at the start.
    """
    out: list[str] = []
    open_quote = False
    for i, ch in enumerate(text):
        if ch not in "'\"":
            out.append(ch)
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if (before.isspace() or before in "([") and not after.isspace() and not open_quote:
            out.append("“")
            open_quote = True
        elif open_quote and not after.isalnum():
            out.append("”")
            open_quote = False
        else:
            out.append("’")
    return f"‘{''.join(out)}’"


def long_date(value: date | datetime) -> str:
    """'15 January 2021'."""
    return f"{value.day} {value:%B %Y}"


__all__ = [
    "COMPASS",
    "SMALL_NUMBERS",
    "article",
    "capitalise",
    "count_words",
    "in_region",
    "join_list",
    "long_date",
    "number_word",
    "plural",
    "possessive",
    "quote",
    "rating_counts",
    "rating_label",
    "ratings_top_first",
    "the_region",
]
