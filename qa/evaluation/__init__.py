"""Retrieval benchmarks: judged topics (TREC formats) -> review-level runs -> standard metrics (ranx),
with paired tests (benchmark.py); and the long-report set, where whole reports are added to the
collection and the passage shown for each is checked against a verbatim answer (reports.py)."""

from .benchmark import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    METRIC_LABELS,
    METRICS,
    RUN_DEPTH,
    Benchmark,
    BenchmarkError,
    bootstrap_ci,
    compare_runs,
    format_comparison,
    format_table,
    load_benchmark,
    merged_qrels,
    per_query,
    read_qrels,
    read_topics,
    read_types,
    review_run,
    score_run,
    write_trec_run,
)

__all__ = ["BOOTSTRAP_RESAMPLES", "BOOTSTRAP_SEED", "METRICS", "METRIC_LABELS", "RUN_DEPTH", "Benchmark",
           "BenchmarkError", "bootstrap_ci", "compare_runs", "format_comparison", "format_table", "load_benchmark",
           "merged_qrels", "per_query", "read_qrels", "read_topics", "read_types", "review_run", "score_run",
           "write_trec_run"]
