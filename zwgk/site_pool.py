"""Where a batch's site is audited, and when: many sites per process, as many at once as the machine
has room for.

Sites go to site-host processes (zwgk.site_host): at most one per core for each kind of address the
sites are on (public, intranet, loopback …) and each set of ``--resolve`` pins and ``--dns-server``: a
process's crawls share one name resolver and address policy, so a public site's links never reach
an address only an intranet site may, nor a batch's pins another batch's sites. Each runs many sites
on one reactor. A new site starts only while the machine has room — the CPU busy less
than ``BUSY`` of the last seconds and memory available for a few more sites of the size measured so
far — and at most one every ``START_EVERY`` seconds (a site's start is its busiest moment); the
caller's bound (``--parallel``, ``--concurrency``: its threads) is the most. A process that dies
(killed, out of memory) takes none of its sites with it: each is run again, once, in a new one.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from urllib.parse import urlsplit

BUSY = 0.85  # share of all cores busy above which no new site starts
START_EVERY = 0.25  # seconds between two sites starting
MIN_FREE = 512 * 1024 * 1024  # bytes of memory left free whatever the sites measure
SITE_GUESS = 64 * 1024 * 1024  # a site's memory before any was measured


class Machine:
    """What the machine has left: the share of its CPU busy since the last look (at least a second
    apart) and the memory the kernel says is available."""

    def __init__(self):
        self.sample = _cpu_times()
        self.at = time.monotonic()
        self.busy = 0.0

    def cpu_busy(self) -> float:
        if time.monotonic() - self.at >= 1.0:
            now = _cpu_times()
            total = now[0] - self.sample[0]
            self.busy = 1.0 - (now[1] - self.sample[1]) / total if total > 0 else 0.0
            self.sample, self.at = now, time.monotonic()
        return self.busy

    @staticmethod
    def memory_available() -> int:
        try:
            with open("/proc/meminfo") as handle:
                for line in handle:
                    if line.startswith("MemAvailable:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 1 << 62  # not Linux: memory is not what decides


def _cpu_times() -> tuple[int, int]:
    """(all jiffies, idle + iowait jiffies) of the machine."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
        return sum(fields[:8]), fields[3] + fields[4]
    except (OSError, ValueError, IndexError):
        return 0, 0


def rss(pid: int, depth: int = 0) -> int:
    """Resident memory of a process and its descendants (a site's browser, its parse workers)."""
    total = 0
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    total = int(line.split()[1]) * 1024
                    break
        children = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                children += [int(c) for c in handle.read().split()]
    except (OSError, ValueError):
        return total
    if depth < 8:  # bounded: a browser's process tree is three deep
        total += sum(rss(child, depth + 1) for child in children)
    return total


class HostProcess:
    """One site-host process: the sites handed to it, and their results as it reports them."""

    def __init__(self, kind: tuple):
        self.kind = kind
        self.proc = subprocess.Popen([sys.executable, "-m", "zwgk.site_host"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8", env={**os.environ, "CI": "1"})
        self.pending: dict[int, Future] = {}
        self.lock = threading.Lock()
        self.stopping = False
        self.tail: collections.deque[str] = collections.deque(maxlen=20)  # its last lines on stderr
        threading.Thread(target=self._results, daemon=True, name=f"zwgk-host {self.proc.pid}").start()
        threading.Thread(target=self._errors, daemon=True, name=f"zwgk-host-err {self.proc.pid}").start()

    def alive(self) -> bool:
        return self.proc.poll() is None and not self.stopping

    def load(self) -> int:
        with self.lock:
            return len(self.pending)

    def submit(self, site_id: int, payload: dict) -> Future:
        future: Future = Future()
        with self.lock:
            self.pending[site_id] = future
        try:
            self.proc.stdin.write(json.dumps({"id": site_id, **payload}, ensure_ascii=False) + "\n")
            self.proc.stdin.flush()
        except (OSError, ValueError):  # it died meanwhile: its reader tells every pending site
            pass
        return future

    def _results(self) -> None:
        for line in self.proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                future = self.pending.pop(message.get("id"), None)
            if future is not None:
                future.set_result(message["result"])
        code = self.proc.wait()
        time.sleep(0.1)  # its last words on stderr
        stopped = self.stopping or code in (-signal.SIGINT, -signal.SIGTERM, 128 + signal.SIGINT, 128 + signal.SIGTERM)
        last = next((line for line in reversed(self.tail) if line.strip()), f"exit {code}")
        with self.lock:
            pending, self.pending = self.pending, {}
        for future in pending.values():
            future.set_result({"status": "interrupted", "error": "interrupted"} if stopped
                              else {"status": "lost", "error": f"exit {code}: {last}"[:2000]})

    def _errors(self) -> None:
        for line in self.proc.stderr:
            self.tail.append(line.rstrip("\n"))

    def close(self) -> None:
        """No more sites: it finishes those it has and exits."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def signal(self, signum: int) -> None:
        self.stopping = True
        if self.proc.poll() is None:
            self.proc.send_signal(signum)


class SitePool:
    def __init__(self, processes: int | None = None):
        self.processes = processes or os.cpu_count() or 1
        self.hosts: list[HostProcess] = []
        self.lock = threading.Lock()
        self.gate = threading.Lock()  # one site at a time asks for room
        self.machine = Machine()
        self.running = 0
        self.last_start = float("-inf")
        self.ids = iter(range(1, 1 << 62))
        self.always = os.environ.get("ZWGK_ADMIT") == "always"  # tests: every site at once, whatever the machine
        self.stopped = False

    def run(self, payload: dict) -> dict:
        """Audit one site (``payload``: its job, batch, key and worker, zwgk.batch.audit_for_batch)
        inside :meth:`admitted`; blocks until its result."""
        from zwgk.pipeline import AuditJob

        job = AuditJob.from_dict(payload["job"])
        # a process's crawls share its name resolver: the same pins and DNS server, the same kind of address
        kind = (address_kind(job), tuple(job.crawl.get("resolve") or ()), job.crawl.get("dns_server"))
        for attempt in range(2):
            if self.stopped:
                return {"status": "interrupted", "error": "interrupted before the crawl started"}
            result = self._host(kind).submit(next(self.ids), payload).result()
            if result.get("status") != "lost":
                return result
            # its process died (killed, out of memory): the site again, in a new one, where its crawl stopped
            payload = {**payload, "job": {**payload["job"], "crawl": {**payload["job"]["crawl"], "resume": True}}}
        return {"status": "failed", "error": f"检查进程意外退出 the audit process died: {result['error']}"}

    @contextlib.contextmanager
    def admitted(self):
        """Held while one site is audited: entered once the machine has room for one more."""
        with self.gate:
            while not self.always and not self.stopped:
                with self.lock:
                    running = self.running
                since = time.monotonic() - self.last_start
                if running == 0 or (since >= START_EVERY and self._room(running)):
                    break
                # bounded: the sites running end, and then there is room
                time.sleep(START_EVERY - since if since < START_EVERY else START_EVERY)
            self.last_start = time.monotonic()
            with self.lock:
                self.running += 1
        try:
            yield
        finally:
            with self.lock:
                self.running -= 1

    def _room(self, running: int) -> bool:
        with self.lock:
            used = sum(rss(h.proc.pid) for h in self.hosts if h.alive())
        per_site = max(SITE_GUESS, used // max(1, running))
        return self.machine.cpu_busy() < BUSY and self.machine.memory_available() > MIN_FREE + 2 * per_site

    def _host(self, kind: tuple) -> HostProcess:
        with self.lock:
            self.hosts = [h for h in self.hosts if h.alive()]
            mine = [h for h in self.hosts if h.kind == kind]
            least = min(mine, key=HostProcess.load, default=None)
            if least is None or (least.load() > 0 and len(mine) < self.processes):
                least = HostProcess(kind)
                self.hosts.append(least)
            return least

    def signal(self, signum: int | None = signal.SIGTERM) -> None:
        """No site starts any more; given a signal, every site running saves what it fetched and is
        marked interrupted (None: the processes have had it already, from the terminal)."""
        self.stopped = True
        with self.lock:
            for host in self.hosts:
                host.stopping = True
                if signum is not None:
                    host.signal(signum)

    def close(self, wait: float = 30.0) -> None:
        """The processes finish what they have and exit (killed after ``wait`` seconds)."""
        with self.lock:
            hosts, self.hosts = self.hosts, []
        for host in hosts:
            host.close()
        deadline = time.monotonic() + wait
        for host in hosts:
            try:
                host.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                host.proc.kill()
                host.proc.wait()


def address_kind(job) -> frozenset:
    """The kinds of address (crawler.address_policy.special_kind; "public") the site's start hosts
    are on, as the crawl will resolve them (``--resolve`` pins, ``--dns-server``)."""
    from crawler.address_policy import special_kind
    from crawler.dns import lookup, make_resolver, parse_resolve, parse_server
    from crawler.scope import bare_host

    crawl = job.crawl
    if crawl.get("allow_private"):
        return frozenset({"any"})
    pins = parse_resolve(crawl.get("resolve") or [])
    server = parse_server(crawl.get("dns_server"))
    kinds = set()
    extra = [bare_host(h) for h in crawl.get("allow_hosts") or ()]
    for url in [*job.urls, *(f"http://[{h}]/" if ":" in h else f"http://{h}/" for h in extra)]:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if (host, port) in pins:
            addresses = [pins[(host, port)]]
        elif special_kind(host) != "invalid":
            addresses = [host]
        elif server:
            addresses = lookup(make_resolver(server, 5.0), host)
        else:
            try:
                addresses = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
            except (OSError, UnicodeError):
                addresses = []
        kinds |= {special_kind(a) or "public" for a in addresses} or {"unresolved"}
    return frozenset(kinds)


_POOL: SitePool | None = None
_POOL_LOCK = threading.Lock()


def pool() -> SitePool:
    """This process's pool (a batch, a worker): created at its first site."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = SitePool()
        return _POOL


def close_pool() -> None:
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.close()
            _POOL = None
