"""Who answered: the groups results are broken down by (docs/data-contracts.md, docs/method.md).

The worker survey export may carry, besides ``service`` and ``role``, six optional columns about
the respondent: employment, profession, ethnicity (the ONS harmonised high-level groups), sex,
age band and disability. Each takes the labels below (matched loosely by the cleaner). A column
missing from an export, or left blank, means the question was not asked of that respondent:
the cleaned value is missing ("Not known" in a profile), except ``profession``, where blank means
"Social worker" (the years that surveyed social workers only).

The cleaner, the sample generator, the breakdowns and disclosure control read them from here.
"""

from __future__ import annotations

from healthcheck.reference.survey_export import ROLES, SERVICES

#: The optional respondent columns of an export, in contract order.
GROUP_COLUMNS = ["employment", "profession", "ethnicity", "sex", "age_band", "disability"]

PREFER_NOT = "Prefer not to say"
#: A missing answer (not asked, or blank) in a profile or a breakdown.
NOT_KNOWN = "Not known"

EMPLOYMENT = ["Permanent", "Agency", "Other"]
PROFESSION = ["Social worker", "Occupational therapist", "Social work assistant or other non-registered"]
ETHNICITY = [
    "White",
    "Mixed or multiple ethnic groups",
    "Asian or Asian British",
    "Black African Caribbean or Black British",
    "Other ethnic group",
    PREFER_NOT,
]
SEX = ["Female", "Male", "Prefer to self-describe", PREFER_NOT]
AGE_BANDS = ["Under 25", "25-34", "35-44", "45-54", "55-64", "65 and over", PREFER_NOT]
DISABILITY = ["Yes", "No", PREFER_NOT]

#: Every label of each optional column, in the order tables list them.
GROUP_LABELS: dict[str, list[str]] = {
    "employment": EMPLOYMENT,
    "profession": PROFESSION,
    "ethnicity": ETHNICITY,
    "sex": SEX,
    "age_band": AGE_BANDS,
    "disability": DISABILITY,
}

#: What blank means in each optional column (None: not asked, so missing).
BLANK_MEANS: dict[str, str | None] = dict.fromkeys(GROUP_COLUMNS) | {"profession": "Social worker"}

#: The dimensions of a breakdown, with the heading a reader sees. ``service`` is the raw answer
#: (Adults, Children, Both: a partition of the respondents), broken down in the all-services
#: figures only; a service's own figures are a unit of reporting (:mod:`healthcheck.reference.services`).
DIMENSIONS: dict[str, str] = {
    "service": "Service",
    "role": "Role",
    "employment": "Employment",
    "profession": "Profession",
    "ethnicity": "Ethnicity",
    "sex": "Sex",
    "age_band": "Age band",
    "disability": "Disability (long-term condition)",
}

#: The labels of every dimension, service and role included.
DIMENSION_LABELS: dict[str, list[str]] = {"service": list(SERVICES), "role": list(ROLES)} | GROUP_LABELS

#: Groups shown only in England's figures, never for a region or an organisation (a non-answer
#: is too easily traced back to a person in a small team).
NATIONAL_ONLY = frozenset({PREFER_NOT, NOT_KNOWN})
