"""What a re-scan of an unchanged site costs next to the first scan.

    python3 benchmarks/rescan_benchmark.py [--scale 20] [--audit]

Serves the demo portal scaled (20 ≈ 3 900 pages) from a separate process, answering like a static
web server: an ETag and Last-Modified on every page, 304 when the crawler's If-None-Match
matches. Crawls it twice into one database (`zwgk crawl`, the site's cache beside it) and prints,
for each scan, the body bytes the server sent, the 304s, the pages whose extraction was reused,
and the seconds; then the re-scan's bytes as a share of the first's. ``--audit`` runs the whole `zwgk audit`
instead (crawl, IPv6 step, the second look for cloaked pages, checks). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from pathlib import Path


def serve(scale: int, port_queue, sent, not_modified) -> None:
    import zwgk.demo.server as demo

    started = formatdate(time.time(), usegmt=True)
    asking = threading.local()  # the request this server thread answers

    class Conditional(demo._Handler):
        def _serve(self, method: str, with_body: bool = True) -> None:
            asking.headers, asking.with_body = self.headers, with_body
            super()._serve(method, with_body)

    def conditional(handle):
        def answer(method, path, query, body):
            status, headers, payload = handle(method, path, query, body)
            if status == 200 and method == "GET":
                etag = '"' + hashlib.blake2b(payload, digest_size=10).hexdigest() + '"'
                headers = {**headers, "ETag": etag, "Last-Modified": started}
                if asking.headers.get("If-None-Match") == etag:
                    status, payload = 304, b""
                    with not_modified.get_lock():
                        not_modified.value += 1
            if asking.with_body:
                with sent.get_lock():
                    sent.value += len(payload)
            return status, headers, payload
        return answer

    demo._Handler = Conditional
    with demo.serve_portal(scale=scale) as served:
        served["portal"].handle = conditional(served["portal"].handle)
        port_queue.put(served["v4"])
        while True:
            time.sleep(3600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=20, help="portal size multiplier (20 ≈ 3 900 pages)")
    parser.add_argument("--audit", action="store_true", help="zwgk audit (IPv6 step and checks too), not only zwgk crawl")
    args = parser.parse_args()

    queue, sent, not_modified = multiprocessing.Queue(), multiprocessing.Value("q", 0), multiprocessing.Value("q", 0)
    server = multiprocessing.Process(target=serve, args=(args.scale, queue, sent, not_modified), daemon=True)
    server.start()
    base = queue.get(timeout=120)
    workdir = tempfile.mkdtemp(prefix="zwgk-rescan-")
    # the portal is on loopback, not a real site: no per-host politeness (zwgk's defaults are --per-host 2 --delay 0.5)
    options = ["--per-host", "8", "--delay", "0"]
    command = ["audit", "--fail-on", "never", "--format", "json"] if args.audit else ["crawl"]
    print(f"zwgk {command[0]} options: {' '.join(options)}", flush=True)
    try:
        db = os.path.join(workdir, "rescan.db")
        figures = []
        for name in ("first scan", "re-scan"):
            sent.value = not_modified.value = 0
            started = time.monotonic()
            out = ["--out", os.path.join(workdir, "out")] if args.audit else []
            subprocess.run([sys.executable, "-m", "zwgk.cli", command[0], base + "/", *command[1:], *out, "--db", db, "--quiet",
                            *options], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "CI": "1"})
            figures.append((name, time.monotonic() - started, sent.value, not_modified.value))
        (cache,) = Path(workdir, "rescan.cache").glob("*.db")
        with sqlite3.connect(cache) as conn:
            stats = [json.loads(s) for (s,) in conn.execute("select stats from scan_stats order by rowid")]
        with sqlite3.connect(db) as conn:
            pages = conn.execute("select count(*) from pages where scan_id = 2").fetchone()[0]
        print(f"site: demo portal --scale {args.scale}, {pages} pages per scan")
        for (name, seconds, body_bytes, n304), scan in zip(figures, stats):
            print(f"{name:10} {seconds:7.1f} s  {body_bytes / 1e6:9.2f} MB of bodies  {n304:6} × 304  "
                  f"extractions reused {scan['zwgk/extract_memo_hit']}, parsed {scan['zwgk/extract_memo_miss']}")
        print(f"re-scan bytes / first scan bytes: {figures[1][2] / figures[0][2]:.1%}")
    finally:
        server.terminate()
        server.join(5)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
