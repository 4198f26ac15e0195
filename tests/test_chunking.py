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


def test_long_sections_are_split_under_the_paragraph_limit(fixture_collection, settings):
    settings = settings.with_(paragraph_tokens=settings.chunk_tokens)     # the fixture's sections are short
    count = FakeEmbedder().count_tokens
    split_somewhere = False
    for document, spans in cut_all(fixture_collection, settings):
        assert all(count(document.text[c.start:c.end]) <= settings.paragraph_tokens for c in spans.chunks)
        sections = [c.section for c in spans.chunks]
        split_somewhere |= len(sections) != len(set(sections))
        # Splits fall between sentences (or clauses of a sentence too long to show whole), never inside a word.
        for left, right in zip(spans.chunks, spans.chunks[1:]):
            if left.section == right.section:
                assert document.text[left.end].isspace() and document.text[left.end - 1] in ".!?;,"
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


def _report(text: str) -> Document:
    return Document("r/report", "r", "report", text, (Section("heading", 0, len(text), text.split("\n")[0]),))


def _cut(text: str, settings, **sizes) -> list[str]:
    spans = split_document(_report(text), make_splitter(settings.with_(**sizes), FakeEmbedder().count_tokens))
    return [text[c.start:c.end] for c in spans.chunks]


LONG_PARAGRAPH = ("6.1 The health visitor saw a bruise on the baby's leg at the new birth visit. Mother said the baby "
                  "had caught it on the cot bars, and the health visitor accepted this. She did not consult the "
                  "bruising protocol, which says that any bruise on a baby who is not yet mobile must be referred. "
                  "In doing so she made the decision that the protocol is designed to take away from practitioners. "
                  "Her supervisor was not told, and the record says only that advice was given.")


def test_a_numbered_paragraph_is_kept_whole_where_it_fits(settings):
    text = f"6. Findings\n\n{LONG_PARAGRAPH}\n\n6.2 Practitioners did see fragments of this behaviour."
    tokens = FakeEmbedder().count_tokens(LONG_PARAGRAPH)
    chunks = _cut(text, settings, chunk_tokens=30, paragraph_tokens=tokens + 5)
    assert any(chunk.endswith(LONG_PARAGRAPH) for chunk in chunks)
    # The heading is never a passage of its own: it leads the paragraph that follows it.
    assert chunks[0] == f"6. Findings\n\n{LONG_PARAGRAPH}" and chunks[1].startswith("6.2 ")


def test_a_paragraph_too_long_to_keep_whole_is_cut_between_sentences(settings):
    chunks = _cut(LONG_PARAGRAPH, settings, chunk_tokens=30, paragraph_tokens=40)
    assert len(chunks) > 1 and " ".join(chunks) == LONG_PARAGRAPH
    assert all(chunk[-1] == "." and chunk[0].isupper() or chunk[0].isdigit() for chunk in chunks)


def test_a_sentence_longer_than_a_paragraph_is_cut_at_clauses_then_words(settings):
    sentence = "Recommendations include: " + "; ".join(f"review the protocol number {n} with every agency"
                                                       for n in range(12)) + "."
    chunks = _cut(sentence, settings, chunk_tokens=10, paragraph_tokens=20)
    assert len(chunks) > 1 and all(FakeEmbedder().count_tokens(c) <= 20 for c in chunks)
    assert all(c.endswith(";") for c in chunks[:-1])


def test_short_lines_are_joined_and_no_passage_starts_mid_sentence(settings):
    lines = [f"{n}. The agency shared what it knew about the family with the panel." for n in range(1, 9)]
    text = "\n".join(lines)
    chunks = _cut(text, settings, chunk_tokens=40, paragraph_tokens=60)
    assert 1 < len(chunks) < len(lines)
    assert all(chunk[0].isdigit() and chunk.endswith(".") for chunk in chunks)
