from qa.chunking import MIN_SEGMENT_CHARS, make_splitter, split_document
from qa.records import Document, Section
from tests.helpers import FakeEmbedder


def cut_all(collection, settings):
    splitter = make_splitter(settings, FakeEmbedder().count_tokens)
    return [(document, split_document(document, splitter)) for document in collection.documents]


def test_chunks_are_verbatim_spans_within_one_section(fixture_collection, settings):
    for document, spans in cut_all(fixture_collection, settings):
        assert spans.chunks
        for chunk in spans.chunks:
            section = document.sections[chunk.section]
            assert section.start <= chunk.start < chunk.end <= section.end
            text = document.text[chunk.start:chunk.end]
            assert text == text.strip() and text


def test_long_sections_are_split_under_the_token_limit(fixture_collection, settings):
    count = FakeEmbedder().count_tokens
    split_somewhere = False
    for document, spans in cut_all(fixture_collection, settings):
        assert all(count(document.text[c.start:c.end]) <= settings.chunk_tokens for c in spans.chunks)
        sections = [c.section for c in spans.chunks]
        split_somewhere |= len(sections) != len(set(sections))
        # Splits fall between words, never inside one.
        for left, right in zip(spans.chunks, spans.chunks[1:]):
            if left.section == right.section:
                assert document.text[left.end].isspace()
    assert split_somewhere, "fixture should exercise splitting"


def test_every_section_but_keywords_is_covered(fixture_collection, settings):
    for document, spans in cut_all(fixture_collection, settings):
        for number, section in enumerate(document.sections):
            mine = [c for c in spans.chunks if c.section == number]
            if section.name == "keywords":
                assert not mine
                continue
            covered = set()
            for c in mine:
                covered.update(range(c.start, c.end))
            words = [i for i in range(section.start, section.end) if not document.text[i].isspace()]
            assert set(words) <= covered


def test_chunking_is_deterministic(fixture_collection, settings):
    assert cut_all(fixture_collection, settings) == cut_all(fixture_collection, settings)


def test_segments_tile_each_chunk_at_clause_ends(fixture_collection, settings):
    for document, spans in cut_all(fixture_collection, settings):
        text = document.text
        for ordinal, chunk in enumerate(spans.chunks):
            own = [s for s in spans.segments if s.chunk == ordinal]
            assert own and own[0].start == chunk.start and own[-1].end == chunk.end
            for left, right in zip(own, own[1:]):
                assert text[left.start:left.end][-1] in ";.!?" and not text[left.end:right.start].strip()
            if len(own) > 1:
                assert all(s.end - s.start >= MIN_SEGMENT_CHARS for s in own)


def test_report_chunks_follow_numbered_paragraphs(settings):
    paragraphs = [f"3.{n} The health visitor recorded concern number {n} about the home conditions and the "
                  f"baby's weight, and shared it with the GP practice by letter." for n in range(1, 6)]
    text = "3. Findings\n" + "\n".join(paragraphs)
    document = Document("r/report", "r", "report", text, (Section("heading", 0, len(text), "3. Findings"),))
    spans = split_document(document, make_splitter(settings.with_(chunk_tokens=40), FakeEmbedder().count_tokens))
    starts = [text[c.start:c.start + 4] for c in spans.chunks]
    assert starts[1:] == ["3.1 ", "3.2 ", "3.3 ", "3.4 ", "3.5 "][-len(starts) + 1:]
    assert all(text[c.start:c.end].count("\n3.") == 0 for c in spans.chunks[1:])
