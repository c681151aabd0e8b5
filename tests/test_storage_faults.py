"""A full disk, a damaged cache, a damaged database: never a silently short scan.

- The disk fills mid-crawl (a real tmpfs, mounted in a mount namespace of the test's own): the
  scan is ``interrupted`` with the reason, exit 4 and the first line say why, the saved responses
  are kept; once space is freed ``--resume`` ends with exactly the rows of an uninterrupted crawl.
- The scan's saved responses (what ``--resume`` replays) and the site's conditional-request cache,
  truncated or garbled: set aside, the crawl fetches again, and its rows equal a clean crawl's.
- The scan database itself damaged: one line, exit 2, the file untouched.

The site is the generated one of tests/test_crash_resume.py, compared on the same tables.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FAST, run_zwgk
from test_crash_resume import TABLES, reference_crawl

CAN_MOUNT = shutil.which("unshare") is not None and subprocess.run(
    ["unshare", "-rm", "true"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    with reference_crawl(tmp) as killer:
        server = killer.server
        yield {"server": server, "killer": killer, "reference": snapshot(tmp / "reference.db"),
               "requests": len(killer.requests), "dir": tmp}


def copy_of_reference(site, tmp_path) -> Path:
    """The reference crawl's database and site cache, copied: a first scan done."""
    shutil.copy(site["dir"] / "reference.db", tmp_path / "scan.db")
    shutil.copytree(site["dir"] / "reference.cache", tmp_path / "scan.cache")
    return tmp_path / "scan.db"


def crawl(server, db, *extra):
    """Not --quiet: a cache set aside is said once on stderr (a warning)."""
    return run_zwgk("crawl", server.home, "--db", db, *FAST, *extra, *server.resolve_args(), check=False)


def snapshot(db, scan: int = 1) -> dict[str, set]:
    with sqlite3.connect(db) as conn:
        return {table: set(conn.execute(f"select {cols} from {table} where scan_id = ?", (scan,)).fetchall())
                for table, cols in TABLES.items()}


def same_as_reference(db, reference, scan: int = 1) -> None:
    got = snapshot(db, scan)
    for table in reference:
        assert got[table] == reference[table], (table, sorted(got[table] ^ reference[table])[:5])


@pytest.mark.skipif(not CAN_MOUNT, reason="needs unshare -rm to mount a tmpfs of the test's own")
def test_a_full_disk_interrupts_the_scan_and_resume_finishes_it(site, tmp_path):
    server = site["server"]
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    # 6 MiB: 4 are the crawl's reserve, the rest fills mid-crawl; then the disk is made larger
    script = f"""
        set -u
        mount -t tmpfs -o size=6m tmpfs {disk}
        crawl() {{ {sys.executable} -m zwgk.cli crawl {server.home} --db {disk}/scan.db {' '.join(FAST)} \
                   {' '.join(server.resolve_args())} "$@"; }}
        crawl > {out}/first.out 2> {out}/first.err; echo $? > {out}/first.rc
        mkdir {out}/first; cp -r {disk}/. {out}/first/
        mount -o remount,size=64m {disk}
        crawl --resume --json > {out}/second.out 2> {out}/second.err; echo $? > {out}/second.rc
        mkdir {out}/second; cp -r {disk}/. {out}/second/
    """
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    first_rc = int((out / "first.rc").read_text())
    first_err = (out / "first.err").read_text()
    assert first_rc == 4, first_err
    last_line = first_err.strip().splitlines()[-1]
    assert "磁盘已满 disk full" in last_line and "--resume" in last_line, first_err
    assert "Traceback" not in first_err and "OperationalError" not in first_err, first_err
    with sqlite3.connect(out / "first" / "scan.db") as conn:
        status, why = conn.execute("select status, interruption from scans").fetchone()
        pages = conn.execute("select count(*) from pages").fetchone()[0]
    assert status == "interrupted" and "磁盘已满" in why
    assert 0 < pages < len(site["reference"]["pages"])  # what was fetched before the disk filled is stored
    assert list((out / "first").glob("scan.jobs/scan-1.responses.db")), "the saved responses are kept for --resume"
    assert not list((out / "first").glob("scan.jobs/reserve-*")), "the reserve is given back"
    run_zwgk("check", "--db", out / "first" / "scan.db", "--fail-on", "never", "--quiet")
    shown = run_zwgk("report", "--db", out / "first" / "scan.db", "--partial", "--out", tmp_path / "report", "--format", "html")
    assert "磁盘已满" in (tmp_path / "report" / "index.html").read_text(), shown.stderr  # the report says why too

    second_rc = int((out / "second.rc").read_text())
    assert second_rc == 0, (out / "second.err").read_text()
    assert '"status": "finished"' in (out / "second.out").read_text()
    same_as_reference(out / "second" / "scan.db", site["reference"])


def test_too_little_space_to_start_is_one_line_before_anything_is_written(site, tmp_path):
    if not CAN_MOUNT:
        pytest.skip("needs unshare -rm to mount a tmpfs of the test's own")
    server = site["server"]
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (f"mount -t tmpfs -o size=1m tmpfs {disk} && {sys.executable} -m zwgk.cli crawl {server.home} "
              f"--db {disk}/scan.db {' '.join(FAST)} {' '.join(server.resolve_args())}; echo rc=$?; ls -A {disk}")
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert "rc=2" in proc.stdout, proc
    assert proc.stderr.strip().count("\n") == 0 and "磁盘空间不足" in proc.stderr, proc.stderr
    assert proc.stdout.strip().endswith("rc=2")  # nothing left on the disk: no database, no scan


def _damage(path: Path, how: str) -> None:
    with sqlite3.connect(path) as conn:  # a file at rest: its WAL written back
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    assert size > 64 * 1024, size
    if how == "truncated":
        os.truncate(path, size // 2)
    else:  # 64 KiB of garbage in the middle
        with open(path, "r+b") as handle:
            handle.seek(size // 2 - 32 * 1024)
            handle.write(os.urandom(64 * 1024))


@pytest.mark.parametrize("how", ["truncated", "garbled"])
def test_damaged_saved_responses_are_set_aside_and_fetched_again(site, tmp_path, how):
    killer, db = site["killer"], tmp_path / "scan.db"
    code, _err = killer.crawl(db, lambda n, method, target: n == int(site["requests"] * 0.7))
    assert killer.killed and code == -signal.SIGKILL
    saved = tmp_path / "scan.jobs" / "scan-1.responses.db"
    _damage(saved, how)
    resumed = crawl(killer.server, db, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "缓存文件已损坏" in resumed.stderr and "Traceback" not in resumed.stderr
    assert resumed.stderr.count("缓存文件已损坏") == 1, resumed.stderr  # said once
    assert list(tmp_path.glob("scan.jobs/scan-1.responses.db.damaged-*")), "the damaged file is set aside, not deleted"
    assert not list(tmp_path.glob("scan.jobs/reserve-*")), "the killed crawl's reserve is given back too"
    same_as_reference(db, site["reference"])


@pytest.mark.parametrize("how", ["truncated", "garbled"])
def test_a_damaged_site_cache_never_loses_a_page(site, tmp_path, how):
    server, db = site["server"], copy_of_reference(site, tmp_path)
    cache = next((tmp_path / "scan.cache").glob("*.db"))
    _damage(cache, how)
    again = crawl(server, db)  # a re-scan: the site's cache would be revalidated
    assert again.returncode == 0, again.stderr  # never "site unreachable"
    assert again.stderr.count("缓存文件已损坏") == 1 and "Traceback" not in again.stderr, again.stderr
    same_as_reference(db, site["reference"], scan=2)
    assert list((tmp_path / "scan.cache").glob("*.damaged-*")), "the damaged file is set aside"
    if how == "truncated":  # the scan after that has a whole cache again
        third = crawl(server, db)
        assert third.returncode == 0 and "缓存文件已损坏" not in third.stderr, third.stderr
        same_as_reference(db, site["reference"], scan=3)


def test_a_damaged_scan_database_is_refused_untouched(site, tmp_path):
    server, db = site["server"], copy_of_reference(site, tmp_path)
    _damage(db, "garbled")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    for args in (("crawl", server.home, "--db", db, *FAST, *server.resolve_args()),
                 ("audit", server.home, "--db", db, "--no-ipv6", *FAST, *server.resolve_args()),
                 ("check", "--db", db, "--scan", "1")):
        proc = run_zwgk(*args, check=False)
        assert proc.returncode == 2, (args[0], proc.stderr)
        assert proc.stderr.strip().count("\n") == 0 and "已损坏" in proc.stderr, (args[0], proc.stderr)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_a_crawl_killed_before_its_checks_is_checked_when_continued_not_crawled_again(site, tmp_path):
    """An audit killed between its crawl and its checks leaves a finished, unchecked scan: no report
    calls it 合格, and continuing (--resume, a batch's next attempt) checks that scan."""
    server, db = site["server"], copy_of_reference(site, tmp_path)
    refused = run_zwgk("report", "--db", db, "--out", tmp_path / "r", check=False)
    assert refused.returncode == 2 and "尚未检查" in refused.stderr
    audit = run_zwgk("audit", server.home, "--db", db, "--resume", "--no-ipv6", "--as-of", "2026-11-20", "--fail-on",
                     "never", "--quiet", "--json", *FAST, *server.resolve_args())
    assert '"scan": 1' in audit.stdout, audit.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from scans").fetchone()[0] == 1
        assert conn.execute("select check_no from scan_checks where scan_id = 1").fetchall() == [(0,)]


@pytest.mark.skipif(not CAN_MOUNT, reason="needs unshare -rm to mount a tmpfs of the test's own")
def test_a_disk_that_fills_while_checking_is_exit_4_and_one_line(site, tmp_path):
    """The checks write their findings: a full disk then is the crawl's exit 4 too, the scan kept."""
    disk, db = tmp_path / "disk", copy_of_reference(site, tmp_path)
    disk.mkdir()
    script = (f"mount -t tmpfs -o size=3m tmpfs {disk} && cp {db} {disk}/scan.db && "
              f"dd if=/dev/zero of={disk}/filler bs=64k 2>/dev/null; "
              f"{sys.executable} -m zwgk.cli check --db {disk}/scan.db --as-of 2026-11-20 --quiet; echo rc=$?")
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip().endswith("rc=4"), (proc.stdout, proc.stderr)
    # SQLite says "disk I/O error" when a full disk leaves it no room for its WAL index
    said = proc.stderr
    assert said.strip().count("\n") == 0 and ("磁盘已满" in said or "磁盘读写错误" in said) and "Traceback" not in said, said


def test_a_check_of_an_unfinished_crawl_never_stands_for_the_finished_scan(site, tmp_path):
    """A scan still marked running is not checked; a check of an interrupted one (--report-partial,
    zwgk check) goes when --resume rebuilds the scan: check 0 is the finished scan's."""
    server, db = site["server"], copy_of_reference(site, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("update scans set status = 'running'")
    refused = run_zwgk("check", "--db", db, check=False)
    assert refused.returncode == 2 and "--resume" in refused.stderr, refused.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("update scans set status = 'interrupted'")
        conn.execute("delete from pages where kind = 'document' and rowid % 2 = 0")  # the part not crawled yet
    checked = run_zwgk("check", "--db", db, "--as-of", "2026-11-20", "--fail-on", "never", "--quiet")
    # its summary says first that the scan is unfinished, and the verdict line that it is partial
    first, verdict = checked.stdout.splitlines()[:2]
    assert first.startswith("扫描未完成（抓取被中断）") and "--resume" in first and "扫描不完整" in verdict, checked.stdout
    audit = run_zwgk("audit", server.home, "--db", db, "--resume", "--no-ipv6", "--as-of", "2026-11-20", "--fail-on",
                     "never", "--quiet", *FAST, *server.resolve_args())
    assert "重新检查" not in audit.stdout, audit.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("select status from scans").fetchall() == [("finished",)]
        assert conn.execute("select check_no from scan_checks").fetchall() == [(0,)]
    same_as_reference(db, site["reference"])


@pytest.mark.skipif(not CAN_MOUNT, reason="needs unshare -rm for a read-only mount of the test's own")
def test_an_archived_database_on_read_only_storage_is_read_and_never_written(site, tmp_path):
    db = copy_of_reference(site, tmp_path)
    run_zwgk("check", "--db", db, "--as-of", "2026-11-20", "--fail-on", "never", "--quiet")
    archive, out = tmp_path / "archive", tmp_path / "out"
    archive.mkdir()
    shutil.copy(db, archive / "scan.db")
    zwgk = f"{sys.executable} -m zwgk.cli"
    script = (f"mount --bind {archive} {archive} && mount -o remount,bind,ro {archive} && "
              f"{zwgk} history --db {archive}/scan.db --quiet; echo history=$?; "
              f"{zwgk} report --db {archive}/scan.db --out {out} --format html; echo report=$?; "
              f"{zwgk} check --db {archive}/scan.db --quiet; echo check=$?")
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=180)
    assert "history=0" in proc.stdout and "report=0" in proc.stdout, (proc.stdout, proc.stderr)
    assert (out / "index.html").is_file()
    assert "check=4" in proc.stdout and "存储只读" in proc.stderr and "Traceback" not in proc.stderr, (proc.stdout, proc.stderr)
    assert sorted(p.name for p in archive.iterdir()) == ["scan.db"]  # nothing made beside it
