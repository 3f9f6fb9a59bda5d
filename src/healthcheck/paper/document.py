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

_NUMBER = re.compile(r"^[−-]?[\d,]+(\.\d+)?%?$")
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


def _cell_text(value: object) -> str:
    """A cell as the paper prints it: numbers whole, rounded half up as in the report; missing blank."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(float(value))
    return str(value)


def _table(document, frame: pd.DataFrame, title: str, body_style: str | None) -> None:
    """A table with a repeated, bold header row and columns as wide as their words need."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    caption = document.add_paragraph(style=_style(document, "Caption", "Table Caption") or body_style)
    _runs(caption, title, bold=True)
    texts = [[_cell_text(v) for v in row] for row in frame.itertuples(index=False)]
    table = document.add_table(rows=1, cols=len(frame.columns))
    if style := next((s for s in ("Table Grid", "Table") if s in {x.name for x in document.styles}), None):
        table.style = style
    header = table.rows[0]
    row_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row_pr.append(repeat)
    widths = _widths(document, table, [str(c) for c in frame.columns], texts)
    for cell, name, width in zip(header.cells, frame.columns, widths, strict=True):
        cell.text = ""
        cell.width = width
        _runs(cell.paragraphs[0], str(name), bold=True)
    numeric = [
        bool(column) and all(_NUMBER.fullmatch(t) for t in column)
        for column in ([t for t in col if t] for col in zip(*texts, strict=True))
    ] if texts else [False] * len(frame.columns)  # fmt: skip
    for row in texts:
        for cell, text, width, right in zip(table.add_row().cells, row, widths, numeric, strict=True):
            cell.width = width
            cell.text = text
            if right:  # numbers line up on the right, as in the report's tables
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for cell, right in zip(header.cells, numeric, strict=True):
        if right:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph(style=body_style)


def _widths(document, table, names: list[str], texts: list[list[str]]) -> list[int]:
    """Column widths shared out by what each column has to say: its longest word fits, long text gets room."""
    section = document.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin

    def need(i: int) -> float:
        column = [names[i], *(row[i] for row in texts)]
        longest_word = max(len(w) for t in column for w in (t.split() or [""]))
        mean = sum(len(row[i]) for row in texts) / max(1, len(texts))
        return max(longest_word + 3, min(30.0, 0.5 * mean))

    needs = [need(i) for i in range(len(names))]
    table.autofit = False
    widths = [int(usable * n / sum(needs)) for n in needs]
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
