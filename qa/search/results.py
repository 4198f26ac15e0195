"""Search results as JSON: the contract of `search --json`, batch mode, the app's API and the REST
API. The only place a result becomes a dict."""

from __future__ import annotations

from .passages import PassageHit, citation_label, page_span

# Below this cosine similarity a review's best sentence is not about the question (on the benchmark the
# weakest first result scores 0.38; "recipe for chocolate cake" scores 0.18).
WEAK_SIMILARITY = 0.30


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


def hit_record(hit) -> dict:
    """One result (README: batch search): the review, its best passage at the top level, and up to
    three passages under "passages"."""
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
        "score": round(hit.score, 4),
        "similarity": round(hit.similarity, 4),
        "weak_match": hit.weak,
        "passages": passages,
        "same_case_as": list(review.same_case_as),
    }


def response_record(response) -> dict:
    return {
        "query": response.query,
        "ranking": response.ranking,
        "understood": {"filters": response.understood.filters.to_json(), "notes": list(response.understood.notes),
                       "search_text": response.understood.search_text},
        "filters": response.filters.to_json(),
        "matched_reviews": response.matched,
        "all_weak": response.all_weak,
        "generation": response.generation,
        "results": [hit_record(hit) for hit in response.hits],
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
