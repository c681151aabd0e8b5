import json
import os
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from zwgk.demo.server import serve_portal

sys.path.insert(0, str(Path(__file__).parent))

# A test's site is a server on loopback, not a real portal: crawl it at full speed. zwgk's own
# defaults are polite (--per-host 2 --delay 0.5); a test that crawls passes these explicitly. The second
# look for cloaked hijacks (a browser and ~10 views of 20 pages: ~7 s an audit) only where it is what the
# test is about (FAST_WITH_CLOAK: test_cloaked, test_inspection_sites, the whole-audit re-scan).
FAST_WITH_CLOAK = ("--per-host", "8", "--delay", "0")
FAST = (*FAST_WITH_CLOAK, "--no-cloak-check")


# Files of long independent tests (each a whole audit) that go to several workers; every other file's
# tests run in one worker (module fixtures serve a site once). One file of 30 audits would otherwise be
# the whole run's tail.
SPLIT_ACROSS_WORKERS = {"tests/test_generated_sites.py": 3}


def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile, with the files of SPLIT_ACROSS_WORKERS in several parts. (pytest-xdist's
    loadgroup would do this with marks, but its groups are lost under pytest 9.2: pytest-xdist#1386.)"""
    from xdist.scheduler import LoadFileScheduling

    class SplitFileScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            parts = SPLIT_ACROSS_WORKERS.get(scope)
            return f"{scope}#{zlib.crc32(nodeid.encode()) % parts}" if parts else scope

    return SplitFileScheduling(config, log)


def run_zwgk(*args, timeout=300, check=True, env=None):
    """Run the installed CLI in a subprocess (Scrapy's reactor cannot be restarted in-process)."""
    proc = subprocess.run(
        [sys.executable, "-m", "zwgk.cli", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, "CI": "1", **(env or {})},
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"zwgk {' '.join(map(str, args))} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def query(db_path, sql, params=()):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="session")
def demo_site():
    with serve_portal() as served:
        yield served


@pytest.fixture(scope="session")
def demo_db(demo_site, tmp_path_factory):
    """One crawl of the demo portal shared by the read-only tests."""
    db = tmp_path_factory.mktemp("crawl") / "demo.db"
    run_zwgk("crawl", demo_site["v4"] + "/", "--db", db, "--quiet", *FAST)
    return db


AS_OF = "2026-11-20"


@pytest.fixture(scope="session")
def audit(demo_site, tmp_path_factory):
    """`zwgk audit` of the demo portal as of its own date, with every output format."""
    out = tmp_path_factory.mktemp("audit")
    # IPv6 is measured in test_ipv6.py with its own DNS server; the demo's hosts are address literals
    proc = run_zwgk("audit", demo_site["v4"] + "/", "--db", out / "a.db", "--quiet", "--as-of", AS_OF, "--out", out,
                    "--format", "html,json,csv,xlsx,sarif,junit", "--no-ipv6", *FAST, check=False)
    assert proc.returncode == 1, proc.stderr  # error findings → exit 1
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    return {"data": data, "db": out / "a.db", "out": out, "stdout": proc.stdout}
