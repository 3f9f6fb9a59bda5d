"""What the committee paper says, section by section, written from the data and the boiler plate.

The structure is a council committee paper's (the Halton paper to its Policy and Performance
Board, 2021): 1.0 purpose, 2.0 recommendation, 3.0 supporting information in numbered
paragraphs (background, the Health Check, the self-assessment, next steps), 4.0 to 8.0 the
implications, 9.0 background papers, then the appendices. Every figure and finding comes from
the views and findings the local report uses; the boiler plate (:mod:`healthcheck.paper.boilerplate`)
gives the rest, and what neither can give is a '[To be completed: ...]' box.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from healthcheck.config import Project
from healthcheck.findings import council as findings
from healthcheck.findings.trends import trend_findings
from healthcheck.paper.boilerplate import Boilerplate, load_boilerplate, service_words
from healthcheck.text.words import count_words, join_list, number_word, plural, possessive, rating_label
from healthcheck.views import selfassess
from healthcheck.views.council import CouncilView, load_council_view
from healthcheck.views.trend import CouncilTrend, load_council_trend

STANDARDS_URL = "https://www.local.gov.uk/standards-employers-social-workers-england-0"
TODO = "To be completed"


def todo(what: str) -> str:
    """A box for the report's author: '[To be completed: what]' (the Word document highlights it)."""
    return f"[{TODO}: {what}]"


@dataclass
class Block:
    """One piece of a section: a numbered paragraph (``para``), a subheading, a list, a table or a note."""

    kind: Literal["para", "subheading", "bullets", "numbers", "table", "note", "text"]
    text: str = ""
    items: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    title: str = ""


@dataclass
class Section:
    """A numbered section ('3.0 SUPPORTING INFORMATION'); its paragraphs are numbered 3.1, 3.2 ..."""

    number: int
    title: str
    blocks: list[Block] = field(default_factory=list)

    def para(self, text: str, *extra: Block) -> None:
        self.blocks.append(Block("para", text))
        self.blocks.extend(extra)

    def numbered(self) -> list[tuple[str, Block]]:
        """Each block with its paragraph number ('3.4'; '' for blocks that are not paragraphs)."""
        out, n = [], 0
        for block in self.blocks:
            if block.kind == "para":
                n += 1
                out.append((f"{self.number}.{n}", block))
            else:
                out.append(("", block))
        return out


@dataclass
class Paper:
    """The whole paper: its header box, sections and appendices."""

    council: str
    code: str
    year: int
    service: str
    title: str
    header: list[tuple[str, str]]
    sections: list[Section]
    appendices: list[str]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def _standards(view: CouncilView) -> list[str]:
    standards = view.areas[view.areas["kind"] == "standard"].sort_values("order")
    return [str(t) for t in standards["title"]]


def _others(view: CouncilView) -> list[str]:
    others = view.areas[view.areas["kind"] != "standard"].sort_values("order")
    return [str(t) for t in others["short_title"]]


def _bands(view: CouncilView) -> list[str]:
    return [rating_label(b.rating, b.action) for b in sorted(view.bands, key=lambda b: -b.min)]


# ---------------------------------------------------------------------------------------
# the sections
# ---------------------------------------------------------------------------------------
def _purpose(view: CouncilView, words: dict[str, str], assessment: pd.DataFrame | None) -> Section:
    section = Section(1, "PURPOSE OF THE REPORT")
    section.para(
        f"The purpose of this report is to provide {words['board']} with information on work that has taken place "
        f"within {words['service']} in relation to the Standards for Employers of Social Workers in England, "
        "which are published by the Local Government Association (LGA)."
    )
    if assessment is not None:
        section.para(
            f"A self-assessment exercise has been undertaken locally to establish {possessive(view.name)} performance "
            "against the Standards, and staff have also taken part in the Social Work Health Check survey, which is "
            f"required under one of the employer standards. This report provides {words['board']} with the outcome "
            f"of the {view.year} Health Check survey and a summary of the self-assessment and its action plan."
        )
    else:
        section.para(
            f"{possessive(view.name)} social workers have taken part in the Social Work Health Check survey, which is "
            f"required under one of the employer standards. This report provides {words['board']} with the outcome "
            f"of the {view.year} Health Check survey."
        )
    return section


def _recommendation(boiler: Boilerplate, names: dict[str, object]) -> Section:
    section = Section(2, "RECOMMENDATION: That:")
    lines = [boiler.fill(r, **names) or "" for r in boiler.recommendations] or [todo("the recommendation")]
    section.blocks.append(Block("numbers", items=lines))
    return section


def _background(section: Section, view: CouncilView) -> None:
    section.blocks.append(Block("subheading", "Background"))
    section.para(
        "The LGA's Standards for Employers of Social Workers in England set out the shared core expectations of "
        "employers that enable social workers in all employment settings to work effectively and safely. Every "
        "employer providing a social work service should have a way of assessing its performance against them, "
        "a process for review and, where necessary, a plan for improvement."
    )
    standards = _standards(view)
    section.para(
        f"There are {number_word(len(standards))} standards (listed below) and under each standard a list of things "
        f"that employers should do in order to meet it. Full details are on the LGA's website: {STANDARDS_URL}",
        Block("numbers", items=standards),
    )
    section.para(
        "One of the requirements under Standard 1 is for employers to ensure that mechanisms are in place to listen "
        "to and respond to the views of practitioners on a regular basis, including an annual health check of the "
        "conditions that support good social work practice."
    )


def _health_check(section: Section, view: CouncilView, trend: CouncilTrend | None, boiler: Boilerplate) -> None:
    name, year = view.name, view.year
    section.blocks.append(Block("subheading", f"Social Work Health Check {year}"))
    section.para(
        "The Health Check survey is co-ordinated at a national level by the LGA, with national, regional and local "
        f"reports. {possessive(name)} social workers took part in {findings.fieldwork_phrase(view)}, and the local "
        "report is attached as Appendix 1."
    )
    if view.suppressed:
        section.para(findings.suppression_notice(view))
        return
    rate = f"In {name}, there were {findings.respondents_phrase(view)}"
    if view.headcount is None:
        section.para(
            f"{rate}. No headcount of social workers was supplied, so the response rate cannot be estimated "
            + todo(f"the number of social workers employed, for params/{year}/headcounts.csv")
            + "."
        )
    elif view.response_rate is not None and boiler.headcount_basis:
        section.para(f"{rate}.*", Block("note", f"* {boiler.headcount_basis}"))
    else:
        section.para(f"{rate}.")
    if text := findings.national_context(view):
        section.para(text)
    others = _others(view)
    section.para(
        f"The Health Check survey asked social workers about the {number_word(len(_standards(view)))} standards and "
        f"{number_word(len(others))} other areas – {join_list([o if o[:2].isupper() else o.lower() for o in others])}. "
        "Responses were translated into a mean score falling under one of the following:",
        Block("bullets", items=_bands(view)),
    )
    ratings = " ".join(s for s in (findings.ratings_summary(view), findings.regional_national_comparison(view)) if s)
    if ratings:
        section.para(ratings)
    section.para(
        "The local report (Appendix 1) examines the following questions about the experiences of social workers:",
        Block(
            "bullets",
            items=[
                "How well do employers deliver the standards?",
                "How do employees perceive their working environment?",
                "What factors influence them to remain engaged with their work and minded to stay with their "
                "organisations?",
            ],
        ),
    )
    if text := findings.highest_lowest(view):
        section.para(f"In relation to the first question, {_lower_first(text)}")
    agreed = " ".join(s for s in (findings.most_agreed(view), findings.least_agreed(view)) if s)
    if agreed:
        section.para(f"In relation to the second question, {_lower_first(agreed)}")
    if text := findings.key_driver(view):
        section.para(f"In relation to the third question, {_lower_first(text)}")
    overall = []
    if rank := findings.rank_phrase(view):
        overall.append(f"On the mean scores for each standard, {name} {rank}.")
    if text := findings.significance(view):
        overall.append(text)
    if overall:
        section.para(" ".join(overall))
    if trend is not None and (said := trend_findings(trend)):
        section.blocks.append(Block("subheading", "Change since last year"))
        for sentence in said:
            section.para(sentence)
    if boiler.local_support:
        section.para(
            "A range of support for the wellbeing and development of social workers is provided, including:",
            Block("bullets", items=[boiler.fill(s, council=name, year=year) or "" for s in boiler.local_support]),
        )
    else:
        section.para(todo(f"what {name} does to support its social workers, in the light of these results"))


def _disagreements(assessment: pd.DataFrame, view: CouncilView) -> str:
    """Where the self-assessment and the survey's ratings point different ways."""
    table = selfassess.compare_with_survey(assessment, view)
    same = table["Both point the same way"] == selfassess.SAME_WAY
    compared = ~table["Both point the same way"].isin(["No survey figure", "Not assessed"])
    if not compared.any():
        return ""
    text = (
        f"The self-assessment and the survey point the same way for {int(same.sum())} of "
        f"{plural(int(compared.sum()), 'standard')}."
    )
    differ = table[compared & ~same]
    if len(differ):
        parts = [
            f"{row['Standard'].split('. ', 1)[-1]} (self-assessment {row['Self-assessment'].split(' (')[0].lower()}, "
            f"survey {row[f'{view.name} survey rating'].split(' (')[0]})"
            for _, row in differ.iterrows()
        ]
        text += f" They differ for {join_list(parts)}, which the working group may wish to look at again."
    return text


def _self_assessment(
    section: Section, view: CouncilView, assessment: pd.DataFrame | None, trend: CouncilTrend | None,
    boiler: Boilerplate, names: dict[str, object],
) -> None:  # fmt: skip
    section.blocks.append(Block("subheading", "Self-Assessment against the Standards"))
    if assessment is None:
        section.para(
            f"No self-assessment against the Standards was supplied for {view.name} "
            + todo("a summary of the self-assessment, or add params/self_assessment/<code>.csv and run again")
            + "."
        )
        return
    section.para(
        boiler.fill(boiler.self_assessment_process, **names) or todo("who carried out the self-assessment, and how")
    )
    gaps = selfassess.areas_for_improvement(assessment, view.areas)
    text = selfassess.summary_sentence(assessment)
    if gaps.empty:
        section.para(text)
    else:
        lines = []
        for standard, group in gaps.groupby("Standard", sort=False):
            number, title = standard.split(". ", 1)
            parts = [
                f"{status.lower()}: {'; '.join(group.loc[group['Status'] == status, 'Element'])}"
                for status in (selfassess.PARTIALLY, selfassess.NOT_MET)
                if (group["Status"] == status).any()
            ]
            lines.append(f"Standard {number}: {title} – {'. '.join(parts)}")
        section.para(
            f"{text} The key areas for improvement (the elements assessed as partially met or not met) are:",
            Block("bullets", items=lines),
        )
    if not view.suppressed and (text := _disagreements(assessment, view)):
        section.para(text)
    plan = selfassess.actions(assessment)
    if len(plan):
        table = selfassess.action_plan(assessment, view.areas).drop(columns=["Element", "Self-assessment"])
        section.para(
            f"{selfassess.plan_sentence(assessment)} The plan is set out below.",
            Block("table", table=table, title=f"{view.name}: action plan from the self-assessment"),
        )
        progress = selfassess.action_progress(assessment, view.areas, trend) if trend is not None else pd.DataFrame()
        if not progress.empty:
            prev = trend.previous_year  # type: ignore[union-attr]
            moved = progress[progress[f"Compared with {prev}"].str.startswith("Significant")]
            summary = (
                f"Since {prev}, the survey score of the standard behind {count_words(len(moved), 'action')} "
                "changed significantly."
                if len(moved)
                else f"Since {prev}, none of the survey scores of the standards behind the actions changed significantly."
            )
            section.para(
                f"{summary} Beside each action, the table shows how its standard's survey score moved.",
                Block("table", table=progress.drop(columns=["Priority"]),
                      title=f"{view.name}: each action beside how its standard's survey score moved"),
            )  # fmt: skip


def _next_steps(section: Section, view: CouncilView, assessment: pd.DataFrame | None, boiler: Boilerplate,
                names: dict[str, object]) -> None:  # fmt: skip
    section.blocks.append(Block("subheading", "Next steps"))
    section.para(
        boiler.fill(boiler.next_round, **names)
        or "The Health Check survey is run on an annual basis. "
        + todo(f"when the next round is due and whether {view.name} has registered to take part")
    )
    for step in boiler.next_steps:
        section.para(boiler.fill(step, **names) or "")
    if assessment is not None:
        high = selfassess.actions(assessment)
        high = high[high["priority"] == selfassess.PRIORITIES[0]]
        if len(high):
            listed = []
            for row in high.itertuples():
                who = f"{row.owner}, " if row.owner else ""
                when = f"by {row.target_date.day} {row.target_date:%B %Y}" if row.target_date else "no date set"
                listed.append(f"{row.commentary} (Standard {row.standard}; {who}{when})")
            lead = "The current priority is" if len(listed) == 1 else "The current priorities are"
            section.para(f"{lead}: {join_list(listed)}.")


def _implication(number: int, title: str, text: str | None, what: str) -> Section:
    section = Section(number, title)
    section.para(text or todo(what))
    return section


def build_paper(project: Project, year: int, council: str, service: str = "adults") -> Paper:
    """The paper for one council and year, from the processed tables, its self-assessment and ``params/paper/``.

    ``service`` names the service in the paper's words; the figures are the council's all-services figures.
    """
    view = load_council_view(project, year, council)
    boiler = load_boilerplate(project, view.code)
    service_name = service_words(boiler, service)
    board_full = boiler.board or todo("the board's name")
    board = boiler.board_short or boiler.board or "the Board"
    names: dict[str, object] = {"council": view.name, "board": board, "service": service_name, "year": year}
    words = {"board": board, "service": service_name}
    assessment = selfassess.load_self_assessment(project, view.code)
    trend = None if view.suppressed else load_council_trend(project, year, view.code)

    supporting = Section(3, "SUPPORTING INFORMATION")
    _background(supporting, view)
    _health_check(supporting, view, trend, boiler)
    _self_assessment(supporting, view, assessment, trend, boiler, names)
    _next_steps(supporting, view, assessment, boiler, names)
    priorities = Section(6, "IMPLICATIONS FOR THE COUNCIL'S PRIORITIES")
    for priority in boiler.council_priorities:
        priorities.para(
            priority.heading, Block("text", boiler.fill(priority.text, **names) or todo("the implications"))
        )
    if not priorities.blocks:
        priorities.para(todo(f"the implications for each of {possessive(view.name)} priorities"))
    background = Section(9, "LIST OF BACKGROUND PAPERS UNDER SECTION 100D OF THE LOCAL GOVERNMENT ACT 1972")
    background.blocks.append(
        Block("text", boiler.fill(boiler.background_papers, **names) or todo("the background papers"))
    )
    title = boiler.fill(boiler.subject, **names) or f"Social Work Health Check {year}"
    header = [
        ("REPORT TO:", board_full),
        ("DATE:", boiler.meeting_date or todo("the date of the meeting")),
        ("REPORTING OFFICER:", boiler.reporting_officer or todo("the reporting officer")),
        ("PORTFOLIO:", boiler.portfolio or todo("the portfolio")),
        ("SUBJECT:", title),
        ("WARD(S):", boiler.wards or todo("the wards")),
        ("REPORT AUTHOR:", boiler.author or todo("the report's author and contact details")),
    ]
    return Paper(
        council=view.name, code=view.code, year=year, service=service, title=title, header=header,
        sections=[
            _purpose(view, words, assessment),
            _recommendation(boiler, names),
            supporting,
            _implication(4, "POLICY IMPLICATIONS", boiler.fill(boiler.policy_implications, **names),
                         "the policy implications"),
            _implication(5, "OTHER/FINANCIAL IMPLICATIONS", boiler.fill(boiler.financial_implications, **names),
                         "the financial implications"),
            priorities,
            _implication(7, "RISK ANALYSIS", boiler.fill(boiler.risk_analysis, **names), "the risks"),
            _implication(8, "EQUALITY AND DIVERSITY ISSUES", boiler.fill(boiler.equality_and_diversity, **names),
                         "the equality and diversity implications"),
            background,
        ],
        appendices=[f"{view.name} local report, Social Work Health Check {year}"],
    )  # fmt: skip


__all__ = ["TODO", "Block", "Paper", "Section", "build_paper", "todo"]
