"""A distributed batch heals itself: PostgreSQL stopped for 30 s and Redis killed (SIGKILL, its
queued tasks lost) and started again while two workers audit a batch; nobody steps in.

Asserted: the submitter waits through both, says so in one line each (no exception class, no
traceback) and exits 0 as for a clean batch; every site ends audited with exactly one published
scan; no heartbeat thread dies on the database restart.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time

import pytest

from conftest import FAST
from tests.services import postgres_cluster, redis_instance, stop_groups, wait_until
from tests.sitegen import AS_OF, generate, serve
from tests.test_distributed import _sites_file, _zwgk

SEEDS = (8, 9, 10, 11, 12)


@pytest.fixture(scope="module")
def services():
    with redis_instance() as redis, postgres_cluster() as pg:
        yield redis, pg


def _statuses(url: str) -> dict[str, str]:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=2) as conn:
            return dict(conn.execute("select site_key, status from zwgk.batch_sites").fetchall())
    except psycopg.Error:
        return {}


def test_postgres_stopped_and_redis_killed_mid_batch(services, tmp_path):
    import psycopg

    redis, pg = services
    env = {**os.environ, "CI": "1", "ZWGK_HEARTBEAT_SECONDS": "1"}  # claims stall after 12 s, not a minute
    with contextlib.ExitStack() as stack:
        servers = {seed: stack.enter_context(serve(generate(seed))) for seed in SEEDS}
        sites = tmp_path / "sites.yaml"
        resolve = _sites_file(sites, servers)
        workers, logs = [], []
        for name in ("a", "b"):
            log = tmp_path / f"worker-{name}.log"
            handle = open(log, "w")
            stack.callback(handle.close)
            logs.append(log)
            workers.append(subprocess.Popen(_zwgk("worker", "--broker", redis.url, "--concurrency", "1", "--work-dir",
                                                  tmp_path / f"work-{name}"),
                                            stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True))

        stack.callback(stop_groups, workers)
        batch = subprocess.Popen(_zwgk("batch", sites, "--db", pg.url, "--broker", redis.url, "--out", tmp_path / "out",
                                       "--as-of", AS_OF.isoformat(), "--no-ipv6", "--fail-on", "never", "--json", "--quiet",
                                       *FAST, *resolve),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        stack.callback(lambda: batch.poll() is None and batch.kill())

        # PostgreSQL goes away while audits run and tasks wait in the queue
        wait_until(lambda: "running" in _statuses(pg.url).values(), "a site starting", 120)
        time.sleep(2)  # inside its crawl: its heartbeat and its publishing meet the outage
        pg.stop("fast")
        time.sleep(30)
        pg.start()
        # then Redis crashes, losing every task it held, while sites are still queued
        wait_until(lambda: list(_statuses(pg.url).values()).count("audited") >= 1, "a site done after the restart", 180)
        assert "queued" in _statuses(pg.url).values(), "nothing left in the queue to lose"
        redis.kill()
        time.sleep(3)
        redis.start()

        out, err = batch.communicate(timeout=600)
    assert batch.returncode == 0, err[-3000:]
    summary = json.loads(out.strip().splitlines()[-1])
    assert {s["status"] for s in summary["sites"]} == {"audited"}
    said = [line for line in err.splitlines() if line.strip()]
    assert any(line.startswith("数据库暂时无法连接") and "the database is unreachable" in line for line in said), err
    assert not any("Traceback" in line or "Error:" in line or "Exception" in line for line in said), err

    with psycopg.connect(pg.url, autocommit=True) as conn:
        rows = conn.execute("select site_key, status, scan_id from zwgk.batch_sites").fetchall()
        redone = conn.execute("select count(*) from zwgk.batch_sites where attempts > 1").fetchone()[0]
        scans = conn.execute("select site, count(*) from zwgk.scans group by site").fetchall()
    assert len(rows) == len(SEEDS) and {status for _, status, _ in rows} == {"audited"}
    assert sorted(n for _, n in scans) == [1] * len(SEEDS)  # one published scan per site
    assert len({scan_id for _, _, scan_id in rows}) == len(SEEDS)
    assert redone >= 1  # an audit the outage cut short was done again
    for log in logs:
        assert "Exception in thread heartbeat" not in log.read_text(encoding="utf-8", errors="replace")


def test_status_shows_a_stalled_claim_and_hands_it_out_again(services, tmp_path):
    """A site whose worker stopped renewing its claim is `stalled` in `zwgk batch status`, which
    takes it back (queued) and sends its task again, whatever the broker's visibility timeout."""
    import redis as redis_client

    from zwgk import batch as batches
    from zwgk.pipeline import AuditJob, connect_db

    redis, pg = services
    sites = [batches.Site(key="S1", name="站点一", urls=["http://127.0.0.1:9/"]),
             batches.Site(key="S2", name="站点二", urls=["http://127.0.0.1:9/"])]
    job = AuditJob(urls=[], db=pg.url)
    conn = connect_db(pg.url, create=True)
    try:
        batch_id = batches.new_batch(conn, sites, str(tmp_path / "sites.yaml"), {}, redis.url, "stall-test")
    finally:
        conn.close()
    batches.enqueue(redis.url, pg.url, batch_id, sites, job)
    client = redis_client.Redis.from_url(redis.url)
    client.delete("zwgk")  # taken by a worker that then died: nothing left in the queue
    conn = connect_db(pg.url)
    try:
        assert batches.claim(conn, batch_id, "S1", "dead-host:1:1")
        with conn:  # its last heartbeat, long ago
            conn.execute('update "batch_sites" set "heartbeat" = ? where "site_key" = ?', (1.0, "S1"))
    finally:
        conn.close()
    assert batches.tasks_in_broker(redis.url, batch_id) == set()
    proc = subprocess.run(_zwgk("batch", "status", "--db", pg.url, "--batch", batch_id), capture_output=True, text=True,
                          timeout=120, env={**os.environ, "CI": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "停止续约 stalled 1" in proc.stdout and "handed out again" in proc.stdout, proc.stdout
    assert batches.tasks_in_broker(redis.url, batch_id) == {"S1"}
    assert batches.progress(pg.url, batch_id) == {"queued": 2}
    client.delete("zwgk")
    client.close()
