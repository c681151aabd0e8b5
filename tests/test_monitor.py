"""zwgk monitor and the week of availability (站点无法访问, 指标2019): local sites on 127.0.0.1 that
fail a known share of visits (every Nth visit hangs past the limit or answers 503), a fast clock
standing in for a week of 20 visits a day, the veto exactly at 5 % (7 of 140 fails, 6 of 140 does
not), the foreground command (one row per visit, Ctrl-C loses none), --once, bad input, and Celery
beat feeding two real workers on a real redis-server while one of them is killed with SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from storage.visits import utc_text
from tests.http_site import page, serve
from tests.services import redis_server, stop_groups, wait_until

AS_OF = date(2026, 11, 20)
INTERVAL = 86400 / 20  # 20 visits a day
LIMIT = 2.0  # seconds, for the test (15 in the 指标; short, yet long enough for a loaded CI machine)


class FastClock:
    """Simulated time running ``speed`` times faster than real time from ``start``."""

    def __init__(self, start: float, speed: float):
        self.start, self.speed, self.t0 = start, speed, None

    def now(self) -> float:
        # starts at its first reading: a loaded machine's pause before the schedule is planned would
        # otherwise skip a site's first moments (a visit every 10 ms of real time)
        if self.t0 is None:
            self.t0 = time.monotonic()
        return self.start + (time.monotonic() - self.t0) * self.speed

    def sleep(self, seconds: float) -> None:
        time.sleep(max(seconds, 0) / self.speed)


def failing_site(every: int, last: int | None = None):
    """A home page whose visits number every·k (k·every ≤ last) fail, alternately by hanging past
    the limit and by answering 503; the others answer 200 with a page."""
    lock, seen = threading.Lock(), [0]

    def answer(method, path, query, body):
        with lock:
            seen[0] += 1
            n = seen[0]
        if n % every == 0 and (last is None or n <= last):
            return (200, {}, page("首页", "慢"), 2 * LIMIT) if (n // every) % 2 else (503, {}, b"busy", 0)
        return 200, {}, page("首页", "欢迎"), 0
    return answer


def zwgk(*args, **kw):
    return subprocess.run([sys.executable, "-m", "zwgk.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=kw.pop("timeout", 120), **kw)


def rows(db, sql, params=()):
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """A simulated week of monitoring of two sites: A fails 7 of its 140 visits, B 6 of 140."""
    from storage.visits import window
    from zwgk import monitor

    db = str(tmp_path_factory.mktemp("week") / "week.db")
    with serve(failing_site(20)) as a, serve(failing_site(20, last=120)) as b:
        targets = monitor.targets_from([a.base + "/", b.base + "/"])
        monitor.prepare(db)  # (imports the visit code: seconds of real time, before the fast clock starts)
        start = window(AS_OF, 7)[0].timestamp()
        clock = FastClock(start, speed=INTERVAL / 0.01)  # a visit moment every 10 ms
        stored = monitor.run(db, targets, monitor.Options(interval=INTERVAL, limit=LIMIT), count=140, clock=clock)
        yield {"db": db, "stored": stored, "a": targets[0].site, "b": targets[1].site,
               "urls": {targets[0].site: a.base + "/", targets[1].site: b.base + "/"},
               "requests": {targets[0].site: len(a.requests), targets[1].site: len(b.requests)}}


def _scan(db: str, url: str) -> int:
    from storage.sqlite import create_scan, finish_scan, open_db
    from urllib.parse import urlsplit

    handle = open_db(db)
    try:
        scan_id = create_scan(handle, urlsplit(url).netloc, [url], {}, "test")
        finish_scan(handle, scan_id, "finished")
        return scan_id
    finally:
        handle.close()


def _check(db: str, scan_id: int, as_of: date):
    from checks.engine import checks_of, rules_for_run, run_checks
    from reports.data import verdict_of

    rules = rules_for_run()
    findings = run_checks(db, scan_id, rules, as_of, select=("availability",), workers=1)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        check = checks_of(conn, scan_id)[-1]
        card = verdict_of(conn, scan_id, rules, findings, check["check_no"])
    finally:
        conn.close()
    return findings, check, card


def test_one_row_per_visit_with_the_failures_in_words(week):
    db = week["db"]
    assert week["stored"] == 280
    for site, failures in ((week["a"], 7), (week["b"], 6)):
        got = rows(db, "select count(*), count(distinct slot), sum(ok = 0), min(family), max(family) from visits where site = ?",
                   (site,))[0]
        assert got == (140, 140, failures, 4, 4)
        assert week["requests"][site] == 140  # every visit made is a row
        errors = {e for (e,) in rows(db, "select error from visits where site = ? and ok = 0", (site,))}
        assert errors == {"HTTP 503", f"{LIMIT:g} 秒内未打开 not opened within {LIMIT:g} s"}
        # 20 a day on each of the seven days before the check date (Beijing days)
        days = rows(db, "select substr(datetime(at, '+8 hours'), 1, 10), count(*) from visits where site = ? group by 1", (site,))
        assert [n for _, n in days] == [20] * 7
        assert days[0][0] == (AS_OF - timedelta(days=7)).isoformat() and days[-1][0] == (AS_OF - timedelta(days=1)).isoformat()
    opened = rows(db, "select status, ttfb_ms, total_ms from visits where ok = 1")
    assert all(s == 200 and t is not None and total >= t for s, t, total in opened)


def test_veto_exactly_at_five_percent(week):
    db = week["db"]
    a, b = (_scan(db, week["urls"][s]) for s in (week["a"], week["b"]))
    findings, check, card = _check(db, a, AS_OF)
    veto = [f for f in findings if f["rule"] == "availability.unreachable"]
    assert len(veto) == 1 and not [f for f in findings if f["rule"] == "availability.slow"]
    ev = veto[0]["evidence"]
    assert (ev["visits"], ev["failures"], ev["share"]) == (140, 7, 0.05)
    assert ev["worst_day"]["failures"] >= 1 and len(ev["examples"]) == 7 and ev["examples"][0]["error"]
    assert "7 次" in veto[0]["message_zh"] and "单项否决" in veto[0]["message_zh"]
    item = next(v for v in card["vetoes"] if "availability.unreachable" in v["rules"])
    assert item["triggered"] and card["verdict_zh"] == "不合格"

    findings, check, card = _check(db, b, AS_OF)
    assert [f["rule"] for f in findings] == ["availability.slow"]
    assert findings[0]["evidence"]["failures"] == 6 and findings[0]["severity"] == "warning"
    item = next(v for v in card["vetoes"] if "availability.unreachable" in v["rules"])
    assert not item["triggered"] and item["checked"]
    assert any("未否决" in line and "140" in line for line in card["lines_zh"])


def test_incomplete_week_is_not_judged_and_no_week_is_said(week):
    db = week["db"]
    b = _scan(db, week["urls"][week["b"]])
    # the window moved one day on: its last day has no visit, 6 failures of 120 cannot reach 7 of 140
    findings, check, card = _check(db, b, AS_OF + timedelta(days=1))
    assert "availability.unreachable" in check["skipped"]
    assert card["verdict_zh"] == "不完整，不作结论"
    assert any("监测不完整" in line for line in card["lines_zh"])
    # nothing monitored in the window: said, and the single sample stays what it was
    findings, check, card = _check(db, b, AS_OF + timedelta(days=30))
    assert not findings and not check["skipped"]
    assert any("未监测" in line and "单次抽样" in line for line in card["lines_zh"])
    # … and the veto table says so too (未监测, never 未否决/未触发)
    item = next(v for v in card["vetoes"] if "availability.unreachable" in v["rules"])
    assert item["unmonitored"] and not item["triggered"]
    assert [v["unmonitored"] for v in card["vetoes"] if v is not item] == [False] * (len(card["vetoes"]) - 1)


@pytest.fixture()
def site():
    with serve(lambda *a: (200, {}, page("首页", "欢迎"), 0)) as server:
        yield server


def test_foreground_once_and_ctrl_c(site, tmp_path):
    db = tmp_path / "m.db"
    done = zwgk("monitor", site.base + "/", "--db", db, "--interval", "0.3", "--count", "3", "--limit", LIMIT)
    assert done.returncode == 0, done.stderr
    assert rows(db, "select count(*), count(distinct slot), sum(ok) from visits")[0] == (3, 3, 3)
    once = zwgk("monitor", site.base + "/", "--db", db, "--once", "--quiet")
    assert once.returncode == 0 and "已记录 1 次访问" in once.stdout
    # Ctrl-C: every visit made is stored
    proc = subprocess.Popen([sys.executable, "-m", "zwgk.cli", "monitor", site.base + "/", "--db", str(db), "--interval",
                             "0.2", "--limit", str(LIMIT), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: len(site.requests) >= 7, "three visits", 60)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "已停止" in err and "Traceback" not in err
    assert rows(db, "select count(*) from visits")[0][0] == len(site.requests)


@pytest.mark.parametrize("args, words", [
    ((), "没有要监测的网站"),
    (("http://127.0.0.1:9/", "--interval", "0"), "--interval"),
    (("http://127.0.0.1:9/", "--per-day", "abc"), "--per-day"),
    (("ftp://127.0.0.1/",), "不是有效的网址"),
    (("no-such-sites.yaml",), "无法读取网站清单"),
])
def test_bad_input_one_line_exit_2(tmp_path, args, words):
    result = zwgk("monitor", *args, "--db", tmp_path / "m.db")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in result.stderr


def test_celery_beat_keeps_visiting_while_a_worker_is_killed(site, tmp_path):
    db = tmp_path / "beat.db"
    env = {**os.environ, "CI": "1"}
    with redis_server() as broker, contextlib.ExitStack() as stack:
        procs = []
        stack.callback(stop_groups, procs)
        for name in ("a", "b"):
            log = open(tmp_path / f"worker-{name}.log", "w")
            stack.callback(log.close)
            procs.append(subprocess.Popen([sys.executable, "-m", "zwgk.cli", "worker", "--broker", broker, "--concurrency", "2"],
                                          stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True))
        beat_log = open(tmp_path / "beat.log", "w")
        stack.callback(beat_log.close)
        beat = subprocess.Popen([sys.executable, "-m", "zwgk.cli", "monitor", site.base + "/", "--db", str(db), "--broker", broker,
                                 "--interval", "0.5", "--limit", str(LIMIT), "--beat-schedule", str(tmp_path / "beat-state")],
                                stdout=beat_log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        procs.append(beat)

        def by_worker():
            if not db.exists():
                return {}
            with contextlib.suppress(sqlite3.OperationalError):
                return {w.rsplit(":", 1)[1]: n for w, n in rows(db, "select worker, count(*) from visits group by worker")}
            return {}

        victim, other = procs[0], procs[1]
        wait_until(lambda: by_worker().get(str(victim.pid), 0) >= 1 and by_worker().get(str(other.pid), 0) >= 1,
                   "both workers recording visits", 90)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        killed_at = utc_text(datetime.now(timezone.utc))
        wait_until(lambda: rows(db, "select count(*) from visits where at > ?", (killed_at,))[0][0] >= 6,
                   "visits after the kill", 60)
        after = rows(db, "select worker, slot from visits where at > ?", (killed_at,))
        assert {w.rsplit(":", 1)[1] for w, _ in after} == {str(other.pid)}
        assert beat.poll() is None  # beat keeps scheduling
        slots = [s for (s,) in rows(db, "select slot from visits order by slot")]
        assert len(slots) == len(set(slots))  # each moment stored once
        assert rows(db, "select count(*) from visits where ok = 1")[0][0] == len(slots)


def test_report_and_batch_ranking_show_the_week(week, tmp_path):
    from checks.engine import rules_for_run
    from reports import html
    from reports.batch import ranking, render_index, site_summary

    db = week["db"]
    scan_id = _scan(db, week["urls"][week["a"]])
    _check(db, scan_id, AS_OF)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        rules = rules_for_run()
        page_html = html.write(conn, scan_id, tmp_path, rules).read_text(encoding="utf-8")
        summary = site_summary(conn, scan_id, rules)
    finally:
        conn.close()
    first = page_html[page_html.index('id="summary"'):page_html.index('id="verdict-lines"')]
    assert "访问 140 次，失败 7 次（5.0%）" in first and "失败最多的一天" in first
    assert summary["availability"]["visits"] == 140 and summary["availability"]["failures"] == 7
    assert summary["vetoes"] and summary["vetoes"][0]["rule"] == "availability.unreachable"
    entry = {"name": "甲", "code": "A1", "url": week["urls"][week["a"]], "status": "audited", "rules_file": None, **summary}
    index = render_index(ranking([entry]), ["availability"], "zh")
    assert "一周监测 2026-11-13–2026-11-19：7/140 次失败（5.0%）" in index


def test_postgres_database_and_the_audit_that_reads_it(site, tmp_path):
    """Visits stored on PostgreSQL; an audit with that database copies the window's visits into its
    local work file, where the one visit of the week makes the measurement incomplete (not judged)."""
    import psycopg

    from conftest import FAST
    from tests.services import postgres_server

    with postgres_server() as pg:
        once = zwgk("monitor", site.base + "/", "--db", pg, "--once", "--json")
        assert once.returncode == 0, once.stderr
        assert '"visits": 1' in once.stdout
        as_of = (datetime.now(timezone.utc) + timedelta(hours=8)).date() + timedelta(days=1)
        audit = zwgk("audit", site.base + "/", "--db", pg, "--as-of", as_of.isoformat(), "--no-ipv6", "--fail-on", "never",
                     "--select", "availability", "--quiet", "--work-dir", tmp_path / "work", *FAST, timeout=300)
        assert audit.returncode == 0, audit.stderr
        with psycopg.connect(pg, autocommit=True) as conn:
            conn.execute("set search_path = zwgk")
            assert conn.execute("select count(*), sum(ok) from visits").fetchone() == (1, 1)
            (skipped,) = conn.execute("select skipped from scan_checks").fetchone()
        assert "availability.unreachable" in skipped


def test_both_families_redirects_and_the_address_policy():
    """A host with A and AAAA is visited over both (nothing listens on ::1 here: the IPv6 visit fails
    in words); a redirect is followed within the limit; a redirect to cloud metadata is refused."""
    from crawler.address_policy import AddressPolicy
    from crawler.visit import Names, visit
    from tests.dns_responder import DNSResponder, Zone
    from zwgk.demo.server import has_ipv6_loopback

    def answer(method, path, query, body):
        if path == "/old":
            return 302, {"Location": "/"}, b"", 0
        if path == "/metadata":
            return 302, {"Location": "http://169.254.169.254/latest/"}, b"", 0
        return 200, {}, page("首页", "欢迎"), 0

    with serve(answer) as server:
        port = server.server_address[1]
        zone = Zone({("www.mon.test", "A"): ["127.0.0.1"], ("www.mon.test", "AAAA"): ["::1"]})
        with DNSResponder(zone) as (dns_host, dns_port):
            names = Names(f"{dns_host}:{dns_port}")
            policy = AddressPolicy({"www.mon.test"})
            v4, *v6 = visit(f"http://www.mon.test:{port}/old", names, policy, limit=LIMIT)
            assert (v4["family"], v4["address"], v4["status"], v4["ok"]) == (4, "127.0.0.1", 200, 1)
            assert v4["final_url"] == f"http://www.mon.test:{port}/"
            if has_ipv6_loopback():
                assert (v6[0]["family"], v6[0]["address"], v6[0]["ok"]) == (6, "::1", 0)
                assert v6[0]["error"] == "连接被拒绝 connection refused"
            (refused,) = visit(f"http://127.0.0.1:{port}/metadata", names, AddressPolicy({"127.0.0.1"}), limit=LIMIT)
            assert refused["ok"] == 0 and refused["error"].startswith("地址策略拒绝访问内部地址")
            (missing,) = visit(f"http://nowhere.mon.test:{port}/", names, policy, limit=LIMIT)
            assert missing["ok"] == 0 and missing["error"].startswith("域名无法解析")


def test_help_speaks_chinese_first_with_json_and_quiet():
    text = zwgk("monitor", "--help").stdout
    assert text.startswith("用法 Usage:") and "--json" in text and "--quiet" in text and "docs/monitor.md" in text
