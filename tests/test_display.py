"""The notebook display API: the mime bundles it emits and the table payload they carry."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from healthcheck.charts.chart import Chart
from healthcheck.errors import ReportError
from healthcheck.publish import display
from healthcheck.publish.display import PLOTLY_MIME, TABLE_MIME, Display, TableSpec, excel_number_format, format_cell


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict, dict | None]]:
    """Every bundle the display functions publish, instead of sending it to a kernel."""
    sent: list[tuple[dict, dict | None]] = []
    monkeypatch.setattr(display, "_publish", lambda bundle, metadata=None: sent.append((bundle, metadata)))
    display.reset()
    yield sent
    display.reset()


def scores_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Standard": ["Leadership", "Workload <b>", "Caseloads | A"],
            "Score": [74.333333, 61.05, np.nan],
            "Rating": ["Amber (monitor)", "Green (sustain)", None],
            "Respondents": np.array([1234, 40, 7], dtype="int64"),
            "Year": [2020, 2020, 2020],
        }
    )


class Cells(HTMLParser):
    """Collects th/td texts and attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, dict[str, str | None], str]] = []
        self._open: tuple[str, dict] | None = None
        self.captions: list[str] = []
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("th", "td"):
            self._open = (tag, dict(attrs))
            self.cells.append((tag, dict(attrs), ""))
        if tag == "caption":
            self._in_caption = True
            self.captions.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td"):
            self._open = None
        if tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            tag, attrs, text = self.cells[-1]
            self.cells[-1] = (tag, attrs, text + data)
        if self._in_caption:
            self.captions[-1] += data


# --------------------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "spec", "expected"),
    [
        (74.333333, ",.1f", "74.3"),
        (61.05, ",.1f", "61.1"),  # half up, not banker's or binary-float rounding
        (0.25, ",.1f", "0.3"),
        (74.5, ",.0f", "75"),
        (-0.04, ",.1f", "0.0"),  # never '-0.0'
        (1234, ",.0f", "1,234"),
        (2020, ".0f", "2020"),
        (1234567.891, ",.2f", "1,234,567.89"),
        (None, ",.1f", "n/a"),
        (True, None, "Yes"),
        ("Amber", None, "Amber"),
        (7, None, "7"),
        (7.25, None, "7.3"),
    ],
)
def test_format_cell(value: object, spec: str | None, expected: str) -> None:
    assert format_cell(value, spec) == expected


def test_excel_number_formats() -> None:
    assert excel_number_format(",.1f") == "#,##0.0"
    assert excel_number_format(".0f") == "0"
    assert excel_number_format(",.2f") == "#,##0.00"
    assert excel_number_format(None) == "General"


# --------------------------------------------------------------------------------------
# the table payload
# --------------------------------------------------------------------------------------
def test_table_spec_keeps_types_and_picks_formats() -> None:
    spec = TableSpec.from_frame(
        scores_frame(), name="scores", title="Scores", source="Survey 2020", notes=["n < 10 hidden"]
    )
    assert spec.columns == ("Standard", "Score", "Rating", "Respondents", "Year")
    first = spec.rows[0]
    assert first == ("Leadership", 74.333333, "Amber (monitor)", 1234, 2020)
    assert type(first[3]) is int and type(first[1]) is float
    assert spec.rows[2][1] is None and spec.rows[2][2] is None  # NaN and None both missing
    # text: None; fractional floats: one place; whole numbers: none; years: no comma
    assert spec.formats == (None, ",.1f", None, ",.0f", ".0f")
    assert spec.numeric == (False, True, False, True, True)
    assert spec.formatted_rows()[0] == ["Leadership", "74.3", "Amber (monitor)", "1,234", "2020"]
    assert spec.formatted_rows()[2][1] == "n/a"


def test_decimals_override() -> None:
    spec = TableSpec.from_frame(scores_frame(), name="s", title="T", source="S", decimals={"Score": 0})
    assert spec.formats[1] == ",.0f"
    assert spec.formatted_rows()[0][1] == "74"
    every = TableSpec.from_frame(scores_frame(), name="s", title="T", source="S", decimals=2)
    # a table-wide decimals leaves whole-number columns whole: Respondents 1,234, Year 2020 (not 1,234.00)
    assert every.formats[1:] == (",.2f", None, ",.0f", ".0f")
    assert every.formatted_rows()[0][3:] == ["1,234", "2020"]
    named = TableSpec.from_frame(scores_frame(), name="s", title="T", source="S", decimals={"Respondents": 1})
    assert named.formats[3] == ",.1f"  # asked for by name: as asked
    with pytest.raises(ReportError, match="unknown columns"):
        TableSpec.from_frame(scores_frame(), name="s", title="T", source="S", decimals={"Nope": 1})


def test_json_round_trip_is_plain_json() -> None:
    spec = TableSpec.from_frame(scores_frame(), name="scores", title="Scores", source="Survey", notes=["A note"])
    payload = json.loads(json.dumps(spec.to_json()))  # must survive JSON (no numpy, no NaN)
    assert set(payload) >= {"name", "title", "source", "notes", "columns", "rows"}
    assert payload["rows"][0][1] == 74.333333 and payload["rows"][2][1] is None
    assert TableSpec.from_json(payload) == spec


def test_index_becomes_row_headers() -> None:
    df = pd.DataFrame({"rows": [10, 2]}, index=["in the export", "excluded"])
    spec = TableSpec.from_frame(df, name="rows", title="Rows", source="QA", index=True)
    assert spec.columns == ("Item", "rows")
    assert spec.row_headers
    parser = Cells()
    parser.feed(spec.to_html())
    assert ("th", {"scope": "row"}, "in the export") in parser.cells


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "bad name"}, "not usable"),
        ({"name": "../x"}, "not usable"),
        ({"title": " "}, "title"),
        ({"source": ""}, "source"),
    ],
)
def test_table_arguments_are_checked(kwargs: dict, message: str) -> None:
    args = {"name": "t", "title": "T", "source": "S"} | kwargs
    with pytest.raises(ReportError, match=message):
        TableSpec.from_frame(scores_frame(), **args)


def test_repeated_column_names_are_refused() -> None:
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ReportError, match="repeated"):
        TableSpec.from_frame(df, name="t", title="T", source="S")


def test_html_table_is_accessible_and_formatted() -> None:
    spec = TableSpec.from_frame(scores_frame(), name="scores", title="Scores by standard", source="Survey 2020",
                                notes=["Scores run from 0 to 100."])  # fmt: skip
    html = spec.to_html()
    parser = Cells()
    parser.feed(html)
    assert parser.captions == ["Scores by standard"]
    heads = [(attrs.get("scope"), text) for tag, attrs, text in parser.cells if tag == "th"]
    assert heads == [("col", "Standard"), ("col", "Score"), ("col", "Rating"), ("col", "Respondents"), ("col", "Year")]
    texts = [text for tag, _, text in parser.cells if tag == "td"]
    assert texts[:5] == ["Leadership", "74.3", "Amber (monitor)", "1,234", "2020"]
    assert "74.333" not in html
    assert "Workload &lt;b&gt;" in html  # text is escaped, never markup
    assert "Source: Survey 2020" in html and "Note: Scores run from 0 to 100." in html
    # the rating keeps its word; the class only adds a swatch
    assert '<span class="hc-rating hc-rating-amber">Amber (monitor)</span>' in html
    numeric = [attrs.get("class") for tag, attrs, text in parser.cells if tag == "td"][:5]
    assert numeric == [None, "hc-num", None, "hc-num", "hc-num"]


def test_markdown_table() -> None:
    spec = TableSpec.from_frame(scores_frame(), name="scores", title="Scores", source="Survey 2020")
    lines = spec.to_markdown().splitlines()
    assert lines[0] == "**Scores**"
    assert lines[2] == "| Standard | Score | Rating | Respondents | Year |"
    assert lines[3] == "|:---|---:|:---|---:|---:|"
    assert lines[6] == "| Caseloads \\| A | n/a | n/a | 7 | 2020 |"
    assert "Source: Survey 2020" in lines


# --------------------------------------------------------------------------------------
# the bundles
# --------------------------------------------------------------------------------------
def test_show_markdown(published: list) -> None:
    display.show_markdown("## Summary\n\nText.")
    bundle, metadata = published[0]
    assert bundle["text/markdown"] == "## Summary\n\nText."
    assert metadata is None


def test_show_table_bundle(published: list) -> None:
    display.show_table(scores_frame(), name="scores", title="Scores", source="Survey", notes=("A note",))
    bundle, metadata = published[0]
    assert set(bundle) == {"text/html", "text/markdown", "text/plain", TABLE_MIME}
    assert bundle[TABLE_MIME]["columns"] == ["Standard", "Score", "Rating", "Respondents", "Year"]
    assert bundle[TABLE_MIME]["notes"] == ["A note"]
    assert metadata == {"healthcheck": {"name": "scores", "title": "Scores", "kind": "table"}}


def bar() -> go.Figure:
    return go.Figure(
        go.Bar(x=["a", "b"], y=np.array([1.5, 2.25])), layout={"title": "Bars", "width": 600, "height": 300}
    )


def test_show_chart_never_carries_plotly(published: list) -> None:
    """No chart's output holds plotly.js: the page inlines it once (and Quarto never hoists a chart)."""
    display.show_chart(Chart(bar(), name="first", title="First chart", alt="Two bars: a 1.5, b 2.25."))
    display.show_chart(Chart(bar(), name="second", title="Second chart", alt="The same bars again."))
    (first, meta1), (second, _meta2) = published
    assert set(first) == {"text/html", PLOTLY_MIME, "text/plain"}
    assert first["text/plain"] == "First chart"
    assert meta1 == {"healthcheck": {"name": "first", "title": "First chart", "alt": "Two bars: a 1.5, b 2.25."}}
    for bundle in (first, second):
        html = bundle["text/html"]
        assert "plotly.js v" not in html and "define('plotly'" not in html and "require.undef" not in html
        assert "Plotly.newPlot" in html and len(html) < 20_000  # the div and its data, not a 1-5 MB library
        assert "http" not in html  # without plotly.js the chart names no address at all
        assert '"displaylogo": false' in html
        assert not re.search(r"<script[^>]*\bsrc=", html)  # everything inline, nothing fetched
        assert "MathJax.js" not in html and "tex-svg" not in html
        assert "<figcaption>" in html and "Text description of this chart" in html
    assert first[PLOTLY_MIME]["layout"]["width"] == 600  # the figure JSON is untouched
    json.dumps(first[PLOTLY_MIME])  # plain JSON


def test_reset_keeps_charts_without_plotly(published: list) -> None:
    own = Display()
    own.chart(Chart(bar(), name="a", title="A", alt="Alt A"))
    own.reset()
    own.chart(Chart(bar(), name="c", title="C", alt="Alt C"))
    assert [bundle["text/html"].count("plotly.js v") for bundle, _ in published] == [0, 0]


def test_chart_needs_alt_text(published: list) -> None:
    with pytest.raises(ReportError, match="alt"):
        display.show_chart(Chart(bar(), name="c", title="T", alt="  "))
    with pytest.raises(ReportError, match="plotly Figure"):
        display.show_chart(Chart("not a figure", name="c", title="T", alt="A"))
    with pytest.raises(ReportError, match="needs a Chart"):
        display.show_chart(bar())  # type: ignore[arg-type]
    with pytest.raises(ReportError, match="not usable"):
        display.show_chart(Chart(bar(), name="no spaces", title="T", alt="A"))
    assert published == []
