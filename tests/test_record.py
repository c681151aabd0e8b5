"""The stored record is append-only: a later check never replaces the audit's findings, a scan cut
short by a limit is partial and says so, a report is only made of a checked scan, and two scans
are compared only when they are of one site."""

import json
import shutil
import sqlite3

from conftest import AS_OF, FAST, query, run_zwgk
from http_site import serve

WHOLE_SITE_RULES = ("disclosure.catalogue_missing", "disclosure.annual_report_missing", "freshness.stale_home",
                    "interaction.no_channel",
                    "freshness.blank_column")


def copy(audit, tmp_path):
    db = tmp_path / "a.db"
    shutil.copy(audit["db"], db)
    return db


def test_a_narrow_recheck_is_a_new_check_and_the_audit_keeps_its_findings(audit, tmp_path):
    db = copy(audit, tmp_path)
    before = query(db, "select rule, url, fingerprint from findings where coalesce(check_no, 0) = 0 order by rank")
    # other tests may have re-checked the shared audit already: this check is the next number
    number = query(db, "select coalesce(max(check_no), 0) + 1 from scan_checks")[0][0]
    proc = run_zwgk("check", "--db", db, "--select", "links", "--as-of", "2026-12-01", "--fail-on", "never", "--json",
                    "--out", tmp_path / "recheck", "--format", "json")
    rechecked = json.loads(proc.stdout.strip().splitlines()[-1])
    assert rechecked["check"] == number and set(rechecked["by_rule"]) <= {"links.broken", "links.malformed", "links.blocked"}
    # the rules of the other veto items and indicators did not run: no verdict, never 合格
    card = rechecked["scorecard"]
    assert not card["passed"] and card["verdict_zh"] == "不完整，不作结论"
    assert {v["item"] for v in card["vetoes"] if not v["checked"]} >= {"首页不更新", "严重错误"}
    assert query(db, "select rule, url, fingerprint from findings where coalesce(check_no, 0) = 0 order by rank") == before
    assert query(db, "select as_of from scans") == [(AS_OF,)]  # the audit's date, not the re-check's
    assert query(db, "select check_no, as_of, selection is not null from scan_checks order by check_no")[-1] == (number, "2026-12-01", 1)
    written = json.loads((tmp_path / "recheck" / "findings.json").read_text(encoding="utf-8"))
    assert written["scan"]["check"] == number and written["scan"]["as_of"] == "2026-12-01"
    assert written["scan"]["selection"] == {"select": ["links"], "ignore": []}
    # the report of the scan is the audit's, until another check is asked for
    run_zwgk("report", "--db", db, "--out", tmp_path / "r0", "--format", "json", "--quiet")
    again = json.loads((tmp_path / "r0" / "findings.json").read_text(encoding="utf-8"))
    assert [f["fingerprint"] for f in again["findings"]] == [fp for _, _, fp in before]
    assert len(again["findings"]) == len(audit["data"]["findings"]) and again["scan"]["as_of"] == AS_OF
    run_zwgk("report", "--db", db, "--out", tmp_path / "r1", "--format", "html,json", "--check", str(number), "--quiet")
    page = (tmp_path / "r1" / "index.html").read_text(encoding="utf-8")
    assert 'id="recheck"' in page and 'id="selection"' in page
    proc = run_zwgk("report", "--db", db, "--out", tmp_path / "r9", "--check", str(number + 1), check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_a_scan_cut_by_the_page_limit_is_partial_and_fixes_nothing(audit, demo_site, tmp_path):
    db = copy(audit, tmp_path)
    proc = run_zwgk("audit", demo_site["v4"] + "/", "--db", db, "--max-pages", "5", "--as-of", AS_OF, "--no-ipv6",
                    "--fail-on", "never", "--out", tmp_path / "out", "--format", "html,json", *FAST)
    assert proc.stdout.startswith("扫描不完整（达到抓取页数上限")
    assert query(db, "select status, limited_by from scans where id = 2") == [("partial", "max_pages")]
    rules = {r for (r,) in query(db, "select distinct rule from findings where scan_id = 2")}
    assert not rules & set(WHOLE_SITE_RULES)  # absence proves nothing on a partial crawl
    (skipped,) = query(db, "select skipped from scan_checks where scan_id = 2")[0]
    # and the cloak rule (FAST turns its second look off) and the IPv6 and DNS rules (--no-ipv6): not judged
    # either, never passed
    ipv6 = {"dns.failure", "ipv6.no_aaaa", "ipv6.unreachable", "ipv6.content_mismatch", "ipv6.link_rate", "ipv6.dns_chain",
            "ipv6.not_measured"}
    assert set(json.loads(skipped)) == set(WHOLE_SITE_RULES) | {"content.cloaked_hijack"} | ipv6
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'id="partial"' in page and "达到抓取页数上限" in page and 'id="skipped"' in page
    diff = json.loads(run_zwgk("diff", "1", "2", "--db", db, "--json").stdout)
    assert diff["fixed"] == [] and len(diff["not_comparable"]) > 10


def test_rules_a_scan_did_not_run_are_not_fixed_by_it(audit, demo_site, tmp_path):
    db = copy(audit, tmp_path)
    run_zwgk("audit", demo_site["v4"] + "/", "--db", db, "--ignore", "metadata", "--as-of", AS_OF, "--no-ipv6",
             "--fail-on", "never", "--quiet", *FAST)
    diff = json.loads(run_zwgk("diff", "1", "2", "--db", db, "--json").stdout)
    assert not [f for f in diff["fixed"] if f["rule"].startswith("metadata.")]
    assert {f["rule"].split(".")[0] for f in diff["not_comparable"]} == {"metadata"}


def test_a_report_is_made_of_a_checked_scan_only(audit, demo_db, tmp_path):
    crawled = tmp_path / "crawled.db"
    shutil.copy(demo_db, crawled)
    proc = run_zwgk("report", "--db", crawled, "--out", tmp_path / "o1", check=False)
    assert proc.returncode == 2 and "尚未检查" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o1" / "index.html").exists()
    db = copy(audit, tmp_path)
    with sqlite3.connect(db) as conn:  # as a scan still crawling (or killed) leaves it
        conn.execute("update scans set status = 'running'")
    proc = run_zwgk("report", "--db", db, "--out", tmp_path / "o2", check=False)
    assert proc.returncode == 2 and "--partial" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    run_zwgk("report", "--db", db, "--out", tmp_path / "o3", "--partial", "--quiet")
    assert 'id="partial"' in (tmp_path / "o3" / "index.html").read_text(encoding="utf-8")


def test_scans_of_two_sites_are_not_compared(audit, tmp_path):
    db = copy(audit, tmp_path)

    def other(method, path, query_string, body):
        return 200, {}, "<html><head><title>另一个网站</title></head><body><p>首页</p></body></html>".encode(), 0

    with serve(other) as server:
        run_zwgk("audit", server.base + "/", "--db", db, "--as-of", AS_OF, "--no-ipv6", "--fail-on", "never", "--quiet", *FAST)
    proc = run_zwgk("diff", "1", "2", "--db", db, check=False)
    assert proc.returncode == 2 and "不是同一网站" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
