"""Many machines: a batch of generated portals audited by two Celery workers on a real redis-server,
results in a real PostgreSQL; one worker is killed with SIGKILL in the middle of an audit.

Asserted: every site ends audited exactly once (one scan per site in the shared database, the
killed worker's site taken over by the other worker within 2 minutes, with the default 12-hour
visibility timeout), each site's findings equal those of a single-machine batch of the same
sites into SQLite, and a worker runs several sites at once in at most one process per core
(zwgk.site_pool), the killed worker's processes taking none of its sites with them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from conftest import FAST
from tests.services import hosts_of, postgres_server, redis_server, stop_groups
from tests.sitegen import AS_OF, generate, serve

SEEDS = (0, 1, 2, 3, 4, 5)


def _sites_file(path, servers) -> list[str]:
    lines = ["sites:"]
    for seed, srv in servers.items():
        lines += [f"  - name: 生成站点{seed}", f"    code: 'G{seed:03d}'", f"    url: {srv.home}", "    organiser: 测试办公厅"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [arg for srv in servers.values() for arg in srv.resolve_args()]


def _zwgk(*args) -> list[str]:
    return [sys.executable, "-m", "zwgk.cli", *map(str, args)]


def _findings(rows) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set] = {}
    for key, rule, fingerprint in rows:
        out.setdefault(key, set()).add((rule, fingerprint))
    return out


FINDINGS_SQL = ('select s.site_key, f.rule, f.fingerprint from batch_sites s join findings f on f.scan_id = s.scan_id '
                'where s.batch_id = (select max(id) from batches) and f.suppressed is null')


@pytest.fixture(scope="module")
def services():
    with redis_server() as broker, postgres_server() as db:
        yield broker, db


def test_two_workers_one_killed_every_site_audited_once(services, tmp_path):
    import psycopg

    broker, pg = services
    # every site a worker takes runs at once (the machine's room is not what is tested here)
    env = {**os.environ, "CI": "1", "ZWGK_HEARTBEAT_SECONDS": "1", "ZWGK_ADMIT": "always"}
    with contextlib.ExitStack() as stack:
        servers = {seed: stack.enter_context(serve(generate(seed))) for seed in SEEDS}
        sites = tmp_path / "sites.yaml"
        resolve = _sites_file(sites, servers)
        common = ["--as-of", AS_OF.isoformat(), "--no-ipv6", "--fail-on", "never", "--json", "--quiet", *FAST, *resolve]

        # the same sites on one machine, into SQLite: the reference
        local = subprocess.run(_zwgk("batch", sites, "--db", tmp_path / "local.db", "--out", tmp_path / "local",
                                     "--parallel", "2", *common), capture_output=True, text=True, timeout=900, env=env)
        assert local.returncode == 0, local.stderr[-3000:]
        with sqlite3.connect(tmp_path / "local.db") as conn:
            expected = _findings(conn.execute(FINDINGS_SQL).fetchall())
        assert len(expected) == len(SEEDS)

        workers = []
        for name in ("a", "b"):
            log = open(tmp_path / f"worker-{name}.log", "w")
            stack.callback(log.close)
            # the default visibility timeout (12 h): the killed worker's site is handed out again by the
            # submitter once its claim stops being renewed (zwgk.batch.heal), not by Redis
            proc = subprocess.Popen(_zwgk("worker", "--broker", broker, "--concurrency", "3", "--work-dir", tmp_path / f"work-{name}"),
                                    stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
            workers.append(proc)

        stack.callback(stop_groups, workers)
        batch = subprocess.Popen(_zwgk("batch", sites, "--db", pg, "--broker", broker, "--out", tmp_path / "dist", *common),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        stack.callback(lambda: batch.poll() is None and batch.kill())

        # sampled while the batch runs: per worker, the sites it runs at once and its site-host processes
        at_once = {w.pid: 0 for w in workers}
        processes = {w.pid: 0 for w in workers}
        sampling = threading.Event()

        def sample():
            with psycopg.connect(pg, autocommit=True) as conn:
                for _ in range(6000):  # bounded: 20 minutes
                    if sampling.is_set():
                        return
                    with contextlib.suppress(psycopg.errors.UndefinedTable):
                        running = [w.split(":")[1] for (w,) in conn.execute("select worker from batch_sites where status = 'running'") if w]
                        for pid in at_once:
                            at_once[pid] = max(at_once[pid], running.count(str(pid)))
                            processes[pid] = max(processes[pid], len(hosts_of(pid)))
                    time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stack.callback(sampler.join)
        stack.callback(sampling.set)

        victim, killed_site = workers[0], None
        deadline = time.monotonic() + 300
        with psycopg.connect(pg, autocommit=True) as conn:
            while killed_site is None and time.monotonic() < deadline and batch.poll() is None:
                with contextlib.suppress(psycopg.errors.UndefinedTable):
                    for key, worker in conn.execute("select site_key, worker from batch_sites where status = 'running'"):
                        if worker and worker.split(":")[1] == str(victim.pid):
                            killed_site = key
                            break
                if killed_site is None:
                    time.sleep(0.2)
        assert killed_site is not None, "worker a never took a site"
        time.sleep(1.0)  # well inside its audit
        os.killpg(victim.pid, signal.SIGKILL)  # the whole machine's worker: main process and its site processes
        victim.wait(timeout=10)
        killed_at = time.monotonic()
        with psycopg.connect(pg, autocommit=True) as conn:
            while time.monotonic() - killed_at < 150 and batch.poll() is None:
                if conn.execute("select status from batch_sites where site_key = %s", (killed_site,)).fetchone()[0] == "audited":
                    break
                time.sleep(0.5)
            finished_in = time.monotonic() - killed_at
            assert conn.execute("select status from batch_sites where site_key = %s", (killed_site,)).fetchone()[0] == "audited"
        assert finished_in < 120, f"the dead worker's site was finished {finished_in:.0f} s after the kill"

        out, err = batch.communicate(timeout=900)
        assert batch.returncode == 0, err[-3000:]
        summary = json.loads(out.strip().splitlines()[-1])
        assert {s["status"] for s in summary["sites"]} == {"audited"}

        with psycopg.connect(pg, autocommit=True) as conn:
            rows = conn.execute("select site_key, status, scan_id, attempts, worker from batch_sites").fetchall()
            scans = conn.execute("select site, count(*) from scans group by site").fetchall()
            got = _findings(conn.execute(FINDINGS_SQL).fetchall())
        # audited exactly once: one published scan per site, the one its batch row names
        assert len(rows) == len(SEEDS) and all(status == "audited" for _, status, _, _, _ in rows)
        assert sorted(n for _, n in scans) == [1] * len(SEEDS)
        assert len({scan_id for _, _, scan_id, _, _ in rows}) == len(SEEDS)
        taken_over = {key: (attempts, worker) for key, _, _, attempts, worker in rows}[killed_site]
        assert taken_over[0] >= 2 and taken_over[1].split(":")[1] != str(victim.pid), taken_over
        # and the same findings as one machine
        assert got == expected
        sampling.set()
        sampler.join()
        # many sites per process: a worker ran several sites at once, in no more processes than cores
        assert max(at_once.values()) >= 2, at_once
        assert 1 <= max(processes.values()) <= (os.cpu_count() or 1), processes
        assert (tmp_path / "dist" / "index.html").exists() and (tmp_path / "dist" / "问题清单.xlsx").exists()


def test_postgres_database_serves_every_command(services, tmp_path):
    """audit/check/report/history/diff on a PostgreSQL database give what they give on SQLite, and a
    schema zwgk did not create is refused without a change."""
    import psycopg

    _broker, pg = services
    server_root = pg.rsplit("/", 1)[0]
    with psycopg.connect(server_root + "/postgres", autocommit=True) as conn:
        conn.execute("create database commands")
        conn.execute("create database foreign_app")
    with psycopg.connect(server_root + "/foreign_app", autocommit=True) as conn:
        conn.execute("create table accounts (id int primary key, name text)")
        conn.execute("insert into accounts values (1, '张三')")
    db = server_root + "/commands"
    env = {**os.environ, "CI": "1"}

    def zwgk(*args, ok=(0, 1)):
        proc = subprocess.run(_zwgk(*args), capture_output=True, text=True, timeout=600, env=env)
        assert proc.returncode in ok, proc.stderr[-3000:]
        return proc

    with serve(generate(7)) as srv:
        common = [srv.home, "--as-of", AS_OF.isoformat(), "--no-ipv6", "--json", "--quiet", *FAST, *srv.resolve_args()]
        first = json.loads(zwgk("audit", *common, "--db", db, "--work-dir", tmp_path / "work", "--out", tmp_path / "pg").stdout)
        second = json.loads(zwgk("audit", *common, "--db", db, "--work-dir", tmp_path / "work").stdout)
        local = json.loads(zwgk("audit", *common, "--db", tmp_path / "local.db").stdout)
        # zwgk told to use the schema another application keeps its tables in
        refused = zwgk("audit", *common, "--db", server_root + "/foreign_app?options=-csearch_path%3Dpublic", ok=(2,))
    assert first["by_rule"] == second["by_rule"] == local["by_rule"] and first["findings"] > 0
    assert "not a zwgk database" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    with psycopg.connect(server_root + "/foreign_app", autocommit=True) as conn:
        assert conn.execute("select table_name from information_schema.tables where table_schema = 'public'").fetchall() == [("accounts",)]
        assert conn.execute("select * from accounts").fetchall() == [(1, "张三")]
        assert conn.execute("select nspname from pg_namespace where nspname = 'zwgk'").fetchall() == []

    checked = json.loads(zwgk("check", "--db", db, "--scan", str(second["scan"]), "--as-of", AS_OF.isoformat(), "--json").stdout)
    assert checked["by_rule"] == local["by_rule"]  # the rules themselves run on PostgreSQL
    history = json.loads(zwgk("history", "--db", db, "--json").stdout)
    assert [h["id"] for h in history] == [first["scan"], second["scan"]]
    diff = json.loads(zwgk("diff", str(first["scan"]), str(second["scan"]), "--db", db, "--json").stdout)
    assert not diff["new"] and not diff["fixed"]
    zwgk("report", str(second["scan"]), "--db", db, "--out", tmp_path / "again", "--format", "html,json,csv,xlsx,sarif,junit")
    report = json.loads((tmp_path / "again" / "findings.json").read_text(encoding="utf-8"))
    assert len(report["findings"]) == local["findings"]
    assert (tmp_path / "pg" / "index.html").exists()
