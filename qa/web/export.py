"""Results and conversations as CSV and Markdown, with full citations, for trainers' materials."""

from __future__ import annotations

import csv
import io

from ..search.passages import citation_label, page_span
from ..text import markdown_text

CSV_COLUMNS = ["question", "filters", "rank", "title", "year", "area", "name", "nation", "document", "page",
               "page_end", "section", "citation", "passage", "evidence", "start", "end", "review_id", "document_id",
               "keywords", "score"]
SOURCE_NOTE = ("Source: NSPCC Learning, case review summaries from the national case review repository "
               "(summaries by the NSPCC and the reviewing safeguarding partnerships), and any reports added "
               "to this collection. Passages are quoted verbatim.")


def _rows(turn):
    for rank, hit in enumerate(turn.shown, 1):
        review = hit.review
        for passage in hit.passages:
            chunk = passage.chunk
            first, last = page_span(passage)
            yield {
                "question": turn.question,
                "filters": turn.filters.describe(),
                "rank": rank,
                "title": review.title,
                "year": review.year,
                "area": review.area,
                "name": review.name,
                "nation": review.nation,
                "document": chunk.document.kind_label,
                "page": (first.label or first.number) if first else "",
                "page_end": (last.label or last.number) if last else "",
                "section": chunk.section.label,
                "citation": citation_label(passage),
                "passage": chunk.text,
                "evidence": chunk.document.text[passage.evidence[0]:passage.evidence[1]],
                "start": chunk.start,
                "end": chunk.end,
                "review_id": review.id,
                "document_id": chunk.document.id,
                "keywords": "; ".join(review.keywords),
                "score": round(hit.score, 4),
            }


def to_csv(turns) -> str:
    """One row per cited passage. Cells that a spreadsheet would run as a formula are prefixed with '."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for turn in turns:
        for row in _rows(turn):
            writer.writerow({key: _spreadsheet_safe(value) for key, value in row.items()})
    return out.getvalue()


def _spreadsheet_safe(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def citation(review, passage=None) -> str:
    where = f" {citation_label(passage)}." if passage is not None else ""
    return (f"{review.title} ({review.nation}). Child safeguarding case review, {review.year_label}, "
            f"{review.area}.{where} Review id {review.id}.")


def to_markdown(turns) -> str:
    lines = ["# reviewqa results", ""]
    for turn in turns:
        lines.append(f"## Question: {markdown_text(turn.question)}")
        if turn.filters.describe():
            lines.append(f"*Filtered to: {markdown_text(turn.filters.describe())}*")
        lines.append("")
        if not turn.shown:
            lines += ["No review matched closely enough to quote.", ""]
        for rank, hit in enumerate(turn.shown, 1):
            lines.append(f"### {rank}. {markdown_text(hit.review.title)}")
            lines.append("")
            for passage in hit.passages:
                chunk = passage.chunk
                lines.append(f"**{markdown_text(citation_label(passage))}** (characters {chunk.start}–{chunk.end}):")
                lines.append("")
                lines.append("> " + markdown_text(chunk.text).replace("\n", "\n> "))
                lines.append("")
                lines.append(f"Citation: {markdown_text(citation(hit.review, passage))}")
                lines.append("")
    lines += ["---", "", SOURCE_NOTE, ""]
    return "\n".join(lines)
