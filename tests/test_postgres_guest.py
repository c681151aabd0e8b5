"""zwgk in a PostgreSQL database it shares: its tables in a schema of its own (``zwgk``), another
application's schemas untouched, and a missing right named in one line before anything is crawled.
One real PostgreSQL for the module; a tiny site on 127.0.0.1 counts the requests it gets."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest

from conftest import FAST
from tests.http_site import page, serve
from tests.services import postgres_cluster

ENV = {**os.environ, "CI": "1"}


def _answer(method, path, query, body):
    if path == "/":
        return 200, {}, page("测试市人民政府", '<a href="/zwgk/">政府信息公开</a>'), 0
    if path == "/zwgk/":
        return 200, {}, page("政府信息公开", "<p>暂无信息</p>"), 0
    return 404, {}, page("404", "not found"), 0


def _zwgk(*args):
    return subprocess.run([sys.executable, "-m", "zwgk.cli", *map(str, args)], capture_output=True, text=True, timeout=300,
                          env=ENV)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A database where another application keeps tables in ``public`` and in ``app``, zwgk audited
    a site once as the owner, and the roles of the tests: reader (SELECT), dml (SELECT, INSERT,
    UPDATE, DELETE), nocreate (CONNECT only), and a database ``closed`` nobody else may connect to."""
    with postgres_cluster() as cluster, serve(_answer) as site:
        with psycopg.connect(cluster.root + "/postgres", autocommit=True) as conn:
            conn.execute("create database shared")
            conn.execute("create database closed")
            conn.execute("revoke connect on database closed from public")
            for role in ("reader", "dml", "nocreate"):
                conn.execute(f"create role {role} login")
        with psycopg.connect(cluster.root + "/shared", autocommit=True) as conn:
            conn.execute("create table public.accounts (id int primary key, name text)")
            conn.execute("insert into public.accounts values (1, '张三')")
            conn.execute("create schema app")
            conn.execute("create table app.orders (id int primary key)")
        work = tmp_path_factory.mktemp("guest")
        owner = _zwgk("audit", site.base + "/", "--db", cluster.root + "/shared", "--work-dir", work / "owner",
                      "--no-ipv6", "--quiet", "--json", *FAST)
        assert owner.returncode in (0, 1), owner.stderr[-3000:]
        with psycopg.connect(cluster.root + "/shared", autocommit=True) as conn:
            conn.execute("grant usage on schema zwgk to reader, dml")
            conn.execute("grant select on all tables in schema zwgk to reader")
            conn.execute("grant select, insert, update, delete on all tables in schema zwgk to dml")
        yield cluster, site, work


def _as(cluster, user: str, database: str = "shared", query: str = "") -> str:
    return f"postgresql://{user}@127.0.0.1:{cluster.port}/{database}{query}"


def test_own_schema_beside_another_application(shared):
    cluster, _site, _work = shared
    with psycopg.connect(cluster.root + "/shared", autocommit=True) as conn:
        by_schema = {}
        for schema, table in conn.execute("select table_schema, table_name from information_schema.tables "
                                          "where table_schema in ('public', 'app', 'zwgk')"):
            by_schema.setdefault(schema, set()).add(table)
        assert conn.execute("select * from public.accounts").fetchall() == [(1, "张三")]
        assert conn.execute("select count(*) from zwgk.scans").fetchone()[0] == 1
    assert by_schema["public"] == {"accounts"} and by_schema["app"] == {"orders"}
    # the scan's tables and the batch tables, created together
    assert {"zwgk_meta", "scans", "pages", "findings", "batches", "batch_sites"} <= by_schema["zwgk"]


def _refused(shared, db: str, words: tuple[str, ...]) -> None:
    """`zwgk audit` exits 2 with one line holding ``words``, and the site got no request."""
    cluster, site, work = shared
    before = len(site.requests)
    proc = _zwgk("audit", site.base + "/", "--db", db, "--work-dir", work / "refused", "--no-ipv6", "--quiet", *FAST)
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and all(w in lines[0] for w in words), proc.stderr
    assert "Traceback" not in proc.stderr and "Error" not in lines[0].split(":")[0]
    assert len(site.requests) == before  # refused before the crawl: no page fetched


def test_missing_rights_named_before_the_crawl(shared):
    cluster = shared[0]
    _refused(shared, _as(cluster, "nocreate", "zwgk"), ("缺少 CREATE 权限", "lacks the CREATE privilege on the database"))
    _refused(shared, _as(cluster, "reader"), ("缺少 INSERT 权限", "lacks the INSERT privilege on table zwgk."))
    _refused(shared, _as(cluster, "nocreate"), ("缺少 USAGE 权限", "lacks the USAGE privilege on schema zwgk"))
    _refused(shared, _as(cluster, "reader", "closed"), ("CONNECT",))
    # told to use the schema the other application keeps its tables in
    _refused(shared, _as(cluster, "zwgk", "shared", "?options=-csearch_path%3Dapp"), ("不是 zwgk 的数据库", "not a zwgk database"))
    with psycopg.connect(cluster.root + "/shared", autocommit=True) as conn:
        assert {r[0] for r in conn.execute("select table_name from information_schema.tables where table_schema = 'app'")} == {"orders"}


def test_user_with_only_dml_rights_runs_a_batch(shared, tmp_path):
    cluster, site, work = shared
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"sites:\n  - name: 测试市\n    code: 'T001'\n    url: {site.base}/\n", encoding="utf-8")
    proc = _zwgk("batch", sites, "--db", _as(cluster, "dml"), "--work-dir", work / "dml", "--out", tmp_path / "out",
                 "--parallel", "1", "--no-ipv6", "--fail-on", "never", "--json", "--quiet", *FAST)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [s["status"] for s in json.loads(proc.stdout.strip().splitlines()[-1])["sites"]] == ["audited"]
    status = _zwgk("batch", "status", "--db", _as(cluster, "reader"), "--quiet")  # reading needs SELECT only
    assert status.returncode == 0 and "完成 audited 1" in status.stdout, status.stderr
    # and a re-check of the stored scan: findings written, no table created
    check = _zwgk("check", "--db", _as(cluster, "dml"), "--fail-on", "never")
    assert check.returncode == 0, check.stderr[-2000:]
