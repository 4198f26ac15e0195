"""The long-report set: whole reports added to the collection, judged two ways.

(a) Review ranking with the reports in the collection: the summaries' development sets with the
    reports' grades merged in (a report's slug -> the review id its add gave it), scored as any set,
    plus the report pairs themselves: judged-relevant (grade >= 1) report pairs in the top 10 and top
    3, and irrelevant report intrusions (a report not graded relevant for the question) there.
(b) Report questions, each answered by one verbatim sentence of one report: the report's rank, and
    whether the first passage shown for it (and any of those shown) holds that sentence.

Nothing here renders or adds files (the checkout's testkit does, for `reviewqa eval --sets reports`);
the searcher is anything with `search(request)` and `settings`, as for benchmark.review_run.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from .benchmark import BenchmarkError, read_qrels

# The report pairs and the report questions look at what a reader sees first: the top 10 results.
SHOWN = 10


@dataclass(frozen=True)
class ReportQuestion:
    qid: str
    question: str
    document: str       # the slug of the report that answers it
    answer: str         # the answering sentence, verbatim
    type: str = ""


def read_report_questions(path: Path) -> list[ReportQuestion]:
    """JSON lines with qid, question, document, answer (and type); a line that is not one names itself."""
    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise BenchmarkError(f"Cannot read the report questions {path}: {error.strerror or error}.") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append(ReportQuestion(str(record["qid"]), str(record["question"]), str(record["document"]),
                                            str(record["answer"]), str(record.get("type", ""))))
        except (ValueError, KeyError, TypeError):
            raise BenchmarkError(f"{path}, line {number}: expected a JSON object with qid, question, document and "
                                 "answer.") from None
    if not questions:
        raise BenchmarkError(f"{path} holds no report question.")
    return questions


def report_qrels(path: Path, reviews: dict[str, str]) -> dict[str, dict[str, int]]:
    """TREC qrels that name reports by slug, with each slug replaced by its review id."""
    graded = read_qrels(path)
    unknown = sorted({slug for grades in graded.values() for slug in grades} - set(reviews))
    if unknown:
        raise BenchmarkError(f"{path} names reports that were not added: {', '.join(unknown)}.")
    return {qid: {reviews[slug]: grade for slug, grade in grades.items()} for qid, grades in graded.items()}


@dataclass(frozen=True)
class PairCounts:
    judged: int          # (question, report) pairs graded relevant
    top10: int           # ... of them in the top 10
    top3: int
    intrusions10: int    # reports not graded relevant for the question, in its top 10
    intrusions3: int

    def __add__(self, other: PairCounts) -> PairCounts:
        return PairCounts(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values())))


def pair_counts(run: dict[str, dict[str, float]], graded: dict[str, dict[str, int]],
                report_ids: set[str]) -> PairCounts:
    """Where the reports land in a review-level run (qid -> {review id: score}, higher first)."""
    judged = top10 = top3 = in10 = in3 = 0
    for qid, docs in run.items():
        order = sorted(docs, key=lambda d: -docs[d])
        relevant = {rid for rid, grade in graded.get(qid, {}).items() if grade > 0}
        judged += len(relevant)
        for rank, rid in enumerate(order[:SHOWN], 1):
            if rid not in report_ids:
                continue
            if rid in relevant:
                top10 += 1
                top3 += rank <= 3
            else:
                in10 += 1
                in3 += rank <= 3
    return PairCounts(judged, top10, top3, in10, in3)


def squash(text: str) -> str:
    """Whitespace folded, so an answer matches across the line breaks of a rendered page."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Answered:
    qid: str
    type: str
    rank: int | None         # the report's rank in the top 10 (None: not there)
    first: bool              # the first passage shown for it holds the answer
    any: bool                # one of the passages shown for it does
    first_shown: str         # the start of that first passage, to read a miss


def answer_questions(searcher, questions: list[ReportQuestion], reviews: dict[str, str],
                     ranking: str) -> list[Answered]:
    """Ask each report question; find its report among the top results and check its passages."""
    from ..search import search_request

    answered = []
    for q in questions:
        response = searcher.search(search_request(q.question, searcher.settings, k=SHOWN, ranking=ranking))
        target, answer = reviews[q.document], squash(q.answer)
        rank, first, any_, shown = None, False, False, ""
        for position, hit in enumerate(response.hits, 1):
            if hit.review.id != target:
                continue
            holds = [answer in squash(p.chunk.text) for p in hit.passages]
            rank, first, any_ = position, bool(holds and holds[0]), any(holds)
            shown = squash(hit.passages[0].chunk.text)[:160] if hit.passages else ""
            break
        answered.append(Answered(q.qid, q.type, rank, first, any_, shown))
    return answered


ANSWER_COLUMNS = ("rank 1", "top 3", "top 5", "top 10", "first passage", "any shown")


def answer_counts(rows: list[Answered]) -> dict[str, int]:
    ranks = [r.rank for r in rows if r.rank is not None]
    values = (sum(r == 1 for r in ranks), sum(r <= 3 for r in ranks), sum(r <= 5 for r in ranks), len(ranks),
              sum(r.first for r in rows), sum(r.any for r in rows))
    return {"questions": len(rows), **dict(zip(ANSWER_COLUMNS, values))}


def answer_table(rows: list[Answered]) -> dict[str, dict[str, int]]:
    """{"all": counts, "<type>": counts, ...}, as benchmark.score_run groups its rows."""
    groups = {"all": rows}
    for row in rows:
        if row.type:
            groups.setdefault(row.type, []).append(row)
    return {group: answer_counts(members) for group, members in groups.items()}


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided sign test on the questions where two configurations differ."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(wins, losses) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def compare_answers(answered: dict[str, list[Answered]], baseline: str) -> list[dict]:
    """Each configuration against the baseline, for the first passage and any passage shown: questions
    gained and lost, and the sign test's p."""
    rows = []
    for name, others in answered.items():
        if name == baseline:
            continue
        for what in ("first", "any"):
            base = [getattr(r, what) for r in answered[baseline]]
            other = [getattr(r, what) for r in others]
            wins = sum(o and not b for b, o in zip(base, other))
            losses = sum(b and not o for b, o in zip(base, other))
            rows.append({"run": name, "baseline": baseline, "what": what, "wins": wins, "losses": losses,
                         "p_sign": sign_test(wins, losses)})
    return rows


def format_pairs(pairs: dict[str, dict[str, PairCounts]]) -> str:
    """config -> set -> counts, as one row per configuration (the sets added up, then each set)."""
    lines = [f"{'config':<20}{'relevant in top 10':>20}{'in top 3':>10}{'intrusions top 10':>19}{'top 3':>7}"]
    for name, by_set in pairs.items():
        total = sum(by_set.values(), PairCounts(0, 0, 0, 0, 0))
        per_set = ", ".join(f"{s} {c.top10}/{c.judged}" for s, c in by_set.items())
        lines.append(f"{name:<20}{f'{total.top10}/{total.judged}':>20}{total.top3:>10}{total.intrusions10:>19}"
                     f"{total.intrusions3:>7}   ({per_set})")
    return "\n".join(lines)


def format_answers(tables: dict[str, dict[str, dict[str, int]]], comparisons: list[dict]) -> str:
    """One block per question type (all first), a row per configuration; then the sign tests."""
    groups: list[str] = []
    for table in tables.values():
        groups += [g for g in table if g not in groups]
    width = max(20, max(len(name) for name in tables) + 2)
    lines = []
    for group in groups:
        count = next(t[group]["questions"] for t in tables.values() if group in t)
        lines.append(f"\n{group} ({count} questions)")
        lines.append(f"{'config':<{width}}" + "".join(f"{c:>15}" for c in ANSWER_COLUMNS))
        for name, table in tables.items():
            if group in table:
                lines.append(f"{name:<{width}}" + "".join(f"{table[group][c]:>15}" for c in ANSWER_COLUMNS))
    for row in comparisons:
        passage = "first passage" if row["what"] == "first" else "any passage shown"
        lines.append(f"  {row['run']} vs {row['baseline']}, {passage}: +{row['wins']} -{row['losses']}, "
                     f"sign test p={row['p_sign']:.4f}")
    return "\n".join(lines).lstrip("\n")
