"""Plain-English helpers (text.words): lists, counts, places, quotes, dates and ratings in words."""

from __future__ import annotations

from datetime import date

import pandas as pd
from conftest import scoring_params

from healthcheck.text.words import (
    article,
    capitalise,
    count_words,
    in_region,
    join_list,
    long_date,
    number_word,
    plural,
    possessive,
    quote,
    rating_counts,
    rating_label,
    ratings_top_first,
    the_region,
)  # fmt: skip


def test_lists_plurals_and_possessives():
    assert join_list([]) == "" and join_list(["A", "", "B"]) == "A and B"
    assert join_list(["A", "B", "C"], "or") == "A, B or C"
    assert plural(1, "respondent") == "1 respondent" and plural(9095, "survey response") == "9,095 survey responses"
    assert plural(2, "child", "children") == "2 children"
    assert possessive("Halton") == "Halton's" and possessive("St Helens") == "St Helens'"
    assert article("amber") == "an amber" and article("green") == "a green"
    assert capitalise("the North West") == "The North West" and capitalise("") == ""


def test_counts_in_words():
    assert [number_word(n) for n in (0, 1, 9, 10, 12)] == ["zero", "one", "nine", "10", "12"]
    assert count_words(1, "question") == "one question"
    assert count_words(2, "question") == "two questions" and count_words(12, "question") == "12 questions"


def test_regions():
    assert the_region("North West") == "the North West" and the_region("East of England") == "the East of England"
    assert the_region("London") == "London" and the_region("Yorkshire and The Humber") == "Yorkshire and The Humber"
    assert in_region("South East") == "in the South East" and in_region("London") == "in London"


def test_quotes_and_dates():
    assert quote("my employment 'deal': what") == "‘my employment “deal”: what’"
    assert quote("in two years' time") == "‘in two years’ time’"
    assert long_date(date(2021, 1, 5)) == "5 January 2021"


def test_ratings_in_words():
    bands = scoring_params().bands
    assert ratings_top_first(reversed(bands)) == ["Green", "Amber", "Red"]
    ratings = pd.Series(["Red", "Green", None, "Green", "Amber", "Green"])
    assert rating_counts(ratings, bands) == "3 Green, 1 Amber, 1 Red"
    assert rating_counts(pd.Series(["Amber"]), bands) == "1 Amber"
    assert rating_label("Green", "sustain") == "Green (sustain)" and rating_label(None, "x") == ""
