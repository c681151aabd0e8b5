"""Crawl throughput and memory, and rule-engine time, on a large generated portal on loopback.

    python3 benchmarks/crawl_benchmark.py [--scale 114] [--linkchecker]

Serves the demo portal scaled to about 20 000 documents from a separate process, crawls it
with `zwgk crawl`, and prints pages/second, peak memory of the crawler and the database size;
then times `zwgk check` on that scan and prints seconds per 10 000 documents. With
--linkchecker (pip install linkchecker) the same site is also checked by LinkChecker with its
default settings for comparison. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time


def serve(scale: int, port_queue) -> None:
    from zwgk.demo.server import serve_portal

    with serve_portal(scale=scale) as served:
        port_queue.put(served["v4"])
        while True:
            time.sleep(3600)


def run(cmd: list[str]) -> tuple[float, int]:
    """(seconds, peak RSS in MiB of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "CI": "1"})
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=114, help="portal size multiplier (114 ≈ 20 000 documents)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--linkchecker", action="store_true", help="also time LinkChecker on the same site")
    args = parser.parse_args()

    queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(args.scale, queue), daemon=True)
    server.start()
    base = queue.get(timeout=120)
    workdir = tempfile.mkdtemp(prefix="zwgk-bench-")
    try:
        db = os.path.join(workdir, "bench.db")
        cmd = [sys.executable, "-m", "zwgk.cli", "crawl", base + "/", "--db", db, "--quiet", "--no-link-check",
               "--concurrency", str(args.concurrency), "--per-host", str(args.concurrency), "--max-depth", "20"]
        seconds, peak = run(cmd)
        with sqlite3.connect(db) as conn:
            pages = conn.execute("select count(*) from pages").fetchone()[0]
            docs = conn.execute("select count(*) from documents").fetchone()[0]
            items = conn.execute("select count(*) from column_items").fetchone()[0]
        print(f"zwgk crawl: {pages} pages ({docs} documents, {items} column items) in {seconds:.1f} s "
              f"= {pages / seconds:.0f} pages/s; crawler peak RSS {peak} MiB; database {os.path.getsize(db) / 2**20:.0f} MiB")
        check_seconds, check_peak = run([sys.executable, "-m", "zwgk.cli", "check", "--db", db, "--as-of", "2026-11-20", "--fail-on", "never"])
        print(f"zwgk check: all rules in {check_seconds:.1f} s = {check_seconds * 10000 / max(docs, 1):.1f} s per 10 000 documents "
              f"(peak RSS {check_peak} MiB)")
        if args.linkchecker:
            if shutil.which("linkchecker") is None:
                print("linkchecker: not installed (pip install linkchecker)")
            else:
                lc_seconds, lc_peak = run(["linkchecker", "--no-status", "--no-warnings", "-o", "none", "-r", "20", base + "/"])
                print(f"LinkChecker: same site in {lc_seconds:.1f} s = {pages / lc_seconds:.0f} pages/s (peak RSS {lc_peak} MiB)")
    finally:
        server.terminate()
        server.join(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
