"""zwgk marks its databases, never alters one it did not create, and any number of zwgk processes
can create and write one database at the same time."""

import functools
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlite_utils

from conftest import FAST, query, run_zwgk
from storage.schema import APPLICATION_ID, META_TABLE, SCHEMA, SCHEMA_VERSION, UnusableDatabase
from storage.sqlite import open_db, verify_db


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def tiny_site(tmp_path):
    """Two pages served on 127.0.0.1; stopped after the test."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text('<html><head><title>首页</title></head><body><a href="a.html">通知</a></body></html>', encoding="utf-8")
    (root / "a.html").write_text("<html><head><title>通知</title></head><body>正文</body></html>", encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_new_database_is_marked(tmp_path):
    db = open_db(str(tmp_path / "new.db"))
    try:
        assert db.execute("pragma application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute(f"select value from {META_TABLE} where key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert set(SCHEMA) <= set(db.table_names())
    finally:
        db.close()
    assert verify_db(str(tmp_path / "new.db")) == "zwgk"


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_foreign_database_is_refused_and_untouched(tmp_path, journal):
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute(f"pragma journal_mode={journal}")
    conn.execute("create table pages (url text primary key, hits integer)")  # zwgk's table name, not zwgk's table
    conn.execute("insert into pages values ('/', 1)")
    conn.commit()
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    before = _sha(path)
    with pytest.raises(UnusableDatabase, match="not a zwgk database"):
        open_db(str(path))
    with pytest.raises(UnusableDatabase, match="not a zwgk database"):
        verify_db(str(path))
    for command in (["crawl", "http://127.0.0.1:9/"], ["history"], ["check"]):
        proc = run_zwgk(*command, "--db", path, check=False)
        assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1 and "not a zwgk database" in proc.stderr
    assert _sha(path) == before
    assert query(path, "select * from pages") == [("/", 1)]
    assert not (tmp_path / "app.jobs").exists()


def test_database_of_a_newer_zwgk_is_refused(tmp_path):
    path = tmp_path / "future.db"
    open_db(str(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"update {META_TABLE} set value = ? where key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.close()
    before = _sha(path)
    with pytest.raises(UnusableDatabase, match="newer zwgk"):
        open_db(str(path))
    assert _sha(path) == before


def test_unmarked_zwgk_database_from_before_the_mark_is_adopted(tmp_path):
    """A database the previous zwgk wrote (sqlite-utils tables, no mark, one column short)."""
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(str(path))
    for name, spec in SCHEMA.items():
        columns = {c: t for c, t in spec["columns"].items() if (name, c) != ("pages", "elapsed_ms")}
        old[name].create(columns, pk=spec["pk"], not_null=None)
    old["scans"].insert({"site": "old.example.test", "start_urls": "[]", "status": "finished"})
    old.close()
    legacy, before = path.read_bytes(), _sha(path)
    assert verify_db(str(path)) == "legacy"
    assert "old.example.test" in run_zwgk("history", "--db", path).stdout
    assert _sha(path) == before  # read-only commands adopt nothing
    db = open_db(str(path))  # the next crawl marks it and adds the missing column
    try:
        assert db.execute("pragma application_id").fetchone()[0] == APPLICATION_ID
        assert "elapsed_ms" in db["pages"].columns_dict
        assert db.execute("select site from scans").fetchall() == [("old.example.test",)]
    finally:
        db.close()
    # the same tables plus one zwgk never made: not adopted
    other = tmp_path / "mixed.db"
    other.write_bytes(legacy)
    with sqlite3.connect(other) as conn:
        conn.execute("create table invoices (id integer)")
    conn.close()
    with pytest.raises(UnusableDatabase, match="not a zwgk database"):
        open_db(str(other))


WRITER = textwrap.dedent("""
    import sys, time
    from storage.sqlite import create_scan, finish_scan, open_db
    start = float(sys.argv[2])
    while time.time() < start:
        time.sleep(0.001)
    db = open_db(sys.argv[1])
    scan = create_scan(db, "example.test", ["http://example.test/"], {}, "test")
    db["pages"].insert({"scan_id": scan, "url": "http://example.test/", "status": 200})
    finish_scan(db, scan, "finished")
    db.close()
""")


def test_sixteen_processes_create_one_database_at_once(tmp_path):
    path = tmp_path / "race.db"
    start = time.time() + 2.0  # all processes past their imports, then open the same new file together
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(start)], stderr=subprocess.PIPE, text=True)
             for _ in range(16)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 16, "\n".join(errors)
    assert query(path, "select count(*), count(distinct id) from scans where status = 'finished'") == [(16, 16)]
    assert query(path, "select count(*) from pages") == [(16,)]


def test_eight_crawls_into_one_new_database(tiny_site, tmp_path):
    path = tmp_path / "shared.db"
    env = {**os.environ, "CI": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "zwgk.cli", "crawl", tiny_site, "--db", str(path), "--quiet", "--no-link-check", "--json", *FAST],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(8)]
    results = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, "\n".join(err for _, err in results)
    assert all(err == "" for _, err in results)  # --quiet: the summary on stdout, nothing else
    summaries = [json.loads(out) for out, _ in results]
    assert sorted(s["scan"] for s in summaries) == list(range(1, 9))
    assert all(s["status"] == "finished" and s["pages"] == 2 for s in summaries)
    assert query(path, "select count(*) from pages") == [(16,)]
    assert query(path, "select distinct status from scans") == [("finished",)]
