"""Scan history: two scans of the demo portal with one defect fixed in between."""

import json

from conftest import FAST, run_zwgk
from zwgk.demo.server import serve_portal


def test_diff_reports_exactly_the_fixed_finding(tmp_path):
    db = tmp_path / "h.db"
    with serve_portal() as served:
        base = served["v4"] + "/"
        run_zwgk("audit", base, "--db", db, "--quiet", "--as-of", "2026-11-20", "--fail-on", "never", "--no-ipv6", *FAST)
        doc = next(d for d in served["portal"].by_slug["gzdt"].docs if d.index == 6)
        doc.defects.discard("no_index_no")  # the site adds the missing 索引号
        notice = served["portal"].by_slug["tzgg"].docs[1]
        notice.extra_links.remove(("相关通知", "/zwgk/missing.html"))  # and removes the link to a deleted page
        run_zwgk("audit", base, "--db", db, "--quiet", "--as-of", "2026-11-20", "--fail-on", "never", "--no-ipv6", "--out", tmp_path / "r2", *FAST)
        # a third, shallow scan reaches few documents: their findings cannot count as fixed
        run_zwgk("audit", base, "--db", db, "--quiet", "--as-of", "2026-11-20", "--fail-on", "never", "--max-depth", "1", "--no-link-check", "--no-ipv6", *FAST)
    result = json.loads(run_zwgk("diff", "1", "2", "--db", db, "--json").stdout)
    # the broken link is fixed, not "not comparable": its only linking page was crawled again
    # and no longer links the target (which the new scan therefore never fetched)
    assert [(f["rule"], f["url"].split("/", 3)[3], f["evidence"].get("field")) for f in result["fixed"]] == [
        ("links.broken", "zwgk/missing.html", None), ("metadata.missing_field", doc.url.lstrip("/"), "index_no")]
    assert result["new"] == [] and result["not_comparable"] == []
    # incl. the catalogue, attachment, spam (one footer text), wording and repealed plants, and the 3 report files not in the format
    assert len(result["still_open"]) == 42
    shallow = json.loads(run_zwgk("diff", "2", "3", "--db", db, "--json").stdout)
    assert shallow["fixed"] == []
    assert len(shallow["not_comparable"]) > 5
    report = (tmp_path / "r2" / "index.html").read_text(encoding="utf-8")
    assert "与上次扫描比较" in report and "已整改" in report
    listing = run_zwgk("history", "--db", db).stdout
    assert listing.count("完成 finished") == 2 and listing.count("不完整 partial") == 1  # the shallow scan was cut by depth
    text = run_zwgk("diff", "1", "2", "--db", db).stdout
    assert "已整改 fixed: 2" in text
