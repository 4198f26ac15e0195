"""Load and fault benchmark of the server: N concurrent clients on the REST API (the one search
contract), optionally while a rebuild or an add commits a new index generation.

    # A copy of the shipped collection, built once (never the user's data folder):
    mkdir -p /tmp/rq-bench/root/corpus && cp qa/data/reviews.jsonl /tmp/rq-bench/root/corpus/
    .venv/bin/reviewqa --root /tmp/rq-bench/root build
    # Start a server on it, 16 clients x 50 queries:
    .venv/bin/python -m bench.load --root /tmp/rq-bench/root --api rest --clients 16 --queries 50
    # A live swap under load: `reviewqa build --force` (or `add`) in another process while 8 clients search.
    .venv/bin/python -m bench.load --root /tmp/rq-bench/root --api rest --clients 8 --swap rebuild
    .venv/bin/python -m bench.load --root /tmp/rq-bench/root --api rest --clients 8 --swap add
    # Memory: RSS after 5,000 requests against the warm figure.
    .venv/bin/python -m bench.load --root /tmp/rq-bench/root --api rest --clients 16 --queries 313

Prints p50, p95, max latency, throughput, errors, and the server's RSS warm (after a warm-up) and after
the run. With --swap: the time from the commit (CURRENT replaced) to the first response carrying the new
generation, and (add) to the first response with the added document. Loopback only; every count and
the run time are bounded (--max-seconds). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import string
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.latency import percentile, questions

ROOT = Path(__file__).resolve().parent.parent
REVIEWQA = ROOT / ".venv" / "bin" / "reviewqa"
MAX_CLIENTS = 64
MAX_QUERIES = 2000
# The word the added document carries: new each run (in no review, nor in a document an earlier run added).
UNIQUE = "quizz" + "".join(random.choice(string.ascii_lowercase) for _ in range(8))

FILTERS = [{}, {}, {"year_from": 2021}, {"nation": "England"}, {"year_from": 2019, "year_to": 2020}, {},
           {"age_group": "teenagers (13-17)"}, {}]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: list[tuple[float, int, bool]] = field(default_factory=list)   # (time, generation, has the added doc)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, seconds: float, generation: int, added: bool) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.seen.append((time.time(), generation, added))

    def fail(self, what: str) -> None:
        with self.lock:
            self.errors.append(what[:200])


# --- the two APIs ---------------------------------------------------------------------------------------

def rest_search(http: httpx.Client, question: str, filters: dict) -> dict:
    response = http.get("/api/search", params={"q": question, "k": 10, **filters})
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:120]}")
    return response.json()


def client(url: str, api: str, index: int, count: int | None, stop: threading.Event, tally: Tally,
           deadline: float, probe: bool = False) -> None:
    search = rest_search
    pool = questions()
    with httpx.Client(base_url=url, timeout=60, headers={"x-session": uuid.uuid4().hex[:11]}) as http:
        n = 0
        while (count is None or n < count) and not stop.is_set() and time.monotonic() < deadline:
            question = pool[(index * 7 + n) % len(pool)]
            filters = FILTERS[(index + n) % len(FILTERS)]
            if probe and n % 4 == 3:
                question, filters = f"{UNIQUE} child", {}   # finds the added document once it is served
            started = time.perf_counter()
            try:
                record = search(http, question, filters)
                added = any(UNIQUE in json.dumps(r).lower() for r in record["results"])
                tally.ok(time.perf_counter() - started, record["generation"], added)
            except Exception as error:  # noqa: BLE001 - every failure is counted and shown
                tally.fail(f"{type(error).__name__}: {error}")
            n += 1


# --- the server ------------------------------------------------------------------------------------------

def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(root: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "REVIEWQA_ROOT": str(root)}
    env.pop("REVIEWQA_API_TOKEN", None)
    return subprocess.Popen([str(REVIEWQA), "--root", str(root), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--no-build"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_ready(url: str, server: subprocess.Popen | None, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server exited: {server.stderr.read()[-2000:]}")
        try:
            response = httpx.get(url + "/api/health", timeout=5)
            if response.status_code == 200:
                return response.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server was not ready in time")


def current_generation(root: Path) -> str:
    try:
        return (root / "index" / "CURRENT").read_text().strip()
    except OSError:
        return ""


def watch_commits(root: Path, stop: threading.Event, commits: list[tuple[float, str]]) -> None:
    """Poll CURRENT every 5 ms; record when its content changes (the commit)."""
    last = current_generation(root)
    while not stop.is_set():
        now = current_generation(root)
        if now and now != last:
            commits.append((time.time(), now))
            last = now
        time.sleep(0.005)


def swap_command(kind: str, root: Path, folder: Path) -> list[str]:
    base = [str(REVIEWQA), "--root", str(root)]
    if kind == "rebuild":
        return base + ["build", "--force", "--quiet"]
    # A new text each run (UNIQUE), so the add always commits; it replaces the document an earlier run added
    # (same file name). It changes the collection under --root: run this on a copy.
    document = folder / "quizzacious-review.txt"
    document.write_text(
        "2024 – Testborough – Child Quizzacious\n\nA local child safeguarding practice review.\n\n"
        f"The child was described by teachers as {UNIQUE} and often absent. Agencies did not share information "
        "about the absences, and the safeguarding referral was delayed. Learning: schools should escalate "
        f"repeated absence promptly; practitioners should record {UNIQUE} behaviour and its context.\n",
        encoding="utf-8")
    return base + ["add", str(document), "--year", "2024", "--area", "Testborough", "--title",
                   "2024 – Testborough – Child Quizzacious", "--quiet"]


# --- the run -------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, help="a built collection folder; a server is started on it")
    parser.add_argument("--url", help="use a running server instead (then give --pid for RSS)")
    parser.add_argument("--pid", type=int, help="the running server's process id (with --url)")
    parser.add_argument("--port", type=int, default=7871)
    parser.add_argument("--api", choices=("rest",), default="rest", help="the API to load (REST; the app's own "
                        "events are private to its page)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--queries", type=int, default=50, help="per client (without --swap)")
    parser.add_argument("--warmup", type=int, default=10,
                        help="requests per client before the warm RSS figure (not counted)")
    parser.add_argument("--swap", choices=("none", "rebuild", "add"), default="none",
                        help="commit a new generation from another process while the clients run")
    parser.add_argument("--max-seconds", type=float, default=600, help="stop the clients after this long")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.queries <= MAX_QUERIES:
        raise SystemExit(f"--clients must be 1-{MAX_CLIENTS} and --queries 1-{MAX_QUERIES}")
    if (args.root is None) == (args.url is None):
        raise SystemExit("give --root (a server is started) or --url (a running server)")
    if args.url and not args.url.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:")):
        raise SystemExit("loopback only: --url must be http://127.0.0.1:PORT")
    if args.swap != "none" and args.root is None:
        raise SystemExit("--swap needs --root (the collection the server and the swap share)")

    server = start_server(args.root.resolve(), args.port) if args.root else None
    url = args.url or f"http://127.0.0.1:{args.port}"
    pid = server.pid if server else args.pid
    try:
        started = time.monotonic()
        health = wait_ready(url, server)
        print(f"server ready in {time.monotonic() - started:.1f} s: generation {health['generation']}, "
              f"{health['reviews']} reviews, {health['passages']} passages, model {health['model']}; "
              f"load average before the run {os.getloadavg()[0]:.2f} (other processes share the cores)")
        # Warm up with the same number of clients, so that the warm figure includes what concurrency costs.
        warm = Tally()
        warmers = [threading.Thread(target=client, args=(url, args.api, i, args.warmup, threading.Event(), warm,
                                                         time.monotonic() + 120)) for i in range(args.clients)]
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join()
        if warm.errors:
            print(f"{len(warm.errors)} errors while warming up, e.g. {warm.errors[0]}")
        rss_warm = rss_mb(pid) if pid else float("nan")

        tally, stop, commits = Tally(), threading.Event(), []
        deadline = time.monotonic() + args.max_seconds
        count = None if args.swap != "none" else args.queries
        threads = [threading.Thread(target=client, args=(url, args.api, i, count, stop, tally, deadline,
                                                         args.swap == "add"))
                   for i in range(args.clients)]
        watcher = threading.Thread(target=watch_commits, args=(args.root, stop, commits)) if args.root else None
        swap_seconds = swap_rc = None
        t0 = time.perf_counter()
        if watcher:
            watcher.start()
        for thread in threads:
            thread.start()
        if args.swap != "none":
            time.sleep(2.0)  # the clients first, then the swap under load
            with tempfile.TemporaryDirectory(prefix="reviewqa-bench-") as folder:
                command = swap_command(args.swap, args.root.resolve(), Path(folder))
                swap_started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True,
                                      env={**os.environ, "HF_HUB_OFFLINE": "1"},
                                      timeout=max(10.0, deadline - time.monotonic()))
                swap_seconds, swap_rc = time.perf_counter() - swap_started, done.returncode
                if done.returncode != 0:
                    print(f"the {args.swap} failed: {done.stderr[-1000:]}")
            # Keep the load on until the new generation has been served for a while.
            time.sleep(3.0)
            stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - t0
        stop.set()
        if watcher:
            watcher.join()
        rss_after = rss_mb(pid) if pid else float("nan")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    lat = sorted(tally.latencies)
    figures = {
        "api": args.api, "clients": args.clients, "requests": len(lat) + len(tally.errors), "errors": len(tally.errors),
        "p50_ms": round(1000 * statistics.median(lat), 1) if lat else None,
        "p95_ms": round(1000 * percentile(lat, 0.95), 1) if lat else None,
        "max_ms": round(1000 * lat[-1], 1) if lat else None,
        "throughput_qps": round(len(lat) / elapsed, 1), "seconds": round(elapsed, 1),
        "rss_warm_mb": round(rss_warm, 1), "rss_after_mb": round(rss_after, 1),
        "rss_change_pct": round(100 * (rss_after - rss_warm) / rss_warm, 1) if rss_warm == rss_warm else None,
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    if args.swap != "none":
        figures.update(swap=args.swap, swap_seconds=round(swap_seconds or 0, 1), swap_exit=swap_rc)
        if commits:
            commit_time, name = commits[-1]
            new_generation = int(name)
            served = [t for t, g, _ in tally.seen if g >= new_generation]
            figures["commit_to_new_generation_s"] = round(min(served) - commit_time, 3) if served else None
            if args.swap == "add":
                found = [t for t, g, added in tally.seen if added]
                figures["commit_to_added_document_s"] = round(min(found) - commit_time, 3) if found else None
            mixed = [1 for _, g, added in tally.seen if added and g < new_generation]
            figures["mixed_responses"] = len(mixed)
            figures["generations_served"] = sorted({g for _, g, _ in tally.seen})
        else:
            figures["commit_to_new_generation_s"] = None
            print("no commit was seen (did the swap fail?)")

    print()
    print(f"{'api':<8}{'clients':>8}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'q/s':>8}"
          f"{'RSS warm':>10}{'RSS after':>11}{'change':>8}")
    def cell(value) -> str:
        return "-" if value is None else str(value)

    print(f"{figures['api']:<8}{figures['clients']:>8}{figures['requests']:>10}{figures['errors']:>8}"
          f"{cell(figures['p50_ms']):>9}{cell(figures['p95_ms']):>9}{cell(figures['max_ms']):>9}"
          f"{figures['throughput_qps']:>8}{figures['rss_warm_mb']:>9.0f}M{figures['rss_after_mb']:>10.0f}M"
          f"{cell(figures['rss_change_pct']):>7}%")
    if args.swap != "none":
        print(f"\n{args.swap}: {figures['swap_seconds']} s (exit {figures['swap_exit']}); commit -> first response "
              f"from the new generation: {figures.get('commit_to_new_generation_s')} s"
              + (f"; commit -> added document served: {figures.get('commit_to_added_document_s')} s"
                 if args.swap == "add" else "")
              + f"; generations served: {figures.get('generations_served')}; mixed responses: "
                f"{figures.get('mixed_responses')}")
    if tally.errors:
        print("\nerrors (first 5):")
        for error in tally.errors[:5]:
            print("  " + error)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
