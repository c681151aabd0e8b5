"""Crawl throughput and memory, and rule-engine time, on a large generated portal on loopback.

    python3 benchmarks/crawl_benchmark.py [--scale 114] [--workers 1 2] [--linkchecker]

Serves the demo portal scaled to about 20 000 documents from a separate process, crawls it
with `zwgk crawl` once per --workers value, and prints pages/second, CPU seconds per 1 000 pages
and peak memory of the crawler's whole process tree (parse workers included), the server's CPU
and the database size; then times `zwgk check` on that scan and prints seconds per 10 000
documents. With
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

import psutil


def serve(scale: int, port_queue) -> None:
    from zwgk.demo.server import serve_portal

    with serve_portal(scale=scale) as served:
        port_queue.put(served["v4"])
        while True:
            time.sleep(3600)


def run(cmd: list[str], check: bool = True) -> tuple[float, float, int]:
    """(seconds, CPU seconds of the child's process tree, peak RSS in MiB of that tree, sampled every 0.1 s)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "CI": "1"})
    root, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree))
        except psutil.Error:
            pass  # a process ended between the listing and the reading
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    if check and proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime  # children reaped in the tree count
    return elapsed, cpu, peak // 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=114, help="portal size multiplier (114 ≈ 20 000 documents)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, os.cpu_count() or 1], help="zwgk crawl --workers values")
    parser.add_argument("--linkchecker", action="store_true", help="also time LinkChecker on the same site")
    args = parser.parse_args()

    queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(args.scale, queue), daemon=True)
    server.start()
    base = queue.get(timeout=120)
    served = psutil.Process(server.pid)
    workdir = tempfile.mkdtemp(prefix="zwgk-bench-")
    # the portal is on loopback, not a real site: no per-host politeness (zwgk's defaults are --per-host 2 --delay 0.5)
    options = ["--no-link-check", "--concurrency", str(args.concurrency), "--per-host", str(args.concurrency), "--delay", "0",
               "--max-depth", "20"]
    print(f"zwgk crawl options: {' '.join(options)} --workers {'/'.join(map(str, args.workers))}", flush=True)
    try:
        for run_no, workers in enumerate(args.workers):
            db = os.path.join(workdir, f"bench-{run_no}.db")  # a fresh database and site cache for every run
            cmd = [sys.executable, "-m", "zwgk.cli", "crawl", base + "/", "--db", db, "--quiet", *options, "--workers", str(workers)]
            server_cpu = sum(served.cpu_times()[:2])
            seconds, cpu, peak = run(cmd)
            server_cpu = sum(served.cpu_times()[:2]) - server_cpu
            with sqlite3.connect(db) as conn:
                pages = conn.execute("select count(*) from pages").fetchone()[0]
                docs = conn.execute("select count(*) from documents").fetchone()[0]
                items = conn.execute("select count(*) from column_items").fetchone()[0]
            print(f"zwgk crawl --workers {workers}: {pages} pages ({docs} documents, {items} column items) in {seconds:.1f} s "
                  f"= {pages / seconds:.0f} pages/s; {1000 * cpu / pages:.2f} CPU s per 1 000 pages (process tree; "
                  f"server {1000 * server_cpu / pages:.2f}); peak RSS {peak} MiB (tree); "
                  f"database {os.path.getsize(db) / 2**20:.0f} MiB; load {os.getloadavg()[0]:.1f}", flush=True)
        check_seconds, _, check_peak = run([sys.executable, "-m", "zwgk.cli", "check", "--db", db, "--as-of", "2026-11-20", "--fail-on", "never"])
        print(f"zwgk check: all rules in {check_seconds:.1f} s = {check_seconds * 10000 / max(docs, 1):.1f} s per 10 000 documents "
              f"(peak RSS {check_peak} MiB)")
        if args.linkchecker:
            if shutil.which("linkchecker") is None:
                print("linkchecker: not installed (pip install linkchecker)")
            else:
                lc_seconds, lc_cpu, lc_peak = run(["linkchecker", "--no-status", "--no-warnings", "-o", "none", "-r", "20", base + "/"], check=False)  # exit 1: it found broken links
                print(f"LinkChecker: same site in {lc_seconds:.1f} s = {pages / lc_seconds:.0f} pages/s, "
                      f"{1000 * lc_cpu / pages:.2f} CPU s per 1 000 pages (peak RSS {lc_peak} MiB)")
    finally:
        server.terminate()
        server.join(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
