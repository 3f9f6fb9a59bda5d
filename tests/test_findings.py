"""Findings sentences from hand-made council views, asserted word for word."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import AREAS, scoring_params

from healthcheck.findings.council import (
    findings,
    headline,
    highest_lowest,
    key_driver,
    least_agreed,
    most_agreed,
    national_context,
    rank_phrase,
    ratings_summary,
    regional_national_comparison,
    respondents_phrase,
    significance,
    suppression_notice,
)
from healthcheck.findings.notes import bands_sentence, notes, source_fingerprint, source_version
from healthcheck.reference.areas import load_areas
from healthcheck.reference.codebook import load_codebook
from healthcheck.text.words import join_list, possessive, quote
from healthcheck.views.council import CouncilView

ACTIONS = {"Green": "sustain", "Amber": "monitor", "Red": "improve"}


def rate(score: float) -> str:
    """Hand-coded bands for building inputs: 75+ green, 51-74 amber, else red (scores here are whole)."""
    return "Green" if score >= 75 else "Amber" if score >= 51 else "Red"


def frame(scores: dict[str, float], **extra: dict[str, object]) -> pd.DataFrame:
    rows = []
    for area, score in scores.items():
        row = {"area": area, "score": score, "n": 20, "rating": rate(score), "action": ACTIONS[rate(score)]}
        for column, values in extra.items():
            row[column] = values.get(area)
        rows.append(row)
    return pd.DataFrame(rows)


HALTON = dict(s1=80, s2=78, s3=76, s4=81, s5=79, s6=66, s7=77, s8=82, covid=85, contribution=88, tensions=40, satisfaction=70, stay=76)  # fmt: skip
HALTON_NW = dict(s1=77, s2=70, s3=68, s4=76, s5=78, s6=64, s7=80, s8=79, covid=80, contribution=85, tensions=38, satisfaction=76, stay=75)  # fmt: skip
HALTON_ENG = dict(s1=76, s2=69, s3=66, s4=75, s5=77, s6=62, s7=81, s8=78, covid=79, contribution=84, tensions=35, satisfaction=77, stay=74)  # fmt: skip


def make_view(
    own: dict[str, float] | None = None,
    region: dict[str, float] | None = None,
    nation: dict[str, float] | None = None,
    *,
    name: str = "Halton",
    region_name: str | None = "North West",
    significance: dict[str, str] | None = None,
    codebook: pd.DataFrame | None = None,
    **fields: object,
) -> CouncilView:
    own = HALTON if own is None else own
    sig = dict.fromkeys(own, "no difference") | (significance or {})
    view = CouncilView(
        year=2020,
        code="E06000006",
        name=name,
        region=region_name,
        n_responses=22,
        suppressed=False,
        params=scoring_params(),
        areas=load_areas(),
        codebook=codebook if codebook is not None else load_codebook(),
    )
    view.scores = frame(own, significance=sig)
    view.region_scores = frame(HALTON_NW if region is None else region) if region_name else view.region_scores
    view.national_scores = frame(HALTON_ENG if nation is None else nation)
    for key, value in fields.items():
        setattr(view, key, value)
    return view


def halton_codebook() -> pd.DataFrame:
    """The 2020 questionnaire as the Halton paper quotes it: Tensions was a single question."""
    book = load_codebook()
    book = book[book["item"] != "tensions_2"].reset_index(drop=True)
    return book


# -- words -------------------------------------------------------------------------------
def test_join_list_and_possessive():
    assert join_list([]) == ""
    assert join_list(["CPD"]) == "CPD"
    assert join_list(["CPD", "Tensions"]) == "CPD and Tensions"
    assert join_list(["A", "B", "C"], "or") == "A, B or C"
    assert possessive("Halton") == "Halton's"
    assert possessive("St Helens") == "St Helens'"


def test_quote_nests_quotations_and_keeps_apostrophes():
    assert (
        quote("I am often required to do more with less resources")
        == "‘I am often required to do more with less resources’"
    )
    assert quote("my employment 'deal': what") == "‘my employment “deal”: what’"
    assert quote("in two years' time") == "‘in two years’ time’"


# -- headline ----------------------------------------------------------------------------
def test_respondents_phrase_with_and_without_headcount():
    view = make_view(headcount=55, response_rate=40.0)
    assert respondents_phrase(view) == "22 respondents, an estimated 40% of 55 social workers"
    # 22.5% rounds half up to 23%
    assert respondents_phrase(make_view(headcount=97, response_rate=22.5)) == (
        "22 respondents, an estimated 23% of 97 social workers"
    )
    assert respondents_phrase(make_view()) == "22 respondents"
    one = make_view(n_responses=1)
    assert respondents_phrase(one) == "1 respondent"


def test_rank_phrase():
    view = make_view(ranked=True, national_rank=24, national_of=143, regional_rank=5, regional_of=23)
    assert rank_phrase(view) == "ranked 24 of 143 nationally and 5 of 23 in the North West"
    london = make_view(
        region_name="London", ranked=True, national_rank=3, national_of=143, regional_rank=1, regional_of=33
    )
    assert rank_phrase(london) == "ranked 3 of 143 nationally and 1 of 33 in London"
    no_region = make_view(region_name=None, ranked=True, national_rank=90, national_of=143)
    assert rank_phrase(no_region) == "ranked 90 of 143 nationally"
    assert rank_phrase(make_view()) == ""


def test_headline_halton():
    view = make_view(
        headcount=55,
        response_rate=40.0,
        ranked=True,
        national_rank=24,
        national_of=143,
        regional_rank=5,
        regional_of=23,
        meta={"data_date": "2021-01-15", "fieldwork_start": "2020-11-02", "fieldwork_end": "2020-12-18"},
    )
    assert headline(view) == (
        "Halton's social workers took part in the 2020 Social Work Health Check (fieldwork 2 November to "
        "18 December 2020). There were 22 respondents, an estimated 40% of 55 social workers. "
        "On its overall score, Halton ranked 24 of 143 nationally and 5 of 23 in the North West. "
        "The figures are from the data as at 15 January 2021."
    )


def test_headline_without_ranks_or_dates():
    assert headline(make_view()) == (
        "Halton's social workers took part in the 2020 Social Work Health Check. There were 22 respondents."
    )


def test_national_context():
    view = make_view(national_councils=133, national_non_councils=10, national_responses=9095)
    assert national_context(view) == (
        "At a national level, 133 councils and 10 non-councils took part and there were 9,095 survey responses in total."
    )
    only = make_view(national_councils=12, national_non_councils=0, national_responses=310)
    assert (
        national_context(only)
        == "At a national level, 12 councils took part and there were 310 survey responses in total."
    )


# -- ratings -----------------------------------------------------------------------------
def test_ratings_summary_halton():
    view = make_view(codebook=halton_codebook())
    assert ratings_summary(view) == (
        "Halton received a green rating for all standards and areas except: CPD – amber (monitor); "
        "Tensions (‘I am often required to do more with less resources’) – red (improve); "
        "Overall satisfaction (‘Overall, I am satisfied with my employment “deal”: what my employer provides "
        "for me and what I am expected to provide in return’) – amber (monitor)."
    )


def test_ratings_summary_multi_item_area_is_not_quoted():
    # in the current codebook Tensions has two questions, so it is named without a quotation
    assert ratings_summary(make_view()).startswith(
        "Halton received a green rating for all standards and areas except: CPD – amber (monitor); "
        "Tensions – red (improve); Overall satisfaction (‘Overall"
    )


def test_ratings_summary_all_green():
    view = make_view(dict.fromkeys(AREAS, 80))
    assert ratings_summary(view) == "Halton received a green rating for every standard and area."
    assert regional_national_comparison(view) == ""


def test_ratings_summary_all_red():
    view = make_view(dict.fromkeys(AREAS, 30))
    assert ratings_summary(view) == "Halton received a red rating (improve) for every standard and area."


def test_ratings_summary_mostly_red():
    scores = dict.fromkeys(AREAS, 40) | {"s5": 80, "s7": 60}
    assert ratings_summary(make_view(scores)) == (
        "Halton received a red rating (improve) for all standards and areas except: "
        "Supervision – green (sustain); Professional registration – amber (monitor)."
    )


def test_ratings_summary_no_majority_lists_each_rating():
    scores = dict(s1=80, s2=80, s3=40, s4=60, s5=80, s6=60, s7=80, s8=40, covid=60, contribution=80, tensions=40, satisfaction=60, stay=40)  # fmt: skip
    assert ratings_summary(make_view(scores)) == (
        "Halton received a green rating for Social work framework, Workforce planning, Supervision, "
        "Professional registration and Employee contribution; an amber rating (monitor) for Wellbeing, CPD, "
        "COVID and Overall satisfaction; and a red rating (improve) for Safe workloads, Strategic partnerships, "
        "Tensions and Desire to stay."
    )


def test_ratings_summary_names_areas_without_a_score():
    scores = {a: 80 for a in AREAS if a != "covid"}
    assert ratings_summary(make_view(scores)) == (
        "Halton received a green rating for every standard and area. No score was available for COVID."
    )


def test_comparison_halton():
    assert regional_national_comparison(make_view()) == (
        "Amber and red ratings were also reported for CPD and Tensions at regional and national level. "
        "However, Overall satisfaction was green regionally and nationally."
    )


def test_comparison_single_area_and_single_rating():
    own = HALTON | {"tensions": 80, "satisfaction": 80}
    assert regional_national_comparison(make_view(own)) == (
        "An amber rating was also reported for CPD at regional and national level."
    )


def test_comparison_mixed_cases():
    own = HALTON | {"s2": 60, "s3": 60}
    region = HALTON_NW | {"s2": 70, "s3": 80}  # s2 amber regionally, s3 green regionally
    nation = HALTON_ENG | {"s2": 80, "s3": 45}  # s2 green nationally, s3 red nationally
    assert regional_national_comparison(make_view(own, region, nation)) == (
        "Amber and red ratings were also reported for CPD and Tensions at regional and national level. "
        "Workforce planning was also rated amber in the North West, but green nationally. "
        "Safe workloads was rated green in the North West, but red nationally. "
        "However, Overall satisfaction was green regionally and nationally."
    )


def test_comparison_only_green_elsewhere():
    own = dict.fromkeys(AREAS, 80) | {"s6": 60, "s4": 70}
    nation = dict.fromkeys(AREAS, 80)
    assert regional_national_comparison(make_view(own, nation, nation)) == (
        "Wellbeing and CPD were green regionally and nationally."
    )


def test_comparison_without_region():
    view = make_view(region_name=None)
    assert regional_national_comparison(view) == (
        "Amber and red ratings were also reported for CPD and Tensions nationally. "
        "However, Overall satisfaction was green nationally."
    )


def test_highest_lowest():
    assert highest_lowest(make_view()) == (
        "The highest rated standard was Strategic partnerships (82) and the lowest was CPD (66)."
    )


def test_highest_lowest_ties_name_both():
    # 81.6 and 82.4 both show as 82; 66.5 rounds half up to 67, so it is not tied with 66.4
    own = HALTON | {"s4": 81.6, "s8": 82.4, "s2": 66.4, "s6": 66.2, "s3": 66.5}
    assert highest_lowest(make_view(own)) == (
        "The highest rated standards were Wellbeing and Strategic partnerships (both 82) and the lowest "
        "were Workforce planning and CPD (both 66)."
    )


def test_significance():
    sig = {"s5": "above", "s8": "above", "s6": "below"}
    assert significance(make_view(significance=sig)) == (
        "Halton scored significantly above the national figure on Supervision and Strategic partnerships "
        "and significantly below it on CPD."
    )
    assert significance(make_view(significance={"tensions": "below"})) == (
        "Halton scored significantly below the national figure on Tensions."
    )
    assert significance(make_view()) == "None of Halton's scores differed significantly from the national figures."


# -- drivers and items -------------------------------------------------------------------
def test_key_driver_own_and_national():
    own = make_view(key_driver_area="s5", key_driver_rho=0.5249, key_driver_source="own")
    assert key_driver(own) == (
        "Supervision was identified as the key factor influencing the desire to stay (Halton's own responses, rho 0.52)."
    )
    national = make_view(key_driver_area="s5", key_driver_rho=0.41, key_driver_source="national")
    assert key_driver(national) == (
        "Supervision was identified as the key factor influencing the desire to stay "
        "(national finding: Halton's sample is too small for its own estimate)."
    )
    assert key_driver(make_view()) == ""


def _items() -> pd.DataFrame:
    rows = [
        ("s4_1", "s4", "I feel cared for by my managers", 95.45),
        ("s1_1", "s1", "My organisation has a clear and well-defined approach to social work practice", 90.9),
        ("s1_2", "s1", "I am clear about what is expected of me in my role", 90.9),
        ("s3_4", "s3", "I can usually complete my work within my contracted hours", 31.8),
        ("s6_2", "s6", "I am given protected time for continuing professional development", 40.5),
        ("tensions_1", "tensions", "I am often required to do more with less resources", 86.4),
        ("s6_3", "s6", "My appraisal draws on feedback about my practice to plan my development", None),
    ]
    out = pd.DataFrame(rows, columns=["item", "area", "wording", "agree"])
    out["level"], out["group"], out["base"] = "org", "E06000006", 22
    return out


def test_most_and_least_agreed_leave_out_reversed_and_suppressed_items():
    view = make_view(items=_items())
    assert most_agreed(view) == (
        "The statements Halton's social workers agreed with most were ‘I feel cared for by my managers’ "
        "(95% agreed), ‘My organisation has a clear and well-defined approach to social work practice’ (91% agreed) "
        "and ‘I am clear about what is expected of me in my role’ (91% agreed)."
    )
    assert least_agreed(view, k=2) == (
        "The statements they agreed with least were ‘I can usually complete my work within my contracted hours’ "
        "(32% agreed) and ‘I am given protected time for continuing professional development’ (41% agreed)."
    )


# -- suppression and notes ---------------------------------------------------------------
def test_suppression_notice_and_no_figures():
    view = CouncilView(year=2020, code="E08000001", name="Bolton", region="North West", n_responses=7, suppressed=True, params=scoring_params())  # fmt: skip
    notice = (
        "Fewer than 10 valid responses were received from Bolton (n = 7), so no local figures are reported, "
        "to protect respondents' confidentiality."
    )
    assert suppression_notice(view) == notice
    assert headline(view) == notice
    assert findings(view) == [notice]
    for sentence in (ratings_summary, regional_national_comparison, highest_lowest, significance, key_driver):
        assert sentence(view) == ""
    none = CouncilView(year=2020, code="E08000001", name="Bolton", region="North West", n_responses=0, suppressed=True, params=scoring_params())  # fmt: skip
    assert suppression_notice(none) == "No valid responses were received from Bolton, so no local figures are reported."


def test_bands_sentence():
    assert bands_sentence(scoring_params().bands) == (
        "Responses were translated into a mean score from 0 to 100, rounded half up to a whole number, falling "
        "under one of the following: Green (sustain) 75 to 100; Amber (monitor) 51 to 74; Red (improve) 0 to 50."
    )


def test_findings_order_for_halton():
    view = make_view(codebook=halton_codebook(), key_driver_area="s5", key_driver_rho=0.52, key_driver_source="own")
    out = findings(view)
    assert out[0].startswith("Halton received a green rating for all standards and areas except: CPD")
    assert out[1].startswith("Amber and red ratings were also reported")
    assert out[2] == "The highest rated standard was Strategic partnerships (82) and the lowest was CPD (66)."
    assert out[3].startswith("Supervision was identified as the key factor")
    assert out[4] == "None of Halton's scores differed significantly from the national figures."
    assert len(out) == 5


@pytest.mark.parametrize("score,shown", [(74.5, "Green"), (74.49, "Amber")])
def test_rounding_half_up_drives_the_summary(score, shown):
    own = dict.fromkeys(AREAS, 80) | {"s6": score}
    view = make_view(own)
    view.scores.loc[view.scores["area"] == "s6", ["rating", "action"]] = [shown, ACTIONS[shown]]
    expected = "for every standard and area." if shown == "Green" else "except: CPD – amber (monitor)."
    assert ratings_summary(view).endswith(expected)


def test_notes_name_the_rules_and_the_source_version():
    view = make_view(
        meta={"input_sha256": "0123456789abcdef", "data_date": "2021-01-15", "healthcheck_version": "0.1.0"}
    )
    text = notes(view)
    lines = text.split("\n")
    assert [line.split("**")[1] for line in lines] == [
        "Bases.", "Scale and ratings.", "Differences from England.", "Suppression.",
        "Key factor in the desire to stay.", "Source.",
    ]  # fmt: skip
    assert "at least 50% of the area's questions" in lines[0]
    assert "negatively worded statements (Tensions) are scored the other way round" in lines[1]
    assert "Green (sustain) 75 to 100; Amber (monitor) 51 to 74; Red (improve) 0 to 50." in lines[1]
    assert "at least 10 valid responses" in lines[3] and "at least 5 answers" in lines[3]
    assert "at least 30 such respondents" in lines[4] and "not that one causes the other" in lines[4]
    # plain words for the reader: no file names, no fingerprints (they go into the document's properties)
    assert lines[5] == "- **Source.** The Social Work Health Check 2020 worker survey, as exported on 15 January 2021."
    assert "docs/" not in text and "SHA-256" not in text and "0123456789ab" not in text
    assert source_version(make_view()) == "The Social Work Health Check 2020 worker survey."
    nested = make_view(meta={"source": {"sha256": "feedface" * 8, "modified": "2021-01-10T09:00:00"}})
    assert source_version(nested) == "The Social Work Health Check 2020 worker survey, as exported on 10 January 2021."
    assert source_fingerprint(nested) == "feedface" * 8
