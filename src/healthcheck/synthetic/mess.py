"""The mess real exports have: organisation names typed many ways, typos, submission times.

Every spelling :func:`name_variants` offers is checked to resolve to its organisation (cleaning
must find it); every name :func:`unmatched_names` offers is checked to match nothing (cleaning
must exclude it and list it). Times fall in the fieldwork weeks, mostly in working hours, and
are written day first or, for some rows, in ISO 8601.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthcheck.reference.organisations import OrganisationIndex

#: How organisation names get typed: kind -> probability.
NAME_KINDS = {
    "official": 0.45, "short": 0.22, "alias": 0.08, "lower": 0.05, "upper": 0.04,
    "bc": 0.03, "spaces": 0.08, "ampersand": 0.05,
}  # fmt: skip
#: Names of no organisation, as people type them when they do not name their employer.
UNMATCHED_NAMES = [
    "Social Services Dept", "Children's Services", "Adult Social Care", "Local Authority", "the council",
]  # fmt: skip


def name_variants(row: dict, index: OrganisationIndex) -> dict[str, list[str]]:
    """The ways people type one organisation's name, each checked to resolve to it."""
    official, name = row["official_name"], row["name"]
    aliases = [a.strip() for a in str(row["aliases"] or "").split(";") if a.strip()]
    bc = []
    endings = (("Metropolitan Borough Council", "M.B.C."), ("Borough Council", "B.C."), ("County Council", "C.C."))
    for ending, short in endings:
        if official.endswith(ending):
            bc.append(f"{name} {short}")
            break
    kinds = {
        "official": [official],
        "short": [name],
        "alias": aliases,
        "lower": [official.lower(), name.lower()],
        "upper": [name.upper(), official.upper()],
        "bc": bc,
        "spaces": [f" {official}", f"{official}  ", f" {name} ", name.replace(" ", "  ", 1) + " "],
        "ampersand": [official.replace(" and ", " & ")] if " and " in official else [],
    }
    code = row["org_code"]
    return {k: [v for v in vs if index.resolve_name(v) == code] or [official] for k, vs in kinds.items()}


def typo(name: str, rng: np.random.Generator) -> str:
    """A name with one letter dropped or two swapped."""
    letters = [i for i in range(1, len(name) - 1) if name[i].isalpha() and name[i + 1].isalpha()]
    i = int(rng.choice(letters))
    if rng.random() < 0.5:
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def unmatched_names(rng: np.random.Generator, count: int, panel: pd.DataFrame, index: OrganisationIndex) -> list[str]:
    """Names that match no organisation: generic department names and typos."""
    names: list[str] = []
    for k in range(count):
        if k % 2 == 0:
            names.append(UNMATCHED_NAMES[0] if k == 0 else str(rng.choice(UNMATCHED_NAMES)))
            continue
        for _ in range(50):
            org = panel.iloc[int(rng.integers(len(panel)))]
            base = org["official_name"] if rng.random() < 0.5 else org["name"]
            if sum(c.isalpha() for c in base) < 6:
                continue
            misspelt = typo(base, rng)
            if index.resolve_name(misspelt) is None and not index.resolve(misspelt)[0]:
                names.append(misspelt)
                break
        else:
            names.append(str(rng.choice(UNMATCHED_NAMES)))
    return names


def timestamps(rng: np.random.Generator, year: int, december: np.ndarray) -> np.ndarray:
    """Submission times: mid-October to mid-December, mostly in working hours."""
    n = len(december)
    start = np.datetime64(f"{year}-10-15", "s")
    days = rng.integers(0, 62, n)  # 15 October + 61 days = 15 December
    days = np.where(december, rng.integers(47, 62, n), days)  # 1-15 December
    office = rng.random(n) < 0.85
    hours = np.where(office, np.clip(rng.normal(13, 2.5, n), 7.5, 19), rng.uniform(19, 23.5, n))
    seconds = days * 86_400 + (hours * 3600).astype(np.int64)
    return start + seconds.astype("timedelta64[s]")


def format_times(times: np.ndarray, iso: np.ndarray) -> np.ndarray:
    """Times as the platform writes them: dd/mm/yyyy HH:MM, or ISO 8601 where ``iso``."""
    series = pd.Series(times)
    uk = series.dt.strftime("%d/%m/%Y %H:%M").to_numpy(dtype=object)
    iso_text = series.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
    return np.where(iso, iso_text, uk)
