"""Realistic, seeded sample exports of the worker survey, with the mess real exports have.

One call to :func:`generate` builds a year's raw export (every cell a string, columns in the
order of docs/data-contracts.md), the headcounts and the *truth*: how many valid responses each
organisation should keep after cleaning and the latent area means the answers were drawn from.
:func:`write_sample` writes the export as Windows-1252 bytes to ``data/raw/<year>/`` and the
headcounts to ``params/<year>/``.

How a year is made
------------------
* Organisations (:mod:`healthcheck.synthetic.panel`): Halton plus councils drawn from the
  reference list, and the non-council employers. Later years evolve from 2020: a few councils
  leave and join, latent means drift.
* Areas: the project's areas table (``data/reference/areas.csv``); the numbers of each area are
  in :mod:`healthcheck.synthetic.parameters`, with defaults for an area it has none for.
* Questions: each year's codebook (``load_codebook``), so the committed 2022 revision
  (``params/2022/codebook.csv``: s4_3 reworded) gives a 2022 export with one changed question,
  answered a little lower (:data:`~healthcheck.synthetic.parameters.REVISED_ITEM_SHIFT`).
  Without that file every year is the same.
* Respondents (:mod:`healthcheck.synthetic.respondents`): a respondent-level general factor plus area-specific noise around their
  organisation's latent means; each item is ``1 + Binomial(4, p)`` with ``p = latent / 100``, so
  the expected score (0/25/50/75/100 points) equals the latent mean. Desire to stay is built
  from the respondent's supervision (s5) and wellbeing (s4) most of all, so driver analysis
  finds them.
* Mess, at seeded rates recorded in :attr:`SampleData.mess` and row by row in
  :attr:`SampleData.rows`: names typed many ways, lower-case and blank codes, both kinds of
  duplicate, incomplete and test responses, blank rows, stray whitespace, numeric answers,
  out-of-range values, curly quotes (:mod:`healthcheck.synthetic.mess`) and planted sensitive
  strings (:data:`healthcheck.synthetic.comments.PLANTED_SENSITIVE`).

Random numbers: each year ``y`` has its own ``numpy.random.default_rng(seed + y)``, split into
one stream for the organisations and one for the respondents. A later year replays the
organisations' evolution from 2020 (cheap: no respondents), so a year's output never depends
on which other years are generated.

Rows cleaning should drop follow its rules (docs/data-contracts.md, ``healthcheck.ingest.rules``): of
two identical rows or two submissions by one person, the latest is kept; incomplete responses
are kept when at least half the items are answered; unresolvable names have a blank code.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from healthcheck import catalogue
from healthcheck.config import SAMPLE_YEARS, Project
from healthcheck.errors import ParameterError
from healthcheck.files import atomic_write_bytes
from healthcheck.reference.areas import area_codes, load_areas
from healthcheck.reference.codebook import ANSWER_LABELS, MISSING_LABELS, load_codebook
from healthcheck.reference.organisations import (
    NON_COUNCIL,
    OrganisationIndex,
    load_organisations,
)
from healthcheck.reference.survey_export import (
    COMMENT_COLUMNS,
    META_COLUMNS,
    ROLES,
    SERVICES,
)
from healthcheck.synthetic.comments import PLANTED_KIND, comments, plant
from healthcheck.synthetic.mess import (
    NAME_KINDS,
    format_times,
    name_variants,
    timestamps,
    unmatched_names,
)
from healthcheck.synthetic.panel import year_panel
from healthcheck.synthetic.parameters import (
    BASE_YEAR,
    HALTON,
    HALTON_RATINGS,
    RATES,
    ROLE_P,
    SERVICE_P,
    AreaModel,
)
from healthcheck.synthetic.respondents import (
    Items,
    org_ratings,
    respondents,
    separate_lookalikes,
)
from healthcheck.text.numbers import round_half_up

# --- the result ----------------------------------------------------------------------------


@dataclass
class SampleData:
    """One year's sample export and what cleaning and scoring should find in it."""

    year: int
    raw: pd.DataFrame  # the export exactly as written (all strings), columns in contract order
    headcounts: pd.DataFrame  # org_code, headcount
    truth: pd.DataFrame  # per organisation: org_code, n_intended, latent_<area> ...
    #: Counts of each kind of mess in ``raw`` (also in ``truth.attrs['mess']``).
    mess: dict[str, int] = field(default_factory=dict)
    #: One row per raw row: row (spreadsheet row, header = 1), response_id, org_code (true
    #: organisation; '' for blank rows and tests named 'test'), kind, duplicate_of, keep.
    #: kind is valid, incomplete_kept, incomplete, test, unresolved, blank, or for the row
    #: cleaning drops from a pair (it keeps the latest): exact_duplicate (the first of two
    #: identical rows) or repeat (an earlier submission, superseded by ``duplicate_of``).
    rows: pd.DataFrame | None = None
    #: Where each sensitive string was planted: response_id, org_code, column, kind, text.
    planted: pd.DataFrame | None = None
    #: The organisation names typed in rows with a blank code that match nothing.
    unresolved_names: list[str] = field(default_factory=list)

    @property
    def n_valid(self) -> int:
        return int(self.truth["n_intended"].sum())


# --- the export ----------------------------------------------------------------------------


def raw_columns(codebook: pd.DataFrame) -> list[str]:
    """The export's columns in contract order."""
    return META_COLUMNS + codebook["item"].tolist() + COMMENT_COLUMNS


def count_of(rng: np.random.Generator, rate: float, n: int, minimum: int = 1) -> int:
    """How many rows of a kind of mess: Binomial(n, rate), at least ``minimum``."""
    return max(minimum, int(rng.binomial(n, rate)))


def generate(
    year: int = 2020,
    *,
    seed: int = 2020,
    n_orgs: int | None = None,
    scale: float = 1.0,
    project: Project | None = None,
) -> SampleData:
    """Build one year's sample export, headcounts and truth (nothing is written)."""
    if scale <= 0:
        raise ParameterError(f"scale must be positive, got {scale}")
    project = project or Project.default()
    orgs = load_organisations(project)
    model = AreaModel.for_areas(area_codes(load_areas(project)))
    book = load_codebook(year, project)
    items = Items.from_codebook(book, model)
    index = OrganisationIndex.build(orgs)
    panel, rng = year_panel(orgs, seed, year, n_orgs, scale, model)
    n_items = len(items.items)

    # Intended valid respondents --------------------------------------------------------------
    sizes = panel["n_intended"].to_numpy()
    org = np.repeat(np.arange(len(panel)), sizes)
    means = panel[model.latent_columns()].to_numpy(dtype=float)
    n_valid = len(org)
    codes, latent = respondents(rng, means[org], items, model)
    halton_idx = int(np.flatnonzero(panel["org_code"] == HALTON)[0])
    halton_rows = np.flatnonzero(org == halton_idx)
    if year <= BASE_YEAR:  # redraw until Halton's ratings are the committee paper's
        for _ in range(500):
            ratings = org_ratings(codes[halton_rows], items, model)
            if all(ratings[a] == r for a, r in HALTON_RATINGS.items() if a in ratings):
                break
            codes[halton_rows], latent[halton_rows] = respondents(rng, means[org[halton_rows]], items, model)
        else:  # pragma: no cover - would need an extraordinary seed
            raise RuntimeError("could not draw Halton responses with the committee paper's ratings")

    # Extra rows cleaning must drop: incomplete, unresolved names, tests ------------------------
    weights = sizes / sizes.sum()
    n_incomplete = count_of(rng, RATES["incomplete"], n_valid)
    n_unresolved = count_of(rng, RATES["unresolved"], n_valid, 2)
    n_test = count_of(rng, RATES["test"], n_valid, 3)
    n_extra = n_incomplete + n_unresolved + n_test
    extra_org = rng.choice(len(panel), size=n_extra, p=weights)
    extra_codes, extra_latent = respondents(rng, means[extra_org], items, model)
    answered = rng.integers(3, int(0.4 * n_items) + 1, n_incomplete)  # under half: dropped off
    extra_codes[:n_incomplete] = np.where(np.arange(n_items) < answered[:, None], extra_codes[:n_incomplete], 0)

    org = np.concatenate([org, extra_org])
    codes = np.concatenate([codes, extra_codes])
    latent = np.concatenate([latent, extra_latent])
    n = len(org)
    kind = np.array(
        ["valid"] * n_valid + ["incomplete"] * n_incomplete + ["unresolved"] * n_unresolved + ["test"] * n_test,
        dtype=object,
    )
    completed = np.where(kind == "incomplete", "No", "Yes").astype(object)
    is_halton = org == halton_idx

    # A few valid respondents stop near the end: completed = No, but kept.
    candidates = np.flatnonzero((kind == "valid") & ~is_halton)
    n_kept = count_of(rng, RATES["incomplete_kept"], n_valid)
    kept = rng.choice(candidates, size=min(n_kept, len(candidates)), replace=False)
    stop = rng.integers(int(0.75 * n_items), n_items - 2, len(kept))
    # Kept only if clearly over half answered, even counting Don't know as unanswered.
    answered = np.cumsum((codes[kept] >= 1) & (codes[kept] <= 5), axis=1)
    short = answered[np.arange(len(kept)), stop - 1] < 0.6 * n_items
    stop[short] = n_items - 1
    codes[kept] = np.where(np.arange(n_items) < stop[:, None], codes[kept], 0)
    kind[kept] = "incomplete_kept"
    completed[kept] = "No"

    # Service and role ---------------------------------------------------------------------
    org_code = panel["org_code"].to_numpy()[org]
    org_type = panel["org_type"].to_numpy()[org]
    names = panel["name"].to_numpy()[org]
    service = np.array(SERVICES, dtype=object)[rng.choice(3, size=n, p=SERVICE_P)]
    children_trust = (org_type == NON_COUNCIL) & ~pd.Series(names).str.contains("NHS").to_numpy()
    service[children_trust] = "Children"
    service[(org_type == NON_COUNCIL) & pd.Series(names).str.contains("NHS").to_numpy()] = "Adults"
    role = np.array(ROLES, dtype=object)[rng.choice(len(ROLES), size=n, p=ROLE_P)]

    # Free text, planted strings and test markers ---------------------------------------------
    best, improve = comments(rng, latent, model)
    no_text = np.isin(kind, ["incomplete", "incomplete_kept"])
    best[no_text] = ""
    improve[no_text] = ""
    eligible = kind == "valid"
    copies = 2 if n_orgs is None and scale >= 1 else 1
    region = panel["region"].fillna("").to_numpy(dtype=object)[org]
    mention_region = dict(zip(orgs["org_code"], orgs["region"].fillna(""), strict=True))
    plants = plant(rng, best, improve, org_code, region, eligible, copies, mention_region)
    planted = np.zeros(n, dtype=bool)
    planted[[p[0] for p in plants]] = True

    org_name = np.empty(n, dtype=object)
    code_typed = np.empty(n, dtype=object)
    # How each row's organisation was typed.
    variants = {row["org_code"]: name_variants(row, index) for row in panel.to_dict("records")}
    name_kinds = list(NAME_KINDS)
    kind_pick = rng.choice(len(name_kinds), size=n, p=list(NAME_KINDS.values()))
    variant_pick = rng.random(n)
    if is_halton.any() and not (kind_pick[is_halton] == name_kinds.index("bc")).any():
        kind_pick[np.flatnonzero(is_halton)[0]] = name_kinds.index("bc")  # 'Halton B.C.'
    for i in range(n):
        options = variants[org_code[i]][name_kinds[kind_pick[i]]]
        org_name[i] = options[int(variant_pick[i] * len(options))]
    mode = rng.random(n)
    code_typed[:] = org_code
    lower = mode < RATES["code_lower"]
    code_typed[lower] = np.char.lower(org_code[lower].astype(str)).astype(object)
    code_typed[mode > 1 - RATES["code_blank"]] = ""

    unresolved_rows = np.flatnonzero(kind == "unresolved")
    unresolved_names = unmatched_names(rng, len(unresolved_rows), panel, index)
    org_name[unresolved_rows] = unresolved_names
    code_typed[unresolved_rows] = ""
    for k, row in enumerate(np.flatnonzero(kind == "test")):
        style = k % 4
        if style == 0:
            org_name[row], code_typed[row] = "test", ""
        elif style == 1:
            best[row] = "TEST - please ignore"
        elif style == 2:
            improve[row] = "testing"
        else:
            org_name[row], code_typed[row], best[row] = "TEST", "", "test"

    # Answers as text: labels, or numbers for a few organisations ------------------------------
    n_numeric = max(1, round(RATES["numeric_orgs"] * len(panel)))
    numeric_candidates = np.flatnonzero(panel["org_code"].to_numpy() != HALTON)
    numeric_orgs = rng.choice(numeric_candidates, size=min(n_numeric, len(numeric_candidates)), replace=False)
    numeric = np.isin(org, numeric_orgs)
    labels = np.array(["", *ANSWER_LABELS, *MISSING_LABELS], dtype=object)
    numbers = np.array(["", "1", "2", "3", "4", "5", *MISSING_LABELS], dtype=object)
    cells = np.where(numeric[:, None], numbers[codes], labels[codes])
    # Stray whitespace around some labels.
    label_cell = ~numeric[:, None] & (codes > 0)
    pad = label_cell & (rng.random(cells.shape) < RATES["padded_answer"])
    lead = rng.random(cells.shape) < 0.5
    cells = np.where(pad & lead, " " + cells, np.where(pad, cells + " ", cells))
    # A few out-of-range numbers, in valid responses outside Halton (which must keep its scores).
    ok_rows = np.flatnonzero((kind == "valid") & ~is_halton)
    n_bad = count_of(rng, RATES["out_of_range"], n_valid, 3)
    bad_rows = rng.choice(ok_rows, size=min(n_bad, len(ok_rows)), replace=False)
    bad_cols = rng.integers(0, n_items, len(bad_rows))
    cells[bad_rows, bad_cols] = np.array(["0", "6", "9"], dtype=object)[np.arange(len(bad_rows)) % 3]

    # Two people who dropped off after the same few answers would look like one person
    # submitting twice; nudge such chance look-alikes apart so every repeat is a planted one.
    tokens = np.where((codes >= 1) & (codes <= 5), codes, 0).astype(np.int8)
    tokens[bad_rows, bad_cols] = 9
    separate_lookalikes(cells, tokens, [org_code, service, role, best, improve], numeric)

    # Repeat submissions: the same person again, later, with a new id --------------------------
    sources = np.flatnonzero((kind == "valid") & ~planted)
    n_repeat = count_of(rng, RATES["repeat"], n_valid)
    n_exact = count_of(rng, RATES["exact_duplicate"], n_valid)
    chosen = rng.choice(sources, size=min(n_repeat + n_exact, len(sources)), replace=False)
    repeat_src, exact_src = chosen[:n_repeat], chosen[n_repeat:]

    december = is_halton.copy()
    times = timestamps(rng, year, december)
    delay = rng.integers(3, 72 * 60, len(repeat_src)) * 60 + rng.integers(0, 60, len(repeat_src))
    # Within fieldwork: sources are at 23:30 at the latest, so this still leaves minutes.
    close = np.datetime64(f"{year}-12-15T23:59:00", "s")
    delay = np.minimum(delay.astype("timedelta64[s]"), close - times[repeat_src])
    times = np.concatenate([times, times[repeat_src] + delay])
    iso = rng.random(len(times)) < RATES["iso_date"]
    iso[n:] = iso[repeat_src]  # the same browser, the same platform setting

    def extend(arr: np.ndarray) -> np.ndarray:
        return np.concatenate([arr, arr[repeat_src]])

    org_code_t, code_typed, org_name = extend(org_code), extend(code_typed), extend(org_name)
    service, role, completed = extend(service), extend(role), extend(completed)
    cells, best, improve = extend(cells), extend(best), extend(improve)
    # Cleaning keeps the latest of a pair, so the earlier submission is the one marked.
    kind = np.concatenate([kind, kind[repeat_src]])
    kind[repeat_src] = "repeat"
    superseded_by = np.full(len(kind), -1)
    superseded_by[repeat_src] = np.arange(n, n + len(repeat_src))

    # Ids in time order, then exact duplicates and blank rows dropped in among them -----------
    order = np.argsort(times, kind="stable")
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(len(order))
    ids = int(rng.integers(110_000_000, 190_000_000)) + np.cumsum(rng.integers(1, 40, len(order)))
    response_id = ids[rank].astype(str).astype(object)
    submitted = format_times(times, iso)

    columns = raw_columns(book)
    table = np.column_stack(
        [response_id, submitted, code_typed, org_name, service, role, completed, cells, best, improve]
    ).astype(object)
    meta = np.column_stack(
        [
            response_id,
            np.where(np.char.lower(org_name.astype(str)) == "test", "", org_code_t),
            kind,
            np.where(superseded_by >= 0, response_id[np.maximum(superseded_by, 0)], ""),
        ]
    ).astype(object)
    n_blank = count_of(rng, RATES["blank"], n_valid)
    exact_pos = rank[exact_src] + rng.uniform(1, 400, len(exact_src))  # a later page, exported again
    # Blank rows among the others, never last (trailing empty lines are not rows to a reader).
    blank_pos = rng.uniform(0, len(order) - 1, n_blank)
    # The copy comes later in the file and is the one cleaning keeps; the first is marked.
    exact_meta = meta[exact_src].copy()
    meta[exact_src, 2] = "exact_duplicate"
    meta[exact_src, 3] = meta[exact_src, 0]
    blank_meta = np.full((n_blank, 4), "", dtype=object)
    blank_meta[:, 2] = "blank"
    sequence = np.argsort(np.concatenate([rank, exact_pos, blank_pos]), kind="stable")
    table = np.concatenate([table, table[exact_src], np.full((n_blank, len(columns)), "", dtype=object)])[sequence]
    meta = np.concatenate([meta, exact_meta, blank_meta])[sequence]
    raw = pd.DataFrame({c: table[:, j] for j, c in enumerate(columns)}, dtype="str")
    meta_columns = ["response_id", "org_code", "kind", "duplicate_of"]
    rows = pd.DataFrame({c: meta[:, j] for j, c in enumerate(meta_columns)}, dtype="str")
    rows["keep"] = rows["kind"].isin(["valid", "incomplete_kept"])
    rows.insert(0, "row", np.arange(2, len(rows) + 2))

    # Truth, headcounts, mess counts -------------------------------------------------------------
    kept_rows = rows[rows["keep"]]
    counted = kept_rows.groupby("org_code").size()
    truth = panel[["org_code", "name", "org_type", "region", "profile", "n_intended", "headcount"]].rename(
        columns={"name": "org_name"}
    )
    truth["numeric_answers"] = truth.index.isin(numeric_orgs)
    truth = pd.concat([truth, panel[model.latent_columns()]], axis=1)
    assert counted.reindex(truth["org_code"]).fillna(0).astype(int).tolist() == truth["n_intended"].tolist()
    headcounts = truth[["org_code", "headcount"]].copy()

    nonblank = rows["kind"] != "blank"
    planted_table = pd.DataFrame(
        [
            {
                "response_id": response_id[r],
                "org_code": org_code_t[r],
                "column": col,
                "kind": PLANTED_KIND[text],
                "text": text,
            }
            for r, col, text in plants
        ],
        columns=["response_id", "org_code", "column", "kind", "text"],
    )
    kinds = rows["kind"].value_counts()
    codes_typed = raw.loc[nonblank, "org_code"]
    mess = {
        "rows": len(raw),
        "valid": int(truth["n_intended"].sum()),
        "exact_duplicates": int(kinds.get("exact_duplicate", 0)),
        "repeat_submissions": int(kinds.get("repeat", 0)),
        "incomplete_excluded": int(kinds.get("incomplete", 0)),
        "incomplete_kept": int(kinds.get("incomplete_kept", 0)),
        "test_responses": int(kinds.get("test", 0)),
        "blank_rows": int(kinds.get("blank", 0)),
        "unresolved_names": int(kinds.get("unresolved", 0)),
        "numeric_orgs": len(numeric_orgs),
        "numeric_rows": int(raw.loc[nonblank, items.items].isin(["1", "2", "3", "4", "5"]).any(axis=1).sum()),
        "out_of_range_cells": int(raw[items.items].isin(["0", "6", "9"]).sum().sum()),
        "padded_answer_cells": int((raw[items.items] != raw[items.items].apply(lambda s: s.str.strip())).sum().sum()),
        "padded_org_names": int((raw["org_name"] != raw["org_name"].str.strip()).sum()),
        "org_code_lower": int((codes_typed != codes_typed.str.upper()).sum()),
        "org_code_blank": int((codes_typed == "").sum()),
        "iso_dates": int(raw["submitted"].str.contains("T").sum()),
        "curly_comments": int(
            raw[COMMENT_COLUMNS].apply(lambda s: s.str.contains("[\u2018\u2019\u201c\u201d\u2013]")).any(axis=1).sum()
        ),
        "planted": len(plants),
    }
    truth.attrs["mess"] = dict(mess)
    return SampleData(
        year=year,
        raw=raw,
        headcounts=headcounts,
        truth=truth,
        mess=mess,
        rows=rows,
        planted=planted_table,
        unresolved_names=list(unresolved_names),
    )


# --- writing ---------------------------------------------------------------------------------


def export_bytes(data: SampleData) -> bytes:
    """The raw export as a platform writes it: CSV, CRLF line ends, Windows-1252."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # minimal quoting, as pandas would
    writer.writerow(data.raw.columns)
    writer.writerows(data.raw.to_numpy(dtype=object).tolist())
    return buffer.getvalue().encode("cp1252")  # strict: a character cp1252 cannot hold is a bug here


def write_sample(
    project: Project,
    years: Sequence[int] | None = None,
    *,
    seed: int = 2020,
    force: bool = False,
    n_orgs: int | None = None,
    scale: float = 1.0,
) -> list[Path]:
    """Write each year's raw export and headcounts; returns the paths written.

    Refuses (before writing anything) to overwrite an existing raw export unless ``force``:
    ``data/raw`` is treated as immutable.
    """
    years = list(SAMPLE_YEARS if years is None else years)
    for year in years:
        project.resolve_year(year)  # a four-digit year, or a clear error
    if not force:
        existing = [p for y in years for p in catalogue.WORKER_SURVEY.paths(project, y) if p.exists()]
        if existing:
            listed = ", ".join(str(p) for p in existing)
            raise ParameterError(
                f"raw export already exists: {listed}; data/raw is never overwritten, "
                "pass force=True (healthcheck sample --force) to replace the sample"
            )
    written: list[Path] = []
    for year in years:
        data = generate(year, seed=seed, n_orgs=n_orgs, scale=scale, project=project)
        raw_path = catalogue.WORKER_SURVEY.paths(project, year)[0]  # the CSV spelling: written as CSV
        atomic_write_bytes(raw_path, export_bytes(data))
        heads_path = catalogue.HEADCOUNTS.path(project, year)
        atomic_write_bytes(heads_path, data.headcounts.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        written += [raw_path, heads_path]
    return written


def summary(samples: Iterable[SampleData]) -> pd.DataFrame:
    """One row per year: rows, valid responses, organisations and the share (%) of each mess."""
    out = []
    for data in samples:
        m = data.mess
        rows = m["rows"]
        out.append(
            {
                "year": data.year,
                "rows": rows,
                "valid": m["valid"],
                "organisations": len(data.truth),
                "below 10": int((data.truth["n_intended"] < 10).sum()),
                **{
                    f"{label} %": round_half_up(100 * m[key] / rows, 2)
                    for key, label in (
                        ("exact_duplicates", "exact duplicates"),
                        ("repeat_submissions", "repeat submissions"),
                        ("incomplete_excluded", "incomplete (dropped)"),
                        ("incomplete_kept", "incomplete (kept)"),
                        ("test_responses", "test"),
                        ("blank_rows", "blank rows"),
                        ("unresolved_names", "unresolved names"),
                        ("numeric_rows", "numeric answers"),
                        ("org_code_blank", "blank code"),
                        ("org_code_lower", "lower-case code"),
                        ("padded_org_names", "padded names"),
                        ("iso_dates", "ISO dates"),
                        ("curly_comments", "curly quotes"),
                    )
                },
                "out-of-range cells": m["out_of_range_cells"],
                "planted strings": m["planted"],
            }
        )
    return pd.DataFrame(out).set_index("year")
