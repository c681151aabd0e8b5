"""Run the enabled rules over a stored scan and store their findings."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from fnmatch import fnmatch
from zoneinfo import ZoneInfo

from checks import CHECKS
from checks.config import Rule, load_rules
from checks.context import ScanContext
from checks.registry import Finding
from checks.workdays import WorkCalendar

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}
EVIDENCE_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(…, ensure_ascii=False) without a new encoder each time
FINDINGS_COLUMNS = {
    "scan_id": int, "rule": str, "severity": str, "url": str, "message_zh": str, "message_en": str,
    "evidence": str, "fingerprint": str, "column_url": str, "rank": int, "suppressed": str,
}


def today_in_china() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def rules_for_run(rules_file=None) -> dict[str, Rule]:
    return load_rules(rules_file, known_ids=set(CHECKS))


def selected(rules: dict[str, Rule], select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> list[Rule]:
    """Enabled rules, narrowed by --select and --ignore (ids, families or patterns: links, links.*)."""
    def matches(rule_id: str, patterns) -> bool:
        return any(rule_id == p or rule_id.startswith(p + ".") or fnmatch(rule_id, p) for p in patterns)

    out = []
    for rule in rules.values():
        if select and not matches(rule.id, select):
            continue
        if not select and not rule.enabled:
            continue
        if matches(rule.id, ignore):
            continue
        out.append(rule)
    return out


def unknown_patterns(rules: dict[str, Rule], patterns: tuple[str, ...]) -> list[str]:
    return [p for p in patterns if not any(r == p or r.startswith(p + ".") or fnmatch(r, p) for r in rules)]


def fingerprint(ctx: ScanContext, finding: Finding) -> str:
    # a URL inside the key (a broken or hidden link's target) is compared like the finding's URL
    extra = ctx.fingerprint_url(finding.key) if finding.key.startswith(("http://", "https://")) else finding.key
    key = f"{finding.rule}\x1f{ctx.fingerprint_url(finding.url)}\x1f{extra}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def ensure_findings_table(conn) -> None:
    from crawler.store import table_columns

    columns = ", ".join(f'"{name}" {"BIGINT" if t is int else "TEXT"}' for name, t in FINDINGS_COLUMNS.items())
    conn.execute(f"create table if not exists findings ({columns})")
    have = set(table_columns(conn, "findings"))
    for name, col_type in FINDINGS_COLUMNS.items():
        if name not in have:  # databases written by an older zwgk
            conn.execute(f'alter table findings add column "{name}" {"BIGINT" if col_type is int else "TEXT"}')
    conn.execute("create index if not exists idx_findings_scan on findings (scan_id, rule)")


def run_checks(db_path: str, scan_id: int, rules: dict[str, Rule], as_of: date | None = None,
               select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), calendar_dirs: tuple[str, ...] = (),
               workers: int | None = None) -> list[dict]:
    """Run the selected rules on one scan; replace that scan's stored findings; return them.

    The checks are independent readers of the scan: with ``workers`` > 1 (default: the machine's
    cores) they run in that many processes, each taking the next check when it is free, and
    their findings are taken in the checks' own order, so that the result is the same."""
    as_of = as_of or today_in_china()
    from crawler.store import connect

    run_rules = selected(rules, select, ignore)
    wanted = {r.id for r in run_rules}
    checks = [fn.rule_id for fn in dict.fromkeys(CHECKS[rule.id] for rule in run_rules)]  # each check once, in order
    workers = min(len(checks), workers if workers is not None else (os.cpu_count() or 1))
    args = (db_path, scan_id, as_of, tuple(calendar_dirs), rules)
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_worker_start, initargs=args) as pool:
            results = [pool.submit(_run_check, rule_id) for rule_id in checks]
            found = [f for future in results for f in future.result()]
    else:
        _open_scan(*args)
        try:
            found = [f for rule_id in checks for f in _run_check(rule_id)]
        finally:
            _close_scan()
    conn = connect(db_path)
    try:
        findings: list[dict] = []
        seen: set[str] = set()
        for fp, finding in found:
            if finding.rule not in wanted:  # e.g. calendar.unknown_year from the delay check
                continue
            if fp in seen:
                continue
            seen.add(fp)
            findings.append({
                "scan_id": scan_id, "rule": finding.rule,
                "severity": finding.severity or rules[finding.rule].severity,
                "url": finding.url, "message_zh": finding.message_zh, "message_en": finding.message_en,
                "evidence": finding.evidence, "fingerprint": fp, "column_url": finding.column_url,
            })
        findings.sort(key=lambda f: (-SEVERITY_ORDER[f["severity"]], f["rule"], f["url"], f["fingerprint"]))
        for rank, f in enumerate(findings):
            f["rank"] = rank
        ensure_findings_table(conn)
        with conn:
            conn.execute("delete from findings where scan_id = ?", (scan_id,))
            conn.executemany(
                f"insert into findings ({', '.join(FINDINGS_COLUMNS)}) values ({', '.join('?' * len(FINDINGS_COLUMNS))})",
                ([EVIDENCE_JSON.encode(f[c]) if c == "evidence" else f.get(c) for c in FINDINGS_COLUMNS] for f in findings),
            )
            conn.execute("update scans set as_of = ? where id = ?", (as_of.isoformat(), scan_id))
        return findings
    finally:
        conn.close()


_SCAN: dict = {}  # the scan this process checks: its connection and context (shared data computed once)


def _open_scan(db_path: str, scan_id: int, as_of: date, calendar_dirs: tuple[str, ...], rules: dict[str, Rule]) -> None:
    from crawler.store import connect

    conn = connect(db_path)
    _SCAN.update(conn=conn, ctx=ScanContext(conn, scan_id, as_of, WorkCalendar(calendar_dirs), rules))


def _worker_start(*args) -> None:
    # Ctrl-C and a service stop reach the whole process group: the command decides, not a worker
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    _open_scan(*args)


def _close_scan() -> None:
    conn = _SCAN.pop("conn", None)
    _SCAN.pop("ctx", None)
    if conn is not None:
        conn.close()


def _run_check(rule_id: str) -> list[tuple[str, Finding]]:
    """(fingerprint, finding) of one check's findings, fingerprinted where they are found."""
    ctx = _SCAN["ctx"]
    return [(fingerprint(ctx, f), f) for f in CHECKS[rule_id](ctx, ctx.rules[rule_id].params)]
