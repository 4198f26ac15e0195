"""What the command line prints: results, digests and add reports as text for a terminal, every
piece of document text or file name passed through terminal_safe."""

from __future__ import annotations

import textwrap
import unicodedata

WIDTH = 96


def terminal_safe(text: str) -> str:
    """Text for the terminal: file names and document text can hold escape sequences, carriage returns
    or bidirectional overrides that would rewrite what the terminal shows; those are printed as
    visible escapes (\\x1b, \\u202e). Line breaks between lines stay."""
    return "\n".join("".join(ch if ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")
                              else ch.encode("unicode_escape").decode("ascii") for ch in line)
                      for line in text.split("\n"))


def format_results(response) -> str:
    """A search's answer: what was understood and filtered (and what was left out or not applied,
    with the flag that changes it), then each review with its best passages, cited."""
    from ..gazetteer import UNKNOWN
    from ..search.explain import filter_report
    from ..search.passages import citation_label
    from ..search.relevance import scale_description

    lines = [f"Question: {response.query}"]
    if response.understood.notes:
        lines.append(f"Understood from the question: {', '.join(response.understood.notes)} "
                     "(add --literal to search without these filters)")
    if not response.filters.is_empty():
        lines.append(f"Filtered to: {response.filters.describe()} ({response.matched} reviews pass)")
    report = filter_report(response)
    lines += [f"Note: {line}" for line in report.not_applied]
    lines += [f"Note: {line} Add --include-unknown to include them." for line in report.left_out]
    if report.emptied:
        lines.append(f"{report.emptied} Remove or widen that filter.")
    elif not response.hits:
        lines.append("No review matched. Try other words or fewer filters.")
    elif response.all_weak:
        lines.append("No review is close to this question: every result below is a weak match, shown only "
                     "for completeness. Try other words.")
    for rank, hit in enumerate(response.hits, 1):
        review = hit.review
        lines.append("")
        unknown = report_unknown(hit.review, response.filters)
        nation = review.nation if review.nation != UNKNOWN else "nation unknown"
        lines.append(f"{rank}. {review.title}  [{nation}]  match {hit.match:.2f} ({hit.match_label}){unknown}")
        if review.keywords:
            lines += textwrap.wrap("Keywords: " + ", ".join(review.keywords), width=WIDTH,
                                   initial_indent="   ", subsequent_indent="   ")
        for passage in hit.passages[:2]:
            chunk = passage.chunk
            text = chunk.document.text
            lines.append(f"   {citation_label(passage)} (characters {chunk.start}-{chunk.end}):")
            lines += textwrap.wrap(f"“{chunk.text}”", width=WIDTH, initial_indent="     ",
                                   subsequent_indent="     ")
            lines += textwrap.wrap(f"Evidence: “{text[passage.evidence[0]:passage.evidence[1]]}”", width=WIDTH,
                                   initial_indent="     > ", subsequent_indent="       ")
    if response.hits:
        lines += [""] + textwrap.wrap(scale_description(), width=WIDTH)
    return terminal_safe("\n".join(lines))


def report_unknown(review, filters) -> str:
    from ..search.explain import UNKNOWN_MEANS, unknown_marks

    marks = unknown_marks(review, filters)
    return f"  ({'; '.join(UNKNOWN_MEANS[m] for m in marks)}: included by --include-unknown)" if marks else ""


def format_digest(digest, titles: dict[str, str]) -> str:
    """A readable briefing: every line is a fixed heading, a count, or a quote with its citation."""
    from ..digest.briefing import KIND_HEADINGS, PROFILE_HEADINGS

    lines = [f"What the reviews say: {digest.query}"]
    if not digest.filters.is_empty():
        lines.append(f"Filtered to: {digest.filters.describe()} ({digest.matched} reviews)")
    lines.append(f"Reviews in the digest: {len(digest.reviews)} ({digest.how}).")
    if not digest.reviews:
        lines.append("No review is close to this question. Try other words or fewer filters.")
        return "\n".join(lines)
    profile = digest.profile.to_json()
    for name, heading in PROFILE_HEADINGS.items():
        lines += ["", heading]
        counts = profile[name]
        key_width = max(len(str(k)) for k in counts)
        lines += [f"  {key:<{key_width}}  {count:>4}" for key, count in counts.items()]
    for kind, heading in KIND_HEADINGS.items():
        themes = [t for t in digest.themes if t.kind == kind]
        if not themes:
            continue
        lines += ["", heading.upper()]
        for theme in themes:
            mark = "" if theme.curated else "  (words the reviews share)"
            lines += ["", f"  {theme.label} — {theme.reviews} review{'s' if theme.reviews != 1 else ''}{mark}"]
            for quote in theme.quotes:
                lines += textwrap.wrap(f"“{quote.text}”", width=WIDTH, initial_indent="    ", subsequent_indent="     ")
                lines.append(f"       {titles.get(quote.review_id, quote.review_id)}; {quote.citation}")
    if not digest.themes:
        lines += ["", "No theme is shared by three or more of these reviews."]
    return terminal_safe("\n".join(lines))


def format_add_report(report) -> str:
    lines = []
    for result in report.files:
        if result.status == "failed":
            continue          # already printed on stderr
        lines.append(f"{result.status:<9} {result.message}")
        if result.status in ("added", "replaced") and result.guessed:
            guessed = result.guessed
            lines.append(f"{'':<9}   guessed from the first page: title “{guessed['title'] or 'not found'}”, year "
                         f"{guessed['year'] or 'not found'}, area {guessed['area'] or 'not found'} (correct them with "
                         "--title, --year, --area or a metadata CSV)")
        lines += [f"{'':<9}   note: {warning}" for warning in result.warnings]
    lines += [f"note: {warning}" for warning in report.warnings]
    lines.append(report.summary())
    return "\n".join(lines)
