"""`zwgk batch` on many generated sites at once, each answering with a realistic latency.

    pip install -e '.[bench]'          # psutil
    python3 benchmarks/batch_benchmark.py [--sites 20] [--docs 300] [--latency 0.15] [--parallel N]
                                          [--delay 0.5] [--per-host 2] [--cpu-bound-probe] [--timeout 3600] [--keep DIR]

N sites, each its own ``benchmarks/big_portal.py`` portal (seed i, documents ``--docs`` ± 20 %), are
served by ONE asyncio process, each on its own 127.0.0.1 port; every answer waits ``--latency``
seconds (``asyncio.sleep``: no thread is held while waiting). Each site gets its own host name
(``siteNNN.bench.test``) and the portal's off-site hosts (``OFFSITE_HOSTS``) are pinned to the
server with ``--resolve``, so nothing leaves 127.0.0.1; ``--ip-urls`` uses ``http://127.0.0.1:PORT/``
instead. Then one ``zwgk batch run`` over all of them with polite settings (``--delay``, ``--per-host``,
printed), ``--allow-private`` (the sites are on loopback), ``--no-ipv6`` (its DNS and IPv6
measurements need the network), ``--fail-on never`` (exit 1 then means a site was not audited).

While it runs, every 0.5 s: RSS summed over the batch's process tree (psutil) → peak; CPU time of
every process seen; the sites in status ``running`` in ``batch_sites`` (SQLite opened read-only)
→ peak and mean. CPU seconds = max(getrusage(RUSAGE_CHILDREN) difference, sum of the per-process
maxima sampled) — the first counts only finished descendants that were waited for (Chromium's
are not). Pages = rows of ``pages`` in the batch's database (new for each run, so all its scans are
the batch's). Peak PSS (every 2 s) is printed beside peak RSS, which counts shared pages once per process.
Sites at once is also given as sites between their scan's start and their finish, and as sites
whose host got a request in the last 2 s: a site can be ``running`` in ``batch_sites`` while it
still waits for a free slot.

Politeness bound: a host's requests are spaced by ``--delay`` on average (a Scrapy download slot's
DOWNLOAD_DELAY) whatever ``--per-host``, and at most
``--per-host`` are in flight, each taking ``--latency``; so a site of R requests to its own host
needs at least R × max(delay, latency ÷ per-host) + latency seconds. R is counted by the server.
The bound is that of the slowest site; the batch cannot finish sooner.

``--cpu-bound-probe`` also runs one site (``--docs`` documents) with ``--delay 0 --per-host 16`` and
no latency, where the CPU is the limit, and compares the batch's pages per CPU second with it.
Targets (issue text): 100 sites at once within 8 GB; ≥ 80 % of the CPU-bound page rate; wall time
within 1.2× the politeness bound when the CPU is not the limit. Prints figures; asserts nothing; exits 0,
1 when a run was killed by ``--timeout``, 2 on a bad argument, 130 on Ctrl-C (server and batch stopped).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
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
from email.utils import format_datetime
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.big_portal import AS_OF, OFFSITE_HOSTS, Portal, unchanged  # noqa: E402
from benchmarks.harness import OneLineParser, ServerProcess, listening, stop_on_sigterm  # noqa: E402

MiB = 2**20
SAMPLE = 0.5          # seconds between samples
PSS_EVERY = 4         # PSS on every 4th sample only
ACTIVE = 2.0          # a site "receives requests" when its host got one in the last 2 s
REQ, HTML, OFF = range(3)  # per-site counters: requests to its own host, HTML 200 of those, requests to off-site hosts


# ---------------------------------------------------------------------------------------- server
def respond(portal: Portal, method: str, path: str, host: str, headers: dict, port: int) -> tuple[bytes, int, bool]:
    """(raw answer, status, HTML 200?) — big_portal._Handler's answer: ETag/Last-Modified, 304 on a match."""
    page = portal.get(path, host)
    status, body, ctype = page.status, page.body, page.content_type
    html = False
    if method not in ("GET", "HEAD"):
        status, body, ctype = 501, b"", "text/plain"
    elif status == 200:
        if unchanged(page, headers.get("if-none-match"), headers.get("if-modified-since")):
            status, body = 304, b""
        elif page.where is not None:
            body, ctype = portal.body(path, page.where, port)
            html = ctype.startswith("text/html")
    reason = {200: "OK", 304: "Not Modified", 404: "Not Found", 501: "Not Implemented"}[status]
    lines = [f"HTTP/1.1 {status} {reason}", "Server: big-portal/1"]
    if status != 304:
        lines += [f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
    if status in (200, 304):
        lines += [f"ETag: {page.etag}", f"Last-Modified: {format_datetime(page.last_modified, usegmt=True)}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if method == "HEAD" else body)
    return raw, status, html


async def _connection(reader, writer, portal: Portal, port: int, latency: float, counters, k: int) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request, *rest = head.decode("latin-1").split("\r\n")
            parts = request.split(" ")
            if len(parts) != 3:
                break
            method, target, version = parts
            headers = {}
            for line in rest:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if length:
                await reader.readexactly(length)
            if latency:
                await asyncio.sleep(latency)
            host = headers.get("host", "").rsplit(":", 1)[0].lower()
            if target.startswith(("http://", "https://")):  # absolute form
                target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
            path = target.split("?", 1)[0].split("#", 1)[0]
            raw, status, html = respond(portal, method, path, host, headers, port)
            offsite = host in OFFSITE_HOSTS
            counters[3 * k + (OFF if offsite else REQ)] += 1
            if html and not offsite:
                counters[3 * k + HTML] += 1
            writer.write(raw)
            await writer.drain()
            if headers.get("connection", "").lower() == "close" or version == "HTTP/1.0":
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


def _serve(portals: list[Portal], socks: list[socket.socket], latency: float, counters) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops this process (Ctrl-C reaches the whole group)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    async def main() -> None:
        servers = []
        for k, (portal, sock) in enumerate(zip(portals, socks)):
            port = sock.getsockname()[1]

            async def cb(r, w, portal=portal, port=port, k=k):
                await _connection(r, w, portal, port, latency, counters, k)
            servers.append(await asyncio.start_server(cb, sock=sock, limit=256 * 1024))
        await asyncio.Event().wait()

    asyncio.run(main())


class Server(ServerProcess):
    """N portals in one process, each on its own 127.0.0.1 port; stopped on exit, also on failure."""

    def __init__(self, portals: list[Portal], latency: float):
        socks = [listening() for _ in portals]
        self.counters = multiprocessing.get_context("fork").Array("q", 3 * len(portals), lock=False)  # one writer
        super().__init__(_serve, (portals, socks, latency, self.counters), socks, "/robots.txt")

    def __enter__(self) -> "Server":
        super().__enter__()
        for k in range(len(self.counters)):  # the first answer is not the crawl's
            self.counters[k] = 0
        return self

    def site(self, k: int) -> tuple[int, int, int]:
        return tuple(self.counters[3 * k: 3 * k + 3])


# ---------------------------------------------------------------------------------------- the batch
def sites_of(n: int, docs: int) -> list[Portal]:
    """Site i: seed i + 1, documents within ±20 % of docs (deterministic)."""
    return [Portal(docs=max(20, round(docs * (0.8 + 0.4 * ((i * 37) % 101) / 100))), seed=i + 1) for i in range(n)]


def write_sites(path: Path, ports: list[int], ip_urls: bool) -> tuple[list[str], list[str]]:
    """sites.yaml; (the sites' URLs, the --resolve options that pin every name used to 127.0.0.1)."""
    urls, resolve = [], []
    for k, port in enumerate(ports):
        host = "127.0.0.1" if ip_urls else f"site{k:03d}.bench.test"
        urls.append(f"http://{host}:{port}/")
        if not ip_urls:
            resolve += ["--resolve", f"{host}:{port}:127.0.0.1"]
        resolve += [a for h in OFFSITE_HOSTS for a in ("--resolve", f"{h}:{port}:127.0.0.1")]
    lines = ["sites:"] + [f'  - {{name: "基准站{k:03d}", url: "{u}", code: "{3508100000 + k}"}}' for k, u in enumerate(urls)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return urls, resolve


def read_db(db: Path, query: str, args: tuple = ()) -> list:
    """Rows of a read-only query; [] while the database or the table does not exist yet or is locked."""
    if not db.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        try:
            return conn.execute(query, args).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []


RUNNING = 'select count(*) from batch_sites where status = \'running\' and batch_id = (select id from batches order by created_at desc limit 1)'


def run_batch(cmd: list[str], env: dict, db: Path, timeout: float, log: Path, requests) -> dict:
    """Run cmd in its own session and sample it; killed (process group) after timeout. requests(): the
    server's per-site request counts, sampled into a timeline."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    peak_rss = peak_pss = peak_one = 0
    timeline: list[tuple[float, list[int]]] = []
    seen_cpu: dict[int, float] = {}
    at_once: list[int] = []
    timed_out = False
    with open(log, "wb") as out:  # a file, not a pipe: a chatty run never blocks on a full pipe
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            root = psutil.Process(proc.pid)
            while proc.poll() is None:
                try:
                    tree = [root] + root.children(recursive=True)
                except psutil.NoSuchProcess:
                    tree = []
                rss, pss = [], 0
                with_pss = len(timeline) % PSS_EVERY == 0  # reading smaps_rollup costs the kernel a page-table walk
                for p in tree:
                    try:
                        with p.oneshot():
                            rss.append(p.memory_info().rss)
                            if with_pss:
                                pss += p.memory_full_info().pss  # shared pages divided among their sharers
                            t = p.cpu_times()
                            seen_cpu[(p.pid, p.create_time())] = t.user + t.system
                    except psutil.Error:
                        pass  # ended between the listing and the reading
                if rss:
                    peak_rss, peak_one, peak_pss = max(peak_rss, sum(rss)), max(peak_one, max(rss)), max(peak_pss, pss)
                timeline.append((time.time(), requests()))
                row = read_db(db, RUNNING)
                if row:
                    at_once.append(row[0][0])
                if time.monotonic() - started > timeout:
                    timed_out = True
                    break
                time.sleep(SAMPLE)
        finally:
            if proc.poll() is None:  # timed out or interrupted: the whole session goes
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.wait(timeout=60)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_rusage = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    me = resource.getrusage(resource.RUSAGE_SELF)
    sampler = (me.ru_utime - own.ru_utime) + (me.ru_stime - own.ru_stime)
    return {"wall": wall, "cpu": max(cpu_rusage, sum(seen_cpu.values())), "cpu_rusage": cpu_rusage,
            "cpu_sampled": sum(seen_cpu.values()), "peak_rss": peak_rss, "peak_pss": peak_pss, "peak_one": peak_one, "timeline": timeline, "rc": proc.returncode,
            "timed_out": timed_out, "at_once": at_once, "sampler_cpu": sampler}


def batch_figures(db: Path) -> dict:
    """Statuses of the batch's sites and the pages their scans stored."""
    rows = read_db(db, "select b.position, b.status, b.scan_id, b.started_at, b.finished_at, s.started_at, s.finished_at "
                       "from batch_sites b left join scans s on s.id = b.scan_id "
                       "where b.batch_id = (select id from batches order by created_at desc limit 1)")
    statuses: dict[str, int] = {}
    for _, status, *_ in rows:
        statuses[status] = statuses.get(status, 0) + 1
    times = {r[0]: r[3:] for r in rows}  # position → (site started, site finished, scan started, scan finished), UTC text
    # the database is new, so every scan in it is one of the batch's (batch_sites.scan_id is set only when a site is done)
    scans = read_db(db, "select count(*) from scans") or [(0,)]
    pages, html = (read_db(db, "select count(*), sum(probe = 0 and status = 200 and content_type like 'text/html%') from pages")
                   or [(0, 0)])[0]
    return {"statuses": statuses, "scans": scans[0][0], "pages": pages, "html": html or 0, "times": times}


def one_run(portals: list[Portal], latency: float, polite: list[str], args, work: Path, env: dict, label: str) -> dict:
    db, out = work / f"{label}.db", work / f"{label}-out"
    with Server(portals, latency) as server:
        urls, resolve = write_sites(work / f"{label}-sites.yaml", server.ports, args.ip_urls)
        cmd = [sys.executable, "-m", "zwgk.cli", "batch", "run", str(work / f"{label}-sites.yaml"), "--db", str(db), "--out", str(out),
               "--parallel", str(args.parallel if label == "batch" else 1), *polite, "--allow-private", "--no-ipv6",
               *(["--no-cloak-check"] if args.no_cloak_check else []), *(["--no-render"] if args.no_render else []),
               "--fail-on", "never", "--as-of", AS_OF.isoformat(), "--quiet", *resolve]
        shown = " ".join(a for a in cmd[3:len(cmd) - len(resolve)]).replace(str(work), "DIR")
        print(f"[{label}] zwgk {shown} (+ {len(resolve) // 2} × --resolve HOST:PORT:127.0.0.1)", flush=True)
        server_cpu = server.cpu()
        r = run_batch(cmd, env, db, args.timeout, work / f"{label}.log",
                      lambda: [server.site(k)[REQ] for k in range(len(portals))])
        r["server_cpu"] = server.cpu() - server_cpu
        r["requests"] = [server.site(k) for k in range(len(portals))]
    r.update(batch_figures(db))
    if r["timed_out"]:
        print(f"[{label}] ! killed after --timeout {args.timeout:.0f} s (process group); the figures below cover the run so far")
    if r["rc"] != 0 or r["timed_out"]:
        tail = (work / f"{label}.log").read_text("utf-8", "replace")[-800:]
        print(f"[{label}] zwgk batch output (last lines):\n{tail}")
    return r


def epoch(text: str | None) -> float | None:
    """Seconds since the epoch of a UTC time zwgk stored (2026-12-07T12:25:48Z), None if missing."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()


def requests_until(timeline: list[tuple[float, list[int]]], k: int, when: float) -> int:
    """Requests to site k's host sampled at or before `when` (within one sample)."""
    return max((counts[k] for t, counts in timeline if t <= when), default=0)


def concurrency(r: dict, wall_end: float) -> tuple[list[int], list[int]]:
    """Per sample: sites between their scan's start and their batch_sites finish (whole seconds, from the
    database), and sites whose host got a request in the last ACTIVE seconds (from the server's counts)."""
    spans = []
    for site_start, site_end, scan_start, scan_end in r["times"].values():
        start, end = epoch(scan_start), epoch(site_end) or wall_end
        if start is not None:
            spans.append((start, end))
    working, receiving = [], []
    lag = round(ACTIVE / SAMPLE)
    for n, (t, counts) in enumerate(r["timeline"]):
        working.append(sum(a <= t < b + 1 for a, b in spans))
        if n >= lag:
            receiving.append(sum(c > c0 for c, c0 in zip(counts, r["timeline"][n - lag][1])))
    return working or [0], receiving or [0]


def phases(r: dict, k: int, step: float, latency: float) -> str:
    """Site k: its crawl (its scan's start → finish) and what followed until the batch marked it done."""
    site_start, site_end, scan_start, scan_end = (epoch(t) for t in r["times"].get(k, (None,) * 4))
    if None in (site_start, site_end, scan_start, scan_end):
        return "times not recorded"
    before, during = requests_until(r["timeline"], k, scan_start), requests_until(r["timeline"], k, scan_end)
    total = r["requests"][k][REQ]
    crawl, after = during - before, total - during
    return (f"{site_end - site_start:.0f} s in all (batch_sites started→finished, whole seconds): before the crawl "
            f"{scan_start - site_start:.0f} s, {before} requests; crawl (its scan) {scan_end - scan_start:.0f} s, ~{crawl} requests "
            f"(bound {crawl * step + latency:.0f} s); after the crawl (checks, cloak check, rendering, report) {site_end - scan_end:.0f} s, "
            f"~{after} requests (bound {after * step + latency:.0f} s); request counts sampled every {SAMPLE} s")


# ---------------------------------------------------------------------------------------- main
def main() -> int:
    ap = OneLineParser(prog="batch_benchmark", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=20, help="generated sites (e.g. 20, 100)")
    ap.add_argument("--docs", type=int, default=300, help="documents per site (each site ±20 %%)")
    ap.add_argument("--latency", type=float, default=0.15, help="seconds every answer waits")
    ap.add_argument("--parallel", type=int, help="zwgk batch --parallel (default: --sites, all at once)")
    ap.add_argument("--delay", type=float, default=0.5, help="zwgk --delay (polite default 0.5)")
    ap.add_argument("--per-host", type=int, default=2, help="zwgk --per-host (polite default 2)")
    ap.add_argument("--no-cloak-check", action="store_true", help="zwgk --no-cloak-check: no second look with a browser")
    ap.add_argument("--no-render", action="store_true", help="zwgk --no-render: no browser for script-only lists")
    ap.add_argument("--cpu-bound-probe", action="store_true", help="also crawl one site with --delay 0 --per-host 16, no latency")
    ap.add_argument("--ip-urls", action="store_true", help="http://127.0.0.1:PORT/ URLs instead of one host name per site")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds after which a zwgk batch run is killed")
    ap.add_argument("--keep", type=Path, help="keep sites files, databases, reports and logs in this new or empty directory")
    args = ap.parse_args()
    if args.sites < 1 or args.sites > 1000:
        ap.error("--sites must be 1–1000")
    if args.docs < 20:
        ap.error("--docs must be at least 20")
    if not 0 <= args.latency <= 60 or not 0 <= args.delay <= 3600 or args.per_host < 1 or args.timeout <= 0:
        ap.error("--latency 0–60, --delay 0–3600, --per-host ≥ 1, --timeout > 0")
    args.parallel = args.parallel or args.sites
    if args.parallel < 1:
        ap.error("--parallel must be ≥ 1")
    if args.keep is not None and args.keep.exists() and (not args.keep.is_dir() or any(args.keep.iterdir())):
        ap.error(f"--keep {args.keep}: not an empty directory")

    work = args.keep or Path(tempfile.mkdtemp(prefix="zwgk-batchbench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CI": "1", "XDG_CONFIG_HOME": str(work / "xdg-config"), "XDG_DATA_HOME": str(work / "xdg-data"),
           "XDG_CACHE_HOME": str(work / "xdg-cache")}
    polite = ["--delay", str(args.delay), "--per-host", str(args.per_host)]
    stop_on_sigterm()
    portals = sites_of(args.sites, args.docs)
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.1f} GiB RAM, load {os.getloadavg()[0]:.1f}")
    print(f"settings: {args.sites} sites of {min(p.docs for p in portals)}–{max(p.docs for p in portals)} documents "
          f"({sum(p.docs for p in portals)} in all), latency {args.latency} s per answer, --parallel {args.parallel}, "
          f"--delay {args.delay} --per-host {args.per_host}; turned off: IPv6/DNS step (--no-ipv6, needs the network)"
          f"{', cloak check (--no-cloak-check)' if args.no_cloak_check else ''}{', rendering (--no-render)' if args.no_render else ''}; "
          f"kept: link check (off-site hosts pinned to the server){'' if args.no_cloak_check else ', cloak check'}"
          f"{'' if args.no_render else ', rendering'}; "
          f"{'127.0.0.1 URLs' if args.ip_urls else 'one host name per site, pinned to 127.0.0.1'}", flush=True)
    try:
        r = one_run(portals, args.latency, polite, args, work, env, "batch")
        probe = None
        if args.cpu_bound_probe:
            probe = one_run([Portal(docs=args.docs, seed=1)], 0.0, ["--delay", "0", "--per-host", "16"], args, work, env, "probe")
    except KeyboardInterrupt:
        print("batch_benchmark: 已中断 interrupted; server and batch stopped", file=sys.stderr)
        return 130
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    pages, wall, cpu = r["pages"], r["wall"], r["cpu"]
    at_once = r["at_once"] or [0]
    peak_at_once, mean_at_once = max(at_once), sum(at_once) / len(at_once)
    own = [req for req, _, _ in r["requests"]]
    step = max(args.delay, args.latency / args.per_host)
    bounds = [n * step + args.latency for n in own]
    slowest = max(range(len(own)), key=lambda k: bounds[k])
    bound = bounds[slowest]
    print(f"zwgk batch exit code: {r['rc']}{' (killed: --timeout)' if r['timed_out'] else ''}; sites by status: "
          + ", ".join(f"{s} {n}" for s, n in sorted(r["statuses"].items())) + f" (of {args.sites})")
    print(f"sites: {args.sites}")
    working, receiving = concurrency(r, time.time())
    print(f"sites at once (batch_sites status running, every {SAMPLE} s): peak {peak_at_once}, mean {mean_at_once:.1f}")
    print(f"sites at once (their scan started, batch_sites not finished): peak {max(working)}, mean {sum(working) / len(working):.1f}; "
          f"(their host got a request in the last {ACTIVE:.0f} s): peak {max(receiving)}, mean {sum(receiving) / len(receiving):.1f}")
    print(f"wall: {wall:.1f} s")
    print(f"pages total (rows of pages in {r['scans']} scans): {pages} ({r['html']} HTML 200); "
          f"server: {sum(own)} requests to the sites' own hosts ({sum(h for _, h, _ in r['requests'])} HTML 200), {sum(o for _, _, o in r['requests'])} to off-site hosts")
    print(f"pages/s: {pages / wall:.1f}")
    print(f"CPU-s per 1000 pages: {1000 * cpu / max(pages, 1):.1f} (batch process tree {cpu:.1f} CPU s: rusage {r['cpu_rusage']:.1f}, "
          f"sampled {r['cpu_sampled']:.1f}; not included: the server's {r['server_cpu']:.1f} s, this sampler's {r['sampler_cpu']:.1f} s)")
    print(f"peak RSS whole batch: {r['peak_rss'] / MiB:.0f} MiB (largest process {r['peak_one'] / MiB:.0f} MiB; target: "
          f"100 sites at once within 8 GB)")
    print(f"peak PSS whole batch: {r['peak_pss'] / MiB:.0f} MiB (every {PSS_EVERY * SAMPLE:.0f} s; RSS counts pages shared by Chromium's and forked processes once per process; "
          f"PSS divides them among their sharers)")
    print(f"peak RSS per site at once: {r['peak_rss'] / MiB / max(peak_at_once, 1):.0f} MiB (peak RSS ÷ peak sites at once; "
          f"PSS {r['peak_pss'] / MiB / max(peak_at_once, 1):.0f} MiB)")
    print(f"politeness bound: {bound:.1f} s = R × max(delay {args.delay}, latency {args.latency} ÷ per-host {args.per_host}) "
          f"+ latency, R = {own[slowest]} requests to the slowest site's host (site{slowest:03d})")
    print(f"slowest site by bound (site{slowest:03d}): {phases(r, slowest, step, args.latency)}")
    ratio = f"{wall / bound:.2f}" if bound else "— (no bound: --delay 0 and --latency 0)"
    print(f"wall ÷ politeness bound: {ratio} (target ≤ 1.2 when the CPU is not the limit; "
          f"CPU busy {100 * (cpu + r['server_cpu']) / (wall * (os.cpu_count() or 1)):.0f} % of {os.cpu_count()} cores incl. server; "
          f"machine load average now {os.getloadavg()[0]:.1f})")
    if probe is not None:
        rate = probe["pages"] / max(probe["cpu"], 1e-9)
        mine = pages / max(cpu, 1e-9)
        print(f"CPU-bound probe: 1 site, {probe['pages']} pages in {probe['wall']:.1f} s ({probe['pages'] / probe['wall']:.1f} pages/s), "
              f"{probe['cpu']:.1f} CPU s = {rate:.1f} pages per CPU s, exit code {probe['rc']}")
        print(f"batch pages per CPU s: {mine:.1f} = {100 * mine / rate:.0f} % of the CPU-bound rate (target ≥ 80 %)")
    return 1 if r["timed_out"] or (probe and probe["timed_out"]) else 0


if __name__ == "__main__":
    sys.exit(main())
