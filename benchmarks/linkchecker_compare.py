"""zwgk against LinkChecker on the same large generated portal, in one run.

    pip install -e '.[bench]'          # linkchecker, psutil
    python3 benchmarks/linkchecker_compare.py [--docs 20000 100000] [--concurrency 16] [--keep DIR]

For each size a portal of that many documents (``benchmarks/big_portal.py``: TRS, plain and GBK
columns, 30–80 KB pages, attachments, off-site links) is served from a separate process on
127.0.0.1. Then, one after the other on the same server:

1. ``zwgk crawl`` (``--concurrency C --per-host C --delay 0``, ``--workers`` left at its default, the
   number of cores), ``zwgk check`` (all rules, no report files), ``zwgk report --format html``,
   each timed; then a second ``zwgk crawl`` of the same URL into the same database (a re-scan,
   conditional requests by default) and the bytes it made the server send relative to the first;
2. ``linkchecker`` with ``--threads C`` (the same number of requests in flight as zwgk's
   ``--concurrency C --per-host C`` against one host), unlimited recursion (``-r -1``), only the
   portal's host (external URLs are checked only when ``--check-extern`` is given) and its
   per-host rate limit lifted: ``maxrequestspersecond`` in the ``[checking]`` section of a config
   file passed with ``-f``, which LinkChecker honours above 10/s only for a host that answers with a
   ``LinkChecker`` header (the server sends one); without both it waits 0.1–0.6 s between
   requests to a host.

Printed for each tool: HTML pages (the server's count of 200 HTML answers, and the tool's own
count), all requests, wall seconds, pages/s, CPU seconds per 1 000 pages (user+sys of the tool's
whole process tree: getrusage(RUSAGE_CHILDREN), cross-checked by psutil sampling), peak RSS of the
process tree (psutil, every 0.2 s) and of its largest process, database or output size; the server's
own CPU; the ratios zwgk / LinkChecker. Targets of issue 10 (2-core machine): ≥ 3× LinkChecker's
pages/s, ≥ 2× its pages per CPU second, peak RSS < 300 MB at 100 000 documents, re-scan bytes < 10 %
of the first scan. Prints figures; asserts nothing; exits 0.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.big_portal import AS_OF, COUNTERS, OFFSITE_HOSTS, Portal, serve  # noqa: E402
from benchmarks.harness import ServerProcess, listening  # noqa: E402

MiB = 2**20


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "?")
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}  {os.cpu_count()} cores ({model}), "
            f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")


def _serve(docs: int, sock: socket.socket, counters) -> None:
    serve(Portal(docs), sock, counters)


class Server(ServerProcess):
    """The portal in its own process; ``counters`` are shared (requests, bytes, …)."""

    def __init__(self, docs: int):
        sock = listening()
        self.counters = multiprocessing.get_context("fork").Array("q", len(COUNTERS))
        super().__init__(_serve, (docs, sock, self.counters), [sock], "/robots.txt")
        self.port = self.ports[0]
        self.url = f"http://127.0.0.1:{self.port}/"

    def reset(self) -> float:
        with self.counters.get_lock():
            run = self.counters[COUNTERS.index("run")]
            for k in range(len(COUNTERS)):
                self.counters[k] = 0
            self.counters[COUNTERS.index("run")] = run + 1
        return self.cpu()

    def cpu(self) -> float:
        t = self.ps.cpu_times()
        return t.user + t.system

    def stats(self) -> dict:
        with self.counters.get_lock():
            return dict(zip(COUNTERS, self.counters[:]))


def run(cmd: list[str], env: dict, timeout: float, stdout=subprocess.DEVNULL) -> dict:
    """Run cmd in its own session; wall, CPU (whole tree), peak RSS (tree and single process); killed after timeout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty tool must never block on a full pipe
        proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=err, start_new_session=True)
        try:
            root = psutil.Process(proc.pid)
            peak_tree = peak_one = 0
            seen_cpu: dict[int, float] = {}
            timed_out = False
            while proc.poll() is None:
                try:
                    tree = [root] + root.children(recursive=True)
                except psutil.NoSuchProcess:
                    tree = []
                rss = []
                for p in tree:
                    try:
                        with p.oneshot():
                            rss.append(p.memory_info().rss)
                            t = p.cpu_times()
                            seen_cpu[p.pid] = t.user + t.system
                    except psutil.Error:
                        pass
                if rss:
                    peak_tree, peak_one = max(peak_tree, sum(rss)), max(peak_one, max(rss))
                if time.monotonic() - started > timeout:
                    timed_out = True
                    break
                time.sleep(0.2)
        finally:
            if proc.poll() is None:  # timed out or interrupted: the whole session goes
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        wall = time.monotonic() - started
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": max(cpu, sum(seen_cpu.values())), "cpu_rusage": cpu, "cpu_sampled": sum(seen_cpu.values()),
            "peak_tree": peak_tree, "peak_one": peak_one, "rc": proc.returncode, "timed_out": timed_out, "stderr": tail}


def measured(server: Server, cmd: list[str], env: dict, timeout: float, **kw) -> dict:
    cpu0 = server.reset()
    r = run(cmd, env, timeout, **kw)
    r["server"] = server.stats()
    r["server_cpu"] = server.cpu() - cpu0
    if r["rc"] not in (0, 1) or r["timed_out"] or (r["rc"] == 1 and cmd[0] != "linkchecker"):  # LinkChecker: 1 = broken links found
        print(f"    ! {cmd[0]} {cmd[1] if len(cmd) > 1 else ''}: exit {r['rc']}{' (timed out)' if r['timed_out'] else ''}: {r['stderr'][-600:]}")
    return r


def line(name: str, r: dict, pages: int, pages_tool: str, size: str) -> str:
    """One tool run; pages: the HTML pages the rates are computed on."""
    per_cpu = pages / r["cpu"] if r["cpu"] else 0.0
    srv = r["server"]
    return (f"  {name:26} {pages:>7} HTML pages (server: {srv['html_200']} HTML 200 of which {srv['html_repeat']} repeated, "
            f"{srv['not_modified']} 304, {srv['not_found']} 404, {srv['requests']} requests; tool: {pages_tool})\n"
            f"  {'':26} {r['wall']:7.1f} s wall, "
            f"{pages / r['wall']:6.0f} pages/s, {1000 * r['cpu'] / max(pages, 1):5.1f} CPU s per 1 000 pages "
            f"({per_cpu:.0f} pages per CPU s; rusage {r['cpu_rusage']:.1f} s, sampled {r['cpu_sampled']:.1f} s), "
            f"peak RSS {r['peak_tree'] / MiB:.0f} MiB tree / {r['peak_one'] / MiB:.0f} MiB largest process, {size}; "
            f"server CPU {r['server_cpu']:.1f} s, {r['server']['bytes'] / MiB:.0f} MiB sent")


def distinct(r: dict) -> int:
    """Distinct HTML pages the server answered 200 in this run."""
    return r["server"]["html_200"] - r["server"]["html_repeat"]


def zwgk_pages(db: Path, scan: int) -> tuple[int, str]:
    """(HTML pages, description) of a scan as zwgk stored it."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select count(*), sum(probe = 0 and content_type like 'text/html%'), sum(coalesce(error, '') != '') "
                            "from pages where scan_id = ?", (scan,)).fetchone()
        docs = conn.execute("select count(*) from documents where scan_id = ?", (scan,)).fetchone()[0]
    return rows[1] or 0, f"{rows[1] or 0} HTML pages of {rows[0]} rows, {rows[2] or 0} with an error, {docs} documents"


def db_size(db: Path) -> str:
    """The database (with its WAL) and the files zwgk keeps beside it (<name>.cache for re-scans, <name>.jobs for --resume)."""
    def size(paths) -> float:
        return sum(p.stat().st_size for p in paths if p.is_file()) / MiB
    beside = ", ".join(f"{d.name.rsplit('.', 1)[1]} {size(d.rglob('*')):.0f} MiB" for d in (db.with_suffix(".cache"), db.with_suffix(".jobs"))
                       if d.is_dir())
    return f"database {size(db.parent.glob(db.name + '*')):.0f} MiB" + (f" (beside it: {beside})" if beside else "")


def bench_size(docs: int, args, work: Path, env: dict) -> None:
    C = str(args.concurrency)
    portal = Portal(docs)
    print(f"\n== {docs} documents: {len(portal.columns)} columns "
          f"({sum(c.family == 'gbk' for c in portal.columns)} GBK, {sum(c.family == 'trs' for c in portal.columns)} TRS), "
          f"{sum(c.pages for c in portal.columns)} list pages; concurrency {C} ==", flush=True)
    with Server(docs) as server:
        db = work / f"zwgk-{docs}.db"
        resolve = [a for h in OFFSITE_HOSTS for a in ("--resolve", f"{h}:{server.port}:127.0.0.1")]
        # the portal is on loopback, not a real site: no per-host politeness (zwgk's defaults are --per-host 2 --delay 0.5)
        options = ["--concurrency", C, "--per-host", C, "--delay", "0", "--max-depth", "100"]
        print(f"zwgk crawl options: {' '.join(options)}", flush=True)
        crawl = [sys.executable, "-m", "zwgk.cli", "crawl", server.url, "--db", str(db), "--quiet", *options, *resolve]
        first = measured(server, crawl, env, args.timeout)
        print(line("zwgk crawl", first, distinct(first), zwgk_pages(db, 1)[1], db_size(db)), flush=True)
        check = measured(server, [sys.executable, "-m", "zwgk.cli", "check", "--db", str(db), "--as-of", AS_OF.isoformat(),
                                  "--fail-on", "never"], env, args.timeout)
        out = work / f"zwgk-report-{docs}"
        report = measured(server, [sys.executable, "-m", "zwgk.cli", "report", "--db", str(db), "--out", str(out), "--format", "html"],
                          env, args.timeout)
        report_size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) if out.exists() else 0
        for name, r in (("zwgk check (all rules)", check), ("zwgk report (html)", report)):
            print(f"  {name:26} {r['wall']:7.1f} s wall, {r['cpu']:.1f} CPU s, peak RSS {r['peak_tree'] / MiB:.0f} MiB"
                  + (f", report {report_size / MiB:.1f} MiB" if r is report else ""), flush=True)
        rescan = measured(server, crawl, env, args.timeout)
        print(line("zwgk re-scan (unchanged)", rescan, *zwgk_pages(db, 2), db_size(db)), flush=True)
        s1, s2 = first["server"], rescan["server"]
        print(f"  re-scan: {s2['requests']} requests ({s2['not_modified']} answered 304), {s2['bytes'] / MiB:.1f} MiB sent = "
              f"{100 * s2['bytes'] / max(s1['bytes'], 1):.1f} % of the first scan's {s1['bytes'] / MiB:.0f} MiB (target < 10 %)")
        total = first["wall"] + check["wall"] + report["wall"]
        print(f"  zwgk crawl + check + report: {first['wall']:.1f} + {check['wall']:.1f} + {report['wall']:.1f} = {total:.1f} s", flush=True)

        if shutil.which("linkchecker") is None:
            print("  LinkChecker: not installed (pip install -e '.[bench]')")
            return
        cfg = work / "linkcheckerrc"
        cfg.write_text(f"[checking]\nthreads={C}\nrecursionlevel=-1\nmaxrequestspersecond=100000\n"
                       "[output]\nstatus=0\nwarnings=0\n", encoding="utf-8")
        lc_out = work / f"linkchecker-{docs}.txt"
        with open(lc_out, "wb") as fh:
            lc = measured(server, ["linkchecker", "-f", str(cfg), "--threads", C, "-r", "-1", "--no-status", "--no-warnings",
                                   "-o", "text/utf-8", server.url], env, args.timeout, stdout=fh)
        text = lc_out.read_text("utf-8", "replace")
        m = re.search(r"(\d+) links? in (\d+) URLs? checked", text)
        errors = re.search(r"(\d+) errors? found", text)
        own = f"{m[2]} URLs ({m[1]} links), {errors[1] if errors else 0} errors" if m else "summary not found"
        print(line("LinkChecker", lc, distinct(lc), own, f"no database; output {lc_out.stat().st_size / 1024:.0f} KiB"), flush=True)
        zp, lp = distinct(first), distinct(lc)
        if zp != lp:
            print(f"  ! the tools fetched different HTML pages: zwgk {zp}, LinkChecker {lp}")
        speed = (zp / first["wall"]) / max(lp / lc["wall"], 1e-9)
        per_cpu = (zp / max(first["cpu"], 1e-9)) / max(lp / max(lc["cpu"], 1e-9), 1e-9)
        print(f"  zwgk / LinkChecker: pages/s × {speed:.2f} (target ≥ 3), pages per CPU second × {per_cpu:.2f} (target ≥ 2); "
              f"zwgk crawl peak RSS {first['peak_tree'] / MiB:.0f} MiB (target < 300 MB at 100 000 documents)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, nargs="+", default=[20000, 100000], help="portal sizes (documents)")
    ap.add_argument("--concurrency", type=int, default=16, help="zwgk --concurrency/--per-host and LinkChecker --threads")
    ap.add_argument("--timeout", type=float, default=4 * 3600, help="seconds after which one tool run is killed")
    ap.add_argument("--keep", type=Path, help="keep databases, reports and LinkChecker output in this directory")
    args = ap.parse_args()
    print(f"machine: {machine()}", flush=True)
    work = args.keep or Path(tempfile.mkdtemp(prefix="zwgk-lc-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CI": "1", "XDG_CONFIG_HOME": str(work / "xdg-config"), "XDG_DATA_HOME": str(work / "xdg-data")}
    try:
        for docs in args.docs:
            bench_size(docs, args, work, env)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
