"""Many sites per process (issue 23): a local `zwgk batch` runs its sites as crawlers on shared
reactors — several sites crawling at once in at most one site-host process per core — and a
site-host process killed mid-batch loses no site: its sites are audited again, where their crawls
stopped, in a new process."""

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
from pathlib import Path

import pytest

from tests.services import hosts_of
from tests.sitegen import AS_OF, generate, serve

SEEDS = (8, 9, 10, 11)
# polite enough that the sites' crawls overlap for several seconds
SLOW = ("--per-host", "2", "--delay", "0.15", "--no-ipv6", "--no-cloak-check", "--no-render")


@pytest.fixture(scope="module")
def sites():
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(serve(generate(seed))) for seed in SEEDS]


class Watch(threading.Thread):
    """Samples, every 0.2 s while the batch runs: its site-host processes and the scans crawling."""

    def __init__(self, proc, db: Path):
        super().__init__(daemon=True)
        self.proc, self.db = proc, db
        self.hosts_seen: set[int] = set()
        self.most_hosts = self.most_crawling = 0
        self.stop = threading.Event()

    def crawling(self) -> int:
        if not self.db.exists():
            return 0
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=1)) as conn:
                return conn.execute("select count(*) from scans where status = 'running'").fetchone()[0]
        except sqlite3.Error:
            return 0

    def run(self):
        for _ in range(3000):  # 10 minutes at most
            if self.stop.is_set() or self.proc.poll() is not None:
                return
            hosts = hosts_of(self.proc.pid)
            self.hosts_seen.update(hosts)
            self.most_hosts = max(self.most_hosts, len(hosts))
            self.most_crawling = max(self.most_crawling, self.crawling())
            time.sleep(0.2)


def start_batch(sites, tmp_path, *extra):
    entries = [{"name": f"网站{i}", "code": f"33000000{i:02d}", "url": s.home} for i, s in enumerate(sites)]
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text(json.dumps({"sites": entries}, ensure_ascii=False), encoding="utf-8")
    resolve = [arg for s in sites for arg in s.resolve_args()]
    return subprocess.Popen([sys.executable, "-m", "zwgk.cli", "batch", str(sites_file), "--db", str(tmp_path / "b.db"),
                             "--out", str(tmp_path / "out"), "--as-of", AS_OF.isoformat(), "--json", "--quiet",
                             "--fail-on", "never", *SLOW, *resolve, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CI": "1", "ZWGK_ADMIT": "always"})


def statuses(db: Path) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return dict(conn.execute("select site_key, status from batch_sites"))


@contextlib.contextmanager
def watched(sites, tmp_path):
    """A batch of ``sites`` running, and its Watch; both stopped at the end."""
    proc = start_batch(sites, tmp_path)
    watch = Watch(proc, tmp_path / "b.db")
    watch.start()
    try:
        yield proc, watch
    finally:
        watch.stop.set()
        watch.join()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_several_sites_crawl_at_once_in_one_process_per_core(sites, tmp_path):
    with watched(sites, tmp_path) as (proc, watch):
        out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    assert set(statuses(tmp_path / "b.db").values()) == {"audited"}
    cores = os.cpu_count() or 1
    assert 1 <= watch.most_hosts <= cores, (watch.most_hosts, cores)
    assert len(watch.hosts_seen) <= cores  # no process per site: the same few processes ran all four
    # more crawls at once than processes: several sites on one reactor
    assert watch.most_crawling > watch.most_hosts, (watch.most_crawling, watch.most_hosts)
    assert hosts_of(proc.pid) == []  # none left behind


def test_a_killed_site_process_loses_no_site(sites, tmp_path):
    killed = None
    with watched(sites[:3], tmp_path) as (proc, watch):
        for _ in range(600):  # until two sites are crawling, at most 60 s
            if watch.crawling() >= 2 and hosts_of(proc.pid):
                killed = hosts_of(proc.pid)[0]
                os.kill(killed, signal.SIGKILL)  # as the kernel's OOM killer would
                break
            time.sleep(0.1)
        out, err = proc.communicate(timeout=600)
    assert killed is not None, "the sites never crawled"
    assert proc.returncode == 0, err[-3000:]
    assert set(statuses(tmp_path / "b.db").values()) == {"audited"}  # every site audited, none failed
    assert watch.hosts_seen - {killed}, "its sites ran again in a new process"
    with contextlib.closing(sqlite3.connect(tmp_path / "b.db")) as conn:
        rows = conn.execute("select b.site_key, s.status from batch_sites b join scans s on s.id = b.scan_id").fetchall()
    assert len(rows) == 3 and {r[1] for r in rows} <= {"finished", "partial"}
