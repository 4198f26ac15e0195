"""Search results as JSON: the contract of `search --json`, batch mode, the app's API and the REST
API. The only place a result becomes a dict."""

from __future__ import annotations

from .explain import filter_report, unknown_marks
from .passages import PassageHit, citation_label, page_span


def source_record(passage: PassageHit) -> dict:
    document = passage.chunk.document
    first, last = page_span(passage)
    return {
        "document_id": document.id,
        "kind": document.kind,
        "file": document.file,
        "page": first.number if first else None,
        "page_end": last.number if last else None,
        "page_label": first.label if first else None,
    }


def passage_record(passage: PassageHit) -> dict:
    chunk = passage.chunk
    text = chunk.document.text
    start, end = passage.evidence
    return {
        "section": chunk.section.name,
        "section_label": chunk.section.label,
        "passage": text[chunk.start:chunk.end],
        "start": chunk.start,
        "end": chunk.end,
        "evidence": text[start:end],
        "evidence_start": start,
        "evidence_end": end,
        "passage_id": chunk.id,
        "citation": citation_label(passage),
        "source": source_record(passage),
    }


def hit_record(hit, filters=None) -> dict:
    """One result (README: batch search): the review, its best passage at the top level, and up to
    three passages under "passages". `unknown` names the filters it passed only because its value
    for them is unknown (include_unknown)."""
    review = hit.review
    passages = [passage_record(p) for p in hit.passages]
    return {
        "review_id": review.id,
        "title": review.title,
        "year": review.year,
        "area": review.area,
        "name": review.name,
        "nation": review.nation,
        "region": review.region,
        "keywords": list(review.keywords),
        **(passages[0] if passages else {}),
        "match": round(hit.match, 2),
        "match_label": hit.match_label,
        "weak_match": hit.weak,
        "score": round(hit.score, 4),
        "similarity": round(hit.similarity, 4),
        "passages": passages,
        "same_case_as": list(review.same_case_as),
        "child_ages": [list(span) for span in review.child_ages],
        "unknown": unknown_marks(review, filters) if filters is not None else [],
    }


def response_record(response) -> dict:
    understood = response.understood
    return {
        "query": response.query,
        "ranking": response.ranking,
        "understood": {"filters": understood.filters.to_json(), "notes": list(understood.notes),
                       "not_applied": list(understood.not_applied), "incident_years": list(understood.incident_years),
                       "language": understood.language, "search_text": understood.search_text},
        "filters": response.filters.to_json(),
        "matched_reviews": response.matched,
        # Per filter group: reviews left out only because their value for it is unknown (set
        # include_unknown to keep them), and, when none pass, how many would pass without each group.
        "unknown_left_out": dict(response.unknown_left_out),
        "passing_without": dict(response.passing_without),
        "messages": filter_report(response).lines(),
        "all_weak": response.all_weak,
        "generation": response.generation,
        "results": [hit_record(hit, response.filters) for hit in response.hits],
    }


def review_record(view) -> dict:
    """One review and its documents (`GET /api/reviews/{id}`): the review's metadata, then each
    document whole, with its sections (character offsets into its text) and page count."""
    review = view.review
    record = review.to_json()
    record.pop("source_line", None)
    record["documents"] = [{
        "id": document.id,
        "kind": document.kind,
        "kind_label": document.kind_label,
        "title": document.title,
        "file": document.file,
        "pages": len(document.pages),
        "sections": [{"name": s.name, "label": s.label, "start": s.start, "end": s.end} for s in document.sections],
        "text": document.text,
    } for document in view.documents]
    return record
