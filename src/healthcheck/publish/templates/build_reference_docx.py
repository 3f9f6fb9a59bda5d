"""Build ``reference.docx``: the Word styles pandoc (and Quarto) use for the council reports.

Starts from pandoc's own default reference document (so every style pandoc writes exists) and
sets: A4 with 2 cm margins, Arial (Liberation Sans where Arial is absent) 11 pt, British English,
plain dark headings, bold captions, a bordered table style with a shaded, repeated header row,
small "Table Source" paragraphs for sources and notes, and "Page N of M" in the footer.

Run it after changing a style; the result is kept next to it:

    .venv/bin/python src/healthcheck/publish/templates/build_reference_docx.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "reference.docx"

FONT = "Arial"
TEXT_COLOUR = "1A1A1A"
HEADING_COLOUR = "1D3557"  # dark navy: 11:1 contrast on white
BORDER_COLOUR = "7F7F7F"
HEADER_FILL = "E3E8EF"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def _el(fragment: str):
    """An element from a snippet written with the w: prefix (the namespace is declared here)."""
    from docx.oxml import parse_xml

    return parse_xml(re.sub(r"^(\s*<w:[A-Za-z]+)", rf'\1 xmlns:w="{W}"', fragment, count=1))


def _replace_style(styles, style_id: str, xml: str) -> None:
    old = styles.find(f"{{{W}}}style[@{{{W}}}styleId='{style_id}']")
    new = _el(xml)
    if old is not None:
        old.addprevious(new)
        styles.remove(old)
    else:
        styles.append(new)


def _fonts() -> str:
    return f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'


def _heading(level: int, size_half_points: int, before: int, after: int) -> str:
    return f"""<w:style w:type="paragraph" w:styleId="Heading{level}">
  <w:name w:val="heading {level}"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/>
  <w:link w:val="Heading{level}Char"/><w:uiPriority w:val="9"/><w:qFormat/>
  <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="{before}" w:after="{after}"/>
    <w:outlineLvl w:val="{level - 1}"/></w:pPr>
  <w:rPr>{_fonts()}<w:b/><w:bCs/><w:color w:val="{HEADING_COLOUR}"/>
    <w:sz w:val="{size_half_points}"/><w:szCs w:val="{size_half_points}"/></w:rPr>
</w:style>"""


def _border(side: str, size: int = 4, colour: str = BORDER_COLOUR) -> str:
    return f'<w:{side} w:val="single" w:sz="{size}" w:space="0" w:color="{colour}"/>'


STYLES = {
    "Normal": """<w:style w:type="paragraph" w:default="1" w:styleId="Normal">
  <w:name w:val="Normal"/><w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="120" w:line="264" w:lineRule="auto"/></w:pPr>
</w:style>""",
    "BodyText": """<w:style w:type="paragraph" w:styleId="BodyText">
  <w:name w:val="Body Text"/><w:basedOn w:val="Normal"/><w:link w:val="BodyTextChar"/><w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="160"/></w:pPr>
</w:style>""",
    "FirstParagraph": """<w:style w:type="paragraph" w:customStyle="1" w:styleId="FirstParagraph">
  <w:name w:val="First Paragraph"/><w:basedOn w:val="BodyText"/><w:next w:val="BodyText"/><w:qFormat/>
</w:style>""",
    "Compact": """<w:style w:type="paragraph" w:customStyle="1" w:styleId="Compact">
  <w:name w:val="Compact"/><w:basedOn w:val="BodyText"/><w:qFormat/>
  <w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr>
</w:style>""",
    "Title": f"""<w:style w:type="paragraph" w:styleId="Title">
  <w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:link w:val="TitleChar"/>
  <w:uiPriority w:val="10"/><w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="240"/></w:pPr>
  <w:rPr>{_fonts()}<w:b/><w:bCs/><w:color w:val="{HEADING_COLOUR}"/><w:sz w:val="40"/><w:szCs w:val="40"/></w:rPr>
</w:style>""",
    "Heading1": _heading(1, 32, 360, 120),
    "Heading2": _heading(2, 26, 300, 100),
    "Heading3": _heading(3, 24, 240, 80),
    "Heading4": _heading(4, 22, 200, 60),
    "Caption": """<w:style w:type="paragraph" w:styleId="Caption">
  <w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:qFormat/>
  <w:pPr><w:spacing w:before="200" w:after="80"/></w:pPr>
  <w:rPr><w:b/><w:bCs/></w:rPr>
</w:style>""",
    "TableCaption": """<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableCaption">
  <w:name w:val="Table Caption"/><w:basedOn w:val="Caption"/><w:qFormat/>
  <w:pPr><w:keepNext/><w:keepLines/></w:pPr>
</w:style>""",
    "ImageCaption": """<w:style w:type="paragraph" w:customStyle="1" w:styleId="ImageCaption">
  <w:name w:val="Image Caption"/><w:basedOn w:val="Caption"/><w:qFormat/>
  <w:pPr><w:spacing w:before="60" w:after="240"/></w:pPr>
</w:style>""",
    "CaptionedFigure": """<w:style w:type="paragraph" w:customStyle="1" w:styleId="CaptionedFigure">
  <w:name w:val="Captioned Figure"/><w:basedOn w:val="Figure"/>
  <w:pPr><w:keepNext/><w:spacing w:before="200" w:after="0"/></w:pPr>
</w:style>""",
    "TableSource": """<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableSource">
  <w:name w:val="Table Source"/><w:basedOn w:val="Normal"/><w:next w:val="BodyText"/><w:qFormat/>
  <w:pPr><w:spacing w:before="60" w:after="60"/></w:pPr>
  <w:rPr><w:color w:val="404040"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>
</w:style>""",
    # pandoc gives every table the style "Table"; the header row is its first row
    "Table": f"""<w:style w:type="table" w:default="1" w:styleId="Table">
  <w:name w:val="Table"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr>
  <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>
  <w:tblPr>
    <w:tblInd w:w="0" w:type="dxa"/>
    <w:tblBorders>{_border("top")}{_border("left")}{_border("bottom")}{_border("right")}{_border("insideH")}{_border("insideV")}</w:tblBorders>
    <w:tblCellMar><w:top w:w="45" w:type="dxa"/><w:left w:w="100" w:type="dxa"/><w:bottom w:w="45" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:pPr><w:keepNext/></w:pPr>
    <w:rPr><w:b/><w:bCs/></w:rPr>
    <w:tcPr><w:tcBorders>{_border("bottom", 12, "404040")}</w:tcBorders>
      <w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/><w:vAlign w:val="bottom"/></w:tcPr>
  </w:tblStylePr>
</w:style>""",
}


def _doc_defaults(styles) -> None:
    defaults = styles.find(f"{{{W}}}docDefaults")
    new = _el(f"""<w:docDefaults>
  <w:rPrDefault><w:rPr>{_fonts()}<w:color w:val="{TEXT_COLOUR}"/><w:sz w:val="22"/><w:szCs w:val="22"/>
    <w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
  <w:pPrDefault><w:pPr><w:spacing w:after="120"/></w:pPr></w:pPrDefault>
</w:docDefaults>""")
    if defaults is not None:
        defaults.addprevious(new)
        styles.remove(defaults)
    else:
        styles.insert(0, new)


def _page_numbers(paragraph) -> None:
    """'Page N of M' with Word fields, centred, in small grey text."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def text(value: str) -> None:
        run = paragraph.add_run(value)
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)

    def field(code: str) -> None:
        run = paragraph.add_run()
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        run._r.append(_el('<w:fldChar w:fldCharType="begin"/>'))
        instr = _el('<w:instrText xml:space="preserve"> x </w:instrText>')
        instr.text = f" {code} "
        run._r.append(instr)
        run._r.append(_el('<w:fldChar w:fldCharType="separate"/>'))
        shown = _el("<w:t>1</w:t>")
        run._r.append(shown)
        run._r.append(_el('<w:fldChar w:fldCharType="end"/>'))

    text("Page ")
    field("PAGE")
    text(" of ")
    field("NUMPAGES")


def build(path: Path = OUTPUT) -> Path:
    """Write the reference document to ``path`` and return it."""
    import docx
    from docx.shared import Cm

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "default.docx"
        subprocess.run(
            [_pandoc(), "-o", str(base), "--print-default-data-file", "reference.docx"],
            check=True,
            capture_output=True,
        )
        document = docx.Document(str(base))
    styles = document.styles.element
    _doc_defaults(styles)
    for style_id, xml in STYLES.items():
        _replace_style(styles, style_id, xml)
    # the pandoc sample text stays (pandoc ignores it); only its page setup matters
    for section in document.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.0)
        section.top_margin = section.bottom_margin = Cm(2.0)
        section.header_distance = section.footer_distance = Cm(1.0)
        footer = section.footer
        footer.is_linked_to_previous = False
        _page_numbers(footer.paragraphs[0])
    props = document.core_properties
    props.title, props.author, props.language = "Social Work Health Check report", "healthcheck", "en-GB"
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    print(build(target))
