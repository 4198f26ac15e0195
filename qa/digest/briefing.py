"""A digest as a briefing a practitioner can print or send: Markdown and Word.

Every sentence is a fixed heading, a count, or a quote with its citation: the scope line, the profile
(a table with a bar per value), the themes with their quotes, and the list of reviews in the set.
The shape follows the NSPCC's "Learning from case reviews" briefings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..records import Review
from ..text import markdown_text
from .digest import Digest

PROFILE_HEADINGS = {"outcome": "Outcome (from each review's opening account)",
                    "age_group": "Age group of the children", "sex": "Sex of the child (from the opening account)",
                    "year": "Year published", "nation": "Nation", "region": "Region"}
KIND_HEADINGS = {"learning": "Learning", "recommendation": "Recommendations", "good practice": "Good practice"}
CREDIT = ("Quoted verbatim from case review summaries published by NSPCC Learning (national case review repository), "
          "written by the NSPCC and the reviewing safeguarding partnerships, and from any reports added to this "
          "collection. Read the full report before relying on a summary.")
BAR_WIDTH = 20


def scope_line(digest: Digest, reviews: Mapping[str, Review]) -> str:
    """"12 reviews published 2019–2023 that match “neglect” (filtered to: Wales)."""
    count = len(digest.reviews)
    known = (reviews[rid].year for rid in digest.reviews if rid in reviews)
    years = sorted(year for year in known if year is not None)
    span = "" if not years else f" published {years[0]}" if years[0] == years[-1] else \
        f" published {years[0]}–{years[-1]}"
    scope = f" (filtered to: {digest.filters.describe()})" if not digest.filters.is_empty() else ""
    noun = "review" if count == 1 else "reviews"
    return f"{count} {noun}{span} that match “{digest.query}”{scope}; chosen as {digest.how}."


def bar(count: int, largest: int) -> str:
    return "█" * max(1, round(BAR_WIDTH * count / largest)) if count and largest else ""


def to_markdown(digest: Digest, reviews: Mapping[str, Review]) -> str:
    lines = [f"# What the reviews say: {markdown_text(digest.query)}", "", markdown_text(scope_line(digest, reviews)),
             ""]
    if not digest.reviews:
        return "\n".join([*lines, "No review is close to this question.", "", "---", "", CREDIT, ""])
    lines += ["## Profile", ""]
    profile = digest.profile.to_json()
    for name, heading in PROFILE_HEADINGS.items():
        counts = profile[name]
        largest = max(counts.values(), default=0)
        lines += [f"### {heading}", "", "| | reviews | |", "|---|---:|---|"]
        lines += [f"| {markdown_text(str(key))} | {count} | {bar(count, largest)} |" for key, count in counts.items()]
        lines.append("")
    for kind, heading in KIND_HEADINGS.items():
        themes = [theme for theme in digest.themes if theme.kind == kind]
        if not themes:
            continue
        lines += [f"## {heading}", ""]
        for theme in themes:
            worded = "" if theme.curated else " (words the reviews share)"
            lines += [f"### {markdown_text(theme.label)}{worded}: {theme.reviews} reviews", ""]
            for quote in theme.quotes:
                title = reviews[quote.review_id].title if quote.review_id in reviews else quote.review_id
                lines += [f"> {markdown_text(quote.text)}", ">", f"> — {markdown_text(title)}; "
                          f"{markdown_text(quote.citation)}", ""]
    if not digest.themes:
        lines += ["No theme is shared by three or more of these reviews.", ""]
    lines += ["## The reviews in this digest", ""]
    for rid in digest.reviews:
        review = reviews.get(rid)
        lines.append(f"- {markdown_text(review.title)} ({markdown_text(review.nation)}), review id "
                     f"`{rid}`" if review else f"- `{rid}`")
    return "\n".join([*lines, "", "---", "", CREDIT, ""])


def write_docx(digest: Digest, reviews: Mapping[str, Review], path: Path) -> Path:
    """The same briefing as a Word document (python-docx, the [ingest] extra)."""
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_heading(f"What the reviews say: {digest.query}", level=1)
    word.add_paragraph(scope_line(digest, reviews))
    if digest.reviews:
        word.add_heading("Profile", level=2)
        profile = digest.profile.to_json()
        for name, heading in PROFILE_HEADINGS.items():
            counts = profile[name]
            largest = max(counts.values(), default=0)
            word.add_heading(heading, level=3)
            table = word.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, ("", "reviews", "")):
                cell.text = text
            for key, count in counts.items():
                row = table.add_row().cells
                row[0].text, row[1].text, row[2].text = str(key), str(count), bar(count, largest)
        for kind, heading in KIND_HEADINGS.items():
            themes = [theme for theme in digest.themes if theme.kind == kind]
            if not themes:
                continue
            word.add_heading(heading, level=2)
            for theme in themes:
                worded = "" if theme.curated else " (words the reviews share)"
                word.add_heading(f"{theme.label}{worded}: {theme.reviews} reviews", level=3)
                for quote in theme.quotes:
                    title = reviews[quote.review_id].title if quote.review_id in reviews else quote.review_id
                    word.add_paragraph(quote.text, style="Quote")
                    word.add_paragraph(f"— {title}; {quote.citation}")
        word.add_heading("The reviews in this digest", level=2)
        for rid in digest.reviews:
            review = reviews.get(rid)
            word.add_paragraph(f"{review.title} ({review.nation}), review id {rid}" if review else rid,
                               style="List Bullet")
    else:
        word.add_paragraph("No review is close to this question.")
    word.add_paragraph(CREDIT)
    path = Path(path)
    word.save(str(path))
    return path
