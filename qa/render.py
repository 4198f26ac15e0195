"""HTML for the app. Every piece of review or user text passes through html.escape here, once, and
offsets are applied to the raw text before escaping, so highlights never split an entity."""

from __future__ import annotations

from html import escape

from .corpus import SECTION_LABELS, Review

CSS = """
.rq-card{border:1px solid #d0d7de;border-radius:8px;padding:10px 12px;margin:10px 0;background:#fff;color:#1f2328}
.rq-head{font-weight:600;font-size:1.02em}
.rq-rank{display:inline-block;min-width:1.6em;color:#57606a}
.rq-meta,.rq-kw{color:#57606a;font-size:.9em;margin-top:2px}
.rq-section{font-size:.85em;font-weight:600;color:#0b5cad;margin-top:8px}
.rq-quote{border-left:3px solid #d0d7de;margin:4px 0 0 0;padding:2px 10px;white-space:pre-wrap}
.rq-quote mark,.rq-review mark{background:#fff1a8;color:inherit;padding:0 1px}
.rq-line{margin:4px 0 8px 0}
.rq-note{color:#57606a;font-size:.9em}
.rq-error{color:#a40e26}
.rq-review{white-space:pre-wrap;line-height:1.5}
.rq-review h4{margin:12px 0 2px 0;color:#0b5cad}
"""


def match_label(similarity: float) -> str:
    if similarity >= 0.5:
        return "strong match"
    if similarity >= 0.4:
        return "good match"
    if similarity >= 0.3:
        return "partial match"
    return "weak match"


def _highlight(text: str, start: int, end: int) -> str:
    """text with text[start:end] marked; all three parts escaped separately."""
    start, end = max(0, start), min(len(text), end)
    if start >= end:
        return escape(text)
    return f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"


def result_card(rank: int, record: dict, passages: int = 2) -> str:
    keywords = ", ".join(record.get("keywords", []))
    parts = [
        "<div class='rq-card'>",
        f"<div class='rq-head'><span class='rq-rank'>{rank}.</span>{escape(record['title'])}</div>",
        f"<div class='rq-meta'>{escape(str(record['year']))} · {escape(record['area'])} · "
        f"{escape(record['name'])} · {escape(record['nation'])} · relevance {record['score']:.2f} "
        f"({match_label(record['similarity'])})</div>",
    ]
    if keywords:
        parts.append(f"<div class='rq-kw'>Keywords: {escape(keywords)}</div>")
    for passage in (record.get("passages") or [record])[:passages]:
        # The evidence offsets are in review coordinates; make them passage-relative.
        local_start = passage["evidence_start"] - passage["start"]
        local_end = passage["evidence_end"] - passage["start"]
        parts.append(f"<div class='rq-section'>{escape(SECTION_LABELS.get(passage['section'], passage['section']))}</div>")
        parts.append(f"<blockquote class='rq-quote'>{_highlight(passage['passage'], local_start, local_end)}</blockquote>")
    parts.append("</div>")
    return "".join(parts)


def answer_html(turn: dict) -> str:
    """The assistant's message for one turn: what changed, what matched, then one card per review."""
    lines = []
    if turn.get("change"):
        lines.append(f"<div class='rq-note'>Follow-up: {escape(turn['change'])}.</div>")
    if turn.get("notes") and not turn.get("literal"):
        lines.append(f"<div class='rq-note'>Understood from the question: {escape(', '.join(turn['notes']))} "
                     "(untick “Use filters understood from the question” to search without them).</div>")
    results = turn.get("results", [])
    shown = [r for r in results if not r.get("weak_match")]
    filters_text = turn.get("filters_text")
    scope = f" Filtered to: {escape(filters_text)}." if filters_text else ""
    if not shown:
        nearest = f" The nearest was “{escape(results[0]['title'])}”, a weak match." if results else ""
        lines.append(f"<div class='rq-line'>No review is close enough to this question to show.{scope}{nearest} "
                     "Try other words, or remove filters.</div>")
        return "".join(lines)
    lines.append(f"<div class='rq-line'>{len(shown)} reviews shown, best first, out of {turn.get('matched', '?')} "
                 f"that passed the filters.{scope} Highlighted: the sentence that best answers the question.</div>")
    lines += [result_card(rank, record) for rank, record in enumerate(shown, 1)]
    if len(shown) < len(results):
        lines.append(f"<div class='rq-note'>{len(results) - len(shown)} weaker matches hidden.</div>")
    return "".join(lines)


def error_html(message: str) -> str:
    return f"<div class='rq-error'>{escape(message)}</div>"


def review_html(review: Review, highlight: tuple[int, int] | None = None) -> str:
    """The whole review, section by section, with the cited passage highlighted in context."""
    parts = [f"<div class='rq-review'><h3>{escape(review.title)}</h3>",
             f"<div class='rq-meta'>{review.year} · {escape(review.area)} · {escape(review.nation)}"
             f"{' · ' + escape(review.region) if review.region not in (review.nation, 'unknown') else ''}"
             f" · review id {escape(review.id)}</div>"]
    if review.same_case_as:
        parts.append(f"<div class='rq-note'>The same case appears as: {escape(', '.join(review.same_case_as))}</div>")
    for section in review.sections:
        text = review.text[section.start:section.end]
        parts.append(f"<h4>{escape(SECTION_LABELS.get(section.name, section.name))}</h4>")
        if highlight and highlight[0] < section.end and section.start < highlight[1]:
            parts.append(_highlight(text, highlight[0] - section.start, highlight[1] - section.start))
        else:
            parts.append(escape(text))
    parts.append("</div>")
    return "".join(parts)
