"""HTML -> the page's main text with sections, through trafilatura (Apache-2.0; no downloads).

trafilatura finds the article among the menus, cookie banners, sidebars and footers and returns it
as XML (headings, paragraphs, lists, tables), which is walked here: markup goes, entities are
decoded by the XML parser, scripts never reach the output. Headings start sections; a contents
list ("Contents" and the links under it) is a "contents" section, never headings.
"""

from __future__ import annotations

import re

from lxml import etree

from ..errors import DocumentError
from ..records import Section
from .parsed import ParsedFile, TextBuilder, mark_contents

MIN_MAIN_TEXT = 200      # characters; less than this is a page of links, not a document
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?:\s|$)")


def parse_html(data: bytes, name: str) -> ParsedFile:
    main, title = _extract(data, favor_precision=True)
    text, sections = _write(main).build()
    if len(text) < MIN_MAIN_TEXT:
        # Precision mode can drop the only text of a short page; the balanced mode keeps more, but
        # falls back to whole-page text, so its result is taken only if it reads as prose rather
        # than as a run of link labels.
        main, fallback_title = _extract(data, favor_precision=False)
        fallback, fallback_sections = _write(main).build()
        if len(fallback) >= MIN_MAIN_TEXT and _reads_as_prose(fallback):
            text, sections, title = fallback, fallback_sections, title or fallback_title
    if len(text) < MIN_MAIN_TEXT:
        if _too_deep(data):
            raise DocumentError(f"'{name}' nests its elements more than {MAX_DEPTH} levels deep, which no real page "
                                "does, so it cannot be read; save the report as PDF and add that.")
        raise DocumentError(f"No main text was found in '{name}' (it looks like a page of navigation or links); "
                            "open the page that holds the report itself and save that, or save the report as PDF.")
    return ParsedFile(text=text, sections=sections, pages=(), format="html", page_title=title)


def _extract(data: bytes, *, favor_precision: bool):
    import trafilatura

    xml = trafilatura.extract(data, output_format="xml", include_tables=True, include_comments=False,
                              include_links=False, include_images=False, include_formatting=False,
                              with_metadata=True, favor_precision=favor_precision, deduplicate=False)
    if not xml:
        return None, None
    root = etree.fromstring(xml.encode("utf-8"))
    title = (root.get("title") or "").strip() or None
    return root.find("main"), title


class _Blocks:
    """The article's paragraphs in order; a contents list ("Contents" and the links under it) is
    marked before the text is built, so it never becomes headings."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, bool, bool]] = []

    def paragraph(self, text: str, *, heading: bool = False) -> None:
        self.blocks.append((text, heading, False))

    def build(self) -> tuple[str, tuple[Section, ...]]:
        builder = TextBuilder()
        for text, heading, contents in mark_contents(self.blocks):
            builder.paragraph(text, heading=heading, contents=contents)
        return builder.build()


def _write(main) -> _Blocks:
    builder = _Blocks()
    if main is not None:
        for element in main:
            _block(builder, element)
    return builder


def _text(element) -> str:
    for lb in element.iter("lb"):
        lb.text = "\n"
    return "".join(element.itertext())


def _block(builder: _Blocks, element) -> None:
    tag = element.tag
    if tag == "head":
        builder.paragraph(_text(element), heading=True)
    elif tag == "list":
        for item in element.iterchildren("item"):
            nested = list(item.iterchildren("list"))
            for sub in nested:
                item.remove(sub)
            builder.paragraph(_text(item))
            for sub in nested:
                _block(builder, sub)
    elif tag == "table":
        rows = []
        for row in element.iter("row"):
            cells = [" ".join(_text(cell).split()) for cell in row.iterchildren("cell")]
            if any(cells):
                rows.append(" | ".join(cells))
        builder.paragraph("\n".join(rows))
    elif tag in ("p", "quote", "code"):
        builder.paragraph(_text(element))
    elif tag not in ("graphic",):
        for child in element:
            _block(builder, child)
        if len(element) == 0:
            builder.paragraph(_text(element))


MAX_DEPTH = 256     # libxml2's own limit on nesting, past which it stops reading a page


def _too_deep(data: bytes) -> bool:
    """The page stops being read at libxml2's nesting limit (what trafilatura parses it with)."""
    import lxml.html

    parser = lxml.html.HTMLParser()
    try:
        lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        pass
    return any("Excessive depth" in entry.message for entry in parser.error_log)


def _reads_as_prose(text: str) -> bool:
    """At least half the text sits in sentences that end with a full stop, not in bare labels."""
    sentences = sum(len(p) for p in text.split("\n\n") if _SENTENCE_END.search(p))
    return sentences >= 0.5 * len(text)
