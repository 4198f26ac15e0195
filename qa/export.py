"""Results and conversations as CSV and Markdown, with full citations, for trainers' materials."""

from __future__ import annotations

import csv
import io

from .corpus import SECTION_LABELS

CSV_COLUMNS = ["question", "filters", "rank", "title", "year", "area", "name", "nation", "section", "passage",
               "evidence", "start", "end", "review_id", "keywords", "score"]
SOURCE_NOTE = ("Source: NSPCC Learning, case review summaries from the national case review repository "
               "(summaries by the NSPCC and the reviewing safeguarding partnerships). Passages are quoted verbatim.")


def _rows(turn: dict):
    for rank, record in enumerate(turn.get("results", []), 1):
        for passage in record.get("passages") or [record]:
            yield {
                "question": turn.get("question", ""),
                "filters": turn.get("filters_text", ""),
                "rank": rank,
                "title": record["title"],
                "year": record["year"],
                "area": record["area"],
                "name": record["name"],
                "nation": record["nation"],
                "section": SECTION_LABELS.get(passage["section"], passage["section"]),
                "passage": passage["passage"],
                "evidence": passage.get("evidence", ""),
                "start": passage["start"],
                "end": passage["end"],
                "review_id": record["review_id"],
                "keywords": "; ".join(record.get("keywords", [])),
                "score": record.get("score", ""),
            }


def to_csv(turns: list[dict]) -> str:
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


def citation(record: dict) -> str:
    return (f"{record['title']} ({record['nation']}). Child safeguarding case review, {record['year']}, "
            f"{record['area']}. Summary in the NSPCC national case review repository. Review id {record['review_id']}.")


def to_markdown(turns: list[dict]) -> str:
    lines = ["# reviewqa results", ""]
    for turn in turns:
        lines.append(f"## Question: {_md_text(turn.get('question', ''))}")
        if turn.get("filters_text"):
            lines.append(f"*Filtered to: {_md_text(turn['filters_text'])}*")
        lines.append("")
        if not turn.get("results"):
            lines += ["No review matched.", ""]
        for rank, record in enumerate(turn.get("results", []), 1):
            lines.append(f"### {rank}. {_md_text(record['title'])}")
            lines.append("")
            for passage in record.get("passages") or [record]:
                label = SECTION_LABELS.get(passage["section"], passage["section"])
                lines.append(f"**{label}** (characters {passage['start']}–{passage['end']}):")
                lines.append("")
                lines.append("> " + _md_text(passage["passage"]).replace("\n", "\n> "))
                lines.append("")
            lines.append(f"Citation: {_md_text(citation(record))}")
            lines.append("")
    lines += ["---", "", SOURCE_NOTE, ""]
    return "\n".join(lines)


def _md_text(text: str) -> str:
    """Plain text that Markdown renderers show as written: no HTML, no accidental emphasis or links."""
    escaped = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "*_`[]#|":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped
