"""HTML for the app. Every piece of review or user text passes through html.escape here, once, and
offsets are applied to the raw text before escaping, so highlights never split an entity."""

from __future__ import annotations

from html import escape

from ..gazetteer import UNKNOWN
from ..search.explain import UNKNOWN_MEANS, filter_report, unknown_marks
from ..search.passages import citation_label, page_span
from ..search.relevance import scale_description
from .answers import answer_page
from .links import AnswerView

CSS = """
.rq-card{border:1px solid #d0d7de;border-radius:8px;padding:10px 12px;margin:10px 0;background:#fff;color:#1f2328}
.rq-head{font-weight:600;font-size:1.05em;margin:0}
.rq-rank{display:inline-block;min-width:2.2em;color:#57606a;margin-right:.3em}
.rq-answer-title{font-size:1.15em;margin:4px 0}
.rq-title,.rq-cite,.rq-step{background:none;border:none;padding:0;font:inherit;color:#0b5cad;text-align:left;
 cursor:pointer;text-decoration:underline;text-underline-offset:2px}
.rq-title:hover,.rq-cite:hover,.rq-step:hover{color:#06386b}
.rq-title:focus-visible,.rq-cite:focus-visible,.rq-step:focus-visible,.rq-keep:focus-visible{outline:3px solid #0b5cad;
 outline-offset:2px}
.rq-keep{margin-left:.8em;font-size:.85em;border:1px solid #57606a;border-radius:4px;background:#fff;color:#1f2328;
 padding:0 .5em;cursor:pointer}
.rq-keep[aria-pressed='true']{background:#0b5cad;color:#fff;border-color:#0b5cad}
.rq-history ol{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;padding:0;margin:4px 0}
.rq-history li::before{content:'› ';color:#57606a}
.rq-step[aria-current='true']{font-weight:600;text-decoration:none;color:#1f2328}
.rq-table{border-collapse:collapse;margin:0 18px 12px 0;font-size:.9em}
.rq-table caption{font-weight:600;text-align:left}
.rq-table th,.rq-table td{border-bottom:1px solid #d0d7de;padding:2px 10px 2px 0;text-align:left}
.rq-tables{display:flex;flex-wrap:wrap;align-items:flex-start}
#rq-counter-text{font-size:.85em;color:#57606a}
#rq-ask button,button#rq-ask,#rq-apply,#rq-add,#rq-digest{background:#0b5cad;color:#fff;border-color:#0b5cad}
#rq-question textarea::placeholder{color:#6e7781;opacity:1}
.gradio-container button[role='tab'][aria-selected='true']{color:#0b5cad !important}
.gradio-container button[role='tab'][aria-selected='true']::after{background:#0b5cad !important}
.gradio-container{--body-text-color-subdued:#57606a;--input-placeholder-color:#6e7781;--block-info-text-color:#57606a}
.gradio-container .info-text,.gradio-container .show-api,footer a,footer button{color:#57606a !important}
.gradio-container input[role='listbox'],.gradio-container input[aria-controls]{color:#1f2328 !important}
@media (max-width:640px){#rq-intro p{font-size:.9em}}
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


def _attributes(**data: object) -> str:
    """data-* attributes for a control in the answer's HTML; the app's click handler reads them."""
    return " ".join(f'data-{name.replace("_", "-")}="{escape(str(value), quote=True)}"' for name, value in data.items())


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def result_card(rank: int, hit, filters=None, passages: int = 2, picked: frozenset[str] = frozenset()) -> str:
    """One review in the answer: its title (a heading and a button that opens the review at the cited
    passage), what it is, and its best passages, each with its citation (a button that opens the source
    at that page) and a Keep toggle for the trainer's selection."""
    review = hit.review
    nation = review.nation if review.nation != UNKNOWN else "nation unknown"
    best = hit.passages[0] if hit.passages else None
    opener = _attributes(rq_action="open", review=review.id, document=best.chunk.document.id if best else "",
                         start=best.chunk.start if best else "", end=best.chunk.end if best else "")
    parts = [
        f"<article class='rq-card' aria-labelledby='rq-title-{rank}'>",
        f"<h3 class='rq-head' id='rq-title-{rank}'><span class='rq-rank'>#{rank}</span> "
        f"<button type='button' class='rq-title' {opener}>{escape(review.title)}</button></h3>",
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
        first, _ = page_span(passage)
        source = _attributes(rq_action="source", review=review.id, document=chunk.document.id,
                             page=first.number if first else "", passage=chunk.id, start=chunk.start, end=chunk.end)
        kept = chunk.id in picked
        keep = _attributes(rq_action="pick", review=review.id, passage=chunk.id)
        # The evidence offsets are in document coordinates; make them passage-relative.
        local_start, local_end = passage.evidence[0] - chunk.start, passage.evidence[1] - chunk.start
        parts.append(f"<div class='rq-section'><button type='button' class='rq-cite' {source} "
                     f"title='Open the source at this page'>{escape(citation_label(passage))}</button>"
                     f"<button type='button' class='rq-keep' aria-pressed='{'true' if kept else 'false'}' {keep}>"
                     f"{'Kept ✓' if kept else 'Keep'}</button></div>")
        parts.append(f"<blockquote class='rq-quote'>{_highlight(chunk.text, local_start, local_end)}</blockquote>")
    parts.append("</article>")
    return "".join(parts)


def answer_notes(turn) -> list[str]:
    """What changed, what was understood and filtered, and what that left out."""
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
    return lines


def answer_html(turn, page=None, picked: frozenset[str] = frozenset()) -> str:
    """The answer: the question, what was understood and filtered (and what that left out), the count,
    then one card per review on this page (qa/web/answers.py), and the relevance scale."""
    page = page or answer_page(turn, AnswerView())
    what = (f"Reviews like “{escape(turn.response.query)}”" if turn.more_like
            else f"Answer to “{escape(turn.question)}”")
    lines = [f"<h2 class='rq-answer-title'>{what}</h2>", *answer_notes(turn)]
    report = filter_report(turn.response)
    hits = turn.response.hits
    filters_text = turn.filters.describe()
    scope = f" Filtered to: {escape(filters_text)}." if filters_text else ""
    if report.emptied:
        lines.append(f"<div class='rq-line rq-emptied'>{escape(report.emptied)} Remove or widen that filter.</div>")
        return "".join(lines)
    if not page.entries:
        nearest = f" The nearest was “{escape(hits[0].review.title)}”, a weak match." if hits else ""
        lines.append(f"<div class='rq-line rq-count'>No review is close enough to this question to show.{scope}"
                     f"{nearest} Try other words, or remove filters.</div>")
        return "".join(lines)
    order = {"relevance": "best match first", "newest": "newest first", "oldest": "oldest first"}[page.view.sort]
    lines.append(f"<div class='rq-line rq-count' role='status'>{_plural(page.listed, 'review')} "
                 f"{'matches' if page.listed == 1 else 'match'} out of {turn.response.matched:,} that passed the "
                 f"filters; showing {page.first}–{page.last}, {order}.{scope} Highlighted: the sentence that best "
                 "answers the question. A title opens the review; a citation opens the source.</div>")
    lines += [result_card(rank, hit, turn.filters, picked=picked) for rank, hit in page.entries]
    if page.weak_hidden:
        lines.append(f"<div class='rq-note'>{_plural(page.weak_hidden, 'weaker match', 'weaker matches')} hidden: "
                     "tick “Show weak matches” to list them.</div>")
    lines.append(f"<div class='rq-note rq-scale'>{escape(scale_description())}</div>")
    return "".join(lines)


def history_html(conversation, current: int) -> str:
    """The conversation so far, each step a button that shows its answer again."""
    if len(conversation) < 2:
        return ""
    items = []
    for index, turn in enumerate(conversation):
        label = escape(turn.message if len(turn.message) <= 80 else turn.message[:79] + "…")
        state = " aria-current='true'" if index == current else ""
        items.append(f"<li><button type='button' class='rq-step' {_attributes(rq_action='turn', turn=index)}"
                     f"{state}>{label}</button></li>")
    return f"<nav aria-label='This conversation' class='rq-history'><ol>{''.join(items)}</ol></nav>"


def selection_html(clips, dropped: int = 0) -> str:
    """The trainer's selection (qa/exports Clip records), in order, each with its review, citation,
    evidence sentence and buttons to move it up or down or drop it. `dropped`: kept passages a reload
    could not bring back (qa/web/kept.py), said first."""
    lost = (f"<p class='rq-line' role='status'>{_plural(dropped, 'kept passage')} could not be brought back: "
            f"the collection no longer holds {'them' if dropped > 1 else 'it'} as kept.</p>" if dropped else "")
    if not clips:
        return lost + "<p class='rq-note'>Nothing kept yet: press <em>Keep</em> beside a passage in an answer.</p>"
    items = []
    for position, clip in enumerate(clips):
        key = clip.passage.chunk.id
        controls = "".join(
            f"<button type='button' class='rq-keep' {_attributes(rq_action=action, passage=key)}"
            f"{' disabled' if disabled else ''}>{label}</button>"
            for action, label, disabled in (("up", "Move up", position == 0),
                                            ("down", "Move down", position == len(clips) - 1),
                                            ("unpick", "Drop", False)))
        items.append(f"<li class='rq-picked'><h3 class='rq-head'>{escape(clip.review.title)}</h3>"
                     f"<div class='rq-section'>{escape(citation_label(clip.passage))} · from "
                     f"{escape(clip.asked.described)}</div><blockquote class='rq-quote'>"
                     f"{escape(clip.evidence_text)}</blockquote><div>{controls}</div></li>")
    return (f"{lost}<p class='rq-line' role='status'>{_plural(len(clips), 'passage')} kept.</p>"
            f"<ol class='rq-selection-list'>{''.join(items)}</ol>")


def overview_html(values, kinds: dict[str, int] | None = None) -> str:
    """What the collection covers: how many reviews, from when, where, of what kind; unknowns counted."""
    from ..records import DOCUMENT_KINDS

    years = [int(year) for year, _ in values.years]
    span = f", published {years[0]}–{years[-1]}" if years else ""
    parts = [f"<h2>What the collection covers</h2><p class='rq-line'>{_plural(values.reviews, 'review')}{span}."]
    unknown = [f"{count} with {UNKNOWN_MEANS[group]}" for group, count in values.unknown.items() if count]
    if unknown:
        parts.append(" Unknown values (shown as unknown, never filtered away silently): "
                     f"{escape('; '.join(unknown))}.")
    parts.append("</p><div class='rq-tables'>")
    nations = {name for name, _ in values.nations}
    tables = [("By nation", values.nations), ("By English region",
                                                [(r, n) for r, n in values.regions if r not in nations]),
              ("By year", values.years), ("By child's age", values.age_groups)]
    if kinds:
        tables.append(("Documents by kind", [(DOCUMENT_KINDS.get(kind, kind), count)
                                             for kind, count in sorted(kinds.items(), key=lambda item: -item[1])]))
    for caption, rows in tables:
        body = "".join(f"<tr><th scope='row'>{escape(str(name))}</th><td>{count:,}</td></tr>" for name, count in rows)
        parts.append(f"<table class='rq-table'><caption>{escape(caption)}</caption>"
                     f"<thead><tr><th scope='col'>Value</th><th scope='col'>Reviews</th></tr></thead>"
                     f"<tbody>{body}</tbody></table>")
    parts.append("</div>")
    return "".join(parts)


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
                parts.append(source_link(document, marked[1], marked[2], cited.number if cited else None))
                parts.append(_highlight(text, marked[1] - section.start, marked[2] - section.start))
            else:
                parts.append(escape(text))
    parts.append("</div>")
    return "".join(parts)


def source_link(document, start: int, end: int, page: int | None) -> str:
    """A link that opens the passage's source (qa/web/source_view.py reads its data attributes)."""
    words = (f"Show page {page} of the original" if page is not None
             else "Open the NSPCC's page" if document.kind == "summary" and not document.file
             else "Open the document at this passage")
    return (f"<div class='rq-note'><a href='#' class='rq-source-link' data-rq-action='source' "
            f"data-document='{escape(document.id)}' data-page='{'' if page is None else page}' "
            f"data-start='{start}' data-end='{end}'>{escape(words)}</a></div>")


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
