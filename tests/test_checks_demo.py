"""Every planted defect of the demo portal is found, and nothing else (exact finding sets)."""

import json
import shutil
import sqlite3

import pytest

from conftest import query, run_zwgk
from zwgk.demo.portal import DemoPortal

MODEL = DemoPortal()
AS_OF = "2026-11-20"


def doc(slug, index):
    return next(d for d in MODEL.by_slug[slug].docs if d.index == index)


def with_defect(name):
    return {d.url for d in MODEL.docs.values() if name in d.defects}


def policy_of(interp_defect):
    return {d.policy.url for d in MODEL.docs.values() if interp_defect in d.defects}


def path(url):
    return "/" + url.split("/", 3)[3] if url.startswith("http://127.0.0.1") else url


EXPECTED = {
    "metadata.missing_field": {(doc("gzdt", 6).url, "index_no"), (doc("zcwj", 4).url, "written_date")},
    "metadata.empty_field": {(doc("rsxx", 2).url, "doc_no"), (doc("rsxx", 5).url, "written_date")},
    "metadata.bad_value": {(doc("gzdt", 8).url, "written_after_published"), (doc("tzgg", 3).url, "unparseable_date"),
                           (doc("rsxx", 7).url, "index_no_invalid")},
    "identity.missing_meta": {("/zwgk/gkzn/index.html", "footer"), (doc("gzdt", 10).url, "tags"),
                              (doc("rsxx", 0).url, "PubDate"), (doc("rsxx", 1).url, "PubDate"),
                              ("/zwgk/tzgg/index.shtml", "tags"), ("/zwgk/tzgg/index_1.shtml", "tags"), ("/zwgk/tzgg/index_2.shtml", "tags")},
    "freshness.publication_delay": {(u, "") for u in with_defect("late")},
    "freshness.stale_column": {("/zwgk/tzgg/", "")},
    "freshness.blank_column": {("/zwgk/czxx/", ""), ("/zwgk/tjxx/", "")},
    "disclosure.annual_report_late": {(u, "") for u in with_defect("annual_report_late")},
    # the demo's reports are one-line PDFs (not the 2021 form), the oldest a scan that cannot be read (a warning)
    "disclosure.annual_report_format": {(f"/files/ndbg/{MODEL.base_date.year - n}.pdf", "") for n in (1, 2, 3)},
    "disclosure.annual_report_inconsistent": set(),
    "disclosure.annual_report_carryover": set(),
    "links.broken": {("/zwgk/missing.html", ""), ("/zwgk/error.html", ""), ("/files/tzgg/missing-notice.pdf", ""),
                     ("/loop/a.html", ""), ("DEAD/", ""), ("DEAD/bc/", "")},
    "linkage.missing_interpretation": {(u, "") for u in with_defect("no_interpretation")},
    "linkage.one_way": {(u, "") for u in with_defect("policy_not_linking_interpretation") | with_defect("interpretation_not_linking_policy")},
    "linkage.late_interpretation": {(u, "") for u in with_defect("late_interpretation")},
    "content.hidden_link": {("/", "")},  # the gambling link hidden on the home page
    # a page, and the attached 公示 list (an .xlsx) with an unmasked ID number
    "content.personal_data": {(u, "") for u in with_defect("personal_data")} | {("/files/tzgg/list-5.xlsx", "")},
    "content.attachment_image_only": {(f"/files/ndbg/{MODEL.base_date.year - 3}.pdf", "")},  # a scanned report
    "content.attachment_unreadable": set(),
    # each beside a look-alike that must not be reported: a crackdown article, 「原国家工商行政管理总局」,
    # a repealed document that says 已废止
    "content.spam_text": {(u, "") for u in with_defect("spam_footer")},
    "content.wording": {(u, "") for u in with_defect("abolished_institution")},
    "content.repealed_unmarked": {(u, "") for u in with_defect("repealed_unmarked")},
    "links.malformed": set(),
    "crawl.pager_overclaim": set(),
    "crawl.incomplete_column": set(),
    # the demo has no 信息公开制度 or 法定主动公开内容 column (平台通知)
    "disclosure.catalogue_missing": {("/", "法定主动公开内容"), ("/", "信息公开制度")},
    # the demo has no consulting channel (领导信箱, 网上咨询 …) at all: 互动回应差; no message to judge
    "interaction.no_channel": set(),  # the 市长信箱 answers every letter in days
    "interaction.unanswered": set(),
    "interaction.late_reply": set(),
    "interaction.unchecked_board": set(),
}


def key_of(finding):
    ev = finding["evidence"]
    rule = finding["rule"]
    if rule in ("metadata.missing_field", "metadata.empty_field"):
        return ev["field"]
    if rule == "metadata.bad_value":
        return ev["problem"]
    if rule == "disclosure.catalogue_missing":
        return ev["type"]
    if rule == "identity.missing_meta":
        return "tags" if "missing_tags" in ev else "footer" if "missing_footer" in ev else ev["tag"]
    return ""


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_exact_findings_per_rule(audit, demo_site, rule):
    dead_port = demo_site["portal"].dead_port
    found = set()
    for f in audit["data"]["findings"]:
        if f["rule"] == rule:
            url = path(f["url"].replace(f"http://127.0.0.1:{dead_port}", "DEAD"))
            found.add((url, key_of(f)))
    assert found == EXPECTED[rule]


def test_no_other_rules_fire(audit):
    assert {f["rule"] for f in audit["data"]["findings"]} == {rule for rule, found in EXPECTED.items() if found}


def test_findings_json_format(audit):
    data = audit["data"]
    assert data["format"] == "zwgk-findings/1"
    assert data["scan"]["as_of"] == AS_OF and data["scan"]["status"] == "finished"
    assert {"rule", "severity", "url", "message", "message_en", "evidence", "fingerprint"} <= set(data["findings"][0])
    assert {"url", "kind", "status"} == set(data["pages"][0])
    assert len(data["pages"]) == 236  # list.jsp?page=1 is the column page itself: not fetched twice; 市长信箱 13


def test_evidence_is_defensible(audit, demo_site):
    by_rule = {}
    for f in audit["data"]["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    late = {path(f["url"]): f["evidence"] for f in by_rule["freshness.publication_delay"]}
    spring = late[doc("tzgg", 21).url]
    assert spring == {"written_date": "2026-02-10", "publish_date": doc("tzgg", 21).published.isoformat(), "working_days": 21, "limit": 20}
    hidden = next(f for f in by_rule["links.broken"] if f["url"].endswith("/bc/"))
    assert hidden["evidence"]["on_home"] and hidden["evidence"]["error"] == "refused"
    assert hidden["evidence"]["linked_from"] == [{"url": demo_site["v4"] + "/", "anchor": "澳门葡京赌场", "position": "body", "hidden": True, "tag": "a"}]
    missing = next(f for f in by_rule["links.broken"] if f["url"].endswith("/zwgk/missing.html"))
    assert missing["evidence"]["status"] == 404 and path(missing["evidence"]["linked_from"][0]["url"]) == doc("tzgg", 1).url
    one_way = {path(f["url"]): f["evidence"] for f in by_rule["linkage.one_way"]}
    assert one_way[doc("gfxwj", 9).url]["missing"] == "policy_to_interpretation"
    assert all(e["matched_by"] == "link" for e in one_way.values())
    stale = by_rule["freshness.stale_column"][0]["evidence"]
    assert stale["newest"] == doc("tzgg", 0).published.isoformat() and stale["limit"] == {"months": 6}
    assert by_rule["metadata.bad_value"][0]["severity"] in ("error", "warning")
    shape = next(f for f in by_rule["metadata.bad_value"] if f["evidence"]["problem"] == "index_no_invalid")
    assert shape["severity"] == "error" and shape["evidence"]["why"] == "placeholder"


def copy_db(audit, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copy(audit["db"], db)
    return db


def rules_of(db, *args):
    proc = run_zwgk("check", "--db", db, "--fail-on", "never", "--json", *args)
    return json.loads(proc.stdout.strip().splitlines()[-1])["by_rule"]


def test_stale_home_and_veto_views(audit, tmp_path):
    db = copy_db(audit, tmp_path)
    proc = run_zwgk("check", "--db", db, "--fail-on", "never", "--json", "--as-of", "2027-06-01", "--select", "freshness")
    later = json.loads(proc.stdout.strip().splitlines()[-1])
    assert later["by_rule"].get("freshness.stale_home") == 1
    # five stale columns: the 栏目不更新 veto item (scoring.vetoes), on the columns' own pages
    assert later["by_rule"]["freshness.stale_column"] == 5 and not later["passed"]
    vetoed = {v["rule"] for v in later["vetoes"]}
    assert vetoed == {"freshness.stale_home", "freshness.stale_column"}
    assert rules_of(db, "--as-of", AS_OF, "--select", "freshness.stale_home") == {}


def test_annual_report_missing_after_deadline_only(audit, tmp_path):
    db = copy_db(audit, tmp_path)
    # the demo's three report files are not in the form, whatever the date (disclosure.annual_report_format)
    assert rules_of(db, "--as-of", "2028-01-31", "--select", "disclosure.annual_report*") == {"disclosure.annual_report_format": 3}
    assert rules_of(db, "--as-of", "2028-02-01", "--select", "disclosure.annual_report*") == {
        "disclosure.annual_report_missing": 1, "disclosure.annual_report_format": 3}


def test_unknown_calendar_year_is_reported_not_guessed(audit, tmp_path):
    db = copy_db(audit, tmp_path)
    target = doc("gzdt", 0).url
    with sqlite3.connect(db) as conn:
        conn.execute("update document_fields set parsed = '2031-01-05' where field = 'written_date' and url like ?", (f"%{target}",))
        conn.execute("update document_fields set parsed = '2031-03-05' where field = 'publish_date' and url like ?", (f"%{target}",))
    assert rules_of(db, "--as-of", AS_OF, "--select", "freshness.publication_delay", "--select", "calendar") == {
        "freshness.publication_delay": 3, "calendar.unknown_year": 1}
    calendar_dir = tmp_path / "cal"
    calendar_dir.mkdir()
    (calendar_dir / "2031.yaml").write_text("year: 2031\nholidays: [2031-01-01]\nworkdays: []\n", encoding="utf-8")
    assert rules_of(db, "--as-of", AS_OF, "--select", "freshness.publication_delay", "--select", "calendar",
                    "--calendar-dir", calendar_dir) == {"freshness.publication_delay": 4}


def test_select_and_ignore(audit, tmp_path):
    db = copy_db(audit, tmp_path)
    assert set(rules_of(db, "--as-of", AS_OF, "--select", "links")) == {"links.broken"}
    assert "links.broken" not in rules_of(db, "--as-of", AS_OF, "--ignore", "links.broken")
    proc = run_zwgk("check", "--db", db, "--select", "nonsense.rule", check=False)
    assert proc.returncode == 2 and "unknown rule" in proc.stderr


def test_fingerprints_are_stable_across_reruns(audit, tmp_path):
    db = copy_db(audit, tmp_path)
    before = {r[0] for r in query(db, "select fingerprint from findings where check_no = 0")}
    run_zwgk("check", "--db", db, "--as-of", AS_OF, "--fail-on", "never")
    assert {r[0] for r in query(db, "select fingerprint from findings where check_no = 1")} == before
    assert len(before) == len(audit["data"]["findings"])


def test_personal_data_is_reported_masked(audit):
    page, attachment = sorted((f for f in audit["data"]["findings"] if f["rule"] == "content.personal_data"),
                              key=lambda f: "list-5.xlsx" in f["url"])
    assert page["evidence"]["items"] == [{"kind": "id_number", "masked": "3701**********1237"},
                                         {"kind": "mobile", "masked": "138****5678"}]
    # in the attached list: the sheet row in the evidence, the masked 139****1234 lookalike not reported
    assert [(i["kind"], i["masked"]) for i in attachment["evidence"]["items"]] == [("id_number", "3701**********1237")]
    assert "名单" in json.dumps(attachment["evidence"], ensure_ascii=False)
    assert "370102198001011237" not in json.dumps(audit["data"], ensure_ascii=False)
    assert "370102198001011237" not in (audit["out"] / "index.html").read_text(encoding="utf-8")


def test_interpretation_matched_by_title_when_no_links(audit, tmp_path):
    db = copy_db(audit, tmp_path)
    policy = doc("gfxwj", 13)
    interp = policy.interpretation
    with sqlite3.connect(db) as conn:  # as if neither page linked the other
        conn.execute("delete from links where (source_url like ? and target_url like ?) or (source_url like ? and target_url like ?)",
                     (f"%{policy.url}", f"%{interp.url}", f"%{interp.url}", f"%{policy.url}"))
    run_zwgk("check", "--db", db, "--as-of", AS_OF, "--select", "linkage", "--fail-on", "never")
    rows = [json.loads(e) for (e,) in query(db, "select evidence from findings where rule = 'linkage.one_way' and check_no = 1")]
    matched = [e for e in rows if e["policy"].endswith(policy.url)]
    assert len(matched) == 1
    assert matched[0]["matched_by"] == "title" and matched[0]["missing"] == "both"
    assert matched[0]["interpretation"].endswith(interp.url)
    # the re-check is check 1 of the scan; the audit's own findings (check 0) are kept as they were
    assert query(db, "select count(*) from findings where rule = 'linkage.missing_interpretation' and check_no = 1") == [(2,)]


def test_checks_in_two_processes_find_what_one_finds(demo_db, tmp_path):
    """run_checks(workers=2) spreads the checks over two processes and merges their findings in
    the checks' order: the same findings, ranks and evidence as one process."""
    import shutil
    from datetime import date

    from checks.engine import rules_for_run, run_checks

    results = []
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.db"
        shutil.copy(demo_db, db)
        found = run_checks(str(db), 1, rules_for_run(), date(2026, 11, 20), workers=workers)
        results.append([(f["rank"], f["rule"], f["url"], f["fingerprint"], f["evidence"]) for f in found])
    assert results[0] == results[1] and len(results[0]) > 20
