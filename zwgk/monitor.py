"""``zwgk monitor``: the home page of each site visited on a schedule, every visit a row of the
``visits`` table, so that 站点无法访问 is judged the way the 指标 measures it (over a week, ≥ 20
timed visits a day, a visit failing when the page has not opened within 15 s; checks.availability).

The schedule is one grid for every way of running it: the visit moments of a site are
``k × interval + offset`` (seconds since the epoch), the offset a fixed fraction of the interval
taken from the site's name, so that many sites are visited at spread-out moments rather than all at
once, and a site's moments are the same on every machine and after every restart. ``k`` is stored
with the visit (``slot``): a moment visited twice (a Celery task delivered twice, a timer that fired
twice) is stored once. Three ways to run it, one visit function:

- in the foreground (``zwgk monitor SITES``), until ``--count`` rounds or ``--duration`` are done or
  Ctrl-C (the visits under way finish and are stored; nothing already visited is lost);
- one round per call (``--once``), for a systemd timer;
- on many machines (``--broker``): this command runs Celery's own scheduler, ``celery beat``, with
  one entry per site, feeding the ``zwgk.visit`` task to the ``zwgk worker`` processes, which store
  into the same database.
"""

from __future__ import annotations

import heapq
import math
import os
import socket
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

from zwgk.pipeline import AuditInputError

DAY = 86400.0
PER_DAY = 24  # default visits a day (the 指标 asks for at least 20)


@dataclass
class Target:
    """A site to visit: its key in the sites file, its name, the home page and the host[:port] its
    scans carry (``scans.site``), by which the checks find its visits."""

    key: str
    name: str
    url: str
    site: str
    allow_hosts: list[str] = field(default_factory=list)


@dataclass
class Options:
    interval: float = DAY / PER_DAY  # seconds between two visits of a site
    limit: float = 15.0  # seconds a page has to open
    dns_server: str | None = None
    resolve: list[str] = field(default_factory=list)
    allow_private: bool = False
    contact: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def site_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def targets_from(args: list[str]) -> list[Target]:
    """The sites of a sites file (read as ``zwgk batch`` reads it) or of URLs given on the command line."""
    from zwgk.batch import load_sites
    from zwgk.pipeline import url_problem

    if not args:
        raise AuditInputError("没有要监测的网站：请给出网站清单（SITES.yaml / SITES.csv）或首页网址 no sites: give a sites "
                              "file or home page URLs")
    out: list[Target] = []
    for arg in args:
        if "://" in arg:
            problem = url_problem(arg)
            if problem:
                raise AuditInputError(f"不是有效的网址 not a valid http(s) URL: {arg} ({problem})")
            out.append(Target(site_of(arg), site_of(arg), arg, site_of(arg)))
        else:
            out += [Target(s.key, s.name, s.urls[0], site_of(s.urls[0]), list(s.allow_hosts)) for s in load_sites(arg)]
    seen: set[str] = set()
    for t in out:
        if t.site in seen:
            raise AuditInputError(f"网站重复 the same site twice: {t.site}")
        seen.add(t.site)
    return out


def offset_of(site: str, interval: float) -> float:
    """Where in each interval a site is visited: a fixed fraction taken from its name."""
    return (zlib.crc32(site.encode()) % 10_000) / 10_000 * interval


def slot_of(moment: float, interval: float, offset: float) -> int:
    return math.floor((moment - offset) / interval)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def visit_site(db: str, target: Target | dict, options: Options | dict, slot: int | None = None,
               at: float | None = None) -> list[dict]:
    """Visit one site's home page once and store the result (one row per IP family); the rows
    written ([] when this moment was already visited). ``slot``/``at``: the scheduled moment and the
    time to record (a fast test clock); by default the moment now falls in."""
    from crawler.address_policy import AddressPolicy
    from crawler.run import user_agent
    from crawler.scope import bare_host
    from crawler.visit import Names, visit
    from storage.visits import record, utc_text, visited
    from zwgk.pipeline import connect_db

    target = target if isinstance(target, Target) else Target(**target)
    options = options if isinstance(options, Options) else Options(**options)
    at = time.time() if at is None else at
    if slot is None:
        slot = slot_of(at, options.interval, offset_of(target.site, options.interval))
    conn = connect_db(db)  # created by prepare()
    try:
        if visited(conn, target.site, slot):
            return []
        policy = AddressPolicy({bare_host(target.site), *(bare_host(h) for h in target.allow_hosts)}, options.allow_private)
        results = visit(target.url, Names(options.dns_server, options.resolve, min(options.limit, 5.0)), policy,
                        options.limit, user_agent(options.contact))
        stamp = utc_text(datetime.fromtimestamp(at, timezone.utc))
        rows = [{**r, "site": target.site, "url": target.url, "slot": slot, "at": stamp, "worker": worker_name()}
                for r in results]
        return rows if record(conn, rows) else []
    finally:
        conn.close()


def prepare(db: str) -> None:
    """The database and its visits table, made once before the first visit (AuditInputError when
    the database cannot be used: one line, exit 2); the visit code imported before the clock starts."""
    import crawler.run  # noqa: F401  (Scrapy's import takes seconds: not inside a visit's limit)
    import crawler.visit  # noqa: F401
    from storage.visits import ensure_visits
    from zwgk.pipeline import connect_db

    conn = connect_db(db, create=True)
    try:
        ensure_visits(conn)
    finally:
        conn.close()


class Clock:
    """The real clock; a test passes a faster one (same two methods)."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, 1.0))  # short naps: a stop is noticed at once


def run(db: str, targets: list[Target], options: Options, count: int | None = None, duration: float | None = None,
        clock: Clock | None = None, parallel: int = 16, on_visit=None) -> int:
    """Visit every site at its moments until each was visited ``count`` times or ``duration`` seconds
    passed (or for ever); the visits stored. Ctrl-C / SIGTERM stop the schedule: the visits under way
    finish (each is bounded by the limit) and are stored before the exception goes on."""
    clock = clock or Clock()
    started = clock.now()
    prepare(db)
    end = started + duration if duration else None
    plan: list[tuple[float, int, int]] = []  # (moment, slot, target index)
    for i, t in enumerate(targets):
        offset = offset_of(t.site, options.interval)
        slot = slot_of(started, options.interval, offset)
        if slot * options.interval + offset < started:
            slot += 1
        heapq.heappush(plan, (slot * options.interval + offset, slot, i))
    done = {i: 0 for i in range(len(targets))}
    stored = [0]
    lock = threading.Lock()

    def one(i: int, slot: int, moment: float) -> None:
        written = visit_site(db, targets[i], options, slot, moment)
        with lock:
            stored[0] += len(written)
        if on_visit:
            on_visit(targets[i], written)

    # several threads even for one site: a visit that hangs up to the limit does not delay the next moment
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        futures = []
        while plan:
            moment, slot, i = plan[0]
            if end is not None and moment >= end:
                break
            wait = moment - clock.now()
            if wait > 0:
                clock.sleep(wait)
                continue
            heapq.heappop(plan)
            futures.append(pool.submit(one, i, slot, moment))
            done[i] += 1
            if count is None or done[i] < count:
                heapq.heappush(plan, (moment + options.interval, slot + 1, i))
            for finished in [f for f in futures if f.done()]:
                finished.result()  # a visit that could not be stored (the database) stops the monitor
            futures = [f for f in futures if not f.done()]
        for f in futures:
            f.result()
    return stored[0]


def once(db: str, targets: list[Target], options: Options, parallel: int = 16) -> int:
    """One round now (a systemd timer's tick): every site visited once. The timer's own random delay
    spreads the moments, so the slot is the interval now falls in without the sites' offsets: a timer
    that fires twice in one interval visits once."""
    prepare(db)
    now = time.time()
    slot = slot_of(now, options.interval, 0.0)
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(targets)))) as pool:
        return sum(len(rows) for rows in pool.map(lambda t: visit_site(db, t, options, slot, now), targets))
