"""Benchmark runner: topics + qrels (TREC formats) -> review-level runs -> standard metrics (ranx)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReviewQAError

METRICS = ("ndcg@10", "recall@10", "recall@20", "mrr", "precision@5")
# Percentile bootstrap over questions: resamples and a fixed seed, so a rerun prints the same interval.
BOOTSTRAP_RESAMPLES = 10_000
BOOTSTRAP_SEED = 15
METRIC_LABELS = {"ndcg@10": "nDCG@10", "recall@10": "R@10", "recall@20": "R@20", "mrr": "MRR", "precision@5": "P@5"}
RUN_DEPTH = 100


class BenchmarkError(ReviewQAError):
    """A topics, qrels or types file is missing or malformed."""


@dataclass
class Benchmark:
    topics: dict[str, str]
    qrels: dict[str, dict[str, int]]
    types: dict[str, str] = field(default_factory=dict)

    def judged_topics(self) -> dict[str, str]:
        return {qid: q for qid, q in self.topics.items() if qid in self.qrels}


def _lines(path: Path, what: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise BenchmarkError(f"The {what} file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BenchmarkError(f"The {what} file {path} cannot be read ({error}).") from None


def read_topics(path: Path) -> dict[str, str]:
    topics = {}
    for number, line in enumerate(_lines(path, "topics"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        qid, tab, question = line.partition("\t")
        if not tab:
            raise BenchmarkError(f"Line {number} of {path} is not `qid<TAB>question`.")
        topics[qid.strip()] = question.strip()
    return topics


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TREC qrels: `qid iteration doc_id grade` per line."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for number, line in enumerate(_lines(path, "qrels"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 4 or not parts[3].lstrip("-").isdigit():
            raise BenchmarkError(f"Line {number} of {path} is not `qid 0 doc_id grade`.")
        qrels[parts[0]][parts[2]] = int(parts[3])
    return dict(qrels)


def read_types(path: Path | None) -> dict[str, str]:
    if path is None or not Path(path).exists():
        return {}
    types = {}
    for line in _lines(path, "topic types"):
        if line.strip() and not line.startswith("#"):
            qid, _, kind = line.partition("\t")
            types[qid.strip()] = kind.strip() or "untyped"
    return types


def merged_qrels(*parts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Judgments of several files over the same topics as one (a later file's grade wins for a pair)."""
    merged: dict[str, dict[str, int]] = {}
    for qrels in parts:
        for qid, grades in qrels.items():
            merged.setdefault(qid, {}).update(grades)
    return merged


def load_benchmark(topics: Path, qrels: Path, types: Path | None = None) -> Benchmark:
    benchmark = Benchmark(read_topics(topics), read_qrels(qrels), read_types(types))
    if not benchmark.judged_topics():
        raise BenchmarkError(f"No topic in {topics} has judgments in {qrels}; check that the qids match.")
    return benchmark


def review_run(searcher, benchmark: Benchmark, ranking: str, depth: int = RUN_DEPTH,
               answered: Callable[[], object] | None = None) -> dict[str, dict[str, float]]:
    """qid -> {review_id: score}, the reviews in rank order (ranx and TREC need strictly decreasing
    scores, so a rank-based score is used; the order is exactly the system's). `answered` is called
    after each question (a progress bar's update)."""
    from ..search import search_request

    run = {}
    for qid, question in benchmark.judged_topics().items():
        response = searcher.search(search_request(question, searcher.settings, k=depth, ranking=ranking))
        ids = [record["review_id"] for record in response.to_records()]
        run[qid] = {rid: float(len(ids) - rank) for rank, rid in enumerate(ids)}
        if answered is not None:
            answered()
    return run


def write_trec_run(run: dict[str, dict[str, float]], name: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for qid, docs in run.items():
            ranked = sorted(docs.items(), key=lambda item: -item[1])
            for rank, (doc, score) in enumerate(ranked, 1):
                out.write(f"{qid} Q0 {doc} {rank} {score:g} {name}\n")


def _ranx_objects(benchmark: Benchmark, run: dict, name: str, qids: list[str]):
    from ranx import Qrels, Run

    qrels = Qrels({q: benchmark.qrels[q] for q in qids}, name="qrels")
    # A query with no results still counts (as zero): ranx needs at least one entry per query.
    filled = {q: (run.get(q) or {"__none__": 0.0}) for q in qids}
    return qrels, Run(filled, name=name)


def score_run(benchmark: Benchmark, run: dict, name: str) -> dict[str, dict[str, float]]:
    """{"all": {metric: value}, "<type>": {...}, ...}: means over the judged queries of each group."""
    from ranx import evaluate

    groups: dict[str, list[str]] = {"all": sorted(benchmark.judged_topics())}
    for qid in groups["all"]:
        groups.setdefault(benchmark.types.get(qid, "untyped"), []).append(qid)
    if set(groups) == {"all", "untyped"}:
        del groups["untyped"]
    table = {}
    for group, qids in groups.items():
        qrels, ranx_run = _ranx_objects(benchmark, run, name, qids)
        values = evaluate(qrels, ranx_run, list(METRICS), make_comparable=True)
        table[group] = {metric: float(values[metric]) for metric in METRICS}
        table[group]["queries"] = len(qids)
        low, high = bootstrap_ci(list(ranx_run.scores["ndcg@10"].values()))
        table[group]["ndcg@10_low"], table[group]["ndcg@10_high"] = low, high
    return table


def bootstrap_ci(values: list[float], level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of a mean over questions (the questions are the sample)."""
    import numpy as np

    if not values:
        return (0.0, 0.0)
    data = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    means = data[rng.integers(0, len(data), size=(BOOTSTRAP_RESAMPLES, len(data)))].mean(axis=1)
    tail = (1 - level) / 2
    return float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail))


def per_query(benchmark: Benchmark, run: dict, name: str, metric: str = "ndcg@10") -> dict[str, float]:
    from ranx import evaluate

    qids = sorted(benchmark.judged_topics())
    qrels, ranx_run = _ranx_objects(benchmark, run, name, qids)
    evaluate(qrels, ranx_run, [metric], make_comparable=True)
    return {q: float(v) for q, v in ranx_run.scores[metric].items()}


def compare_runs(benchmark: Benchmark, runs: dict[str, dict], metric: str = "ndcg@10") -> dict:
    """Paired comparison of every run against the first, with a two-sided paired t-test
    (ranx `compare`, stat_test="student") and Fisher's randomisation test as a check."""
    from ranx import compare

    qids = sorted(benchmark.judged_topics())
    ranx_runs = []
    qrels = None
    for name, run in runs.items():
        qrels, ranx_run = _ranx_objects(benchmark, run, name, qids)
        ranx_runs.append(ranx_run)
    results = {}
    for test in ("student", "fisher"):
        report = compare(qrels, ranx_runs, [metric], stat_test=test, max_p=0.05, make_comparable=True)
        data = report.to_dict()
        results[test] = data
    names = list(runs)
    baseline = names[0]
    comparisons: list[dict] = []
    out = {"metric": metric, "baseline": baseline, "comparisons": comparisons}
    base_scores = ranx_runs[0].scores[metric]
    for name, ranx_run in zip(names[1:], ranx_runs[1:]):
        differences = [float(ranx_run.scores[metric][q]) - float(base_scores[q]) for q in qids]
        low, high = bootstrap_ci(differences)
        comparisons.append({
            "run": name,
            "mean": results["student"][name]["scores"][metric],
            "baseline_mean": results["student"][baseline]["scores"][metric],
            "difference": sum(differences) / len(differences),
            "difference_low": low,
            "difference_high": high,
            "wins": sum(d > 1e-9 for d in differences),
            "losses": sum(d < -1e-9 for d in differences),
            "p_student": _p(results["student"], baseline, name, metric),
            "p_fisher": _p(results["fisher"], baseline, name, metric),
        })
    return out


def _p(report: dict, a: str, b: str, metric: str) -> float:
    value = report[a]["comparisons"][b][metric]
    return float(value) if value is not None and not math.isnan(value) else 1.0


def format_table(tables: dict[str, dict[str, dict[str, float]]]) -> str:
    """One block per question type; a row per configuration, nDCG@10's 95% interval last."""
    groups = []
    for table in tables.values():
        for group in table:
            if group not in groups:
                groups.append(group)
    width = max(len(name) for name in tables) + 2
    header = f"{'config':<{width}}" + "".join(f"{METRIC_LABELS[m]:>9}" for m in METRICS) + "   nDCG@10 95% CI"
    lines = []
    for group in groups:
        count = next(t[group]["queries"] for t in tables.values() if group in t)
        lines.append(f"\n{group} ({count} questions)")
        lines.append(header)
        for name, table in tables.items():
            if group in table:
                row = table[group]
                interval = (f"   {row['ndcg@10_low']:.3f}-{row['ndcg@10_high']:.3f}" if "ndcg@10_low" in row else "")
                lines.append(f"{name:<{width}}" + "".join(f"{row[m]:>9.3f}" for m in METRICS) + interval)
    return "\n".join(lines).lstrip("\n")


def format_comparison(comparison: dict) -> str:
    """Each configuration against the baseline: mean difference with its 95% interval, questions won
    and lost, and both p-values."""
    lines = [f"Paired tests on {comparison['metric']} against {comparison['baseline']} "
             f"(mean {comparison['comparisons'][0]['baseline_mean']:.3f}):"]
    width = max(len(row["run"]) for row in comparison["comparisons"]) + 1
    for row in comparison["comparisons"]:
        lines.append(f"  {row['run']:<{width}} mean {row['mean']:.3f}  diff {row['difference']:+.3f} "
                     f"[{row['difference_low']:+.3f}, {row['difference_high']:+.3f}]  "
                     f"won {row['wins']} lost {row['losses']}  t-test p={row['p_student']:.4f}  "
                     f"randomisation p={row['p_fisher']:.4f}")
    return "\n".join(lines)
