"""Lists that print dates without their year (「03-12」, 「[3/5]」, 「3月5日」), as many home pages do: the
list is still a list, and its newest item counts with the year a reader gives it — the last such day
on or before the check date — instead of the page being called never updated (a false 首页不更新 veto)."""

from __future__ import annotations

import json
from datetime import date

from conftest import FAST, run_zwgk
from checks.freshness import year_for
from tests.http_site import page, serve


def test_year_for_is_the_last_such_day_on_or_before_the_check_date():
    assert year_for("03-12", date(2026, 3, 15)) == "2026-03-12"
    assert year_for("12-30", date(2026, 3, 15)) == "2025-12-30"
    assert year_for("3月15日", date(2026, 3, 15)) == "2026-03-15"
    assert year_for("[02/29]", date(2025, 3, 15)) == "2024-02-29" and year_for("02-29", date(2028, 3, 1)) == "2028-02-29"
    assert year_for("13-40", date(2026, 3, 15)) is None


def _site(dates: list[str]):
    rows = "".join(f'<li><a href="/xwzx/t{i}.html">关于做好第{i}项工作的通知</a><span>{d}</span></li>' for i, d in enumerate(dates))
    home = page("青阳市人民政府", f'<div class="news"><h3>政务要闻</h3><ul>{rows}</ul></div>')

    def answer(method, path, query, body):
        if path == "/":
            return 200, {}, home, 0
        if path.startswith("/xwzx/t"):
            return 200, {}, page("通知", "<p>正文</p>"), 0
        return 404, {}, page("未找到", ""), 0
    return answer


def _stale_home(tmp_path, dates, as_of):
    with serve(_site(dates)) as server:
        run_zwgk("audit", server.base + "/", "--db", tmp_path / "d.db", "--quiet", "--as-of", as_of, "--no-ipv6",
                 "--select", "freshness.stale_home", "--format", "json", "--out", tmp_path / "out", "--fail-on", "never", *FAST)
    findings = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))["findings"]
    return [f for f in findings if f["rule"] == "freshness.stale_home"]


def test_a_home_page_with_yearless_dates_is_judged_by_them(tmp_path):
    assert _stale_home(tmp_path, ["03-12", "03-09", "02-27"], "2026-03-15") == []


def test_yearless_dates_that_are_old_still_make_a_stale_home_page_and_say_the_year_was_inferred(tmp_path):
    (found,) = _stale_home(tmp_path, ["01-20", "01-09"], "2026-03-15")
    assert found["evidence"]["newest"] == "2026-01-20" and "未写年份" in found["message"]
