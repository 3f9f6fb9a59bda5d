"""Realistic, seeded sample organisational returns, with the mess real exports have.

:func:`generate_return` builds a year's return as the survey platform would export it (every
cell a string, the contract's columns): one row for about 75-85% of the organisations that
take part in the worker survey that year. Those are the codes in ``params/<year>/headcounts.csv``
(written with the worker sample) when it exists, else organisations drawn from the reference
data. :func:`write_return` writes ``data/raw/<year>/org_return.csv`` as Windows-1252 bytes.

Answers follow the proportions of the LGA's 2018 children's health check report (96% have a
system to monitor supervision, 77% of those with reflective supervision training make it
mandatory, ...); numbers follow its averages by council type (caseload about 19, unfilled posts
about 12% of FTE posts and 18% in London, agency cover about 15% and 25% in London). Each
follow-up is answered only by the filter group.

The mess, recorded in ``attrs['mess']`` of the returned frame: organisation names typed in
several ways (official name, short name, alias, upper or lower case, padded), codes in lower case
or left blank, one organisation submitting twice (the earlier submission must be dropped), a
test row, a blank row, stray whitespace around labels, a curly apostrophe in "Don’t know" and
Windows-1252 curly quotes and dashes in free text, one implausible number (agency posts above
FTE posts) and one follow-up answered outside its filter group. Some free text names
organisations, which the published annex must replace with '<Council Name>'.

Random numbers come from ``numpy.random.default_rng([seed, year, 7])``: the same seed and
organisations give the same bytes, and the stream is independent of the worker sample's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from healthcheck import catalogue
from healthcheck.config import SAMPLE_YEARS, Project
from healthcheck.errors import ParameterError
from healthcheck.files import atomic_write_bytes
from healthcheck.reference.organisations import (
    NON_COUNCIL,
    OrganisationIndex,
    is_council,
    load_organisations,
)
from healthcheck.reference.return_codebook import (
    META_COLUMNS,
    load_return_codebook,
    parse_filter,
    split_options,
)

#: Share of the worker survey's organisations that send a return.
RESPONSE_SHARE = (0.75, 0.85)
#: Councils taking part when there is no worker sample to follow (as in the worker sample).
DEFAULT_COUNCILS = 133
_STREAM = 7  # keeps this generator's random numbers apart from the worker sample's

#: Probabilities of each option (form order) of the single-choice questions, from the 2018 report.
SINGLE_P: dict[str, list[float]] = {
    "cancel_meetings": [39, 13, 3, 1, 0.5, 43.5],
    "allocation_system": [91, 8, 1],
    "safe_caseload_process": [82, 11, 7],
    "co_work": [98, 1, 1],
    "incidents": [9, 77, 9, 1, 4],
    "incident_response": [73, 5, 22],
    "flexible_working": [99, 1, 0],
    "ict_aligned": [93, 4, 3],
    "supervision_monitoring": [96, 3, 1],
    "supervision_training_reflective": [94, 3, 3],
    "supervision_training_mandatory": [77, 21, 2],
    "wellbeing_agenda": [95, 5, 0],
    "non_sw_supervision": [88, 4, 8],
    "supervision_frequency": [1, 4, 80, 14, 0.5, 0.5],
    "peer_reflective": [86, 11, 3],
    "appraisal": [55, 17, 12, 16],
    "exit_interviews": [84, 11, 5],
    "exit_followup": [77, 9, 14],
    "career_strategy": [85, 14, 1],
    "cpd_attendance": [14, 67, 17, 1, 1],
    "performance_systems": [44, 51, 1, 0, 4],
    "regulator_process": [50, 47, 0, 0, 3],
    "feedback_service_users": [6, 55, 35, 0, 4],
    "feedback_carers": [3, 62, 31, 0, 4],
    "integration": [12, 57, 29, 1, 1],
    "partner_working": [62, 31, 7],
}
#: Probability that each option (form order) of a multi-choice question is ticked, in per cent.
MULTI_P: dict[str, list[float]] = {
    "safety_support": [94, 96, 96, 35, 56, 52, 23, 86, 87, 87, 8],
    "work_environment": [90, 94, 81, 96, 95, 84],
    "cpd_devised": [82, 61, 74, 55, 0],  # Don't know is exclusive: see _multi
    "cpd_commissioned": [78, 83, 64, 90, 42],
    "cpd_delivered": [84, 19, 94, 77, 58, 96, 96, 29],
    "cpd_feedback": [99, 56, 71, 83, 31],
    "career_opportunities": [91, 90, 96, 79, 88, 70, 70, 81, 95, 17],
}
#: Share of respondents who leave a question blank (in per cent); others 4%.
SKIP_P: dict[str, float] = {
    "fte_posts": 3, "unfilled_posts": 10, "agency_posts": 9, "frozen_posts": 12, "deleted_posts": 22,
    "absence_stress": 26, "absence_planned": 32, "absence_maternity": 28, "absence_other": 70,
    "market_supplements": 28, "caseload": 5, "hours_over": 50, "incidents": 25, "exit_followup": 10,
    "appraisal": 12, "cancel_meetings": 8, "safety_support": 0, "work_environment": 0, "cpd_devised": 0,
    "cpd_commissioned": 0, "cpd_delivered": 0, "cpd_feedback": 0, "career_opportunities": 0,
}  # fmt: skip
_SKIP_DEFAULT = 4.0

# Averages by type, from the 2018 report's tables 4-10: (unfilled %, agency %, caseload, hours over).
_TYPE_MEANS = {
    "Shire County": (12, 13, 20, 6),
    "London Borough": (18, 25, 17, 5),
    "Metropolitan District": (10, 9, 20, 7),
    "Unitary Authority": (11, 13, 19, 6),
    NON_COUNCIL: (12, 15, 19, 6),
}
# FTE social worker posts by type: (median, log sd).
_FTE = {
    "Shire County": (320, 0.30),
    "London Borough": (140, 0.30),
    "Metropolitan District": (180, 0.35),
    "Unitary Authority": (90, 0.40),
    NON_COUNCIL: (150, 0.50),
}

# --- free text -------------------------------------------------------------------------------
# {own} is the organisation's own name as it writes it, {other} a neighbour's.
TEXTS: dict[str, list[str]] = {
    "achievements": [
        "Introduction of a new training and development programme for all practitioners, with protected learning time.",
        "Launched the {own} Social Work Academy, which now runs the ASYE programme and a practice educator pathway.",
        "Recruitment and retention strategy agreed; vacancy rate down and fewer agency staff than last year.",
        "Quality assurance framework refreshed, with monthly practice audits that include feedback from families.",
        "Caseloads reduced across the assessment teams following investment in two additional teams.",
        "Positive Ofsted focused visit: inspectors said staff feel well supported and able to talk to managers.",
        "Supervision policy revised so that reflective supervision is protected and recorded.",
        "Annual health check completed with a higher response rate than ever; the results shaped our workforce plan.",
        "Joint practice development week with {other}, attended by over 200 staff.",
        "New wellbeing offer: a staff wellbeing day and clinical supervision after difficult cases.",
        "Introduction of new working practices: a relational practice model rolled out across the service.",
        "Grow-our-own scheme: six apprentices started the social work degree this year.",
    ],
    "development_areas": [
        "Training and development: the practice educator pool needs to grow.",
        "Recruitment and retention of experienced social workers remains our biggest challenge.",
        "Reducing reliance on agency staff in the front door and assessment teams.",
        "Consistency of supervision recording across teams.",
        "Caseloads in the children in need teams are still too high at times.",
        "Quality assurance: learning from audits needs to reach practice faster.",
        "Staff engagement with the health check was lower than we want.",
        "Career progression for experienced practitioners who do not want to manage.",
        "Working practices and policies need simplifying; the recording system takes too long.",
        "Partnership working with health colleagues, particularly {other}'s community services.",
    ],
    "absence_other_reason": [
        "Secondments and unpaid leave.",
        "Long-term carer's leave.",
        "Career break.",
        "Suspension pending investigation.",
    ],
    "s2_comments": [
        "Figures are as at 31 March and include newly qualified social workers in their ASYE year.",
        "Market supplements are paid in the front door and child protection teams only.",
        "Our vacancy figures include posts held for newly qualified social workers starting in September.",
        "Agency use has fallen since we joined the regional memorandum of understanding with {other}.",
        "We count FTE posts on the establishment, not people.",
    ],
    "cancel_meetings_specify": ["In the front door team during peaks of demand.", "Mostly on duty days."],
    "safe_caseload_assurance": [
        "Caseload monitoring through a monthly dashboard reviewed by the senior management team.",
        "Quality assurance: team managers review caseloads in supervision and escalate concerns.",
        "Management oversight through the weekly performance clinic.",
        "Supervision and caseload audits; the principal social worker reports to DMT quarterly.",
        "Caseload weighting tool agreed with staff and reviewed every six months.",
    ],
    "s3_comments": [
        "Caseloads vary by team; the average hides pressure in the assessment teams.",
        "We do not record hours over contract centrally; the figure is an estimate from the health check.",
        "Newly qualified social workers have a protected caseload of no more than 15 children.",
    ],
    "safety_support_other": [
        "Safety planning is part of every allocation discussion.",
        "Body-worn alarms for out of hours staff.",
        "Restorative debriefs after incidents.",
    ],
    "incident_response_details": [
        "Incidents are reviewed by the health and safety group and learning shared with teams.",
        "Lone working policy reviewed and a new alert system introduced.",
        "Managers debrief staff after every incident and risk flags are added to the case record.",
        "Training in managing aggression offered to all front-line staff.",
    ],
    "s4_comments": [
        "A new lone working app was introduced in the autumn.",
        "ICT is improving but the case management system remains slow.",
        "Hybrid working is supported with laptops and smartphones for all social workers.",
    ],
    "supervision_monitoring_details": [
        "Supervision audits every quarter and a supervision tracker reported to the leadership team.",
        "Supervision policy with monthly compliance reporting from the case management system.",
        "Quality assurance framework includes dip sampling of supervision records.",
        "The principal social worker audits supervision and reports findings to the workforce board.",
    ],
    "supervision_frequency_other": ["Monthly for experienced staff, fortnightly for ASYE."],
    "exit_followup_details": [
        "Exit interview reports reviewed by HR and the management team, who agree follow-up actions.",
        "Themes reported quarterly to the workforce board.",
        "The principal social worker meets every leaver and reports themes to the director.",
    ],
    "s5_comments": [
        "Group supervision has been piloted in two teams and will be rolled out.",
        "Supervision frequency is higher for newly qualified social workers.",
        "The appraisal figure reflects a change of system part way through the year.",
    ],
    "cpd_devised_other": [
        "Training needs analysis from appraisals.",
        "Audit outcomes and learning reviews.",
        "Feedback from staff.",
        "Learning from serious case reviews.",
    ],
    "cpd_commissioned_other": [
        "In house by the workforce development team.",
        "Through the regional teaching partnership.",
    ],
    "cpd_delivered_other": ["Online learning and webinars.", "Practice weeks and learning circles."],
    "cpd_feedback_other": ["Staff surveys.", "Audit activity.", "Supervision discussions."],
    "regulator_support": [
        "Training and development, supervision and appraisal, with CPD recording supported through the academy.",
        "Supervision and appraisals, and reminders about registration renewal.",
        "Workforce development strategy and a clear career pathway.",
        "Practice standards, access to research and protected learning time.",
    ],
    "s6_comments": [
        "The CPD programme is shared across the region with {other}.",
        "Attendance at CPD is affected by workload pressures.",
    ],
    "ftp_measures": [
        "Supervision, performance management and CPD, with HR support where concerns arise.",
        "Capability and improvement policies, line management support and coaching.",
        "Quality assurance and audit, supervision and a clear practice standards framework.",
    ],
    "s7_comments": ["Referrals to the regulator are rare and handled by the principal social worker with HR."],
    "feedback_service_users_action": [
        "A participation team gathers feedback and reports to the improvement board.",
        "Feedback surveys after assessments; themes inform training.",
        "Young people's council co-designs service changes.",
    ],
    "feedback_carers_action": [
        "Carer feedback forms and a carers' forum.",
        "Foster carer surveys reviewed twice a year.",
    ],
    "community_engagement": [
        "Partnership and hub working with early help and schools.",
        "Locality-based teams with links to children's centres and community groups.",
        "Community safeguarding events and learning offers.",
        "Working with the voluntary and community sector through the local forum.",
        "This is an area for development.",
    ],
    "s8_comments": ["Integration with health is progressing through the joint commissioning board with {other}."],
    "additional_comments": [
        "Thank you for the opportunity to contribute.",
        "Some figures were estimated because our systems do not record them.",
        "It would help if the survey matched the health check questions more closely.",
    ],
}
#: Probability (per cent) that a respondent writes something, where not 100 for a filter group.
TEXT_P: dict[str, float] = {
    "achievements": 85, "development_areas": 82, "regulator_support": 85, "ftp_measures": 88,
    "community_engagement": 84, "safe_caseload_assurance": 86, "feedback_service_users_action": 45,
    "feedback_carers_action": 40, "additional_comments": 25, "absence_other_reason": 60,
    "incident_response_details": 70, "supervision_monitoring_details": 75, "exit_followup_details": 65,
}  # fmt: skip
_TEXT_DEFAULT = 30.0  # comments boxes
_OTHER_SPECIFY = 85.0  # the 'please specify' box after ticking Other


def _participants(project: Project, year: int, orgs: Sequence[str] | None, rng: np.random.Generator) -> list[str]:
    """Codes of the organisations in the worker survey: given, from headcounts, or drawn."""
    reference = load_organisations(project)
    known = set(reference["org_code"])
    if orgs is not None:
        codes = [str(c).strip().upper() for c in orgs]
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ParameterError(f"unknown organisation code(s) {', '.join(unknown[:5])}: see data/reference")
        return sorted(set(codes))
    heads = catalogue.HEADCOUNTS.path(project, year)
    if heads.is_file():
        codes = pd.read_csv(heads, dtype=str)["org_code"].str.strip().str.upper()
        return sorted(set(codes) & known)
    councils = reference.loc[is_council(reference), "org_code"].to_numpy()
    others = reference.loc[~is_council(reference), "org_code"].tolist()
    pick = rng.choice(len(councils), size=min(DEFAULT_COUNCILS, len(councils)), replace=False)
    return sorted([*councils[pick].tolist(), *others])


def _name_typed(row: pd.Series, index: OrganisationIndex, u: float) -> str:
    """One of the ways a person types the organisation's name (each checked to resolve)."""
    aliases = [a.strip() for a in str(row["aliases"] or "").split(";") if a.strip()]
    official, name = row["official_name"], row["name"]
    choices = [
        (0.40, official), (0.25, name), (0.10, aliases[0] if aliases else official), (0.07, official.upper()),
        (0.07, name.lower()), (0.11, f" {official}  "),
    ]  # fmt: skip
    total = 0.0
    for p, text in choices:
        total += p
        if u < total:
            return text if index.resolve_name(text) == row["org_code"] else official
    return official


def _curly(text: str) -> str:
    """What a word processor makes of straight quotes and spaced hyphens (all in Windows-1252)."""
    return text.replace("'", "\u2019").replace(" - ", " \u2013 ")


def _number_text(value: float) -> str:
    return "" if np.isnan(value) else (str(int(value)) if float(value).is_integer() else f"{value:.1f}")


def _numbers(rng: np.random.Generator, org_type: str) -> dict[str, float]:
    """Section 2 and 3 numbers for one organisation (NaN where left blank)."""
    unfilled_pct, agency_pct, caseload_mean, hours_mean = _TYPE_MEANS.get(org_type, _TYPE_MEANS[NON_COUNCIL])
    median, sd = _FTE.get(org_type, _FTE[NON_COUNCIL])
    fte = float(np.round(np.clip(rng.lognormal(np.log(median), sd), 15, 900) * 2) / 2)
    whole = int(fte)

    def share(mean_pct: float, concentration: float = 18.0) -> float:
        m = mean_pct / 100
        return float(rng.beta(m * concentration, (1 - m) * concentration))

    unfilled = float(round(share(unfilled_pct) * fte))
    agency = float(min(round(share(agency_pct) * fte), fte))
    frozen = float(min(unfilled, rng.integers(1, 4))) if rng.random() < 0.15 else 0.0
    deleted = float(rng.poisson(0.012 * fte)) if rng.random() < 0.6 else 0.0
    market = 0.0 if rng.random() < (0.3 if org_type == "London Borough" else 0.45) else float(round(share(55, 6) * fte))
    values = {
        "fte_posts": fte,
        "unfilled_posts": unfilled,
        "agency_posts": agency,
        "frozen_posts": frozen,
        "deleted_posts": deleted,
        "absence_stress": float(rng.binomial(whole, 0.02)),
        "absence_planned": float(rng.binomial(whole, 0.02)),
        "absence_maternity": float(rng.binomial(whole, 0.04)),
        "absence_other": float(rng.binomial(whole, 0.03)),
        "market_supplements": market,
        "caseload": float(np.clip(np.round(rng.normal(caseload_mean, 3.0), 0 if rng.random() < 0.7 else 1), 8, 35)),
        "hours_over": float(np.clip(np.round(rng.normal(hours_mean, 2.0) * 2) / 2, 0, 15)),
    }
    return values


#: Questions whose answers run to several sentences (a list of achievements, of areas to develop).
_LONG = {
    "achievements": 3, "development_areas": 3, "regulator_support": 2, "ftp_measures": 2, "community_engagement": 2,
}  # fmt: skip


def _pick_text(rng: np.random.Generator, qid: str, own: str, other: str) -> tuple[str, bool]:
    """A free-text answer (one to three sentences), and whether it names an organisation."""
    bank = TEXTS.get(qid) or ["See our health check report."]
    k = int(rng.integers(1, _LONG.get(qid, 1) + 1))
    picked = [bank[int(i)] for i in sorted(rng.choice(len(bank), size=min(k, len(bank)), replace=False))]
    text = " ".join(picked)
    return text.format(own=own, other=other), "{" in text


def generate_return(
    year: int, *, seed: int = 2020, orgs: list[str] | None = None, project: Project | None = None
) -> pd.DataFrame:
    """One year's sample return as exported (all strings); ``attrs['mess']`` and ``attrs['responding']``."""
    project = project or Project.default()
    project.resolve_year(year)
    rng = np.random.default_rng([seed, year, _STREAM])
    book = load_return_codebook(project, year)
    reference = load_organisations(project).set_index("org_code", drop=False)
    index = OrganisationIndex.build(reference.reset_index(drop=True))
    participants = _participants(project, year, orgs, rng)
    if not participants:
        raise ParameterError(f"no organisations take part in {year}: nothing to sample")
    share = rng.uniform(*RESPONSE_SHARE)
    n = max(1, min(len(participants), round(share * len(participants))))
    responding = sorted(np.array(participants)[rng.choice(len(participants), size=n, replace=False)].tolist())

    kinds = dict(zip(book["qid"], book["type"], strict=True))
    questions = list(book.itertuples(index=False))
    records = reference.to_dict("index")
    by_region = reference.groupby(reference["region"].fillna(""))["org_code"].apply(list).to_dict()
    rows: list[dict[str, str]] = []
    mentions = 0
    for code in responding:
        org = records[code]
        near = [c for c in by_region.get(org["region"] if isinstance(org["region"], str) else "", []) if c != code]
        other_row = records[near[int(rng.integers(len(near)))]] if near else records[reference.index[0]]
        own = org["official_name"] if rng.random() < 0.5 else org["name"]
        other = other_row["official_name"] if rng.random() < 0.6 else other_row["name"]
        numbers = _numbers(rng, org["org_type"])
        curly = rng.random() < 0.4
        answer: dict[str, str] = {}
        for q in questions:
            parsed = parse_filter(q.filter)
            if parsed is not None:  # a follow-up: only its filter group is asked
                parent, value = parsed
                given = answer.get(parent, "")
                asked = value in given.split(";") if kinds[parent] == "multi" else given == value
                if not asked:
                    answer[q.qid] = ""
                    continue
            skip = rng.random() * 100 < SKIP_P.get(q.qid, _SKIP_DEFAULT if q.type != "text" else 0)
            if q.type == "number":
                answer[q.qid] = "" if skip else _number_text(numbers[q.qid])
            elif q.type == "single":
                opts = split_options(q.options)
                p = np.array(SINGLE_P.get(q.qid, [1] * len(opts)), dtype=float)
                answer[q.qid] = "" if skip else opts[int(rng.choice(len(opts), p=p / p.sum()))]
            elif q.type == "multi":
                answer[q.qid] = "" if skip else _multi(rng, q.qid, split_options(q.options))
            else:
                p = _OTHER_SPECIFY if parsed is not None and parsed[1] == "Other" else TEXT_P.get(q.qid, _TEXT_DEFAULT)
                if q.qid == "absence_other_reason" and numbers["absence_other"] == 0:
                    p = 0
                text, named = _pick_text(rng, q.qid, own, other) if rng.random() * 100 < p else ("", False)
                mentions += named
                answer[q.qid] = _curly(text) if curly else text
        rows.append({"org_code": code, **answer})

    table = pd.DataFrame(rows)
    raw = _export(rng, table, book, reference, index, year)
    raw.attrs["mess"]["org_names_in_text"] = mentions
    return raw


def _multi(rng: np.random.Generator, qid: str, opts: list[str]) -> str:
    """Ticked options in the form's order; 'Don't know' only ever on its own."""
    p = np.array(MULTI_P.get(qid, [50] * len(opts)), dtype=float) / 100
    if "Don't know" in opts and rng.random() < 0.01:
        return "Don't know"
    ticked = [o for o, pi in zip(opts, p, strict=True) if o != "Don't know" and rng.random() < pi]
    if not ticked:
        ticked = [opts[int(np.argmax(p))]]
    return ";".join(ticked)


def _export(
    rng: np.random.Generator,
    table: pd.DataFrame,
    book: pd.DataFrame,
    reference: pd.DataFrame,
    index: OrganisationIndex,
    year: int,
) -> pd.DataFrame:
    """Add the meta columns and the mess; rows in submission order."""
    n = len(table)
    qid_cols = book["qid"].tolist()
    codes = table["org_code"].tolist()
    mess = {"rows": 0, "returns": n}

    # Plant one implausible number and one follow-up answered outside its group.
    fte = pd.to_numeric(table["fte_posts"], errors="coerce")
    if n >= 3 and fte.notna().any():
        r = int(fte.idxmax() if n < 5 else fte.dropna().index[len(fte.dropna()) // 2])
        table.loc[r, "agency_posts"] = _number_text(float(fte[r]) + 12)
        mess["implausible_agency"] = codes[r]
    no_training = table.index[table["supervision_training_reflective"] == "No"]
    if len(no_training):
        r = int(no_training[0])
        table.loc[r, "supervision_training_mandatory"] = "No"
        mess["filter_mismatch"] = codes[r]

    # Submission times: November to January; ids follow time.
    start = np.datetime64(f"{year}-11-01T00:00", "s")
    days = rng.integers(0, 92, n + 1)  # one extra for the repeat
    hours = np.clip(rng.normal(13, 2.5, n + 1), 8, 19.5)  # mostly in office hours
    seconds = np.sort(days * 86_400 + (hours * 3600).astype(np.int64))
    when = start + seconds[1:].astype("timedelta64[s]")
    out = pd.DataFrame({"submitted": when})
    iso = rng.random(n) < 0.15
    stamps = pd.Series(when)
    out["submitted"] = np.where(iso, stamps.dt.strftime("%Y-%m-%dT%H:%M:%S"), stamps.dt.strftime("%d/%m/%Y %H:%M"))
    first_id = int(rng.integers(40_000_000, 60_000_000))
    ids = first_id + np.cumsum(rng.integers(3, 400, n + 1))
    out["response_id"] = ids[1:].astype(str)

    u = rng.random((n, 3))
    typed_names, typed_codes, services = [], [], []
    for i, code in enumerate(codes):
        org = reference.loc[code]
        typed_names.append(_name_typed(org, index, u[i, 0]))
        typed_codes.append(code.lower() if u[i, 1] < 0.10 else "" if u[i, 1] > 0.80 else code)
        service = "Adults" if org["org_type"] == NON_COUNCIL and "NHS" in org["name"] else "Children"
        services.append(service.lower() if u[i, 2] < 0.08 else f"{service} " if u[i, 2] > 0.95 else service)
    out["org_code"], out["org_name"], out["service"] = typed_codes, typed_names, services
    raw = pd.concat([out[META_COLUMNS].reset_index(drop=True), table[qid_cols].reset_index(drop=True)], axis=1)

    # Stray whitespace and a curly apostrophe in labels.
    singles = book.loc[book["type"] == "single", "qid"].tolist()
    pad = rng.random((n, len(singles))) < 0.01
    padded = 0
    for j, qid in enumerate(singles):
        hit = pad[:, j] & (raw[qid] != "").to_numpy()
        raw.loc[hit, qid] = " " + raw.loc[hit, qid] + " "
        padded += int(hit.sum())
    mess["padded_labels"] = padded
    dont_know = [(r, q) for q in singles for r in raw.index[raw[q] == "Don't know"]]
    if dont_know:
        r, q = dont_know[int(rng.integers(len(dont_know)))]
        raw.loc[r, q] = "Don\u2019t know"
        mess["curly_label"] = f"{codes[r]}:{q}"

    # One organisation submitted twice: an earlier draft with a few answers changed.
    extra = []
    if n >= 2:
        r = int(rng.integers(n))
        draft = raw.loc[r].copy()
        draft["response_id"] = str(first_id)
        draft["submitted"] = pd.Timestamp(start + seconds[0].astype("timedelta64[s]")).strftime("%d/%m/%Y %H:%M")
        draft["caseload"] = ""
        draft["achievements"] = ""
        draft["org_name"] = reference.loc[codes[r], "name"]
        extra.append((-1, draft))
        mess["repeat"] = codes[r]
    test = pd.Series("", index=raw.columns)
    test["response_id"] = str(first_id + 1)
    test["submitted"] = f"02/11/{year} 10:15"
    test["org_name"] = "Test"
    test["service"] = "Children"
    test["supervision_monitoring"] = "Yes"
    test["achievements"] = "test - please ignore"
    extra.append((0.5 * n, test))
    extra.append((0.6 * n + 0.5, pd.Series("", index=raw.columns)))  # a blank row, never last
    position = np.arange(n, dtype=float)
    frames = [raw]
    for pos, row in extra:
        position = np.append(position, pos)
        frames.append(row.to_frame().T)
    full = pd.concat(frames, ignore_index=True)
    full = full.iloc[np.argsort(position, kind="stable")].reset_index(drop=True).astype("str")
    mess.update(rows=len(full), test=1, blank=1, duplicate=1 if n >= 2 else 0)
    mess["code_blank"] = int((full["org_code"] == "").sum()) - 2  # not the test and blank rows
    mess["code_lower"] = int((full["org_code"] != full["org_code"].str.upper()).sum())
    full.attrs["mess"] = mess
    full.attrs["responding"] = codes
    return full


def return_bytes(raw: pd.DataFrame) -> bytes:
    """The return as a platform writes it: CSV, CRLF line ends, Windows-1252."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(raw.columns)
    writer.writerows(raw.to_numpy(dtype=object).tolist())
    return buffer.getvalue().encode("cp1252")  # strict: a character cp1252 cannot hold is a bug here


def write_return(
    project: Project,
    years: Sequence[int] | None = None,
    *,
    seed: int = 2020,
    force: bool = False,
    orgs_by_year: dict[int, list[str]] | None = None,
) -> list[Path]:
    """Write each year's sample return to ``data/raw/<year>/org_return.csv``; returns the paths.

    Refuses (before writing anything) to overwrite an existing return unless ``force``.
    """
    years = list(SAMPLE_YEARS if years is None else years)
    for year in years:
        project.resolve_year(year)
    if not force:
        existing = [p for y in years for p in catalogue.ORG_RETURN_RAW.paths(project, y) if p.exists()]
        if existing:
            raise ParameterError(
                f"return already exists: {', '.join(str(p) for p in existing)}; data/raw is never "
                "overwritten, pass force=True to replace the sample"
            )
    written = []
    for year in years:
        orgs = (orgs_by_year or {}).get(year)
        raw = generate_return(year, seed=seed, orgs=orgs, project=project)
        path = catalogue.ORG_RETURN_RAW.paths(project, year)[0]  # the CSV spelling: written as CSV
        written.append(atomic_write_bytes(path, return_bytes(raw)))
    return written
