"""Compare the embedders: sentence-transformers (torch) vs ONNX fp32 vs ONNX int8 (qa.embed.onnx).

    .venv/bin/python -m bench.embedder                       # export to a temp folder, removed after
    .venv/bin/python -m bench.embedder --folder /tmp/onnx    # reuse (or create) exports in /tmp/onnx/{fp32,int8}
    .venv/bin/python -m bench.embedder --segments 500 --threads 1

Each backend runs in its own fresh process, which reports: import + load time, one-query encode
latency (p50/p95 of 100 runs), throughput on real corpus sentences (the shipped collection) at
batch sizes 32 and 64, and its peak RSS. Load time is the median of --load-runs further fresh
processes. The parent prints the figures and the cosine of each backend's vectors with
sentence-transformers'.

Figures are printed, never asserted: this machine's load varies.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent   # the checkout: the child processes run from here
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

QUERY = "baby died while co-sleeping with a parent who had been drinking"
BACKENDS = ("sentence-transformers", "onnx-fp32", "onnx-int8")


def segments(limit: int) -> list[str]:
    """Sentences from the shipped collection (qa/data/reviews.jsonl): each record's "text", or its
    documents' texts."""
    from qa.settings import SHIPPED_COLLECTION

    found: list[str] = []
    with SHIPPED_COLLECTION.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts = [record.get("text") or ""] + [d.get("text") or "" for d in record.get("documents", [])]
            for text in texts:
                found.extend(s.strip() for s in re.split(r"(?<=[.!?;])\s+", text) if len(s.strip()) > 3)
            if len(found) >= limit:
                break
    return found[:limit]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- the child: one backend, one fresh process ----------------------------------------------------------

def load(backend: str, folder: str, threads: int | None):
    if backend == "sentence-transformers":
        from qa.embed import resolve_model
        from qa.embed.torch_model import SentenceTransformerEmbedder
        from qa.settings import BUNDLED_MODEL

        path, name = resolve_model(BUNDLED_MODEL)
        return SentenceTransformerEmbedder(path, name)
    from qa.embed.onnx import OnnxEmbedder

    return OnnxEmbedder(Path(folder), backend, threads=threads)


def child(args) -> None:
    import resource

    started = time.perf_counter()
    embedder = load(args.child, args.child_folder, args.threads)
    load_seconds = time.perf_counter() - started
    result = {"load_s": load_seconds}
    if not args.load_only:
        import numpy as np

        for _ in range(10):
            embedder.encode([QUERY])
        latencies = []
        for _ in range(100):
            t = time.perf_counter()
            embedder.encode([QUERY])
            latencies.append(time.perf_counter() - t)
        result["query_p50_ms"] = percentile(latencies, 0.5) * 1e3
        result["query_p95_ms"] = percentile(latencies, 0.95) * 1e3
        texts = segments(args.segments)
        result["segments"] = len(texts)
        for batch_size in (32, 64):
            t = time.perf_counter()
            vectors = embedder.encode(texts, batch_size=batch_size)
            result[f"batch{batch_size}_per_s"] = len(texts) / (time.perf_counter() - t)
            if batch_size == 32:
                np.save(args.child_vectors, vectors)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result), flush=True)


def run_child(backend: str, folder: Path | None, args, vectors: Path | None, load_only: bool) -> dict:
    command = [sys.executable, "-m", "bench.embedder", "--child", backend, "--child-folder", str(folder or ""),
               "--segments", str(args.segments)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if vectors:
        command += ["--child-vectors", str(vectors)]
    if load_only:
        command.append("--load-only")
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{backend} failed:\n{done.stderr[-3000:]}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return {**json.loads(line[len("RESULT "):]), "process_wall_s": wall}


# --- the parent ----------------------------------------------------------------------------------------------

def ensure_exports(base: Path) -> dict[str, Path]:
    from qa.embed import resolve_model
    from qa.embed.onnx import onnx_model_state
    from qa.settings import BUNDLED_MODEL

    model_path, _ = resolve_model(BUNDLED_MODEL)
    folders = {"onnx-fp32": base / "fp32", "onnx-int8": base / "int8"}
    for backend, folder in folders.items():
        if onnx_model_state(folder) is not None:
            # In a child process: the export imports torch, which must not linger in this one.
            code = ("from pathlib import Path; from qa.embed.onnx import export_onnx; "
                    f"export_onnx({model_path!r}, Path({str(folder)!r}), quantize={backend == 'onnx-int8'!r})")
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            print(f"exported {backend} to {folder} in {time.perf_counter() - started:.1f} s "
                  "(fresh process, torch import included)")
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.embedder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path,
                        help="keep the ONNX exports here (fp32/ and int8/); default a temp folder")
    parser.add_argument("--segments", type=int, default=2000, help="corpus sentences for the throughput runs")
    parser.add_argument("--threads", type=int, default=None,
                        help="onnxruntime intra-op threads (default: the embedder's)")
    parser.add_argument("--load-runs", type=int, default=3, help="fresh processes timed for import + load")
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="comma-separated subset of " + ", ".join(BACKENDS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-folder", help=argparse.SUPPRESS)
    parser.add_argument("--child-vectors", help=argparse.SUPPRESS)
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    import numpy as np

    backends = [b for b in args.backends.split(",") if b]
    temp = Path(tempfile.mkdtemp(prefix="reviewqa-bench-embedder-"))
    try:
        folders = ensure_exports(args.folder or temp) if any(b.startswith("onnx") for b in backends) else {}
        print(f"cpu cores available: {len(os.sched_getaffinity(0))}, load average now: "
              f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        results, vectors = {}, {}
        for backend in backends:
            folder = folders.get(backend)
            vectors[backend] = temp / f"{backend}.npy"
            results[backend] = run_child(backend, folder, args, vectors[backend], load_only=False)
            loads = [results[backend]["load_s"]] + [
                run_child(backend, folder, args, None, load_only=True)["load_s"] for _ in range(args.load_runs - 1)]
            results[backend]["load_median_s"] = statistics.median(loads)
            results[backend]["loads"] = loads
            print(f"{backend}: done", flush=True)

        print(f"\n{'backend':<22}{'import+load':>12}{'query p50':>11}{'p95':>9}{'batch 32':>11}{'batch 64':>11}"
              f"{'peak RSS':>10}")
        for backend, r in results.items():
            print(f"{backend:<22}{r['load_median_s']:>10.2f} s{r['query_p50_ms']:>8.2f} ms{r['query_p95_ms']:>6.2f} ms"
                  f"{r['batch32_per_s']:>7.0f} t/s{r['batch64_per_s']:>7.0f} t/s{r['peak_rss_mb']:>7.0f} MB")
        print(f"(import+load: median of {args.load_runs} fresh processes, each "
              + "; ".join(f"{b}: {', '.join(f'{x:.2f}' for x in r['loads'])} s" for b, r in results.items())
              + f"; throughput on {next(iter(results.values()))['segments']} corpus sentences, t/s = texts per second)")

        loaded = {b: np.load(p) for b, p in vectors.items() if p.exists()}
        pairs = [("onnx-fp32", "sentence-transformers"), ("onnx-int8", "sentence-transformers"),
                 ("onnx-int8", "onnx-fp32")]
        for a, b in pairs:
            if a in loaded and b in loaded:
                cosines = (loaded[a] * loaded[b]).sum(axis=1)
                print(f"cosine {a} vs {b}: min {cosines.min():.7f}, mean {cosines.mean():.7f}, "
                      f"1st percentile {np.percentile(cosines, 1):.7f}")
        print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
