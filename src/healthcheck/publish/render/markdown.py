"""The report as one pandoc markdown document, for Word (``docx``) or the PDF (``typst``).

Markdown cells and outputs go in as they are; tables are rebuilt from their JSON (a pipe
table with caption and set column widths for Word, a typst table for the PDF, then source and
notes in small print); charts and images become figures with their captions and alt text
(PNG in Word, SVG in the PDF, never taller than a page).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from healthcheck.publish.display import TableSpec
from healthcheck.publish.render.content import ChartBlock, Content, Image, Markdown, Table
from healthcheck.publish.render.typst import (
    TEXT_WIDTH_CM,
    column_shares,
    landscape_typst,
    table_fit,
    table_typst,
    typst_string,
)

#: Pandoc's markdown, read the way Jupyter writes it (lists straight after a paragraph) and
#: without syntax a report's prose could trip by accident (@citations, $maths$, raw TeX).
MD_FORMAT = "markdown+lists_without_preceding_blankline-citations-tex_math_dollars-raw_tex-yaml_metadata_block"
#: The tallest a chart may be in Word and the PDF: A4's 25.7 cm between the margins, less the
#: running header and a two-line caption.
MAX_FIGURE_HEIGHT_CM = 21.0

# every ASCII punctuation mark: escaped, pandoc reads it literally (no emphasis, links, smart
# quotes or dashes), so data such as '=HYPERLINK("...")' or "--" reaches the document unchanged
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: str) -> str:
    """Plain text as literal pandoc markdown (one line)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def table_markdown(spec: TableSpec, target: str) -> str:
    """A table with its caption and set column widths, then its source and notes.

    Word gets a pandoc pipe table. The PDF gets a typst table (:func:`table_typst`), because
    pandoc's typst writer leaves cell text such as '1. Leadership' or '- 5' unescaped, which
    typst then reads as a numbered list or a bullet.
    """
    if target == "typst":
        return table_typst(spec) + "\n" + source_block(_small_print(spec), target)
    numeric = spec.numeric
    shares = column_shares(spec)
    # pandoc takes relative widths from the dashes when a line is longer than 72 characters
    dashes = [max(3, round(120 * s)) for s in shares]
    head = "| " + " | ".join(md_escape(c) for c in spec.columns) + " |"
    rule = "|" + "|".join(("-" * d + ":") if n else (":" + "-" * d) for d, n in zip(dashes, numeric, strict=True)) + "|"
    rows = ["| " + " | ".join(md_escape(t) for t in row) + " |" for row in spec.formatted_rows()]
    if not rows:
        rows = ["| " + " | ".join("n/a" for _ in spec.columns) + " |"]
    caption = f": {md_escape(spec.title)} {{#tbl-{spec.name}}}"
    return "\n".join([head, rule, *rows, "", caption, "", source_block(_small_print(spec), target)])


def _small_print(spec: TableSpec) -> list[str]:
    return spec.small_print()


def source_block(paragraphs: Sequence[str], target: str) -> str:
    """Small-print paragraphs under a table: a Word style, or a typst block."""
    if target == "docx":
        body = "\n\n".join(md_escape(p) for p in paragraphs)
        return f'::: {{custom-style="Table Source"}}\n{body}\n:::\n'
    inner = "\n\n".join(f"  #{typst_string(p)}" for p in paragraphs)
    return (
        "```{=typst}\n#block(above: 0.5em, below: 1.4em, width: 100%)[\n"
        "  #set text(size: 9pt, fill: luma(25%))\n  #set par(spacing: 0.45em)\n"
        f"{inner}\n]\n```\n"
    )


def chart_aspect(figure: dict[str, Any], default: tuple[int, int] = (900, 500)) -> float:
    """Height over width of a chart as exported (its layout's size, else the exporter's default)."""
    layout = figure.get("layout") or {}
    try:
        width = float(layout.get("width") or default[0])
        height = float(layout.get("height") or default[1])
    except (TypeError, ValueError):
        width, height = default
    return height / width if width > 0 and height > 0 else default[1] / default[0]


def figure_markdown(name: str, title: str, alt: str, target: str, path_stem: str, aspect: float | None = None) -> str:
    """A chart or image with its caption: PNG in Word, SVG (vector) in the PDF, alt text in both.

    Full text width, unless that would make it taller than :data:`MAX_FIGURE_HEIGHT_CM`
    (``aspect`` is height / width): then that height, narrower, so that it fits on one page
    with its caption instead of running off the foot of it.
    """
    tall = aspect is not None and TEXT_WIDTH_CM * aspect > MAX_FIGURE_HEIGHT_CM
    if target == "docx":
        size = f"height={MAX_FIGURE_HEIGHT_CM:g}cm" if tall else f"width={TEXT_WIDTH_CM:g}cm"
        return f"![{md_escape(title)}]({path_stem}.png){{#fig-{name} {size}}}\n"
    size = f"height: {MAX_FIGURE_HEIGHT_CM:g}cm" if tall else "width: 100%"
    return (
        "```{=typst}\n"
        f"#figure(image({typst_string(path_stem + '.svg')}, {size}, alt: {typst_string(alt)}),\n"
        f"  caption: [#{typst_string(title)}],\n) <fig-{name}>\n```\n"
    )


def _wide(block: object) -> bool:
    return isinstance(block, Table) and table_fit(block.spec).landscape


def _heading_only(block: object) -> bool:
    """A markdown block of headings alone ('## Statement by statement')."""
    if not isinstance(block, Markdown):
        return False
    lines = [line for line in block.text.strip().splitlines() if line.strip()]
    return bool(lines) and all(line.lstrip().startswith("#") for line in lines)


def build_markdown(content: Content, target: str) -> str:
    """The whole report as one pandoc markdown document for ``target`` ('docx' or 'typst')."""
    parts: list[str] = []
    turned = False  # the PDF's pages are on their side for a run of wide tables
    blocks = content.blocks
    for i, block in enumerate(blocks):
        wide = _wide(block) or (_heading_only(block) and i + 1 < len(blocks) and _wide(blocks[i + 1]))
        if target == "typst" and wide != turned:
            parts.append(landscape_typst(wide))  # a heading goes over with the wide table it heads
            turned = wide
        if isinstance(block, Markdown):
            parts.append(block.text.strip() + "\n")
        elif isinstance(block, Table):
            parts.append(table_markdown(block.spec, target))
        elif isinstance(block, ChartBlock):
            aspect = chart_aspect(block.figure)
            parts.append(figure_markdown(block.name, block.title, block.alt, target, f"figures/{block.name}", aspect))
        elif isinstance(block, Image):
            file = f"figures/{block.name}.{block.ext}"
            if target == "docx":
                parts.append(f"![{md_escape(block.alt)}]({file}){{width={TEXT_WIDTH_CM:g}cm}}\n")
            else:
                parts.append(
                    "```{=typst}\n"
                    f"#figure(image({typst_string(file)}, width: 100%, "
                    f"alt: {typst_string(block.alt)}))\n```\n"
                )
    if turned:
        parts.append(landscape_typst(False))
    return "\n".join(parts)


__all__ = [
    "MAX_FIGURE_HEIGHT_CM", "MD_FORMAT", "build_markdown", "chart_aspect", "figure_markdown", "md_escape",
    "source_block", "table_markdown",
]  # fmt: skip
