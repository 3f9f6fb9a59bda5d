"""Plain sentences of a region's report of the worker survey, from a :class:`~healthcheck.views.regional.RegionalView`."""

from __future__ import annotations

from healthcheck.findings.national import highest_lowest_sentence, ratings_sentence
from healthcheck.findings.national import notes as national_notes
from healthcheck.text.words import capitalise, in_region, join_list, plural, possessive, the_region
from healthcheck.views.national import participation
from healthcheck.views.regional import RegionalView, comparison, has_responses


def headline(view: RegionalView) -> list[str]:
    """The opening sentences: who responded in the region, its ratings, highest and lowest, differences."""
    nat_view = view.national
    part = participation(nat_view, view.region)
    where = the_region(view.region)
    if not has_responses(view):
        return [
            f"No valid responses were received from organisations {in_region(view.region)} in the {view.year} "
            "Social Work Health Check, so there are no regional figures."
        ]
    who = [plural(part["councils"], "council")]
    if part["non_councils"]:
        who.append(plural(part["non_councils"], "non-council employer"))
    national = participation(nat_view)
    sentences = [
        f"In {where}, "
        f"{plural(part['responses'], 'social worker')} from {plural(part['organisations'], 'organisation')} "
        f"({join_list(who)}) responded to the {view.year} Social Work Health Check, out of "
        f"{national['responses']:,} across England."
    ]
    bench = nat_view.bench("region", view.region)
    if text := ratings_sentence(nat_view, bench, "Across the region"):
        sentences.append(text)
    if text := highest_lowest_sentence(nat_view, bench, capitalise(where)):
        sentences.append(text)
    comp = comparison(view)
    above = [nat_view.short_title(a) for a in comp.loc[comp["significance"] == "above", "area"]]
    below = [nat_view.short_title(a) for a in comp.loc[comp["significance"] == "below", "area"]]
    if above or below:
        parts = []
        if above:
            parts.append(f"significantly above the rest of England on {join_list(above)}")
        if below:
            parts.append(f"significantly below {'it' if above else 'the rest of England'} on {join_list(below)}")
        sentences.append(f"{capitalise(where)} scored {' and '.join(parts)}.")
    elif comp["significance"].notna().any():
        sentences.append(f"None of {possessive(where)} scores differed significantly from the rest of England.")
    named, unnamed = len(view.named()), len(view.unnamed())
    if part["reporting"]:
        sentences.append(
            f"Of the {plural(part['reporting'], 'organisation')} with enough responses to report, "
            f"{named} agreed to be named in this report"
            + (f"; the other {unnamed} appear only as unnamed values." if unnamed else ".")
        )
    return sentences


def unnamed_note(view: RegionalView) -> str:
    """What the report says about organisations it does not name."""
    nat_view = view.national
    part = participation(nat_view, view.region)
    lines = []
    unnamed = len(view.unnamed())
    if unnamed:
        lines.append(
            f"Of the region's organisations with enough responses to report, {unnamed} "
            f"{'has' if unnamed == 1 else 'have'} not agreed to be named: "
            f"{'its' if unnamed == 1 else 'their'} scores count in the regional figures and the spread of scores, "
            "but are not shown against a name."
        )
    if part["too_small"]:
        lines.append(
            f"A further {plural(part['too_small'], 'organisation')} had fewer than {nat_view.min_respondents} valid "
            "responses and {} not reported on {} own; {} respondents count in the regional figures.".format(
                "is" if part["too_small"] == 1 else "are",
                "its" if part["too_small"] == 1 else "their",
                "its" if part["too_small"] == 1 else "their",
            )
        )
    return " ".join(lines)


def notes(view: RegionalView) -> str:
    """The regional report's notes: the national ones and the rule for naming organisations."""
    k = view.params.min_region_orgs
    naming = (
        "- **Naming organisations.** An organisation is named only where params/consent_to_be_named.csv records "
        f"its consent and it has at least {view.params.min_respondents} valid responses. Any other organisation "
        "appears only as an unnamed value in the spread of scores, which is shown only when at least "
        f"{k} organisations report and the unnamed ones are none or at least {k}. Named organisations' numbers "
        "of responses are not shown, so that the unnamed ones' scores cannot be worked out from the regional figures."
    )
    return national_notes(view.national) + "\n" + naming
