"""IPv6 and DNS support measured against a real DNS responder and real HTTP servers on 127.0.0.1
and ::1: a working portal, a host whose AAAA exists but whose IPv6 service is broken, one with
no AAAA, one serving different content over IPv6, and one that does not resolve."""

import hashlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import FAST, query, run_zwgk
from dns_responder import DNSResponder, Zone
from zwgk.demo.server import has_ipv6_loopback

pytestmark = pytest.mark.skipif(not has_ipv6_loopback(), reason="the machine has no ::1")

ANSWERS: list[tuple[int, str, int, str]] = []  # (family, path, status, method) of every answer of the servers
LEVEL3 = [f"/l3/good-{i}.html" for i in range(1, 5)] + ["/l3/bad-1.html", "/l3/bad-2.html"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        """As a static web server: an ETag on every page, 304 when the client's matches."""
        status, body = self.server.site(self.path, self.server.family)
        payload = body.encode()
        etag = '"' + hashlib.sha1(payload).hexdigest()[:16] + '"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            status, payload = 304, b""
        ANSWERS.append((self.server.family, self.path, status, self.command))
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


def serve(host, port, site):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server_cls = type("S", (ThreadingHTTPServer,), {"address_family": family, "daemon_threads": True, "allow_reuse_address": True})
    server = server_cls((host, port), Handler)
    server.site, server.family = site, family
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return server


def page(title, links=()):
    anchors = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
    return f"<html><head><title>{title}</title><meta name='SiteName' content='测试'></head><body><ul>{anchors}</ul></body></html>"


@pytest.fixture(scope="module")
def v6_site(tmp_path_factory):
    servers = []
    ports = {}

    def portal(path, family):
        if path == "/":
            hosts = [f"http://broken6.v6.test:{ports['broken6']}/", f"http://nov6.v6.test:{ports['nov6']}/",
                     f"http://mirror.v6.test:{ports['mirror']}/", f"http://gone.v6.test:{ports['portal']}/"]
            return 200, page("测试门户", ["/l2/a.html", "/l2/b.html", "/l2/c.html"] + hosts)
        if path.startswith("/l2/"):
            return 200, page("二级", LEVEL3)
        if path.startswith("/l3/"):
            if "bad" in path and family == socket.AF_INET6:
                return 404, page("未找到")  # the IPv6 virtual host lacks these pages
            return 200, page("三级 " + path)
        return 404, page("未找到")

    def other(title_v4, title_v6=None):
        return lambda path, family: (200, page(title_v6 if (title_v6 and family == socket.AF_INET6) else title_v4))

    first = serve("127.0.0.1", 0, portal)
    ports["portal"] = first.server_address[1]
    servers += [first, serve("::1", ports["portal"], portal)]
    broken = serve("127.0.0.1", 0, other("IPv6 坏了"))  # nothing listens on ::1 for this port
    ports["broken6"] = broken.server_address[1]
    nov6 = serve("127.0.0.1", 0, other("无 AAAA"))
    ports["nov6"] = nov6.server_address[1]
    mirror = serve("127.0.0.1", 0, other("镜像 A", "镜像 B"))
    ports["mirror"] = mirror.server_address[1]
    servers += [broken, nov6, mirror, serve("::1", ports["mirror"], other("镜像 A", "镜像 B"))]
    zone = Zone({
        ("www.v6.test", "A"): ["127.0.0.1"], ("www.v6.test", "AAAA"): ["::1"],
        ("v6.test", "NS"): ["ns1.v6.test.", "ns2.v6.test."],
        ("ns1.v6.test", "A"): ["127.0.0.1"], ("ns1.v6.test", "AAAA"): ["::1"],
        ("ns2.v6.test", "A"): ["127.0.0.1"],
        ("broken6.v6.test", "A"): ["127.0.0.1"], ("broken6.v6.test", "AAAA"): ["::1"],
        ("nov6.v6.test", "A"): ["127.0.0.1"],
        ("mirror.v6.test", "A"): ["127.0.0.1"], ("mirror.v6.test", "AAAA"): ["::1"],
    })
    out = tmp_path_factory.mktemp("ipv6")
    try:
        with DNSResponder(zone) as (dns_host, dns_port):
            proc = run_zwgk("audit", f"http://www.v6.test:{ports['portal']}/", "--db", out / "v6.db", "--quiet",
                            "--dns-server", f"{dns_host}:{dns_port}", "--as-of", "2026-11-20", "--out", out,
                            "--format", "json,html", "--select", "ipv6", "--select", "dns", "--select", "links", *FAST, check=False)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    return {"data": data, "db": out / "v6.db", "out": out, "ports": ports, "answers": list(ANSWERS)}


def findings(site, rule):
    return [f for f in site["data"]["findings"] if f["rule"] == rule]


def test_no_aaaa_for_linked_host(v6_site):
    found = findings(v6_site, "ipv6.no_aaaa")
    assert [(f["evidence"]["host"], f["severity"]) for f in found] == [("nov6.v6.test", "warning")]


def test_aaaa_but_ipv6_broken(v6_site):
    found = findings(v6_site, "ipv6.unreachable")
    assert [(f["evidence"]["host"], f["evidence"]["ipv6_error"], f["evidence"]["ipv4_status"]) for f in found] == [
        ("broken6.v6.test", "refused", 200)]


def test_content_mismatch(v6_site):
    found = findings(v6_site, "ipv6.content_mismatch")
    assert [(f["evidence"]["host"], f["evidence"]["ipv4_title"], f["evidence"]["ipv6_title"]) for f in found] == [
        ("mirror.v6.test", "镜像 A", "镜像 B")]


def test_host_that_does_not_resolve(v6_site):
    assert [(f["evidence"]["host"], f["evidence"]["error"]) for f in findings(v6_site, "dns.failure")] == [("gone.v6.test", "nxdomain")]
    broken = [f for f in findings(v6_site, "links.broken") if "gone.v6.test" in f["url"]]
    assert len(broken) == 1 and broken[0]["evidence"]["error"] == "dns"  # the same failure makes the link broken


def test_link_rates(v6_site):
    found = findings(v6_site, "ipv6.link_rate")
    assert [(f["evidence"]["level"], f["evidence"]["ok"], f["evidence"]["total"]) for f in found] == [(3, 4, 6)]
    assert sorted(u.rsplit("/", 1)[1] for u in found[0]["evidence"]["failing_links"]) == ["bad-1.html", "bad-2.html"]
    summary = json.loads(query(v6_site["db"], "select summary from ipv6_summary")[0][0])
    assert summary["level2_rate"] == 1.0 and summary["level3_rate"] == round(4 / 6, 4)


def test_dns_chain(v6_site):
    found = findings(v6_site, "ipv6.dns_chain")
    assert [(f["evidence"]["zone"], f["evidence"]["without_ipv6"]) for f in found] == [("v6.test.", ["ns2.v6.test."])]


def test_portal_itself_is_fine_and_timed(v6_site):
    rows = query(v6_site["db"], "select family, status, connect_ms, ttfb_ms, title from ipv6_probes where host = 'www.v6.test' and purpose = 'host' order by family")
    assert [(r[0], r[1], r[4]) for r in rows] == [(4, 200, "测试门户"), (6, 200, "测试门户")]
    assert all(r[2] is not None and r[3] is not None for r in rows)
    record = query(v6_site["db"], "select a, aaaa, answer_ms from dns_records where host = 'www.v6.test'")[0]
    assert json.loads(record[0]) == ["127.0.0.1"] and json.loads(record[1]) == ["::1"] and record[2] is not None
    host_rules = ("ipv6.no_aaaa", "ipv6.unreachable", "ipv6.content_mismatch", "dns.failure")
    assert not [f for f in v6_site["data"]["findings"] if "www.v6.test" in f["url"] and f["rule"] in host_rules]


def test_probes_revalidate_the_crawls_copies(v6_site):
    """The probes ask with the crawl's ETags: a page unchanged over a family answers 304 and stands for the
    crawl's copy (so the findings above hold on 304s); the pages the IPv6 host lacks answer 404 as before."""
    probes = query(v6_site["db"], "select url, family, status, revalidated from ipv6_probes where host = 'www.v6.test'")
    portal_pages = [p for p in probes if "/l2/" in p[0] or "/l3/good" in p[0] or p[0].endswith(":%d/" % v6_site["ports"]["portal"])]
    assert len(portal_pages) >= 2 * 8 and all(p[2] == 200 and p[3] == 1 for p in portal_pages), portal_pages
    assert sorted((p[0].rsplit("/", 1)[1], p[2], p[3]) for p in probes if "bad" in p[0] and p[1] == 6) == [
        ("bad-1.html", 404, 0), ("bad-2.html", 404, 0)]
    # over IPv6 (only the probes use it) no crawled page was sent again: each answered 304
    resent = [a for a in v6_site["answers"] if a[3] == "GET" and a[2] == 200 and a[0] == socket.AF_INET6
              and ("/l2/" in a[1] or "/l3/good" in a[1])]
    assert resent == [], resent


def test_report_has_an_ipv6_section(v6_site):
    html = (v6_site["out"] / "index.html").read_text(encoding="utf-8")
    assert 'id="ipv6"' in html and "broken6.v6.test" in html and "66.7%" in html


def test_missing_local_route_gives_no_route(tmp_path):
    """In a network namespace with only loopback (no packet can leave), an IPv6 connect to a
    global address fails with 'no route', which is how the measurement records it."""
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None:
        pytest.skip("unshare is not available")
    script = ("import json; from crawler.ipv6 import fetch; "
              "print(json.dumps(fetch('http://www.example.test/', '2001:db8::10', 2, 'zwgk-test')))")
    proc = subprocess.run(["unshare", "-n", sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0 and "Operation not permitted" in proc.stderr:
        pytest.skip("network namespaces are not permitted here")
    assert json.loads(proc.stdout)["error"] == "no_route"


def test_no_route_is_reported_as_not_measured(v6_site, tmp_path):
    import shutil
    import sqlite3

    db = tmp_path / "noroute.db"
    shutil.copy(v6_site["db"], db)
    with sqlite3.connect(db) as conn:  # as stored when this machine cannot reach mirror's IPv6 address
        conn.execute("update ipv6_probes set status = null, title = null, text_hash = null, error = 'no_route' "
                     "where host = 'mirror.v6.test' and family = 6")
    proc = run_zwgk("check", "--db", db, "--select", "ipv6", "--as-of", "2026-11-20", "--fail-on", "never", "--out", tmp_path, "--format", "json")
    data = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    mirror = [f for f in data["findings"] if "mirror" in json.dumps(f, ensure_ascii=False)]
    assert [(f["rule"], f["severity"]) for f in mirror] == [("ipv6.not_measured", "info")]
    assert proc.returncode == 0


def test_probes_keep_the_crawls_politeness_towards_a_host():
    """The IPv6 step's probes are spaced like the crawl's requests (--per-host, --delay), per host."""
    import threading
    import time

    from crawler.ipv6 import HostPacer

    # the times are read after the pacer lets a probe go: on a loaded machine a thread may read its
    # clock tens of milliseconds late, so the spacing (0.5 s) is asserted with 0.1 s to spare
    pacer, started, lock = HostPacer(2, 0.5), {"a": [], "b": []}, threading.Lock()

    def probe(host):
        with pacer.slot(host):
            with lock:
                started[host].append(time.monotonic())

    threads = [threading.Thread(target=probe, args=(h,)) for h in "aaaabb"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    for host, times in started.items():
        times.sort()
        assert min(b - a for a, b in zip(times, times[1:])) >= 0.4, (host, times)
    assert abs(started["a"][0] - started["b"][0]) < 0.3  # another host does not wait for this one
