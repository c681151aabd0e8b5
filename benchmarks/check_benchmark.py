"""Time of the rule engine and its peak memory on a stored scan.

    python3 benchmarks/check_benchmark.py --db /tmp/scan-100k.db [--crawl-scale 570] [--as-of 2026-11-20]

Runs `zwgk check` (all enabled rules) on the latest scan of --db in a child process and prints
its wall-clock seconds and peak RSS; then runs the rules once more in another child process with
each check timed, and prints the seconds per rule family (a result several rules share is
counted in the first rule that asks for it). With --crawl-scale and a --db that does not exist
yet, the database is made first by crawling the demo portal scaled on loopback (570 ≈ 100 000
documents; the pages come in about 10 minutes on 2 cores, but crawler.settle's column query walks
every column item for each document while the database has no statistics: that step runs for
hours at this size until ANALYZE has run). Keep the database outside the repository. Prints
figures; asserts nothing. The findings table of the scan is rewritten, as `zwgk check` does.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sqlite3
import subprocess
import sys
import time

# run in the second child: every check wrapped so that only the time spent inside it counts
TIMED_RUN = r"""
import json, sys, time
from datetime import date
from checks import CHECKS
from checks.engine import rules_for_run, run_checks

db, scan_id, as_of = sys.argv[1], int(sys.argv[2]), date.fromisoformat(sys.argv[3])
spent = {}

def timed(fn):
    def run(ctx, params):
        inner = fn(ctx, params)
        while True:
            started = time.perf_counter()
            try:
                finding = next(inner)
            except StopIteration:
                spent[fn.rule_id] = spent.get(fn.rule_id, 0.0) + time.perf_counter() - started
                return
            spent[fn.rule_id] = spent.get(fn.rule_id, 0.0) + time.perf_counter() - started
            yield finding
    run.rule_id = fn.rule_id
    return run

wrapped = {}
for rule_id, fn in list(CHECKS.items()):
    CHECKS[rule_id] = wrapped.setdefault(fn, timed(fn))
started = time.perf_counter()
findings = run_checks(db, scan_id, rules_for_run(), as_of, workers=1)
total = time.perf_counter() - started
print(json.dumps({"total": total, "spent": spent, "findings": len(findings)}))
"""


def serve(scale: int, port_queue) -> None:
    from zwgk.demo.server import serve_portal

    with serve_portal(scale=scale) as served:
        port_queue.put(served["v4"])
        while True:
            time.sleep(3600)


# the portal is on loopback, not a real site: no per-host politeness (zwgk's defaults are --per-host 2 --delay 0.5)
CRAWL_OPTIONS = ["--concurrency", "32", "--per-host", "32", "--delay", "0", "--max-depth", "20"]


def crawl(db: str, scale: int) -> None:
    """Crawl the demo portal scaled ``scale`` times into ``db`` (served by a child process)."""
    queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(scale, queue), daemon=True)
    server.start()
    try:
        base = queue.get(timeout=600)
        print(f"zwgk crawl options: --no-link-check {' '.join(CRAWL_OPTIONS)}", flush=True)
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "zwgk.cli", "crawl", base + "/", "--db", db, "--quiet", "--no-link-check",
                        *CRAWL_OPTIONS],
                       check=True, stdout=subprocess.DEVNULL, env={**os.environ, "CI": "1"})
        print(f"crawled the demo portal at scale {scale} into {db} in {time.monotonic() - started:.0f} s")
    finally:
        server.terminate()
        server.join(timeout=10)


def child_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="scan database (its latest scan is checked)")
    parser.add_argument("--as-of", default="2026-11-20", help="audit date (default: the demo portal's date)")
    parser.add_argument("--crawl-scale", type=int, help="make --db first, if it does not exist, by crawling the demo portal at this scale")
    args = parser.parse_args()
    if not os.path.exists(args.db):
        if not args.crawl_scale:
            parser.error(f"{args.db} does not exist (give --crawl-scale 570 to make it)")
        crawl(args.db, args.crawl_scale)

    with sqlite3.connect(args.db) as conn:
        scan_id = conn.execute("select max(id) from scans").fetchone()[0]
        docs = conn.execute("select count(*) from documents where scan_id = ?", (scan_id,)).fetchone()[0]
        pages = conn.execute("select count(*) from pages where scan_id = ?", (scan_id,)).fetchone()[0]
        links = conn.execute("select count(*) from links where scan_id = ?", (scan_id,)).fetchone()[0]
    print(f"scan {scan_id}: {docs} documents, {pages} pages, {links} links; database {os.path.getsize(args.db) / 2**20:.0f} MiB")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")

    env = {**os.environ, "CI": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "zwgk.cli", "check", "--db", args.db, "--scan", str(scan_id), "--as-of", args.as_of,
                    "--fail-on", "never"], check=True, stdout=subprocess.DEVNULL, env=env)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    peak = child_peak_mib()
    # on a shared machine the wall time grows with the load; the CPU time much less
    print(f"zwgk check: all rules in {seconds:.1f} s wall, {cpu:.1f} s CPU ({seconds * 10000 / max(docs, 1):.2f} s wall "
          f"per 10 000 documents); peak RSS {peak:.0f} MiB")

    out = subprocess.run([sys.executable, "-c", TIMED_RUN, args.db, str(scan_id), args.as_of],
                         check=True, capture_output=True, text=True, env=env).stdout
    timed = json.loads(out.strip().splitlines()[-1])
    families: dict[str, float] = {}
    for rule_id, spent in timed["spent"].items():
        family = rule_id.split(".")[0]
        families[family] = families.get(family, 0.0) + spent
    print(f"timed run: {timed['total']:.1f} s, {timed['findings']} findings; seconds per rule family:")
    for family, spent in sorted(families.items(), key=lambda item: -item[1]):
        print(f"  {family:<12} {spent:6.2f}")
    for rule_id, spent in sorted(timed["spent"].items(), key=lambda item: -item[1])[:8]:
        print(f"    {rule_id:<36} {spent:6.2f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
