"""Speed and memory of crawler.render: renders of a script-only list page in the system Chromium.

    python3 benchmarks/render_benchmark.py [--renders 20] [--concurrency 1] [--items 50]

A local HTTP server (127.0.0.1 only) serves a list page whose items exist only after its script
fetches a JSON list (``--items`` entries). One Renderer renders it ``--renders`` times from
``--concurrency`` caller threads; the first render (browser launch) is timed apart. While it runs,
a sampler reads /proc every 50 ms for the processes of the browser (its process group, plus the
Playwright driver): the peak of their summed RSS (which counts shared pages once per process, so it
overstates) and of their summed PSS (shared pages divided among the processes: the honest figure).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from http_site import page, serve  # noqa: E402
from crawler.render import Renderer  # noqa: E402

SCRIPT = """<ul id="list"></ul><script>
fetch("/api/list?page=1").then(r => r.json()).then(j => {
  document.getElementById("list").innerHTML = j.data.list.map(x => '<li><a href="' + x.link + '">' + x.title + '</a> ' + x.date + '</li>').join("");
});</script>"""


def site(items: int):
    listing = json.dumps({"data": {"total": items, "list": [
        {"title": f"关于第{i}项工作的通知", "link": f"/zwgk/tzgg/202603/t20260311_{i}.html", "date": "2026-03-11"}
        for i in range(items)]}}, ensure_ascii=False).encode()

    def answer(method, path, query, body):
        if path == "/list.html":
            return 200, {}, page("通知公告", SCRIPT), 0
        if path == "/api/list":
            return 200, {"Content-Type": "application/json; charset=utf-8"}, listing, 0
        return 404, {}, page("404", "not found"), 0
    return answer


def _descendants() -> dict[int, str]:
    """pid -> comm of every live descendant of this process."""
    parents, names = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text(errors="replace")
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        if rest[0] != "Z":
            parents[int(entry)] = int(rest[1])
            names[int(entry)] = stat[stat.index("(") + 1: stat.rindex(")")]
    me, found = os.getpid(), {}
    for pid in parents:
        p, hops = parents.get(pid), 0
        while p and p != me and hops < 64:
            p, hops = parents.get(p), hops + 1
        if p == me:
            found[pid] = names[pid]
    return found


def _kib(pid: int, path: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = 0  # KiB
        self.peak_processes = 0

    def run(self):
        while not self.stop.is_set():
            procs = _descendants()
            rss = sum(_kib(pid, "status", "VmRSS:") for pid in procs)
            pss = sum(_kib(pid, "smaps_rollup", "Pss:") for pid in procs)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.peak_processes = max(self.peak_processes, len(procs))
            self.stop.wait(0.05)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--renders", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=1, choices=(1, 2))
    ap.add_argument("--items", type=int, default=50)
    args = ap.parse_args()
    if not Renderer.available():
        print("Chromium or Playwright is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    with serve(site(args.items)) as server:
        url = server.base + "/list.html"
        sampler = Sampler()
        sampler.start()
        renderer = Renderer(lambda u: u.startswith(server.base + "/"), timeout=15, concurrency=args.concurrency)
        t0 = time.monotonic()
        first = renderer.render(url)
        launch = time.monotonic() - t0
        assert first.error is None and first.html.count("t20260311_") == args.items, (first.error, first.detail)
        results, lock = [], threading.Lock()
        todo = list(range(args.renders))

        def worker():
            while True:
                with lock:
                    if not todo:
                        return
                    todo.pop()
                result = renderer.render(url)
                with lock:
                    results.append(result)

        t1 = time.monotonic()
        workers = [threading.Thread(target=worker) for _ in range(args.concurrency)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        took = time.monotonic() - t1
        renderer.close()
        sampler.stop.set()
        sampler.join()
    ok = sum(1 for r in results if r.error is None and r.html.count("t20260311_") == args.items)
    times = sorted(r.elapsed_ms for r in results)
    print(f"renders: {len(results)} ok: {ok} concurrency: {args.concurrency} items/page: {args.items}")
    print(f"first render (browser launch included): {launch:.2f} s")
    print(f"renders/s: {len(results) / took:.2f}  (median {times[len(times) // 2]} ms, max {times[-1]} ms per render)")
    print(f"peak of Chromium + driver processes: RSS sum {sampler.peak_rss / 1024:.0f} MiB, "
          f"PSS sum {sampler.peak_pss / 1024:.0f} MiB, {sampler.peak_processes} processes")
    left = [pid for pid, name in _descendants().items() if "chrom" in name.lower()]
    print(f"Chromium processes left after close(): {len(left)}")
    return 0 if ok == len(results) and not left else 1


if __name__ == "__main__":
    sys.exit(main())
