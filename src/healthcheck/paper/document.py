"""The committee paper as a Word document, in the council's house style, with the local report appended.

python-docx writes the paper on the styles of a reference document: the council's own
(``params/house_style/<code>.docx``) when there is one, else the project's
(:func:`healthcheck.publish.render.docx.reference_docx`). Anything in the reference document's
body is dropped; its page set-up, headers, footers and styles are kept. Section headings use the
'Heading 1' style ('3.0 SUPPORTING INFORMATION') and subheadings 'Heading 2', so Word's
navigation pane and screen readers see the structure. Numbered paragraphs hang their number
('3.5') in the margin like the Halton paper's. '[To be completed: ...]' boxes are highlighted
yellow. The local report (its Word file) follows as Appendix 1, joined by docxcompose, which
carries over its styles, numbering and pictures with their alt text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from healthcheck.errors import InputError
from healthcheck.files import atomic_write
from healthcheck.paper.content import TODO, Block, Paper
from healthcheck.text.numbers import format_number

_TODO = re.compile(r"(\[" + TODO + r":[^\]]*\])")
HANG_CM = 1.5  # how far numbered paragraphs' text sits from their number


def _style(document, *names: str) -> str | None:
    """The first of ``names`` the document has as a paragraph style (None: keep the default)."""
    have = {s.name for s in document.styles}
    return next((n for n in names if n in have), None)


def _runs(paragraph, text: str, *, bold: bool = False) -> None:
    """``text`` as runs, each '[To be completed: ...]' box highlighted."""
    from docx.enum.text import WD_COLOR_INDEX

    for piece in _TODO.split(text):
        if not piece:
            continue
        run = paragraph.add_run(piece)
        run.bold = bold or None
        if _TODO.fullmatch(piece):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            run.bold = True


def _hanging(paragraph, hang_cm: float = HANG_CM, indent_cm: float = 0.0) -> None:
    from docx.shared import Cm

    fmt = paragraph.paragraph_format
    fmt.left_indent = Cm(indent_cm + hang_cm)
    fmt.first_line_indent = Cm(-hang_cm)
    fmt.tab_stops.add_tab_stop(Cm(indent_cm + hang_cm))


def _table(document, frame: pd.DataFrame, title: str, body_style: str | None) -> None:
    """A table with a repeated, bold header row; numbers as whole numbers."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    caption = document.add_paragraph(style=_style(document, "Caption", "Table Caption") or body_style)
    _runs(caption, title, bold=True)
    table = document.add_table(rows=1, cols=len(frame.columns))
    if style := next((s for s in ("Table Grid", "Table") if s in {x.name for x in document.styles}), None):
        table.style = style
    header = table.rows[0]
    row_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row_pr.append(repeat)
    for cell, name in zip(header.cells, frame.columns, strict=True):
        cell.text = ""
        _runs(cell.paragraphs[0], str(name), bold=True)
    widths = _widths(document, table, frame)
    for cell, width in zip(header.cells, widths, strict=True):
        cell.width = width
    for values in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        for cell, value in zip(cells, values, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                text = ""
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                text = format_number(float(value))  # whole numbers, rounded half up as in the report
            else:
                text = str(value)
            cell.text = text
    document.add_paragraph(style=body_style)


def _widths(document, table, frame: pd.DataFrame) -> list[int]:
    """Column widths shared out by how much each column has to say (a long action gets room, a priority little)."""
    section = document.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin

    def need(name: str) -> float:
        texts = [str(name), *(str(v) for v in frame[name].dropna())]
        longest_word = max(len(w) for t in texts for w in (t.split() or [""]))
        mean = sum(len(t) for t in texts[1:]) / max(1, len(texts) - 1)
        return max(longest_word + 2, min(35.0, 0.6 * mean))

    need = [need(name) for name in frame.columns]  # type: ignore[assignment]
    total = sum(need)
    table.autofit = False
    widths = [int(usable * n / total) for n in need]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    return widths


def _blocks(document, number: str, block: Block, styles: dict[str, str | None]) -> None:
    if block.kind == "para":
        paragraph = document.add_paragraph(style=styles["body"])
        _hanging(paragraph)
        _runs(paragraph, f"{number}\t{block.text}")
    elif block.kind == "subheading":
        document.add_paragraph(block.text, style=styles["subheading"])
    elif block.kind == "text":
        paragraph = document.add_paragraph(style=styles["body"])
        paragraph.paragraph_format.left_indent = _cm(HANG_CM)
        _runs(paragraph, block.text)
    elif block.kind == "note":
        paragraph = document.add_paragraph(style=styles["note"])
        paragraph.paragraph_format.left_indent = _cm(HANG_CM)
        _runs(paragraph, block.text)
    elif block.kind in ("bullets", "numbers"):
        for i, item in enumerate(block.items, start=1):
            paragraph = document.add_paragraph(style=styles["body"])
            mark = "•" if block.kind == "bullets" else _roman(i) if number == "" and styles.get("roman") else f"{i}."
            _hanging(paragraph, hang_cm=0.8, indent_cm=HANG_CM)
            _runs(paragraph, f"{mark}\t{item}")
    elif block.kind == "table" and block.table is not None:
        _table(document, block.table, block.title, styles["body"])


def _cm(value: float):
    from docx.shared import Cm

    return Cm(value)


def _roman(n: int) -> str:
    return {1: "i)", 2: "ii)", 3: "iii)", 4: "iv)", 5: "v)", 6: "vi)"}.get(n, f"{n})")


def _clear_body(document) -> None:
    """Drop the reference document's sample content, keeping its section properties (page set-up)."""
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)


def paper_document(paper: Paper, reference: Path):
    """The paper as a python-docx Document on ``reference``'s styles."""
    import docx

    try:
        document = docx.Document(str(reference))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types for a file that is not Word
        raise InputError(f"not a readable Word document ({type(exc).__name__})", file=reference,
                         hint="save the house style from Word as .docx") from None  # fmt: skip
    _clear_body(document)
    body = _style(document, "Body Text", "Normal")
    styles = {
        "body": body,
        "heading": _style(document, "Heading 1"),
        "subheading": _style(document, "Heading 2"),
        "note": _style(document, "Table Source", "Footnote Text", "Body Text") or body,
    }
    document.add_paragraph(paper.title, style=_style(document, "Title") or styles["heading"])
    table = document.add_table(rows=0, cols=2)
    for label, value in paper.header:
        cells = table.add_row().cells
        _runs(cells[0].paragraphs[0], label, bold=True)
        _runs(cells[1].paragraphs[0], value)
    for section in paper.sections:
        heading = document.add_paragraph(style=styles["heading"])
        _hanging(heading)
        heading.add_run(f"{section.number}.0\t{section.title}")
        roman = section.number == 2
        for number, block in section.numbered():
            _blocks(document, number, block, {**styles, "roman": "yes" if roman else None})
    for i, title in enumerate(paper.appendices, start=1):
        paragraph = document.add_paragraph(style=styles["subheading"])
        paragraph.add_run(f"Appendix {i}: {title}")
        document.add_paragraph("Attached", style=body)
    props = document.core_properties
    props.title = paper.title
    props.subject = f"{paper.council}: Social Work Health Check {paper.year}"
    props.author = "healthcheck"
    props.language = "en-GB"
    props.comments = "Committee paper draft generated by healthcheck: complete the highlighted boxes before tabling"
    return document


def write_paper(paper: Paper, path: Path, *, reference: Path, appendix: Path | None = None) -> Path:
    """Write the paper to ``path`` (atomically), with the Word file ``appendix`` appended after a page break."""
    document = paper_document(paper, reference)
    if appendix is not None:
        import docx
        from docxcompose.composer import Composer

        heading = document.add_paragraph(style=_style(document, "Heading 1"))
        heading.paragraph_format.page_break_before = True
        heading.add_run(f"Appendix 1: {paper.appendices[0]}")
        composer = Composer(document)
        composer.append(docx.Document(str(appendix)))
        document = composer.doc
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda p: document.save(str(p)))
    return path


__all__ = ["paper_document", "write_paper"]
