"""No leaks: a council's outputs hold no other organisation, no respondent and no planted secret.

One batch over the full sample (2021, with 2020 before it) for five organisations, all formats, then every file under
each organisation's folder is read as the text it carries and searched:

* plain text files (HTML, JSON, SVG, Markdown, CSV, anything else) whole, also HTML-unescaped;
* ``.ipynb``: every string in the JSON (sources, outputs, metadata), with base64 images decoded
  and read as images;
* ``.docx`` / ``.xlsx``: every XML part of the zip, also with the tags taken out (a name split
  across runs), and the text python-docx / openpyxl read; media files read as images;
* ``.pdf``: pypdf's text of every page and the document metadata;
* ``.png``: the text chunks (tEXt, zTXt, iTXt).

What must not be there: every *other* organisation's name, official name, alias and ONS code;
every planted sensitive string of the sample's free text (``sample.PLANTED_SENSITIVE``); any
response id. Exclusions, each for a reason (see :func:`_needles`):

1. a spelling that is part of the council's own names (Slough inside 'Slough Children First');
2. a spelling that is part of a region's name, an area's title or a survey statement
   (nothing in the current reference data, but 'York' would be inside 'Yorkshire' if matched
   without word boundaries, which is why matching is on whole words);
3. spellings that are everyday words (``redact.COMMON_WORDS``: Reading, Bury ...) are matched
   with their capital letter only, as the redactor does;
4. the plotly.js library inlined into the HTML is taken out before searching, after checking
   that it is byte for byte the library plotly ships (vendor code, the same for every council).
"""

from __future__ import annotations

import base64
import html
import json
import re
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

from healthcheck import batch, pipeline
from healthcheck.reference.areas import load_areas
from healthcheck.reference.codebook import load_codebook
from healthcheck.reference.organisations import load_organisations
from healthcheck.synthetic.comments import PLANTED_SENSITIVE
from healthcheck.synthetic.survey import write_sample
from healthcheck.text.redact import COMMON_WORDS

YEAR = 2021  # the second sample year: the report also compares with 2020 (trends)
YEARS = [2020, 2021]
HALTON, YORK, NORTH_YORKSHIRE, NOTTINGHAM, SLOUGH_CF = "E06000006", "E06000014", "E10000023", "E06000018", "NC004"
#: Halton (planted strings in its own comments), York and North Yorkshire (one name inside the
#: other), Nottingham (below the minimum: suppressed; 'Nottingham' is inside 'Nottinghamshire'),
#: Slough Children First (a non-council whose name holds another organisation's, Slough).
COUNCILS = [HALTON, YORK, NORTH_YORKSHIRE, NOTTINGHAM, SLOUGH_CF]
#: Councils whose report is made with show_free_text on (North Yorkshire keeps the default, off).
FREE_TEXT_ON = {HALTON, YORK, NOTTINGHAM, SLOUGH_CF}


# --------------------------------------------------------------------------------------
# reading every file as text
# --------------------------------------------------------------------------------------
def png_text(data: bytes) -> list[str]:
    """The text chunks of a PNG (tEXt, zTXt, iTXt); [] for anything that is not a PNG."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return []
    out, pos = [], 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"tEXt":
            out.append(body.decode("latin-1"))
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\x00")
            out.append(key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\x00")
            compressed, rest = rest[0], rest[2:]
            _lang, _, rest = rest.partition(b"\x00")
            _tkey, _, text = rest.partition(b"\x00")
            out.append(key.decode("latin-1") + " " + (zlib.decompress(text) if compressed else text).decode("utf-8"))
    return out


def image_text(data: bytes) -> list[str]:
    """What an embedded image carries as text: PNG chunks, or an SVG/other text file whole."""
    if data.startswith(b"\x89PNG"):
        return png_text(data)
    if data[:4] in (b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"GIF8"):
        return [data.decode("latin-1")]  # EXIF and comments are plain bytes
    return [data.decode("utf-8", errors="replace")]


def _json_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_json_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return [str(value)] if value is not None else []


def notebook_text(data: bytes) -> list[str]:
    """Every string of an .ipynb; image outputs decoded and read as images, not as base64."""
    nb = json.loads(data)
    texts: list[str] = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            bundle = output.get("data", {})
            for mime in list(bundle):
                if mime.startswith("image/") and mime != "image/svg+xml":
                    raw = bundle.pop(mime)
                    texts += image_text(base64.b64decode("".join(raw) if isinstance(raw, list) else raw))
    return texts + [_without_plotly(s) for s in _json_strings(_join_lines(nb))]


def _join_lines(value: object) -> object:
    """Notebook text stored as a list of lines, joined back into one string."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "".join(value)
    if isinstance(value, list):
        return [_join_lines(v) for v in value]
    if isinstance(value, dict):
        return {k: _join_lines(v) for k, v in value.items()}
    return value


def _strip_tags(xml: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


def office_text(path: Path) -> list[str]:
    """Every part of a .docx/.xlsx zip as text (XML also without tags), media read as images."""
    texts: list[str] = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            if "/media/" in info.filename:
                texts += image_text(data)
                continue
            xml = data.decode("utf-8", errors="replace")
            texts += [xml, _strip_tags(xml)]
    if path.suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        texts += [p.text for p in document.paragraphs]
        texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
        core = document.core_properties
        texts += [str(getattr(core, a) or "") for a in ("title", "subject", "author", "keywords", "comments")]
    else:
        from openpyxl import load_workbook

        book = load_workbook(path)
        texts += book.sheetnames
        texts += [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    return texts


def pdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    texts = [page.extract_text() or "" for page in reader.pages]
    texts += [str(v) for v in (reader.metadata or {}).values()]
    if (xmp := reader.xmp_metadata) is not None:
        texts.append(xmp.stream.get_data().decode("utf-8", errors="replace"))
    return texts


def _without_plotly(text: str) -> str:
    """``text`` without plotly.js: plotly.py's full bundle or the project's partial one, byte for byte."""
    from healthcheck.publish.plotlyjs import bundle_js, full_js

    return text.replace(full_js(), "").replace(bundle_js(), "")


def html_text(data: bytes) -> list[str]:
    """The page with the inlined plotly.js library taken out, as written and unescaped."""
    # the library is exactly a published bundle: nothing of the report hides in what is cut out
    text = _without_plotly(data.decode("utf-8"))
    return [text, html.unescape(text)]


def file_texts(path: Path) -> list[str]:
    """The text a file carries, read as its format says (see the module docstring)."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        return notebook_text(data)
    if suffix in (".docx", ".xlsx"):
        return office_text(path)
    if suffix == ".pdf":
        return pdf_text(path)
    if suffix in (".png", ".jpg", ".jpeg", ".gif"):
        return image_text(data)
    if suffix in (".html", ".htm"):
        return html_text(data)
    text = data.decode("utf-8", errors="replace")
    return [text, html.unescape(text)]


# --------------------------------------------------------------------------------------
# what to look for
# --------------------------------------------------------------------------------------
def _word_pattern(text: str, *, capital_only: bool = False) -> re.Pattern[str]:
    """Whole words, any white space between them, any case (or the first letter as written)."""
    body = r"\s+".join(re.escape(w) for w in text.split())
    if capital_only:
        return re.compile(rf"(?<![\w]){re.escape(text[0])}(?i:{body[len(re.escape(text[0])) :]})(?![\w])")
    return re.compile(rf"(?<![\w]){body}(?![\w])", re.IGNORECASE)


def _contains_word(haystack: str, needle: str) -> bool:
    return bool(_word_pattern(needle).search(haystack))


def _spellings(row: pd.Series) -> set[str]:
    aliases = [a.strip() for a in str(row["aliases"] or "").split(";")]
    return {s for s in (str(row["name"]), str(row["official_name"]), *aliases) if s and s != "nan"}


def _needles(orgs: pd.DataFrame, code: str, allowed_texts: list[str]) -> dict[str, list[str]]:
    """Other organisation spelling or code -> the organisations it belongs to, after the exclusions."""
    own = _spellings(orgs.loc[code])
    needles: dict[str, list[str]] = {}
    for other, row in orgs.iterrows():
        if other == code:
            continue
        for spelling in {*_spellings(row), str(other)}:
            if any(_contains_word(mine, spelling) for mine in own):  # exclusion 1
                continue
            if any(_contains_word(text, spelling) for text in allowed_texts):  # exclusion 2
                continue
            needles.setdefault(spelling, []).append(str(other))
    return needles


# --------------------------------------------------------------------------------------
# the batch
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The full 2020 and 2021 samples, cleaned and scored, and the five 2021 reports in every format."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import make_project

    project = make_project(tmp_path_factory.mktemp("leaks") / "project")
    mp = pytest.MonkeyPatch()
    mp.setenv("HEALTHCHECK_ROOT", str(project.root))
    original = batch.report_parameters

    def parameters(project_, year, org_code, *, free_text=False, **kwargs):  # on for some councils, off for one
        return {**original(project_, year, org_code, free_text=free_text, **kwargs),
                "show_free_text": org_code in FREE_TEXT_ON}  # fmt: skip

    mp.setattr(batch.targets, "report_parameters", parameters)  # where target_parameters looks it up
    try:
        scoring = project.params_dir / "scoring.yaml"  # a higher item base, so that York has '[c]' shares
        text = scoring.read_text(encoding="utf-8")
        assert "min_item_base: 5 " in text
        scoring.write_text(text.replace("min_item_base: 5 ", "min_item_base: 20 "), encoding="utf-8")
        write_sample(project, years=YEARS)
        pipeline.ensure(project, YEAR)  # clean, score and compare every year, as `healthcheck run` does
        targets, unknown = batch.resolve_targets(project, YEAR, COUNCILS)
        assert not unknown
        results = batch.run_batch(project, YEAR, targets, workers=2, force=True)
    finally:
        mp.undo()
    assert [r.status for r in results] == ["ok"] * len(COUNCILS), [r.cause for r in results]
    return project, {t.org_code: project.reports_dir(YEAR) / t.slug for t in targets}


@pytest.fixture(scope="module")
def texts(built):
    """Council code -> {file path relative to its folder: [texts]}, every file of every folder."""
    _, folders = built
    return {
        code: {p.relative_to(folder).as_posix(): file_texts(p) for p in sorted(folder.rglob("*")) if p.is_file()}
        for code, folder in folders.items()
    }


def _allowed_texts(project) -> list[str]:
    from healthcheck.reference.organisations import REGIONS

    areas = load_areas(project)
    book = load_codebook(YEAR, project)
    return [*REGIONS, "England", *areas["title"], *areas["short_title"], *book["wording"]]


_WORD = re.compile(r"\w+")


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


class WordIndex:
    """The whole-word sequences of a set of texts, to test hundreds of names in one pass.

    A name is found when its words (lower case, punctuation ignored) appear in a row: stricter
    than a regex on the spelling ('Stockton-on-Tees' is also found as 'stockton on tees').
    """

    def __init__(self, names: list[str]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name in names:
            words = _tokens(name)
            if words:
                self.by_first.setdefault(words[0], []).append((words, name))

    def found(self, text: str) -> set[str]:
        words = _tokens(text)
        hits: set[str] = set()
        for i, word in enumerate(words):
            for seq, name in self.by_first.get(word, ()):
                if words[i : i + len(seq)] == seq:
                    hits.add(name)
        return hits


def _find(pattern: re.Pattern[str], files: dict[str, list[str]]) -> list[str]:
    hits = []
    for rel, chunks in files.items():
        for chunk in chunks:
            if m := pattern.search(chunk):
                hits.append(f"{rel}: ...{chunk[max(0, m.start() - 60) : m.end() + 60]!r}...")
                break
    return hits


# --------------------------------------------------------------------------------------
# the tests
# --------------------------------------------------------------------------------------
@pytest.mark.slow
def test_every_format_was_made(built):
    _, folders = built
    for code, folder in folders.items():
        names = {p.name for p in folder.iterdir()}
        assert {"report.html", "report.docx", "report.pdf", "report.xlsx", "report.ipynb", "manifest.json"} <= names
        if code != NOTTINGHAM:  # the suppressed report has no charts
            assert len(list((folder / "figures").glob("*.png"))) >= 4


@pytest.mark.slow
def test_no_other_organisation_is_named_or_coded(built, texts):
    project, _ = built
    orgs = load_organisations(project).set_index("org_code", drop=False)
    allowed = _allowed_texts(project)
    leaks = []
    for code, files in texts.items():
        needles = _needles(orgs, code, allowed)
        index = WordIndex(list(needles))
        candidates = {name for chunks in files.values() for chunk in chunks for name in index.found(chunk)}
        for needle in sorted(candidates):
            common = needle.lower() in COMMON_WORDS  # exclusion 3: only with its capital
            hits = _find(_word_pattern(needle, capital_only=common), files)
            if not hits and not common:  # found as words with other punctuation between them
                hits = [rel for rel, chunks in files.items() if any(needle in index.found(c) for c in chunks)]
            leaks += [f"{code}: {needle!r} ({', '.join(needles[needle])}) in {hit}" for hit in hits]
    assert not leaks, "\n".join(leaks[:40])


@pytest.mark.slow
def test_the_scan_would_find_a_leak(built, texts):
    """The scanner itself: each council's own name is found in each of its main formats."""
    _, _folders = built
    for code in (HALTON, YORK):
        name = "Halton" if code == HALTON else "York"
        for rel in (
            "report.html",
            "report.docx",
            "report.pdf",
            "report.xlsx",
            "report.ipynb",
            "figures/distribution.svg",
        ):
            assert _find(_word_pattern(name), {rel: texts[code][rel]}), (code, rel)


@pytest.mark.slow
def test_no_planted_sensitive_string(texts):
    index = WordIndex(PLANTED_SENSITIVE)  # as words: also 'WA8-7QF' or 'jane doe example gov uk'
    leaks = [
        f"{code}: {secret!r} in {rel}"
        for code, files in texts.items() for rel, chunks in files.items()
        for secret in sorted({s for chunk in chunks for s in index.found(chunk)})
    ]  # fmt: skip
    assert not leaks, "\n".join(leaks)


@pytest.mark.slow
def test_no_respondent_level_data(built, texts):
    project, _ = built
    responses = pd.read_parquet(project.processed_dir(YEAR) / "responses.parquet", columns=["response_id", "org_code"])
    ids = responses["response_id"].astype(str)
    assert len(ids) > 8000
    assert ids.str.fullmatch(r"\d{9}").all()  # the sample's ids: whole runs of digits
    chunks = [chunk for files in texts.values() for chunks in files.values() for chunk in chunks]
    numbers = {n for chunk in chunks for n in re.findall(r"\d+", chunk)}  # every run of digits in the outputs
    found = sorted(set(ids) & numbers)
    assert not found, found[:10]
    assert not any("response_id" in chunk for chunk in chunks)


@pytest.mark.slow
def test_free_text_shown_redacted_only_where_asked(built, texts):
    """Halton's report (free text on) lists exactly its own respondents' comments, redacted;
    North Yorkshire's (off) and Nottingham's (suppressed, even with it on) show none."""
    project, folders = built
    own = pd.read_parquet(project.processed_dir(YEAR) / "responses.parquet", filters=[("org_code", "==", HALTON)])
    nb = json.loads((folders[HALTON] / "report.ipynb").read_text(encoding="utf-8"))
    [section] = [
        "".join(out["data"]["text/markdown"])
        for cell in nb["cells"] for out in cell.get("outputs", [])
        if "Comments from Halton" in "".join(out.get("data", {}).get("text/markdown", ""))
    ]  # fmt: skip
    best, improve = section.split("### What works well")[1].split("### What could be better")
    for listed, column in ((best, "comment_best"), (improve, "comment_improve")):
        assert sum(line.startswith("- ") for line in listed.splitlines()) == own[column].notna().sum() > 0
    for marker in ("[email address]", "[phone number]", "[postcode]", "[name]", "<Council Name>"):
        assert marker in section.replace("\\", ""), marker  # Halton's planted strings, each redacted
        for fmt in ("report.docx", "report.pdf", "report.html"):
            assert any(marker in chunk for chunk in texts[HALTON][fmt]), (marker, fmt)
    for code in (NORTH_YORKSHIRE, NOTTINGHAM):
        for fmt in ("report.html", "report.docx", "report.ipynb"):
            assert not any("Comments from" in chunk for chunk in texts[code][fmt]), (code, fmt)


@pytest.mark.slow
def test_item_shares_below_the_base_are_marked_c_with_a_note(built, texts):
    """York has statements answered by fewer than min_item_base (20 in this project): the chart
    marks them '[c]' and the notes of every format say what [c] means; North Yorkshire has none."""
    _, _folders = built
    marks = "[c] fewer than 20 answers"
    svgs = [rel for rel in texts[YORK] if rel.startswith("figures/item_shares") and rel.endswith(".svg")]
    assert len(svgs) >= 3  # the statement chart comes in parts, each fitting a page
    assert any(marks in chunk for rel in svgs for chunk in texts[YORK][rel])
    assert any(marks in chunk for chunk in texts[YORK]["report.html"])
    assert not any(marks in chunk for chunk in texts[NORTH_YORKSHIRE]["report.html"])  # 154 respondents
    for fmt in ("report.html", "report.docx", "report.pdf"):
        assert any("shown as [c]" in " ".join(chunk.split()) for chunk in texts[YORK][fmt]), fmt
