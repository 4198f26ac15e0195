from qa.chunking import MIN_SEGMENT_CHARS, chunk_reviews, segment_chunks

from .conftest import FakeEmbedder


def test_chunks_are_verbatim_spans_within_one_section(fixture_reviews, settings):
    chunks = chunk_reviews(fixture_reviews, settings, FakeEmbedder().count_tokens)
    reviews = {r.id: r for r in fixture_reviews}
    assert chunks and [c.id for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        review = reviews[chunk.review_id]
        assert review.text[chunk.start:chunk.end] == chunk.text
        section = review.section_at(chunk.start)
        assert section.name == chunk.section and chunk.end <= section.end
        assert chunk.text == chunk.text.strip()


def test_long_sections_are_split_under_the_token_limit(fixture_reviews, settings):
    count = FakeEmbedder().count_tokens
    chunks = chunk_reviews(fixture_reviews, settings, count)
    assert all(count(c.text) <= settings.chunk_tokens for c in chunks)
    per_section = {}
    for c in chunks:
        per_section.setdefault((c.review_id, c.section), []).append(c)
    assert any(len(v) > 1 for v in per_section.values()), "fixture should exercise splitting"
    # Splits fall between words, never inside one.
    reviews = {r.id: r for r in fixture_reviews}
    for (review_id, _), pieces in per_section.items():
        text = reviews[review_id].text
        for piece in pieces[:-1]:
            assert text[piece.end].isspace()


def test_every_section_but_keywords_is_covered(fixture_reviews, settings):
    chunks = chunk_reviews(fixture_reviews, settings, FakeEmbedder().count_tokens)
    for review in fixture_reviews:
        for section in review.sections:
            mine = [c for c in chunks if c.review_id == review.id and c.section == section.name]
            if section.name == "keywords":
                assert not mine
                continue
            covered = set()
            for c in mine:
                covered.update(range(c.start, c.end))
            words = [i for i in range(section.start, section.end) if not review.text[i].isspace()]
            assert set(words) <= covered


def test_chunking_is_deterministic(fixture_reviews, settings):
    count = FakeEmbedder().count_tokens
    assert chunk_reviews(fixture_reviews, settings, count) == chunk_reviews(fixture_reviews, settings, count)


def test_segments_tile_each_chunk_at_clause_ends(fixture_reviews, settings):
    chunks = chunk_reviews(fixture_reviews, settings, FakeEmbedder().count_tokens)
    segments = segment_chunks(chunks)
    reviews = {r.id: r for r in fixture_reviews}
    for chunk in chunks:
        own = [s for s in segments if s.chunk_id == chunk.id]
        assert own and own[0].start == chunk.start and own[-1].end == chunk.end
        text = reviews[chunk.review_id].text
        for left, right in zip(own, own[1:]):
            assert text[left.start:left.end][-1] in ";.!?" and not text[left.end:right.start].strip()
        if len(own) > 1:
            assert all(s.end - s.start >= MIN_SEGMENT_CHARS for s in own)
