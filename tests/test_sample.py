"""Tests of the seeded sample export: shape, mess at the recorded counts, encoding, determinism.

The full-size 2020 sample is generated once per module; the checks below re-derive what
cleaning should find with small hand-written rules, never with the generator's own code.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from healthcheck.config import REPO_ROOT, Project
from healthcheck.errors import ParameterError
from healthcheck.reference.organisations import OrganisationIndex, load_organisations
from healthcheck.synthetic.comments import PLANTED_SENSITIVE
from healthcheck.synthetic.survey import (
    SampleData,
    export_bytes,
    generate,
    summary,
    write_sample,
)

REPO = Project(REPO_ROOT)
HALTON = "E06000006"
LABEL_POINTS = {
    "Strongly disagree": 0, "Disagree": 25, "Neither agree nor disagree": 50, "Agree": 75, "Strongly agree": 100,
    "1": 0, "2": 25, "3": 50, "4": 75, "5": 100,
}  # fmt: skip
MISSING = {"Don't know", "Not applicable"}
TEST_TEXTS = {"test", "testing", "test - please ignore"}


def _codebook() -> list[dict[str, str]]:
    with (REPO_ROOT / "data" / "reference" / "codebook.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


ITEMS = [r["item"] for r in _codebook()]
AREA_ITEMS: dict[str, list[str]] = {}
for _r in _codebook():
    AREA_ITEMS.setdefault(_r["area"], []).append(_r["item"])
REVERSED = {r["item"] for r in _codebook() if r["reverse"] == "true"}
STANDARDS = [f"s{i}" for i in range(1, 9)]


@pytest.fixture(scope="module")
def full() -> SampleData:
    return generate(2020, project=REPO)


@pytest.fixture(scope="module")
def later(full: SampleData) -> dict[int, SampleData]:
    return {2020: full, 2021: generate(2021, project=REPO), 2022: generate(2022, project=REPO)}


@pytest.fixture(scope="module")
def small() -> SampleData:
    return generate(2020, n_orgs=12, scale=0.3, project=REPO)


@pytest.fixture(scope="module")
def index() -> OrganisationIndex:
    return OrganisationIndex.build(load_organisations(REPO))


def _parse(text: str) -> datetime:
    for fmt in ("%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise AssertionError(f"unparseable timestamp {text!r}")


def _clean_by_hand(data: SampleData, index: OrganisationIndex) -> dict:
    """A minimal cleaner written for the test: each rule's count and the valid rows by org."""
    raw = data.raw
    blank = (raw == "").all(axis=1)
    rest = raw[~blank]
    exact = rest.duplicated()
    rest = rest[~exact]
    comments = rest[["comment_best", "comment_improve"]].apply(lambda s: s.str.strip().str.lower())
    test = (rest["org_name"].str.strip().str.lower() == "test") | comments.isin(TEST_TEXTS).any(axis=1)
    rest = rest[~test]
    same_person = [c for c in rest.columns if c not in ("response_id", "submitted")]
    repeat = rest.duplicated(subset=same_person, keep="first")
    first = rest[rest.duplicated(subset=same_person, keep="last")]
    rest = rest[~repeat]
    answered = rest[ITEMS].apply(lambda s: s.str.strip().isin(LABEL_POINTS)).mean(axis=1)
    incomplete = rest["completed"] == "No"
    dropped = incomplete & (answered < 0.5)
    kept_incomplete = incomplete & (answered >= 0.5)
    rest = rest[~dropped]
    resolved = [index.resolve(c, n)[0] for c, n in zip(rest["org_code"], rest["org_name"], strict=True)]
    rest = rest.assign(org=resolved)
    unresolved = rest["org"].isna()
    return {
        "blank_rows": int(blank.sum()),
        "exact_duplicates": int(exact.sum()),
        "test_responses": int(test.sum()),
        "repeat_submissions": int(repeat.sum()),
        "repeat_pairs": (first, raw.loc[repeat[repeat].index]),
        "incomplete_excluded": int(dropped.sum()),
        "incomplete_kept": int(kept_incomplete.sum()),
        "answered_share": answered[incomplete],
        "unresolved_names": int(unresolved.sum()),
        "unresolved": rest.loc[unresolved, "org_name"].tolist(),
        "valid": rest[~unresolved],
    }


@pytest.fixture(scope="module")
def cleaned(full: SampleData, index: OrganisationIndex) -> dict:
    return _clean_by_hand(full, index)


def _area_scores(valid: pd.DataFrame) -> pd.DataFrame:
    """Respondent area scores: 0-100 points, reversed items turned, half the items needed."""
    points = valid[ITEMS].apply(lambda s: s.str.strip().map(LABEL_POINTS)).astype(float)
    for item in REVERSED:
        points[item] = 100 - points[item]
    scores = {}
    for area, items in AREA_ITEMS.items():
        enough = points[items].notna().sum(axis=1) >= 0.5 * len(items)
        scores[area] = points[items].mean(axis=1).where(enough)
    return pd.DataFrame(scores).assign(org=valid["org"].to_numpy())


@pytest.fixture(scope="module")
def scores(cleaned: dict) -> pd.DataFrame:
    return _area_scores(cleaned["valid"])


def _rating(score: float) -> str:
    whole = np.floor(score + 0.5)
    return "Green" if whole >= 75 else "Amber" if whole >= 51 else "Red"


# --- shape ---------------------------------------------------------------------------------


def test_columns_follow_the_contract_and_every_cell_is_a_string(full: SampleData) -> None:
    meta = ["response_id", "submitted", "org_code", "org_name", "service", "role", "completed"]
    assert list(full.raw.columns) == meta + ITEMS + ["comment_best", "comment_improve"]
    assert len(ITEMS) == 41
    assert all(pd.api.types.is_string_dtype(t) for t in full.raw.dtypes)
    assert int(full.raw.isna().sum().sum()) == 0


def test_full_size_year_has_realistic_shape(full: SampleData) -> None:
    assert 8_500 <= len(full.raw) <= 9_700
    truth = full.truth
    assert len(truth) == 143 and truth["org_code"].is_unique
    assert (truth["org_type"] == "Non-council").sum() == 10
    halton = truth.set_index("org_code").loc[HALTON]
    assert halton["n_intended"] == 22
    assert halton["headcount"] == 55
    assert sorted(full.headcounts["org_code"]) == sorted(truth["org_code"])
    assert list(full.headcounts.columns) == ["org_code", "headcount"]


def test_sizes_are_skewed_and_response_rates_plausible(full: SampleData) -> None:
    truth = full.truth
    shire = truth.loc[truth["org_type"] == "Shire County", "n_intended"]
    assert shire.between(150, 250).all()
    assert 15 <= truth.loc[truth["org_type"] == "Unitary Authority", "n_intended"].median() <= 40
    assert 3 <= (truth["n_intended"] < 10).sum() <= 7
    rate = truth["n_intended"] / truth["headcount"]
    assert rate.between(0.25, 0.75).all()


# --- mess at the recorded counts -------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "blank_rows",
        "exact_duplicates",
        "test_responses",
        "repeat_submissions",
        "incomplete_excluded",
        "incomplete_kept",
        "unresolved_names",
    ],
)
def test_row_level_mess_is_present_at_the_recorded_count(full: SampleData, cleaned: dict, kind: str) -> None:
    assert full.mess[kind] >= 1
    assert cleaned[kind] == full.mess[kind]


def test_valid_responses_per_organisation_match_truth(full: SampleData, cleaned: dict) -> None:
    counts = cleaned["valid"].groupby("org").size()
    expected = full.truth.set_index("org_code")["n_intended"]
    assert counts.reindex(expected.index).fillna(0).astype(int).equals(expected.astype(int))
    assert full.mess["valid"] == len(cleaned["valid"]) == full.n_valid
    # The annotations say the same, row by row.
    assert full.rows["keep"].sum() == len(cleaned["valid"])
    assert list(full.rows["row"][:3]) == [2, 3, 4]


def test_row_annotations_mark_the_earlier_of_each_pair(full: SampleData) -> None:
    rows = full.rows.set_index("row")
    raw = full.raw.set_axis(rows.index)
    by_id = rows.reset_index().groupby("response_id")["row"].agg(list)
    for row, entry in rows[rows["kind"] == "exact_duplicate"].iterrows():
        twin = [r for r in by_id[entry["response_id"]] if r != row]
        assert len(twin) == 1 and twin[0] > row and rows.loc[twin[0], "keep"]
        assert raw.loc[row].equals(raw.loc[twin[0]])
    for row, entry in rows[rows["kind"] == "repeat"].iterrows():
        (later_row,) = by_id[entry["duplicate_of"]]
        assert rows.loc[later_row, "keep"]
        assert _parse(raw.loc[later_row, "submitted"]) > _parse(raw.loc[row, "submitted"])
    assert set(rows.loc[~rows["keep"], "kind"]) == {
        "blank", "test", "exact_duplicate", "repeat", "incomplete", "unresolved",
    }  # fmt: skip
    assert rows.iloc[-1]["kind"] != "blank"  # a trailing empty line is no row to a reader


def test_exact_duplicates_share_the_response_id(full: SampleData) -> None:
    nonblank = full.raw[full.raw["response_id"] != ""]
    assert nonblank["response_id"].duplicated().sum() == full.mess["exact_duplicates"]


def test_repeat_submissions_are_later_with_a_new_id(cleaned: dict) -> None:
    first, again = cleaned["repeat_pairs"]
    key = [c for c in first.columns if c not in ("response_id", "submitted")]
    pairs = first.merge(again, on=key, suffixes=("_first", "_again"))
    assert len(pairs) == len(again) > 0
    assert (pairs["response_id_first"] != pairs["response_id_again"]).all()
    later = [_parse(b) > _parse(a) for a, b in zip(pairs["submitted_first"], pairs["submitted_again"], strict=True)]
    assert all(later)


def test_incomplete_responses_are_clearly_under_or_over_half(cleaned: dict) -> None:
    share = cleaned["answered_share"]
    assert not share.between(0.4, 0.6, inclusive="neither").any()
    assert (share < 0.5).sum() > (share >= 0.5).sum()  # most are under half


def test_unresolved_names_match_nothing_and_include_a_department_and_a_typo(full: SampleData, cleaned: dict) -> None:
    assert sorted(cleaned["unresolved"]) == sorted(full.unresolved_names)
    assert "Social Services Dept" in full.unresolved_names
    generic = {"Social Services Dept", "Children's Services", "Adult Social Care", "Local Authority", "the council"}
    assert any(n not in generic for n in full.unresolved_names)  # a typo


def test_cell_level_mess_is_present_at_the_recorded_count(full: SampleData) -> None:
    raw, mess = full.raw, full.mess
    nonblank = raw[raw["response_id"] != ""]
    items = raw[ITEMS]
    assert mess["out_of_range_cells"] == int(items.isin(["0", "6", "9"]).sum().sum()) >= 3
    assert all(items.isin([value]).to_numpy().any() for value in ("0", "6", "9"))
    numeric = nonblank[ITEMS].isin(["1", "2", "3", "4", "5"]).any(axis=1)
    assert mess["numeric_rows"] == int(numeric.sum()) > 0
    assert mess["numeric_orgs"] == int(full.truth["numeric_answers"].sum()) >= 2
    assert mess["padded_answer_cells"] == int((items != items.apply(lambda s: s.str.strip())).sum().sum()) > 0
    assert mess["padded_org_names"] == int((raw["org_name"] != raw["org_name"].str.strip()).sum()) > 0
    codes = nonblank["org_code"]
    assert mess["org_code_lower"] == int(codes.str.match(r"^[a-z]").sum()) > 0
    assert mess["org_code_blank"] == int((codes == "").sum()) > 0
    share_blank = mess["org_code_blank"] / len(codes)
    assert 0.03 < share_blank < 0.2


def test_names_are_typed_many_ways(full: SampleData) -> None:
    halton_names = set(full.raw.loc[full.raw["org_code"].str.upper() == HALTON, "org_name"])
    assert "Halton B.C." in set(full.raw["org_name"])
    assert len(halton_names) >= 3
    names = full.raw["org_name"]
    assert names.str.contains(" & ").any()
    assert (names.str.isupper() & (names.str.len() > 4)).any()
    assert (names.str.islower() & (names.str.len() > 4)).any()


def test_timestamps_in_fieldwork_with_two_formats(full: SampleData) -> None:
    stamps = full.raw.loc[full.raw["submitted"] != "", "submitted"]
    parsed = pd.Series([_parse(s) for s in stamps], index=stamps.index)
    assert parsed.min() >= datetime(2020, 10, 15)
    assert parsed.max() < datetime(2020, 12, 16)
    iso = stamps.str.contains("T").mean()
    assert 0.05 < iso < 0.25  # most dd/mm/yyyy HH:MM, some ISO 8601
    halton = full.rows["org_code"] == HALTON
    assert (parsed[halton[halton].index].dt.month == 12).all()


def test_service_and_role(full: SampleData) -> None:
    raw = full.raw[full.raw["response_id"] != ""]
    assert set(raw["service"]) == {"Adults", "Children", "Both"}
    roles = raw["role"].value_counts()
    expected = {"Social worker", "Senior practitioner", "Team manager", "Principal social worker", "Other"}
    assert set(roles.index) == expected
    assert roles.index[0] == "Social worker" and roles.index[1] == "Senior practitioner"
    assert roles["Principal social worker"] < roles["Team manager"]
    orgs = full.rows["org_code"]
    assert set(raw.loc[orgs[raw.index] == "NC007", "service"]) <= {"Adults"}  # an NHS trust
    assert set(raw.loc[orgs[raw.index] == "NC002", "service"]) <= {"Children"}  # a children's trust


def test_answers_mostly_labels_with_some_dont_know(cleaned: dict) -> None:
    cells = cleaned["valid"][ITEMS].apply(lambda s: s.str.strip())
    missing = cells.isin(MISSING).to_numpy().mean()
    assert 0.03 <= missing <= 0.08
    assert 0 < (cells == "").to_numpy().mean() < 0.05


# --- what scoring should find ------------------------------------------------------------------


def test_national_levels_are_plausible(scores: pd.DataFrame) -> None:
    national = scores.drop(columns="org").mean()
    assert 30 <= national["tensions"] <= 50
    assert 62 <= national["s6"] <= 72
    for area in ("s5", "s7", "s8"):
        assert 74 <= national[area] <= 83, area
    for area in ("s1", "s2", "s3", "s4", "contribution"):
        assert 66 <= national[area] <= 80, area


def test_halton_matches_the_committee_paper(scores: pd.DataFrame) -> None:
    halton = scores[scores["org"] == HALTON].drop(columns="org")
    assert len(halton) == 22
    ratings = {area: _rating(halton[area].mean()) for area in halton.columns}
    assert all(ratings[s] == "Green" for s in STANDARDS if s != "s6")
    assert ratings["s6"] == "Amber"
    assert ratings["tensions"] == "Red"
    assert ratings["satisfaction"] == "Amber"


def test_organisations_differ_some_all_green_some_with_several_reds(scores: pd.DataFrame) -> None:
    sizes = scores.groupby("org").size()
    means = scores[scores["org"].isin(sizes[sizes >= 10].index)].groupby("org")[STANDARDS].mean()
    ratings = means.map(_rating)
    assert (ratings == "Green").all(axis=1).sum() >= 1
    assert ((ratings == "Red").sum(axis=1) >= 3).sum() >= 2
    assert 3 <= means["s5"].std() <= 10  # a few points between organisations


def test_desire_to_stay_depends_most_on_supervision_and_wellbeing(scores: pd.DataFrame) -> None:
    rho = scores[[*STANDARDS, "stay"]].corr(method="spearman")["stay"].drop("stay")
    assert set(rho.nlargest(2).index) == {"s5", "s4"}
    assert rho["s5"] > 0.3


# --- free text ---------------------------------------------------------------------------------


def test_planted_strings_are_in_the_raw_text_and_in_haltons_comments(full: SampleData) -> None:
    text = " ".join(full.raw["comment_best"]) + " " + " ".join(full.raw["comment_improve"])
    for planted in PLANTED_SENSITIVE:
        assert planted in text, planted
    kinds = {"e-mail": "@", "mobile": "07700 900123", "postcode": "WA8 7QF", "title": "Dr Okafor"}
    assert all(marker in text for marker in kinds.values())
    halton = full.raw[full.rows["org_code"] == HALTON]
    halton_text = " ".join(halton["comment_best"]) + " " + " ".join(halton["comment_improve"])
    assert sum(p in halton_text for p in PLANTED_SENSITIVE) >= 3
    assert set(full.planted["text"]) == set(PLANTED_SENSITIVE)


def test_no_sensitive_looking_text_outside_the_plants(full: SampleData) -> None:
    comments = pd.concat([full.raw["comment_best"], full.raw["comment_improve"]])
    text = " || ".join(comments[comments != ""])
    for planted in PLANTED_SENSITIVE:
        text = text.replace(planted, "")
    assert "@" not in text
    assert not re.search(r"\b(Mr|Mrs|Ms|Miss|Dr)\b", text)
    assert not re.search(r"\d{3,}", text)
    orgs = load_organisations(REPO)
    names = {*orgs["name"], *orgs["official_name"]}
    names |= {a.strip() for aliases in orgs["aliases"] for a in str(aliases).split(";") if a.strip()}
    lower = text.lower()
    candidates = [n for n in names if n.lower() in lower]  # fast substring test first
    hits = [n for n in candidates if re.search(rf"\b{re.escape(n)}\b", text, flags=re.IGNORECASE)]
    assert hits == []
    not_test = full.raw[full.rows["kind"] != "test"]
    markers = pd.concat([not_test["comment_best"], not_test["comment_improve"]]).str.contains("test", case=False)
    assert not markers.any()  # test markers only in the test responses


def test_curly_quotes_and_dashes_appear(full: SampleData) -> None:
    text = " ".join(full.raw["comment_best"]) + " ".join(full.raw["comment_improve"])
    assert "\u2019" in text and "\u2013" in text
    assert full.mess["curly_comments"] > 0


# --- later years -------------------------------------------------------------------------------


def test_later_years_share_most_organisations_and_drift(later: dict[int, SampleData]) -> None:
    for year in (2021, 2022):
        before = set(later[year - 1].truth["org_code"])
        now = set(later[year].truth["org_code"])
        assert 3 <= len(before - now) <= 4
        assert 3 <= len(now - before) <= 4
        halton = later[year].truth.set_index("org_code").loc[HALTON]
        assert (halton["n_intended"], halton["headcount"]) == (22, 55)
        assert 8_000 <= len(later[year].raw) <= 10_000
        stamps = [_parse(s) for s in later[year].raw["submitted"] if s]
        assert min(stamps).year == max(stamps).year == year
        assert min(stamps).month >= 10
    a = later[2020].truth.set_index("org_code")
    b = later[2021].truth.set_index("org_code")
    shared = a.index.intersection(b.index)
    assert len(shared) >= 135
    drift = b.loc[shared, "latent_s4"] - a.loc[shared, "latent_s4"]
    assert -3.5 < drift.mean() < -0.5  # wellbeing down about 2 points nationally
    assert 0.8 < drift.std() < 2.5
    ratio = b.loc[shared, "n_intended"] / a.loc[shared, "n_intended"]
    assert ratio[a.loc[shared, "n_intended"] >= 20].between(0.75, 1.25).all()
    assert not later[2021].raw.equals(later[2020].raw)


# --- small samples, writing, determinism -------------------------------------------------------


def test_small_sample_still_has_every_kind_of_mess(small: SampleData, index: OrganisationIndex) -> None:
    assert len(small.truth) == 12
    assert small.truth.set_index("org_code").loc[HALTON, "n_intended"] == 22
    done = _clean_by_hand(small, index)
    for kind in ("blank_rows", "exact_duplicates", "test_responses", "repeat_submissions",
                 "incomplete_excluded", "incomplete_kept", "unresolved_names"):  # fmt: skip
        assert done[kind] == small.mess[kind] >= 1, kind
    assert len(done["valid"]) == small.n_valid
    text = " ".join(small.raw["comment_best"]) + " ".join(small.raw["comment_improve"])
    assert all(p in text for p in PLANTED_SENSITIVE)


def test_write_sample_is_deterministic_cp1252_and_refuses_to_overwrite(project: Project) -> None:
    options = {"years": [2020, 2021], "n_orgs": 12, "scale": 0.3}
    paths = write_sample(project, **options)
    raw = project.root / "data" / "raw" / "2020" / "worker_survey.csv"
    heads = project.root / "params" / "2020" / "headcounts.csv"
    assert paths == [
        raw,
        heads,
        project.root / "data" / "raw" / "2021" / "worker_survey.csv",
        project.root / "params" / "2021" / "headcounts.csv",
    ]
    first = {p: p.read_bytes() for p in paths}
    payload = first[raw]
    payload.decode("cp1252")
    assert b"\x92" in payload or b"\x96" in payload  # curly apostrophe or en dash, as cp1252
    with pytest.raises(UnicodeDecodeError):
        payload.decode("utf-8")
    assert payload.startswith(b"response_id,submitted,org_code,org_name,")
    assert b"\r\n" in payload
    heads_text = heads.read_text(encoding="utf-8").splitlines()
    assert heads_text[0] == "org_code,headcount" and len(heads_text) == 13

    with pytest.raises(ParameterError, match="force"):
        write_sample(project, **options)
    assert raw.read_bytes() == payload  # untouched

    write_sample(project, **options, force=True)
    assert {p: p.read_bytes() for p in paths} == first  # same seed, same bytes

    write_sample(project, **options, seed=7, force=True)
    assert raw.read_bytes() != payload


def test_refusal_happens_before_anything_is_written(project: Project) -> None:
    write_sample(project, years=[2021], n_orgs=6, scale=0.3)
    with pytest.raises(ParameterError, match="2021"):
        write_sample(project, years=[2020, 2021], n_orgs=6, scale=0.3)
    assert not (project.root / "data" / "raw" / "2020").exists()


def test_generation_is_reproducible_and_seed_sensitive(small: SampleData) -> None:
    again = generate(2020, n_orgs=12, scale=0.3, project=REPO)
    assert again.raw.equals(small.raw)
    assert again.truth.equals(small.truth)
    assert again.mess == small.mess
    other = generate(2020, seed=2021, n_orgs=12, scale=0.3, project=REPO)
    assert not other.raw.equals(small.raw)


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ParameterError):
        generate(2020, n_orgs=0, project=REPO)
    with pytest.raises(ParameterError):
        generate(2020, n_orgs=10_000, project=REPO)
    with pytest.raises(ParameterError):
        generate(2020, scale=0, project=REPO)


def test_summary_has_a_row_per_year(later: dict[int, SampleData]) -> None:
    table = summary(later.values())
    assert list(table.index) == [2020, 2021, 2022]
    assert table.loc[2020, "organisations"] == 143
    assert table.loc[2020, "rows"] == len(later[2020].raw)


# --- a project with another area ------------------------------------------------------------


def test_an_area_without_numbers_gets_defaults_and_a_valid_export(project: Project) -> None:
    """A 14th area in areas.csv and the codebook: sampled with the default means, cleaned as usual."""
    from healthcheck.ingest.survey import clean_year
    from healthcheck.synthetic.parameters import DEFAULT_NATIONAL

    areas = project.reference_dir / "areas.csv"
    areas.write_text(areas.read_text(encoding="utf-8") + "learning,other,,Learning,Learning,14\n", encoding="utf-8")
    book = project.reference_dir / "codebook.csv"
    book.write_text(
        book.read_text(encoding="utf-8")
        + "learning_1,learning,false,I learn something new at work every week\n"
        + "learning_2,learning,false,My organisation helps me learn from mistakes\n",
        encoding="utf-8",
    )
    data = generate(2020, n_orgs=12, scale=0.3, project=project)
    assert data.raw.columns.tolist()[-4:] == ["learning_1", "learning_2", "comment_best", "comment_improve"]
    typical = data.truth[data.truth["profile"] == "typical"]
    assert abs(typical["latent_learning"].mean() - DEFAULT_NATIONAL) < 6
    assert data.truth.loc[data.truth["org_code"] == HALTON, "latent_learning"].item() == DEFAULT_NATIONAL
    write_sample(project, years=[2020], n_orgs=12, scale=0.3)
    result = clean_year(project, 2020)
    assert result.rows_out == data.n_valid
    assert result.responses["learning_1"].notna().mean() > 0.8


# --- notebook --------------------------------------------------------------------------------


def test_notebook_is_thin_parameterised_and_saved_without_outputs() -> None:
    # Plain JSON: nbformat's validation would take seconds to load.
    nb = json.loads((REPO_ROOT / "notebooks" / "00-sample.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown"
    tagged = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    source = "".join(tagged[0]["source"])
    assert "years = [2020, 2021, 2022]" in source and "seed = 2020" in source and "force = False" in source
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert any("write_sample(" in "".join(c["source"]) for c in code)


@pytest.mark.slow
def test_notebook_writes_the_sample(project: Project, tmp_path) -> None:
    import papermill as pm

    out = tmp_path / "00-sample.out.ipynb"
    pm.execute_notebook(
        str(project.notebooks_dir / "00-sample.ipynb"),
        str(out),
        parameters={"years": [2020], "seed": 2020},
        kernel_name="python3",
        cwd=str(project.root),
        progress_bar=False,
    )
    payload = (project.raw_dir(2020) / "worker_survey.csv").read_bytes()
    assert payload == export_bytes(generate(2020, project=project))  # same bytes in another process
    assert (project.year_params_dir(2020) / "headcounts.csv").is_file()
    assert "data/raw/2020/worker_survey.csv" in out.read_text(encoding="utf-8")
