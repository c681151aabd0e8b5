"""Bad input of every kind: exit code 2, exactly one line on stderr, no traceback, and a foreign
database left byte-identical. Nothing here reaches a web server (the URLs are never fetched)."""

import hashlib
import os
import sqlite3

import pytest

from conftest import FAST, run_zwgk

URL = "http://127.0.0.1:9/"  # never contacted: every case fails before the crawl


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    (root / "notdb.db").write_bytes(b"hello, this is not a database\n" * 10)
    (root / "adir").mkdir()
    (root / "afile").write_text("x", encoding="utf-8")
    with sqlite3.connect(root / "foreign.db") as conn:  # another application's data, with a `pages` table
        conn.execute("create table pages (url text primary key, hits integer)")
        conn.execute("insert into pages values ('/index', 42)")
    conn.close()
    with sqlite3.connect(root / "foreign-id.db") as conn:  # an application that sets its application_id
        conn.execute("pragma application_id = 1234")
        conn.execute("create table scans (id integer primary key, site text)")
    conn.close()
    (root / "truncated.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 20)
    return root


# (arguments, what the single line must say); {d} is the fixture's directory
CASES = [
    # numbers out of range, in every subcommand that takes them
    (["crawl", URL, "--max-pages", "-1"], "--max-pages"),
    (["crawl", URL, "--per-host", "0"], "--per-host"),
    (["crawl", URL, "--concurrency", "0"], "--concurrency"),
    (["crawl", URL, "--max-depth", "-3"], "--max-depth"),
    (["crawl", URL, "--timeout", "-5"], "--timeout"),
    (["crawl", URL, "--timeout", "0"], "--timeout"),
    (["crawl", URL, "--timeout", "nan"], "--timeout"),
    (["crawl", URL, "--delay", "-1"], "--delay"),
    (["crawl", URL, "--delay", "inf"], "--delay"),
    (["crawl", URL, "--max-size", "-1"], "--max-size"),
    (["crawl", URL, "--max-size", "0"], "--max-size"),
    (["crawl", URL, "--ipv6-max-links", "0"], "--ipv6-max-links"),
    (["audit", URL, "--max-pages", "-1"], "--max-pages"),
    (["audit", URL, "--per-host", "0"], "--per-host"),
    (["check", "--scan", "0"], "--scan"),
    (["report", "0"], "SCAN_ID"),
    (["diff", "0", "1"], "OLD"),
    (["check", "--fail-on", "fatal"], "--fail-on"),
    (["check", "--as-of", "2026-13-01"], "--as-of"),
    (["demo", "--lang", "fr"], "--lang"),
    # host:port options
    (["crawl", URL, "--dns-server", "127.0.0.1:99999"], "port 1-65535"),
    (["crawl", URL, "--dns-server", "127.0.0.1:0"], "port 1-65535"),
    (["crawl", URL, "--dns-server", "dns.example.test"], "--dns-server"),
    (["crawl", URL, "--dns-server", "[::1]x"], "--dns-server"),
    (["crawl", URL, "--resolve", "www.example.test:99999:127.0.0.1"], "HOST:PORT:ADDRESS"),
    (["crawl", URL, "--resolve", ":80:127.0.0.1"], "HOST:PORT:ADDRESS"),
    (["crawl", URL, "--resolve", "www.example.test:80:not-an-ip"], "HOST:PORT:ADDRESS"),
    (["crawl", URL, "--allow-host", "other.test:70000"], "--allow-host"),
    (["crawl", URL, "--allow-host", "http://other.test/"], "--allow-host"),
    (["crawl", URL, "--allow-host", "::1"], "--allow-host"),
    (["crawl", URL, "--contact", "a\r\nX-Injected: 1"], "--contact"),
    (["crawl", URL, "--contact", "审计@example.test"], "--contact"),
    # URLs
    (["crawl", "http://127.0.0.1:99999/"], "not a valid http(s) URL"),
    (["crawl", "http://127.0.0.1:0/"], "not a valid http(s) URL"),
    (["crawl", "http://[::1/"], "not a valid http(s) URL"),
    (["crawl", "http://[::zz]/"], "not a valid http(s) URL"),
    (["crawl", "http:///path"], "not a valid http(s) URL"),
    (["crawl", "ftp://example.test/"], "not a valid http(s) URL"),
    (["crawl", "example.test"], "not a valid http(s) URL"),
    (["crawl", "http://exa mple.test/"], "not a valid http(s) URL"),
    (["crawl", "http://example.test:port/"], "not a valid http(s) URL"),
    (["audit", URL, "http://[::1/"], "not a valid http(s) URL"),
    (["extract", "http://[::1/"], "not a valid http(s) URL"),
    (["extract", "{d}/afile", "--url", "http://127.0.0.1:70000/"], "not a valid http(s) URL"),
    (["crawl"], "URLS"),
    # files
    (["crawl", URL, "--db", "{d}/notdb.db"], "not an SQLite database"),
    (["crawl", URL, "--db", "{d}/truncated.db"], "not an SQLite database"),
    (["crawl", URL, "--db", "{d}/adir"], "is a directory"),
    (["crawl", URL, "--db", "{d}/foreign.db"], "not a zwgk database"),
    (["crawl", URL, "--db", "{d}/foreign-id.db"], "not a zwgk database"),
    (["crawl", URL, "--db", "{d}/no/such/dir/x.db"], "cannot open database"),
    (["crawl", URL, "--db", "/dev/null"], "not a regular file"),
    (["audit", URL, "--db", "{d}/foreign.db"], "not a zwgk database"),
    (["demo", "--db", "{d}/foreign.db", "--out", "{d}/demo-out"], "not a zwgk database"),
    (["check", "--db", "{d}/foreign.db"], "not a zwgk database"),
    (["report", "--db", "{d}/foreign.db", "--out", "{d}/out"], "not a zwgk database"),
    (["history", "--db", "{d}/foreign.db"], "not a zwgk database"),
    (["diff", "1", "2", "--db", "{d}/foreign.db"], "not a zwgk database"),
    (["history", "--db", "{d}/notdb.db"], "not an SQLite database"),
    (["history", "--db", "{d}/adir"], "is a directory"),
    (["history", "--db", "{d}/missing.db"], "no such database"),
    (["report", "--db", "{d}/missing.db", "--out", "{d}/out"], "no such database"),
    (["diff", "1", "2", "--db", "{d}/missing.db"], "no such database"),
    (["check", "--db", "{d}/missing.db"], "no such database"),
    (["audit", URL, "--db", "{d}/x.db", "--out", "{d}/afile/report"], "is a file, not a directory"),
    (["audit", URL, "--db", "{d}/x.db", "--out", "{d}/afile"], "--out"),
    (["audit", URL, "--db", "{d}/x.db", "--out", "/proc/zwgk-report"], "pseudo file system"),
    (["audit", URL, "--db", "{d}/x.db", "--out", "/proc/self"], "pseudo file system"),
    (["demo", "--db", "{d}/x.db", "--out", "{d}/afile/report"], "is a file, not a directory"),
    (["audit", URL, "--db", "{d}/x.db", "--calendar-dir", "{d}/no-calendars"], "--calendar-dir"),
    (["audit", URL, "--db", "{d}/x.db", "--calendar-dir", "{d}/afile"], "--calendar-dir"),
    (["audit", URL, "--db", "{d}/x.db", "--rules", "{d}/no-rules.yaml"], "无法读取规则文件 cannot read"),
    (["audit", URL, "--db", "{d}/x.db", "--rules", "{d}/notdb.db"], "notdb.db"),
    (["audit", URL, "--db", "{d}/x.db", "--baseline", "{d}/no-baseline.yaml"], "无法读取基线文件 cannot read"),
    (["audit", URL, "--db", "{d}/x.db", "--baseline", "{d}/adir"], "--baseline"),
    (["audit", URL, "--db", "{d}/x.db", "--format", "odt"], "unknown format"),
    (["audit", URL, "--db", "{d}/x.db", "--format", ","], "unknown format"),
    (["rules", "--rules", "{d}/no-rules.yaml"], "无法读取规则文件 cannot read"),
    (["extract", "{d}/no-such-page.html"], "no such file"),
]


def _fingerprint(directory):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.mark.parametrize("args, needle", CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
def test_bad_input_is_one_line_and_exit_2(files, args, needle):
    before = _fingerprint(files)
    proc = run_zwgk(*[a.replace("{d}", str(files)) for a in args], check=False, timeout=60)
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert needle in lines[0] and "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert _fingerprint(files) == before  # no database created, no foreign file changed
    assert not (files / "x.db").exists() and not (files / "missing.db").exists()


def test_unwritable_out_dir(files, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write to a read-only directory")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    proc = run_zwgk("audit", URL, "--db", tmp_path / "x.db", "--out", locked / "report", check=False)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1 and "cannot write" in proc.stderr
    assert not (tmp_path / "x.db").exists()


def test_unreadable_database(files, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    db = tmp_path / "secret.db"
    db.write_bytes((files / "foreign.db").read_bytes())
    db.chmod(0)
    proc = run_zwgk("history", "--db", db, check=False)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1 and "cannot read" in proc.stderr


def test_debug_shows_the_traceback(files):
    proc = run_zwgk("--debug", "history", "--db", files / "notdb.db", check=False)
    assert proc.returncode == 2 and "Traceback" in proc.stderr and "UnusableDatabase" in proc.stderr
    assert proc.stderr.splitlines()[-1].endswith(f"not an SQLite database: {files / 'notdb.db'}")


def test_unexpected_error_is_one_line(files, tmp_path):
    """A database that is zwgk's but damaged (its scans table gone) fails with one line, exit 2."""
    db = tmp_path / "damaged.db"
    from storage.sqlite import open_db

    open_db(str(db)).close()
    with sqlite3.connect(db) as conn:
        conn.execute("drop table scans")
    conn.close()
    proc = run_zwgk("history", "--db", db, check=False)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr
    assert "no such table: scans" in proc.stderr
    assert "Traceback" in run_zwgk("--debug", "history", "--db", db, check=False).stderr


def test_help_shows_the_ranges():
    text = run_zwgk("crawl", "--help").stdout
    for shown in ("--max-pages INTEGER RANGE", "x>=0", "1<=x<=1000", "0.1<=x<=3600", "HOST[:PORT]", "IP[:PORT]", "HOST:PORT:ADDRESS"):
        assert shown in text
    assert "--debug" in run_zwgk("--help").stdout


def test_telnet_console_stays_disabled():
    from crawler.run import CrawlOptions, scrapy_settings

    settings = scrapy_settings(CrawlOptions(start_urls=[URL], db="unused.db"), 1)
    assert settings["TELNETCONSOLE_ENABLED"] is False
    assert "scrapy.extensions.telnet.TelnetConsole" not in settings.get("EXTENSIONS", {})


def test_no_control_server_is_opened(tmp_path):
    """Scrapy's console extensions (telnet; from 2.19 an HTTP endpoint that runs Python code sent to
    it) stay off in a real crawl: nothing listens, nothing is written to the user's profile."""
    from tests.http_site import page, serve

    with serve(lambda method, path, query, body: (200, {}, page("首页", "<p>首页</p>"), 0)) as server:
        proc = run_zwgk("crawl", server.base + "/", "--db", tmp_path / "c.db", "--verbose", "--no-ipv6", "--workers", "1", *FAST,
                        env={"HOME": str(tmp_path)})
    log = proc.stderr
    assert "Enabled extensions" in log  # the log lists the extensions that run …
    assert "RemoteControl'" not in log and "TelnetConsole'" not in log and "listening on" not in log  # … not these
    assert [p for p in tmp_path.rglob("*") if "scrapy" in str(p).lower()] == []
