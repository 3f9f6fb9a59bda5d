"""The names of what the publish stage makes, defined once and checked against everywhere."""

from __future__ import annotations

import pytest

from healthcheck.batch import check_options
from healthcheck.errors import ParameterError, RenderError
from healthcheck.publish.figures import ChartExporter
from healthcheck.publish.formats import ENGINES, FORMATS, IMAGE_FORMATS, TEMPLATES
from healthcheck.publish.render import Renderer


def test_the_renderer_and_the_batch_take_the_same_formats():
    assert Renderer().formats == FORMATS
    assert check_options([f.upper() for f in FORMATS], "native", "local", None) == FORMATS
    with pytest.raises(ParameterError, match="choose from " + ", ".join(FORMATS)):
        check_options(["pptx"], "native", "local", None)
    with pytest.raises(RenderError, match="pptx"):
        Renderer(formats=("pptx",))
    assert ENGINES[0] == "native"
    with pytest.raises(ParameterError, match="unknown engine"):
        check_options(["html"], "latex", "local", None)


def test_figures_formats_and_templates():
    assert Renderer(formats=("figures",)).image_formats() == IMAGE_FORMATS
    with pytest.raises(RenderError, match="unknown chart image format"):
        ChartExporter().to_bytes({"data": [], "layout": {}}, "gif")
    assert {"report.css", "report.typ", "reference.docx", "build_reference_docx.py"} <= {
        p.name for p in TEMPLATES.iterdir()
    }
