"""The Word report: pandoc writes ``.docx`` from the markdown document, python-docx finishes it.

pandoc takes its styles from ``templates/reference.docx`` (built from
``templates/build_reference_docx.py`` when missing) and numbers captions as Word fields;
python-docx then sets each chart's alt text, each table's column widths and type size (as
:func:`~healthcheck.publish.render.typst.table_fit` chose them, so that no word is broken),
puts each table too wide for a portrait page in a landscape section of its own, and writes the
document properties (``core.xml``: title, author, subject, keywords, language, description;
``app.xml``: the application and the publisher, none of pandoc's placeholder counts).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from healthcheck import __version__
from healthcheck.publish.display import TableSpec
from healthcheck.publish.formats import TEMPLATES
from healthcheck.publish.render.content import ChartBlock, Content, Image
from healthcheck.publish.render.markdown import MD_FORMAT, build_markdown
from healthcheck.publish.render.typst import TableFit, table_fit

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TWIPS_PER_PT = 20


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
    _docx_finish(path, title=title, alts=alts, tables=content.tables, properties=content.properties)
    return path


def _text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(f"{{{W}}}t"))


def _size_table(tbl: Any, fit: TableFit) -> None:
    """Column widths in twips from the layout's shares, and the layout's type size in every cell."""
    from docx.oxml import parse_xml

    width = fit.width_pt * TWIPS_PER_PT
    twips = [round(width * share) for share in fit.shares]
    grid = tbl.find(f"{{{W}}}tblGrid")
    if grid is not None:
        for col, w in zip(grid.findall(f"{{{W}}}gridCol"), twips, strict=False):
            col.set(f"{{{W}}}w", str(w))
    half_points = str(round(fit.size * 2))
    for tr in tbl.findall(f"{{{W}}}tr"):
        for tc, w in zip(tr.findall(f"{{{W}}}tc"), twips, strict=False):
            tc_pr = tc.find(f"{{{W}}}tcPr")
            if tc_pr is None:
                tc_pr = parse_xml(f'<w:tcPr xmlns:w="{W}"/>')
                tc.insert(0, tc_pr)
            for old in tc_pr.findall(f"{{{W}}}tcW"):
                tc_pr.remove(old)
            tc_pr.insert(0, parse_xml(f'<w:tcW xmlns:w="{W}" w:w="{w}" w:type="dxa"/>'))
            for r in tc.iter(f"{{{W}}}r"):
                r_pr = r.find(f"{{{W}}}rPr")
                if r_pr is None:
                    r_pr = parse_xml(f'<w:rPr xmlns:w="{W}"/>')
                    r.insert(0, r_pr)
                for tag in ("sz", "szCs"):
                    for old in r_pr.findall(f"{{{W}}}{tag}"):
                        r_pr.remove(old)
                    r_pr.append(parse_xml(f'<w:{tag} xmlns:w="{W}" w:val="{half_points}"/>'))


def _section_break(section: Any, *, landscape: bool) -> Any:
    """A paragraph that ends a section laid out as ``section``, turned to landscape if asked."""
    from docx.oxml import parse_xml

    sect = copy.deepcopy(section)
    size = sect.find(f"{{{W}}}pgSz")
    if size is not None:
        w, h = int(size.get(f"{{{W}}}w")), int(size.get(f"{{{W}}}h"))
        short, long = sorted((w, h))
        size.set(f"{{{W}}}w", str(long if landscape else short))
        size.set(f"{{{W}}}h", str(short if landscape else long))
        if landscape:
            size.set(f"{{{W}}}orient", "landscape")
        elif f"{{{W}}}orient" in size.attrib:
            del size.attrib[f"{{{W}}}orient"]
    paragraph = parse_xml(f'<w:p xmlns:w="{W}"><w:pPr/></w:p>')
    paragraph.find(f"{{{W}}}pPr").append(sect)
    return paragraph


def _tables(document: Any, tables: Sequence[TableSpec]) -> None:
    """Size every report table as laid out, and put each wide one in a landscape section of its own."""
    body = document.element.body
    final = body.find(f"{{{W}}}sectPr")
    pending = list(tables)
    for tbl in list(body.iter(f"{{{W}}}tbl")):
        if not pending:
            break
        caption = tbl.getprevious()
        while caption is not None and caption.tag != f"{{{W}}}p":
            caption = caption.getprevious()
        if caption is None or not _text(caption).strip().endswith(pending[0].title.strip()):
            continue  # a table from a markdown cell: left as pandoc made it
        spec = pending.pop(0)
        fit = table_fit(spec)
        _size_table(tbl, fit)
        if not fit.landscape or final is None:
            continue
        # the section before ends (portrait) above the caption; this one (landscape) after the small print
        start = caption
        while start.getprevious() is not None and (
            start.getprevious().tag in (f"{{{W}}}bookmarkStart", f"{{{W}}}bookmarkEnd")
            or _is_heading(start.getprevious())
        ):
            start = start.getprevious()  # a heading goes over with the wide table it heads
        end, probe = tbl, tbl.getnext()
        while probe is not None and (_is_bookmark(probe) or (probe.tag == f"{{{W}}}p" and _is_small_print(probe))):
            if not _is_bookmark(probe):
                end = probe  # the table's source and notes stay on its landscape page
            probe = probe.getnext()
        before = start.getprevious()
        if before is not None and before.find(f"{{{W}}}pPr/{{{W}}}sectPr") is not None and _landscape(before):
            body.remove(before)  # straight after another wide table: one landscape section for both
        else:
            start.addprevious(_section_break(final, landscape=False))
        end.addnext(_section_break(final, landscape=True))


def _is_bookmark(element: Any) -> bool:
    return element.tag in (f"{{{W}}}bookmarkStart", f"{{{W}}}bookmarkEnd")


def _is_heading(element: Any) -> bool:
    style = element.find(f"{{{W}}}pPr/{{{W}}}pStyle") if element.tag == f"{{{W}}}p" else None
    return style is not None and str(style.get(f"{{{W}}}val", "")).startswith("Heading")


def _is_small_print(paragraph: Any) -> bool:
    style = paragraph.find(f"{{{W}}}pPr/{{{W}}}pStyle")
    return style is not None and style.get(f"{{{W}}}val") in ("TableSource", "Table Source")


def _landscape(paragraph: Any) -> bool:
    size = paragraph.find(f"{{{W}}}pPr/{{{W}}}sectPr/{{{W}}}pgSz")
    return size is not None and size.get(f"{{{W}}}orient") == "landscape"


def app_xml(properties: Mapping[str, Any]) -> str:
    """``docProps/app.xml`` that says what made the document and who publishes it, with no placeholder counts."""
    company = escape(str(properties.get("publisher") or ""))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>healthcheck {escape(__version__)}</Application><DocSecurity>0</DocSecurity>"
        f"<ScaleCrop>false</ScaleCrop>{f'<Company>{company}</Company>' if company else ''}"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
        "</Properties>"
    )


def _replace_app_xml(path: Path, properties: Mapping[str, Any]) -> None:
    tmp = path.with_name(path.name + ".app")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/app.xml":
                data = app_xml(properties).encode("utf-8")
            dst.writestr(item, data)
    os.replace(tmp, path)


def _docx_finish(
    path: Path,
    *,
    title: str,
    alts: Sequence[tuple[str, str]],
    tables: Sequence[TableSpec] = (),
    properties: Mapping[str, Any] | None = None,
) -> None:
    """Each chart's alt text, the tables' widths and sections, and the document properties.

    pandoc puts a picture's caption where Word keeps its alt text; ``alts`` pairs each chart's
    caption with its alt text, in order, so pictures from markdown cells are left alone.
    """
    import docx

    properties = dict(properties or {})
    document = docx.Document(str(path))
    pending = list(alts)
    for shape in document.inline_shapes:
        doc_pr = shape._inline.docPr
        if pending and " ".join((doc_pr.get("descr") or "").split()) == " ".join(pending[0][0].split()):
            doc_pr.set("descr", pending.pop(0)[1])
            doc_pr.set("title", "")
    _tables(document, tables)
    props = document.core_properties
    props.title = title
    props.author = str(properties.get("author") or "healthcheck")
    props.last_modified_by = props.author
    props.language = str(properties.get("language") or "en-GB")
    props.subject = str(properties.get("subject") or "")
    keywords = properties.get("keywords")
    props.keywords = "; ".join(map(str, keywords)) if isinstance(keywords, list) else str(keywords or "")
    props.comments = str(properties.get("description") or f"Made with healthcheck {__version__}")
    props.category = "Report"
    props.revision = 1
    try:
        published = dt.datetime.fromisoformat(str(properties.get("date")))
        props.created = props.modified = published
    except ValueError:
        pass
    document.save(str(path))
    _replace_app_xml(path, properties)


__all__ = ["app_xml", "reference_docx", "write_docx"]
