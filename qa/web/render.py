"""HTML for the app. Every piece of review or user text passes through html.escape here, once, and
offsets are applied to the raw text before escaping, so highlights never split an entity."""

from __future__ import annotations

from html import escape

from ..gazetteer import UNKNOWN
from ..search.explain import UNKNOWN_MEANS, filter_report, unknown_marks
from ..search.passages import citation_label
from ..search.relevance import scale_description

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
.rq-profile{display:flex;flex-wrap:wrap;gap:8px 24px}
.rq-chart{min-width:240px;flex:1}
.rq-chart h4{margin:8px 0 2px 0;font-size:.9em}
.rq-bar-row{display:flex;align-items:center;gap:6px;font-size:.85em}
.rq-bar-key{width:11em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.rq-bar{display:inline-block;height:.8em;background:#0b5cad;max-width:9em}
.rq-unknown{color:#7d4e00;font-size:.9em;margin-top:2px}
.rq-emptied{font-weight:600}
.rq-review{white-space:pre-wrap;line-height:1.5}
.rq-review h4{margin:12px 0 2px 0;color:#0b5cad}
.rq-add-list{margin:6px 0;padding-left:1.2em}
.rq-add-list li{margin:4px 0}
.rq-status{font-weight:600;text-transform:uppercase;font-size:.8em;margin-right:.4em}
"""


def _highlight(text: str, start: int, end: int) -> str:
    """text with text[start:end] marked; all three parts escaped separately."""
    start, end = max(0, start), min(len(text), end)
    if start >= end:
        return escape(text)
    return f"{escape(text[:start])}<mark>{escape(text[start:end])}</mark>{escape(text[end:])}"


def result_card(rank: int, hit, filters=None, passages: int = 2) -> str:
    review = hit.review
    nation = review.nation if review.nation != UNKNOWN else "nation unknown"
    parts = [
        "<div class='rq-card'>",
        f"<div class='rq-head'><span class='rq-rank'>{rank}.</span>{escape(review.title)}</div>",
        f"<div class='rq-meta'>{escape(review.year_label)} · {escape(review.area)} · "
        f"{escape(review.name)} · {escape(nation)} · <span class='rq-match'>match {hit.match:.2f} "
        f"({escape(hit.match_label)})</span></div>",
    ]
    marks = unknown_marks(review, filters) if filters is not None else []
    if marks:
        parts.append(f"<div class='rq-unknown'>Included although its value is unknown: "
                     f"{escape('; '.join(UNKNOWN_MEANS[m] for m in marks))}</div>")
    if review.keywords:
        parts.append(f"<div class='rq-kw'>Keywords: {escape(', '.join(review.keywords))}</div>")
    for passage in hit.passages[:passages]:
        chunk = passage.chunk
        # The evidence offsets are in document coordinates; make them passage-relative.
        local_start, local_end = passage.evidence[0] - chunk.start, passage.evidence[1] - chunk.start
        parts.append(f"<div class='rq-section'>{escape(citation_label(passage))}</div>")
        parts.append(f"<blockquote class='rq-quote'>{_highlight(chunk.text, local_start, local_end)}</blockquote>")
    parts.append("</div>")
    return "".join(parts)


def answer_html(turn) -> str:
    """The assistant's message for one turn: what changed, what was understood and filtered (and
    what that left out), then one card per review, and the relevance scale."""
    lines = []
    if turn.change:
        lines.append(f"<div class='rq-note'>Follow-up: {escape(turn.change)}.</div>")
    if turn.notes:
        lines.append(f"<div class='rq-note'>Understood from the question: {escape(', '.join(turn.notes))} "
                     "(untick “Use filters understood from the question” to search without them).</div>")
    report = filter_report(turn.response)
    lines += [f"<div class='rq-note'>Note: {escape(line)}</div>" for line in report.not_applied]
    lines += [f"<div class='rq-note rq-left-out'>{escape(line)} Tick “Include reviews whose value is unknown” and "
              "apply to include them.</div>" for line in report.left_out]
    hits = turn.response.hits
    shown = turn.shown
    filters_text = turn.filters.describe()
    scope = f" Filtered to: {escape(filters_text)}." if filters_text else ""
    if report.emptied:
        lines.append(f"<div class='rq-line rq-emptied'>{escape(report.emptied)} Remove or widen that filter.</div>")
        return "".join(lines)
    if not shown:
        nearest = f" The nearest was “{escape(hits[0].review.title)}”, a weak match." if hits else ""
        lines.append(f"<div class='rq-line'>No review is close enough to this question to show.{scope}{nearest} "
                     "Try other words, or remove filters.</div>")
        return "".join(lines)
    lines.append(f"<div class='rq-line'>{len(shown)} reviews shown, best first, out of {turn.response.matched} "
                 f"that passed the filters.{scope} Highlighted: the sentence that best answers the question.</div>")
    lines += [result_card(rank, hit, turn.filters) for rank, hit in enumerate(shown, 1)]
    if len(shown) < len(hits):
        lines.append(f"<div class='rq-note'>{len(hits) - len(shown)} weaker matches hidden.</div>")
    lines.append(f"<div class='rq-note rq-scale'>{escape(scale_description())}</div>")
    return "".join(lines)


def error_html(message: str) -> str:
    return f"<div class='rq-error'>{escape(message)}</div>"


def review_html(view, highlight: tuple[str, int, int] | None = None) -> str:
    """The whole review, document by document and section by section, with the cited passage
    (document id, start, end) highlighted in context and its page named."""
    review = view.review
    parts = [f"<div class='rq-review'><h3>{escape(review.title)}</h3>",
             f"<div class='rq-meta'>{escape(review.year_label)} · {escape(review.area)} · {escape(review.nation)}"
             f"{' · ' + escape(review.region) if review.region not in (review.nation, 'unknown') else ''}"
             f" · review id {escape(review.id)}</div>"]
    if review.same_case_as:
        parts.append(f"<div class='rq-note'>The same case appears as: {escape(', '.join(review.same_case_as))}</div>")
    for document in view.documents:
        if len(view.documents) > 1 or document.kind != "summary":
            source = f" ({escape(document.file)})" if document.file else ""
            parts.append(f"<h3 class='rq-doc'>{escape(document.kind_label)}{source}</h3>")
        marked = highlight if highlight and highlight[0] == document.id else None
        for section in document.sections:
            text = document.text[section.start:section.end]
            page = document.page_at(section.start)
            where = f" <span class='rq-note'>(p. {escape(page.label or str(page.number))})</span>" if page else ""
            parts.append(f"<h4>{escape(section.label)}{where}</h4>")
            if marked and marked[1] < section.end and section.start < marked[2]:
                cited = document.page_at(marked[1])
                if cited is not None:
                    parts.append(f"<div class='rq-note'>Cited passage on p. "
                                 f"{escape(cited.label or str(cited.number))}</div>")
                parts.append(_highlight(text, marked[1] - section.start, marked[2] - section.start))
            else:
                parts.append(escape(text))
    parts.append("</div>")
    return "".join(parts)


def add_report_html(report) -> str:
    """What an add did, file by file (qa/adding.py: AddReport), with the guessed metadata; all escaped."""
    parts = [f"<div class='rq-add-report'><div class='rq-line'>{escape(report.summary())}</div>",
             "<ul class='rq-add-list'>"]
    for result in report.files:
        css = " rq-error" if result.status == "failed" else ""
        parts.append(f"<li class='rq-add-{escape(result.status)}{css}'><span class='rq-status'>"
                     f"{escape(result.status)}</span> {escape(result.message)}")
        if result.status in ("added", "replaced") and result.guessed:
            guessed = result.guessed
            title, year, area = (escape(str(guessed[k] or "not found")) for k in ("title", "year", "area"))
            parts.append(f"<div class='rq-note'>Guessed from the first page: title “{title}”, year {year}, area "
                         f"{area}. To correct them, open the review and use Edit details."
                         "</div>")
        for warning in result.warnings:
            parts.append(f"<div class='rq-note'>Note: {escape(warning)}</div>")
        parts.append("</li>")
    parts.append("</ul>")
    parts += [f"<div class='rq-note'>Note: {escape(warning)}</div>" for warning in report.warnings]
    if report.changed:
        parts.append("<div class='rq-note'>The new documents can be searched now.</div>")
    parts.append("</div>")
    return "".join(parts)


def digest_html(digest, reviews) -> str:
    """What the reviews learned: the scope line, the profile as bars, then the themes with their
    verbatim quotes and citations (qa/digest/briefing.py has the same in Markdown and Word)."""
    from ..digest.briefing import KIND_HEADINGS, PROFILE_HEADINGS, scope_line

    parts = ["<div class='rq-digest'>", f"<h3>What these reviews learned: {escape(digest.query)}</h3>",
             f"<div class='rq-line'>{escape(scope_line(digest, reviews))}</div>"]
    if not digest.reviews:
        parts.append("<div class='rq-line'>No review is close to this question.</div></div>")
        return "".join(parts)
    parts.append("<div class='rq-profile'>")
    profile = digest.profile.to_json()
    for name, heading in PROFILE_HEADINGS.items():
        counts = profile[name]
        largest = max(counts.values(), default=1)
        parts.append(f"<div class='rq-chart'><h4>{escape(heading)}</h4>")
        for key, count in counts.items():
            width = max(2, round(100 * count / largest))
            parts.append(f"<div class='rq-bar-row'><span class='rq-bar-key'>{escape(str(key))}</span>"
                         f"<span class='rq-bar' style='width:{width}%'></span><span class='rq-bar-n'>{count}</span>"
                         "</div>")
        parts.append("</div>")
    parts.append("</div>")
    for kind, heading in KIND_HEADINGS.items():
        themes = [theme for theme in digest.themes if theme.kind == kind]
        if not themes:
            continue
        parts.append(f"<h3>{escape(heading)}</h3>")
        for theme in themes:
            worded = "" if theme.curated else " <span class='rq-note'>(words the reviews share)</span>"
            parts.append(f"<h4>{escape(theme.label)}{worded} · {theme.reviews} reviews</h4>")
            for quote in theme.quotes:
                title = reviews[quote.review_id].title if quote.review_id in reviews else quote.review_id
                parts.append(f"<blockquote class='rq-quote'>{escape(quote.text)}</blockquote>"
                             f"<div class='rq-note'>{escape(title)}; {escape(quote.citation)}</div>")
    if not digest.themes:
        parts.append("<div class='rq-note'>No theme is shared by three or more of these reviews.</div>")
    parts.append("</div>")
    return "".join(parts)
