import json
import os
import sqlite3
import subprocess
import sys
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


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """The suite runs with ``--dist loadgroup``: a file's tests run in one worker (module fixtures
    serve a site once), except a file of long independent tests that sets SPLIT_ACROSS_WORKERS = N,
    whose tests go to N groups (one file of 40 audits would otherwise be the whole run's tail)."""
    seen: dict[str, int] = {}
    for item in items:
        group = item.nodeid.split("::")[0]
        split = getattr(item.module, "SPLIT_ACROSS_WORKERS", 1)
        index = seen[group] = seen.get(group, -1) + 1
        item.add_marker(pytest.mark.xdist_group(f"{group}#{index % split}" if split > 1 else group))


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
