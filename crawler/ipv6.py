"""IPv6 and DNS measurement, the way the national IPv6 monitoring measures a portal.

Runs after the crawl, on what the crawl stored: for the portal host and every host that the
home page and the second-level pages link to, A/AAAA records (CNAMEs followed) with answer
times and the authoritative name servers' own IPv6 addresses (the "full chain"); for each host
with an AAAA record, the same URL fetched over IPv6 and over IPv4 (status, TCP connect time,
time to first byte, title and a normalised text hash); and the 二级/三级内链 IPv6 support rates
over the links one and two clicks from the home page. Results go to ``dns_records``,
``ipv6_probes`` and ``ipv6_summary``; the ``ipv6.*`` and ``dns.*`` checks read them.

Every probe of a page the crawl kept in the site's cache (crawler.response_cache) asks with the
crawl's validators (If-None-Match / If-Modified-Since): a 304 proves the page opens over that
family and that it serves the crawl's copy, whose title and text hash stand for it (column
``revalidated``). A re-scan of an unchanged site then moves headers, not pages, in this step too.

A machine with no IPv6 route beyond loopback cannot test a site's IPv6: such probes are stored
with error ``no_route`` and judged as "not measured", never as the site's fault.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import http.client
import ipaddress
import json
import re
import socket
import ssl
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from time import monotonic
from urllib.parse import urlsplit

import dns.exception
import dns.name
import dns.resolver

from crawler.address_policy import AddressPolicy
from crawler.dns import make_resolver, parse_resolve, parse_server
from crawler.pinned import over_socket
from crawler.scope import Scope, bare_host

NO_ROUTE_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT}
TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
TAG_RE = re.compile(r"<[^>]+>|\s+")
MAX_BODY = 2 * 1024 * 1024
SCHEMA = {
    "dns_records": ("scan_id integer, host text, level integer, a text, aaaa text, cname text, answer_ms integer, "
                    "error text, zone text, ns text, source text"),
    "ipv6_probes": ("scan_id integer, url text, host text, family integer, address text, purpose text, status integer, "
                    "connect_ms integer, ttfb_ms integer, error text, title text, text_hash text, revalidated integer"),
    "ipv6_summary": "scan_id integer primary key, summary text",
}


@dataclass
class HostRecord:
    host: str
    level: int  # 0: the portal's own host, 1: a host linked from the home or second-level pages
    a: list[str]
    aaaa: list[str]
    cname: list[str]
    answer_ms: int | None
    error: str | None  # nxdomain | timeout | no_nameservers | no_address
    zone: str | None = None
    ns: list[dict] | None = None
    source: str = "dns"  # dns | pinned | literal


class Resolver:
    """dnspython with the auditor's --dns-server and --resolve, as for the crawl."""

    def __init__(self, dns_server: str | None, resolve: list[str], timeout: float = 5.0):
        server = parse_server(dns_server)
        self.pins = parse_resolve(resolve)
        if server:
            self.resolver = make_resolver(server, timeout)
        else:
            self.resolver = dns.resolver.Resolver()
            self.resolver.timeout = self.resolver.lifetime = timeout

    def _query(self, name: str, rdtype: str):
        try:
            return self.resolver.resolve(name, rdtype, search=False), None
        except dns.resolver.NXDOMAIN:
            return None, "nxdomain"
        except dns.resolver.NoAnswer:
            return None, None
        except dns.resolver.NoNameservers:
            return None, "no_nameservers"
        except dns.exception.Timeout:
            return None, "timeout"

    def host(self, host: str, level: int, port: int) -> HostRecord:
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
            return HostRecord(host, level, [str(literal)] if literal.version == 4 else [],
                              [str(literal)] if literal.version == 6 else [], [], 0, None, source="literal")
        except ValueError:
            pass
        pinned = self.pins.get((host.lower(), port))
        if pinned:
            version = ipaddress.ip_address(pinned).version
            return HostRecord(host, level, [pinned] if version == 4 else [], [pinned] if version == 6 else [], [], 0, None, source="pinned")
        started = monotonic()
        answers, errors, cnames = {}, [], []
        for rdtype in ("A", "AAAA"):
            answer, error = self._query(host, rdtype)
            if error:
                errors.append(error)
            answers[rdtype] = [r.address for r in answer] if answer else []
            if answer is not None and answer.canonical_name != dns.name.from_text(host):
                cnames = [answer.canonical_name.to_text()]
        elapsed = int((monotonic() - started) * 1000)
        error = None
        if not answers["A"] and not answers["AAAA"]:
            error = errors[0] if errors else "no_address"
        record = HostRecord(host, level, answers["A"], answers["AAAA"], cnames, elapsed, error)
        if error != "nxdomain":
            record.zone, record.ns = self.name_servers(host)
        return record

    def name_servers(self, host: str) -> tuple[str | None, list[dict]]:
        """The zone holding ``host`` and its authoritative servers with their addresses."""
        name = dns.name.from_text(host)
        for _ in range(len(name.labels)):
            if name == dns.name.root:
                break
            answer, error = self._query(name.to_text(), "NS")
            if answer is not None:
                servers = []
                for rr in answer:
                    ns_name = rr.target.to_text()
                    a, _ = self._query(ns_name, "A")
                    aaaa, _ = self._query(ns_name, "AAAA")
                    servers.append({"name": ns_name, "a": [r.address for r in a] if a else [],
                                    "aaaa": [r.address for r in aaaa] if aaaa else []})
                return name.to_text(), sorted(servers, key=lambda s: s["name"])
            if error in ("timeout", "no_nameservers"):
                return None, []
            name = name.parent()
        return None, []


@dataclass
class CrawlCopy:
    """What the crawl kept of a page: its validators, its status, and the title and text hash of its body."""
    status: int
    validators: dict[str, str]
    title: str | None
    text_hash: str


def digest(body: bytes, charset: str | None) -> tuple[str | None, str]:
    """A page's title and normalised text hash (scripts, styles, tags and whitespace removed)."""
    charset = charset or "utf-8"
    if charset.lower() in ("gb2312", "gbk"):
        charset = "gb18030"
    try:
        text = body.decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        charset = "utf-8"
        text = body.decode(charset, "replace")
    title = TITLE_RE.search(body)
    title = TAG_RE.sub(" ", title[1].decode(charset, "replace")).strip() if title else None
    cleaned = TAG_RE.sub("", re.sub(r"<script.*?</script>|<style.*?</style>", "", text, flags=re.S | re.I))
    return title, hashlib.sha1(cleaned.encode()).hexdigest()[:16]


def crawl_copies(site_cache: str | None):
    """url → CrawlCopy of the site's cache file (None when the crawl kept no revalidatable copy)."""
    from scrapy import Request
    from scrapy.utils.request import fingerprint

    from crawler.response_cache import DAMAGED
    from storage.packing import decompress

    if not site_cache:
        return lambda url: None
    try:
        conn = sqlite3.connect(f"file:{site_cache}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return lambda url: None
    lock = threading.Lock()

    def copy(url: str) -> CrawlCopy | None:
        try:
            with lock:
                row = conn.execute("select status, headers, body from responses where fingerprint = ?",
                                   (fingerprint(Request(url)),)).fetchone()
            if row is None or not 200 <= row[0] < 300:
                return None
            headers = {k.lower(): v[0] for k, v in json.loads(row[1]).items() if v}
            validators = {name: headers[key] for key, name in (("etag", "If-None-Match"), ("last-modified", "If-Modified-Since"))
                          if key in headers}
            if not validators:
                return None
            charset = re.search(r"charset=([\w-]+)", headers.get("content-type", ""), re.I)
            title, text_hash = digest(decompress(row[2])[:MAX_BODY], charset[1] if charset else None)
            return CrawlCopy(row[0], validators, title, text_hash)
        except (*DAMAGED, ValueError):  # a damaged cache: this probe asks without validators
            return None

    copy.close = conn.close
    return copy


def fetch(url: str, address: str, timeout: float, user_agent: str, crawled: CrawlCopy | None = None) -> dict:
    """GET ``url`` over a connection to exactly ``address`` (so over its IP family); with the crawl's
    copy, conditionally: a 304 stands for the crawl's answer (``revalidated``)."""
    parts = urlsplit(url)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    port = parts.port or (443 if parts.scheme == "https" else 80)
    result = {"address": address, "family": 6 if family == socket.AF_INET6 else 4, "status": None, "connect_ms": None,
              "ttfb_ms": None, "error": None, "title": None, "text_hash": None, "revalidated": 0}
    started = monotonic()
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((address, port, 0, 0) if family == socket.AF_INET6 else (address, port))
        result["connect_ms"] = int((monotonic() - started) * 1000)
        conn, path, sock = over_socket(sock, url, port, timeout)  # the same for both families
        headers = {"Host": parts.netloc, "User-Agent": user_agent, "Accept": "text/html,*/*"}
        conn.request("GET", path, headers={**headers, **(crawled.validators if crawled else {})})
        sent = monotonic()
        response = conn.getresponse()
        result["ttfb_ms"] = int((monotonic() - sent) * 1000)
        if response.status == 304 and crawled is not None:
            result.update(status=crawled.status, title=crawled.title, text_hash=crawled.text_hash, revalidated=1)
        else:
            result["status"] = response.status
            result["title"], result["text_hash"] = digest(response.read(MAX_BODY), response.headers.get_content_charset())
    except ConnectionRefusedError:
        result["error"] = "refused"
    except (socket.timeout, TimeoutError):
        result["error"] = "timeout"
    except ssl.SSLError:
        result["error"] = "tls"
    except (ConnectionResetError, http.client.HTTPException):
        result["error"] = "reset"
    except OSError as exc:
        result["error"] = "no_route" if exc.errno in NO_ROUTE_ERRNOS else "connect"
    except (ValueError, UnicodeError) as exc:  # a malformed URL or header: this probe only
        result["error"] = f"other: {exc}"[:200]
    finally:
        sock.close()
    return result


def _refused(address: str, reason: str) -> dict:
    return {"family": 6 if ":" in address else 4, "address": address, "status": None, "connect_ms": None, "ttfb_ms": None,
            "error": f"address policy: {reason}", "title": None, "text_hash": None, "revalidated": 0}


def ensure_schema(conn: sqlite3.Connection) -> None:
    for table, columns in SCHEMA.items():
        conn.execute(f"create table if not exists {table} ({columns})")
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        for column in columns.split(", "):
            if column.split()[0] not in have:  # a database written by an older zwgk
                conn.execute(f"alter table {table} add column {column}")


def _sample(urls: list[str], limit: int) -> list[str]:
    urls = sorted(set(urls))
    if len(urls) <= limit:
        return urls
    step = len(urls) / limit
    return [urls[int(i * step)] for i in range(limit)]


class HostPacer:
    """The crawl's politeness for the probes: at most ``per_host`` requests to a host at once, and
    ``delay`` seconds between two of them (over either family: one server usually answers both)."""

    def __init__(self, per_host: int, delay: float):
        self.per_host, self.delay = max(1, per_host), max(0.0, delay)
        self.lock = threading.Lock()
        self.slots: dict[str, threading.Semaphore] = {}
        self.next_at: dict[str, float] = {}

    @contextlib.contextmanager
    def slot(self, host: str):
        with self.lock:
            semaphore = self.slots.setdefault(host, threading.Semaphore(self.per_host))
        with semaphore:
            with self.lock:
                now = monotonic()
                start = max(now, self.next_at.get(host, now))
                self.next_at[host] = start + self.delay
            time.sleep(start - now)
            yield


def measure(db_path: str, scan_id: int, dns_server: str | None = None, resolve: list[str] | None = None,
            allow_hosts: tuple[str, ...] = (), timeout: float = 10.0, max_links: int = 300, workers: int = 8,
            user_agent: str = "zwgk-audit", allow_private: bool = False, per_host: int = 2, delay: float = 0.5,
            site_cache: str | None = None) -> dict:
    """Measure and store; returns the summary written to ``ipv6_summary``. The probes keep the
    crawl's politeness (``per_host``, ``delay``) towards every host and ask conditionally for the
    pages the crawl kept in ``site_cache``."""
    conn = sqlite3.connect(db_path)
    try:
        ensure_schema(conn)
        (start_urls,) = conn.execute("select start_urls from scans where id = ?", (scan_id,)).fetchone()
        start_urls = json.loads(start_urls)
        # where the start URLs led (http://example.gov.cn → https://www.example.gov.cn/) is the portal too
        start_urls += [u for (u,) in conn.execute(
            "select final_url from pages where scan_id = ? and depth = 0 and kind = 'home'", (scan_id,)) if u not in start_urls]
        scope = Scope(start_urls, allow_hosts)
        home = [u for (u,) in conn.execute("select url from pages where scan_id = ? and depth = 0 and kind = 'home'", (scan_id,))] or start_urls
        level2_all = [u for (u,) in conn.execute(
            f"select distinct target_url from links where scan_id = ? and tag = 'a' and source_url in ({','.join('?' * len(home))})",
            (scan_id, *home))]
        level2 = [u for u in level2_all if u in scope and u not in home]
        level3_all = [u for (u,) in conn.execute(
            "select distinct l.target_url from links l where l.scan_id = ? and l.tag = 'a' and l.source_url in "
            "(select distinct target_url from links where scan_id = ? and tag = 'a' and source_url in (%s))" % ",".join("?" * len(home)),
            (scan_id, scan_id, *home))]
        excluded = set(home) | set(level2)
        level3 = [u for u in level3_all if u in scope and u not in excluded]
        # hosts: the portal's, and every host the home page and the second-level pages link to
        host_urls: dict[str, str] = {}
        for url in start_urls + level2_all + level3_all:
            parts = urlsplit(url)
            if parts.hostname and parts.scheme in ("http", "https"):
                host_urls.setdefault(parts.hostname, url if url not in start_urls else url)
        portal_hosts = {urlsplit(u).hostname for u in start_urls}
        resolver = Resolver(dns_server, resolve or [], min(timeout, 5.0))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            records = list(pool.map(
                lambda item: resolver.host(item[0], 0 if item[0] in portal_hosts else 1, urlsplit(item[1]).port or (443 if item[1].startswith("https") else 80)),
                sorted(host_urls.items())))
        by_host = {r.host: r for r in records}
        # one URL per host over both families; the sampled link levels over both families too
        jobs = []
        for record in records:
            url = next((u for u in start_urls if urlsplit(u).hostname == record.host), host_urls[record.host])
            if record.aaaa:
                jobs += [(url, record.host, record.aaaa[0], "host"), *(((url, record.host, record.a[0], "host"),) if record.a else ())]
        for purpose, urls in (("link2", _sample(level2, max_links)), ("link3", _sample(level3, max_links))):
            for url in urls:
                record = by_host.get(urlsplit(url).hostname)
                if record is None:
                    continue
                if record.a:
                    jobs.append((url, record.host, record.a[0], purpose))
                if record.aaaa:
                    jobs.append((url, record.host, record.aaaa[0], purpose))
        # the crawl's address policy holds here too: no probe of an internal address
        policy = AddressPolicy({h for h in portal_hosts if h} | {bare_host(h) for h in allow_hosts}, allow_private)
        for record in records:
            if record.host in policy.scope_hosts:
                policy.check(record.host, record.a + record.aaaa)

        pacer = HostPacer(per_host, delay)
        crawled = crawl_copies(site_cache)

        def probe(job):
            refused = policy.check(job[1], [job[2]])
            if refused:
                result = _refused(job[2], refused)
            else:
                with pacer.slot(job[1]):
                    result = fetch(job[0], job[2], timeout, user_agent, crawled(job[0]))
            return {**result, "url": job[0], "host": job[1], "purpose": job[3]}

        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                probes = list(pool.map(probe, jobs))
        finally:
            getattr(crawled, "close", lambda: None)()
        summary = summarise(records, probes, level2, level3, by_host, max_links)
        with conn:
            for table in SCHEMA:
                conn.execute(f"delete from {table} where scan_id = ?", (scan_id,))
            conn.executemany(
                "insert into dns_records values (?,?,?,?,?,?,?,?,?,?,?)",
                [(scan_id, r.host, r.level, json.dumps(r.a), json.dumps(r.aaaa), json.dumps(r.cname), r.answer_ms, r.error,
                  r.zone, json.dumps(r.ns or []), r.source) for r in records])
            conn.executemany(
                "insert into ipv6_probes (scan_id, url, host, family, address, purpose, status, connect_ms, ttfb_ms, error, "
                "title, text_hash, revalidated) values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(scan_id, p["url"], p["host"], p["family"], p["address"], p["purpose"], p["status"], p["connect_ms"],
                  p["ttfb_ms"], p["error"], p["title"], p["text_hash"], p["revalidated"]) for p in probes])
            conn.execute("insert into ipv6_summary values (?, ?)", (scan_id, json.dumps(summary, ensure_ascii=False)))
        return summary
    finally:
        conn.close()


def summarise(records, probes, level2, level3, by_host, max_links) -> dict:
    hosts = []
    for r in records:
        mine = [p for p in probes if p["host"] == r.host and p["purpose"] == "host"]
        v4 = next((p for p in mine if p["family"] == 4), {})
        v6 = next((p for p in mine if p["family"] == 6), {})
        hosts.append({
            "host": r.host, "level": r.level, "a": r.a, "aaaa": r.aaaa, "error": r.error, "answer_ms": r.answer_ms,
            "ns_ipv6": None if not r.ns else f"{sum(1 for n in r.ns if n['aaaa'])}/{len(r.ns)}",
            "v4_status": v4.get("status"), "v4_error": v4.get("error"), "v6_status": v6.get("status"), "v6_error": v6.get("error"),
            "v4_connect_ms": v4.get("connect_ms"), "v6_connect_ms": v6.get("connect_ms"),
            "v4_ttfb_ms": v4.get("ttfb_ms"), "v6_ttfb_ms": v6.get("ttfb_ms"),
        })
    out = {"hosts": hosts, "failing_links": [], "max_links": max_links, "not_measured": []}
    for level, purpose, urls in ((2, "link2", level2), (3, "link3", level3)):
        ok = total = 0
        for url in _sample(urls, max_links):
            mine = [p for p in probes if p["url"] == url and p["purpose"] == purpose]
            v4 = next((p for p in mine if p["family"] == 4), None)
            v6 = next((p for p in mine if p["family"] == 6), None)
            if v4 is not None and (v4["status"] is None or v4["status"] >= 400):
                continue  # broken over IPv4 too: a broken link, not an IPv6 problem
            if v6 is not None and v6["error"] == "no_route":
                out["not_measured"].append(url)
                continue
            total += 1
            if v6 is not None and v6["status"] is not None and v6["status"] < 400:
                ok += 1
            else:
                out["failing_links"].append(url)
        out[f"level{level}"] = {"ok": ok, "total": total}
        out[f"level{level}_rate"] = round(ok / total, 4) if total else None
    return out
