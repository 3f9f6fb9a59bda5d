"""Free-text comments of the sample, and the sensitive strings planted in them.

Comments speak to the respondent's strongest area (``comment_best``) and weakest area
(``comment_improve``), some with a second sentence, some with a word processor's curly quotes.
Every string of :data:`PLANTED_SENSITIVE` (emails, phone numbers, postcodes, people's and other
employers' names) is planted in comments, Halton's own among them every year, so that redaction
and leak tests must catch them.
"""

from __future__ import annotations

import re

import numpy as np

from healthcheck.synthetic.parameters import HALTON, RATES, AreaModel

#: Sensitive strings, by kind.
PLANTED = {
    "email": ["jane.doe@example.gov.uk", "p.kaur@example.org.uk"],
    "phone": ["0151 907 8306", "07700 900123", "020 7946 0958"],
    "postcode": ["WA8 7QF", "M15 4FN", "LS2 8JS"],
    "name": ["Mrs Patel", "Dr Okafor", "Mr J Smith", "Ms Kowalski"],
    "organisation": [
        "Warrington Borough Council",
        "Knowsley Council",
        "Liverpool City Council",
        "Kent County Council",
        "Leeds City Council",
    ],
}
#: Every sensitive string planted in the free text; redaction and leak tests must catch them.
PLANTED_SENSITIVE: list[str] = [s for strings in PLANTED.values() for s in strings]
#: The kind of each planted string.
PLANTED_KIND = {s: kind for kind, strings in PLANTED.items() for s in strings}
#: The code of each organisation a planted string names: planted in other organisations' comments, nearby first.
MENTIONED_ORG = {
    "Warrington Borough Council": "E06000007",
    "Knowsley Council": "E08000011",
    "Liverpool City Council": "E08000012",
    "Kent County Council": "E10000016",
    "Leeds City Council": "E08000035",
}
#: Planted in Halton's own comments every year.
HALTON_PLANTED = [
    "Mrs Patel",
    "0151 907 8306",
    "WA8 7QF",
    "jane.doe@example.gov.uk",
    "Warrington Borough Council",
    "Knowsley Council",
]
#: Sentences that carry a planted string, by kind.
PLANT_TEMPLATES = {
    "email": ["Happy to say more - email me at {x}.", "If anyone wants to follow this up my email is {x}."],
    "phone": ["Ring me on {x} if you want the details.", "My direct line is {x} if someone wants to talk it through."],
    "postcode": [
        "The office at {x} has no parking and the heating rarely works.",
        "Since the team moved to the building at {x} home visits take much longer.",
    ],
    "name": [
        "{x} is an excellent manager and always makes time for supervision.",
        "Since {x} left nobody reviews my caseload.",
        "{x} on the duty desk deserves recognition for holding everything together.",
    ],
    "organisation": [
        "Colleagues keep leaving for {x} because they pay more.",
        "Joint work with {x} on hospital discharges is a constant battle.",
        "{x} offers a better market supplement and we cannot compete.",
    ],
}

#: Topic of a comment -> what people write about it; 'best' is about the respondent's strongest area.
BEST = {
    "s1": [
        "Leaders are visible and genuinely interested in what practitioners think.",
        "There is a clear practice model and everyone knows what good looks like.",
        "The principal social worker keeps practice at the centre of decisions.",
        "Our director comes to team meetings and actually listens.",
        "Practice is valued here - it isn't just about performance figures.",
    ],
    "s2": [
        "The team is finally fully staffed and it makes a huge difference.",
        "We have a stable permanent team and very little reliance on agency staff.",
        "The recruitment campaign has brought in some great new colleagues.",
        "Newly qualified workers get a protected caseload in their first year.",
    ],
    "s3": [
        "Caseloads are manageable and my manager checks in before allocating new work.",
        "Allocation takes account of complexity, not just numbers.",
        "My caseload is reviewed every month and I can say when I'm at capacity.",
        "I can usually finish my recording within my hours.",
    ],
    "s4": [
        "Hybrid working has given me a much better work-life balance.",
        "My manager genuinely cares about my wellbeing - I feel supported.",
        "The flexible working policy means I can manage my caring responsibilities.",
        "The new laptops and phones have made working from home much easier.",
        "We have a wellbeing day each year and managers encourage us to take it.",
    ],
    "s5": [
        "Supervision is regular, reflective and protected.",
        "My supervisor is skilled and gives me space to think about my practice.",
        "Group supervision has been really valuable for sharing learning.",
        "I get supervision every four weeks and it is never cancelled.",
        'My manager is approachable and always available for a "quick chat" about a case.',
    ],
    "s6": [
        "There are plenty of training opportunities and I was supported to do my post-qualifying award.",
        "The practice development sessions are excellent.",
        "I was given time off to complete my best interests assessor training.",
        "The ASYE programme is well organised and the learning sets are brilliant.",
    ],
    "s7": [
        "I get time and support to record my CPD for registration.",
        "Reminders and guidance about registration renewal are really helpful.",
    ],
    "s8": [
        "We work well with health colleagues and the university partnership is strong.",
        "Students and newly qualified workers are really well supported here.",
        "The teaching partnership gives us good links with the local university.",
    ],
    "covid": [
        "The way the organisation handled the pandemic was excellent - we had laptops within days.",
        "During lockdown my manager phoned every week just to see how I was.",
    ],
    "contribution": [
        "I am proud of the work my team does with families.",
        "I feel I make a real difference here.",
        "The people I work with are committed and kind.",
    ],
}
#: What people would improve, by topic: about the respondent's weakest area.
IMPROVE = {
    "s1": [
        "Senior leaders need to listen to front-line staff rather than just consulting.",
        "Decisions are made without asking the people who do the work.",
        "Too many restructures - we never settle before the next one.",
        "Leaders talk about practice but everything is driven by targets.",
    ],
    "s2": [
        "We rely far too much on agency staff and the turnover is exhausting.",
        "Vacancies take months to fill and the rest of us pick up the work.",
        "Recruitment and retention need urgent attention - we lose good people every month.",
        "Agency colleagues are paid far more for the same job, which causes resentment.",
    ],
    "s3": [
        "Caseloads are far too high to practise safely.",
        "I regularly work evenings to keep up with recording.",
        "Cases are allocated without thinking about complexity.",
        "Duty weeks are relentless and there's no time to catch up afterwards.",
        "The recording system takes far longer than the visits themselves.",
    ],
    "s4": [
        "More admin support would free up time for direct work.",
        "The IT systems are slow and the laptops keep crashing.",
        "Hybrid working is fine but the office has no desks when we do go in.",
        "Wellbeing initiatives feel like a tick-box exercise.",
        "Nobody asks how we are after a difficult visit.",
        "Lone working arrangements need reviewing - I don't always feel safe.",
    ],
    "s5": [
        "Supervision is often cancelled or turns into case management only.",
        "I would like reflective supervision rather than a list of actions.",
        "Supervision has not happened for months.",
        "Managers are so stretched that supervision is squeezed into half an hour.",
    ],
    "s6": [
        "There is no protected time for CPD so training always comes second.",
        "Career progression is unclear - the only way up is into management.",
        "Training budgets have been cut and courses are always full.",
        "I'd like a proper progression route for experienced practitioners.",
    ],
    "s7": [
        "We need more support to keep our registration up to date.",
        "Nobody explains what happens if a fitness to practise concern is raised.",
    ],
    "s8": [
        "Working with health partners is difficult and information sharing is poor.",
        'The "front door" arrangements with partners need sorting out.',
        "Students are placed with us without any reduction in caseload.",
    ],
    "covid": [
        "We still do not have the equipment we were promised during the pandemic.",
        "Working from home during lockdown was isolating and nobody checked in.",
    ],
    "contribution": [
        "Staff feel undervalued and it shows in morale.",
        "Good work is never recognised, only mistakes.",
    ],
}
#: Second sentences of any comment.
EXTRA_SENTENCES = [
    "Thank you for asking.",
    "I hope this survey leads to real change.",
    "It's a good place to work overall.",
    "Pay does not reflect the responsibility we carry.",
    "The team is what keeps me here.",
    "Things have got better over the last year.",
    "Morale is low at the moment.",
    "We were told the same thing last year and nothing changed.",
    "I'd recommend the team, if not the organisation.",
    "Parking near the office is a daily struggle.",
]


def curly(text: str) -> str:
    """What a word processor makes of straight quotes and spaced hyphens."""
    text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)
    return text.replace("'", "\u2019").replace(" - ", " \u2013 ")


def comments(rng: np.random.Generator, latent: np.ndarray, model: AreaModel) -> tuple[np.ndarray, np.ndarray]:
    """comment_best and comment_improve about each respondent's strongest and weakest areas."""
    n = len(latent)
    topics = [a for a in model.areas if a in BEST]
    topic_idx = [model.areas.index(t) for t in topics]
    rel = latent[:, topic_idx] - model.national[topic_idx] + rng.normal(0, 6, (n, len(topics)))
    best_topic = np.argmax(rel, axis=1)
    worst_topic = np.argmin(rel, axis=1)
    writer = rng.random(n) < 0.42
    has_best = writer & (rng.random(n) < RATES["comment"] / 0.42)
    has_improve = writer & (rng.random(n) < RATES["comment"] / 0.42)
    curly_quotes = rng.random(n) < 0.35
    extra = rng.random((n, 2)) < 0.35
    pick = rng.random((n, 4))
    best = np.full(n, "", dtype=object)
    improve = np.full(n, "", dtype=object)
    for i in np.flatnonzero(has_best | has_improve):
        for out, has, bank, topic, col in (
            (best, has_best, BEST, best_topic, 0),
            (improve, has_improve, IMPROVE, worst_topic, 1),
        ):
            if not has[i]:
                continue
            phrases = bank[topics[topic[i]]]
            text = phrases[int(pick[i, col] * len(phrases))]
            if extra[i, col]:
                text += " " + EXTRA_SENTENCES[int(pick[i, col + 2] * len(EXTRA_SENTENCES))]
            out[i] = curly(text) if curly_quotes[i] else text
    return best, improve


def plant(
    rng: np.random.Generator,
    best: np.ndarray,
    improve: np.ndarray,
    org_code: np.ndarray,
    region: np.ndarray,
    eligible: np.ndarray,
    copies: int,
    mention_region: dict[str, str],
) -> list[tuple[int, str, str]]:
    """Write the sensitive strings into comments; returns (row, column, string) per plant."""
    plants: list[tuple[int, str, str]] = []
    used = np.zeros(len(org_code), dtype=bool)

    def put(row: int, text: str) -> None:
        column = "comment_best" if rng.random() < 0.4 else "comment_improve"
        target = best if column == "comment_best" else improve
        templates = PLANT_TEMPLATES[PLANTED_KIND[text]]
        sentence = templates[int(rng.integers(len(templates)))].format(x=text)
        target[row] = f"{target[row]} {sentence}".strip()
        plants.append((row, column, text))
        used[row] = True

    halton_rows = np.flatnonzero(eligible & (org_code == HALTON))
    if len(halton_rows):
        hosts = rng.choice(halton_rows, size=min(4, len(halton_rows)), replace=False)
        for k, text in enumerate(HALTON_PLANTED):
            put(int(hosts[k % len(hosts)]), text)
    for text in PLANTED_SENSITIVE:
        n_copies = copies if text not in HALTON_PLANTED else max(0, copies - 1)
        if text not in HALTON_PLANTED and not len(halton_rows):
            n_copies = max(n_copies, 1)
        for _ in range(n_copies):
            ok = eligible & (org_code != HALTON) & ~used
            mentioned = MENTIONED_ORG.get(text)
            if mentioned:
                ok &= org_code != mentioned
                near = ok & (region == mention_region.get(mentioned, "?"))
                if near.any():
                    ok = near
            if not ok.any():
                ok = eligible & (org_code != mentioned)
            put(int(rng.choice(np.flatnonzero(ok))), text)
    return plants
