"""The Word report: pandoc writes ``.docx`` from the markdown document, python-docx finishes it.

pandoc takes its styles from ``templates/reference.docx`` (built from
``templates/build_reference_docx.py`` when missing) and numbers captions as Word fields;
python-docx then sets each chart's alt text and the document properties.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

from healthcheck.publish.formats import TEMPLATES
from healthcheck.publish.render.content import ChartBlock, Content, Image
from healthcheck.publish.render.markdown import MD_FORMAT, build_markdown


def reference_docx() -> Path:
    """``templates/reference.docx``, built (once, in a temporary folder) if it is missing."""
    kept = TEMPLATES / "reference.docx"
    if kept.is_file():
        return kept
    import runpy

    script = TEMPLATES / "build_reference_docx.py"
    digest = hashlib.sha1(script.read_bytes()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / f"healthcheck-reference-{digest}.docx"
    if not target.is_file():
        runpy.run_path(str(script))["build"](target)
    return target


def write_docx(content: Content, work: Path, path: Path, title: str) -> Path:
    """The Word document at ``path``; ``work`` holds the chart images under ``figures/``."""
    import pypandoc

    markdown = build_markdown(content, "docx")
    (work / "report-docx.md").write_text(markdown, encoding="utf-8")
    pypandoc.convert_text(
        markdown,
        "docx+native_numbering",  # 'Table 1:', 'Figure 1:' as Word caption fields, as in the PDF
        format=MD_FORMAT,
        outputfile=str(path),
        extra_args=[
            f"--reference-doc={reference_docx()}",
            f"--resource-path={work}",
            "--metadata=lang:en-GB",
        ],
        cworkdir=str(work),
    )
    alts = [(b.title, b.alt) if isinstance(b, ChartBlock) else (b.alt, b.alt)
            for b in content.blocks if isinstance(b, (ChartBlock, Image))]  # fmt: skip
    _docx_finish(path, title=title, alts=alts)
    return path


def _docx_finish(path: Path, *, title: str, alts: Sequence[tuple[str, str]]) -> None:
    """Each chart's alt text and the document properties.

    pandoc puts a picture's caption where Word keeps its alt text; ``alts`` pairs each chart's
    caption with its alt text, in order, so pictures from markdown cells are left alone.
    """
    import docx

    document = docx.Document(str(path))
    pending = list(alts)
    for shape in document.inline_shapes:
        doc_pr = shape._inline.docPr
        if pending and " ".join((doc_pr.get("descr") or "").split()) == " ".join(pending[0][0].split()):
            doc_pr.set("descr", pending.pop(0)[1])
            doc_pr.set("title", "")
    props = document.core_properties
    props.title = title
    props.author = "healthcheck"
    props.language = "en-GB"
    props.comments = "Generated from an executed notebook by healthcheck"
    document.save(str(path))


__all__ = ["reference_docx", "write_docx"]
