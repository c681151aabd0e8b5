"""The batch outputs (reports/batch.py) over real checked scans: three generated portals crawled and
checked by ``zwgk audit`` into one database, plus a site that cannot be reached and one whose audit
failed. Awkward entries reuse the real scans under other names: the same name twice, a 40-character
name, a name with / and :. Every count is compared with SQL run here on the scan database."""

from __future__ import annotations

import json
import re
import socket
import sqlite3

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from browser import browser_page
from conftest import FAST_WITH_CLOAK, run_zwgk
from test_report_csp import WATCH_VIOLATIONS, _policy, _sha256
from checks.engine import rules_for_run
from reports import data as report_data
from reports.batch import FAMILIES, SUMMARY_SHEET, BatchInfo, ranking, sheet_names, site_summary, write_batch_outputs
from reports.tables import FINDING_HEADERS
from tests.sitegen import AS_OF, generate, serve

SEEDS = {"veto": 22, "low": 29, "high": 24}  # seed 22 plants a hidden link (a single veto); 29 scores below 24
# the generator plants spam or wording errors on most sites: "low" and "high" are audited under a rules
# file that switches the rules of the 严重错误 veto item off, so that they are ranked by their scores
# (--ignore would make their checks incomplete: no verdict); generated sites have no consulting channel
# (互动回应差, interaction.no_channel) either
# the sites that may pass: no veto rules, and the IPv6 and DNS rules off (the sites are audited with --no-ipv6: left
# on, those rules would be not checked, and a check with rules not checked gives no verdict)
WITHOUT_VETO_RULES = "rules:\n" + "".join(f"  {r}: {{enabled: false}}\n" for r in (
    "content.spam_text", "content.wording", "content.hidden_link", "interaction.no_channel", "dns.failure",
    "ipv6.no_aaaa", "ipv6.unreachable", "ipv6.content_mismatch", "ipv6.link_rate", "ipv6.dns_chain", "ipv6.not_measured"))
LONG_NAME = "某某省某某市某某县人民政府办公室政务公开专栏网站群示范门户网站之一号站点测试名称"  # 40 characters
SLASHED = "市政府/办公厅:门户"
RESUME = "zwgk batch /srv/检查/网站清单.csv --db /srv/检查/zwgk.db --out /srv/检查/批量报告 --as-of 2026-11-02 --batch 20261102-0930-0001"
BATCH = BatchInfo("20261102-0930-0001", ("2026-11-02", "2026-11-03"), (AS_OF.isoformat(),), RESUME)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    db = root / "batch.db"
    out = root / "out"
    scans = {}
    names = {}
    (root / "without-veto.yaml").write_text(WITHOUT_VETO_RULES, encoding="utf-8")
    for key, seed in SEEDS.items():
        site = generate(seed)
        with serve(site) as srv:
            proc = run_zwgk("audit", srv.home, "--db", db, "--out", out / "sites" / key, "--format", "html", "--no-ipv6",
                            "--as-of", AS_OF.isoformat(), "--quiet", *FAST_WITH_CLOAK, *srv.resolve_args(),
                            *(("--rules", root / "without-veto.yaml") if key != "veto" else ()), check=False)
            assert proc.returncode in (0, 1), proc.stderr
            home = srv.home
        with sqlite3.connect(db) as conn:
            scans[key] = conn.execute("select max(id) from scans").fetchone()[0]
        names[key] = (site.name, home)
    rules = rules_for_run()
    conn = sqlite3.connect(db)
    summaries = {key: site_summary(conn, scan_id, rules) for key, scan_id in scans.items()}

    def audited(key, name, code, previous=None):
        return {"name": name, "code": code, "url": names[key][1], "organiser": name + "办公室", "status": "audited",
                "error": None, "report": f"sites/{key}/index.html", "scan_id": scans[key], "previous": previous,
                **summaries[key]}

    dead = f"http://127.0.0.1:{_closed_port()}/"
    sites = [
        audited("high", names["high"][0], "3501000001", previous={"score": 50.0, "findings": 80, "batch": "2026-10"}),
        audited("low", names["low"][0], "3505000001", previous={"score": 90.0, "findings": 10, "batch": "2026-10"}),
        audited("veto", names["veto"][0], "2111000001"),
        audited("low", names["low"][0], "3505000002"),  # the same name twice
        audited("high", LONG_NAME, "3501000002"),
        audited("veto", SLASHED, None),
        {"name": "无法访问县人民政府", "code": "9999000001", "url": dead, "organiser": None, "status": "unreachable",
         "error": "ConnectionRefusedError: 拒绝连接 connection refused", "report": None, "scan_id": None,
         "previous": {"score": 70.0, "findings": 20, "batch": "2026-10"}},
        {"name": "检查失败县人民政府", "code": None, "url": "http://failed.example.gov.cn/", "organiser": None,
         "status": "failed", "error": "worker lost", "report": None, "scan_id": None, "previous": None},
    ]
    paths = write_batch_outputs(out, sites, batch=BATCH)
    yield {"db": db, "conn": conn, "scans": scans, "sites": sites, "names": names, "paths": paths, "out": out,
           "summaries": summaries, "rules": rules, "en": write_batch_outputs(root / "en", sites, lang="en", batch=BATCH)}
    conn.close()


def _sql_findings(db, scan_id):
    with sqlite3.connect(db) as conn:
        return conn.execute("select rule, severity, evidence from findings where scan_id = ? and suppressed is null",
                            (scan_id,)).fetchall()


def _expected_order(batch):
    """Independently of ranking(): unreachable, failed, then sites with a veto item reached (SQL), then by
    the score the single-site report shows; ties by name, then code."""
    def has_veto(scan_id):
        # a veto rule's findings count once they reach their item's threshold (five stale columns …)
        rules = {r for v in batch["rules"].scoring.vetoes if sum(1 for rule, _, _ in _sql_findings(batch["db"], scan_id)
                                                                 if rule in v.rules) >= v.at_least for r in v.rules}
        return bool(rules)
    audited = [s for s in batch["sites"] if s["status"] == "audited"]
    for s in audited:
        assert s["score"] == report_data.build(batch["conn"], s["scan_id"], batch["rules"])["score"]
    audited.sort(key=lambda s: (not has_veto(s["scan_id"]), s["score"], s["name"], s["code"] or ""))
    return ["无法访问县人民政府", "检查失败县人民政府"] + [s["name"] for s in audited]


def test_site_summary_agrees_with_the_database_and_the_site_report(batch):
    for key, scan_id in batch["scans"].items():
        summary = batch["summaries"][key]
        rows = _sql_findings(batch["db"], scan_id)
        report = report_data.build(batch["conn"], scan_id, batch["rules"])
        assert len(summary["findings"]) == len(rows) > 0
        assert summary["by_severity"] == {s: sum(1 for _, sev, _ in rows if sev == s) for s in ("error", "warning", "info")}
        families = {}
        for rule, _, _ in rows:
            families[rule.split(".")[0]] = families.get(rule.split(".")[0], 0) + 1
        assert summary["by_family"] == families
        assert (summary["score"], summary["passed"]) == (report["score"], report["passed"])
        assert [v["fingerprint"] for v in summary["vetoes"]] == [v["fingerprint"] for v in report["vetoes"]]
        assert set(summary["rule_texts"]) == {rule for rule, _, _ in rows}
        json.dumps(summary, ensure_ascii=False)  # plain data a worker can hand on
    # its planted hidden link, and (as every generated site) no consulting channel at all
    assert [v["rule"] for v in batch["summaries"]["veto"]["vetoes"]] == ["content.hidden_link", "interaction.no_channel"]
    assert not batch["summaries"]["low"]["vetoes"] and not batch["summaries"]["high"]["vetoes"]
    assert batch["summaries"]["low"]["score"] < batch["summaries"]["high"]["score"]


def test_ranking_order(batch):
    ranked = ranking(batch["sites"])
    assert [s["name"] for s in ranked] == _expected_order(batch)
    assert [s["rank"] for s in ranked] == list(range(1, len(batch["sites"]) + 1))
    # the veto sites come before the site whose score is lower but has no veto
    assert [s["name"] for s in ranked[2:4]] == sorted([batch["names"]["veto"][0], SLASHED])


def test_ranking_rules_on_plain_entries():
    def site(name, status="audited", score=80.0, veto=False, code=None):
        entry = {"name": name, "code": code, "url": f"http://{name}.example/", "status": status}
        return entry | ({"score": score, "vetoes": [{"rule": "content.hidden_link"}] if veto else []} if status == "audited" else {})
    sites = [site("b", score=40.0), site("a", score=40.0), site("c", score=10.0), site("d", score=99.0, veto=True),
             site("e", "interrupted"), site("f", "failed"), site("g", "unreachable"), site("a", score=40.0, code="0")]
    assert [(s["name"], s.get("code")) for s in ranking(sites)] == [
        ("g", None), ("f", None), ("e", None), ("d", None), ("c", None), ("a", None), ("a", "0"), ("b", None)]


def _index(path):
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


def _row_cells(row):
    return [" ".join(td.text_content().split()) for td in row.xpath("./td")]


def test_index_lists_the_ranking_with_its_columns(batch):
    doc = _index(batch["paths"]["index"])
    headers = [" ".join(th.text_content().split()) for th in doc.xpath("//table[@id='ranking-table']/thead/tr/th")]
    families = sorted({rule.split(".")[0] for key in SEEDS for rule, _, _ in _sql_findings(batch["db"], batch["scans"][key])},
                      key=list(FAMILIES).index)
    assert headers == ["排名", "网站名称", "网站标识码", "主办单位", "首页网址", "结论", "得分", "单项否决项",
                       *[FAMILIES[f][0] for f in families], "问题总数", "较上批"]
    rows = doc.xpath("//table[@id='ranking-table']/tbody/tr")
    assert [_row_cells(r)[1] for r in rows] == _expected_order(batch)
    assert not any(r.get("hidden") is not None for r in rows)  # without JavaScript the whole ranking shows
    assert doc.get_element_by_id("filters").get("hidden") is not None  # controls appear only with JavaScript
    by_name = {}
    for row in rows:
        by_name.setdefault(_row_cells(row)[1], []).append(row)

    dead = _row_cells(by_name["无法访问县人民政府"][0])
    assert dead[0] == "1" and dead[5] == "不合格" and dead[6] == "—"
    assert dead[7] == "网站无法访问：连接被拒绝"  # in words, without the exception's name
    assert dead[-1] == "上批 70.0"
    failed = _row_cells(by_name["检查失败县人民政府"][0])
    assert failed[5] == "未完成" and failed[7].startswith("检查失败") and failed[-1] == "新增网站"

    for site in batch["sites"]:
        if site["status"] != "audited":
            continue
        rows_of = by_name[site["name"]]
        row = rows_of[0] if len(rows_of) == 1 else next(r for r in rows_of if _row_cells(r)[2] == site["code"])
        cells = _row_cells(row)
        sql = _sql_findings(batch["db"], site["scan_id"])
        assert cells[6] == str(site["score"]) and cells[5] == ("合格" if site["passed"] else "不合格")
        assert [cells[8 + i] for i in range(len(families))] == [str(sum(1 for r, _, _ in sql if r.split(".")[0] == f)) for f in families]
        assert cells[8 + len(families)] == str(len(sql))
        assert ("页面含隐藏链接（暗链）" in cells[7]) == (site["scan_id"] == batch["scans"]["veto"])
        link = row.xpath("./td[2]/a/@href")
        assert link == [site["report"]] and (batch["out"] / link[0]).is_file()
        assert row.xpath("./td[5]/a/@href") == [site["url"]]
    high = _row_cells(next(r for r in by_name[batch["names"]["high"][0]]))
    delta = batch["summaries"]["high"]["score"] - 50.0
    assert high[-1].startswith(f"↑ +{delta:.1f}") and f"(问题 {len(batch['summaries']['high']['findings']) - 80:+d})" in high[-1]
    low = _row_cells(next(r for r in by_name[batch["names"]["low"][0]] if _row_cells(r)[2] == "3505000001"))
    assert low[-1].startswith(f"↓ {batch['summaries']['low']['score'] - 90.0:+.1f}")
    assert _row_cells(by_name[LONG_NAME][0])[-1] == "新增网站"

    cards = {el.get("id"): el.text_content() for el in doc.xpath("//section[@id='summary']//div[@id]")}
    # "low" and "high" (twice each) pass; the two veto sites and the unreachable one fail; one has no verdict
    assert cards == {"n-sites": "8", "n-passed": "4", "n-failed": "3", "n-vetoed": "3", "n-none": "1"}


def test_index_in_english(batch):
    doc = _index(batch["en"]["index"])
    assert doc.get("lang") == "en"
    headers = [" ".join(th.text_content().split()) for th in doc.xpath("//table[@id='ranking-table']/thead/tr/th")]
    assert headers[:8] == ["Rank", "Site", "Site code", "Organiser", "Home page", "Verdict", "Score", "Single-veto items"]
    dead = _row_cells(doc.xpath("//table[@id='ranking-table']/tbody/tr")[0])
    assert dead[5] == "Fail" and dead[7].startswith("site unreachable: ")
    assert any("Hidden link" in _row_cells(r)[7] or "hidden link" in _row_cells(r)[7].lower()
               for r in doc.xpath("//table[@id='ranking-table']/tbody/tr"))


def test_index_policy_is_strict_like_the_site_report(batch):
    text = batch["paths"]["index"].read_text(encoding="utf-8")
    policy = _policy(text)
    assert policy["default-src"] == ["'none'"] and policy["img-src"] == ["data:"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    assert policy["script-src"] == [_sha256(b) for b in re.findall(r"<script>(.*?)</script>", text, re.S)] != []
    assert policy["style-src"] == [_sha256(b) for b in re.findall(r"<style>(.*?)</style>", text, re.S)] != []
    assert "unsafe" not in text.split("</head>")[0]
    assert text.index("Content-Security-Policy") < text.index("<style>")
    assert not re.search(r"<[^>]+\sstyle=", text) and not re.search(r"<[^>]+\son[a-z]+=", text)
    doc = lxml_html.fromstring(text)
    assert doc.xpath("//@src") == []  # nothing is loaded; links go to the sites' home pages and reports only
    assert set(doc.xpath("//@href")) == {s["url"] for s in batch["sites"]} | {s["report"] for s in batch["sites"] if s["report"]}


def test_index_filters_and_sorts_in_chromium_under_its_policy(batch):
    with browser_page() as page:
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.add_init_script(WATCH_VIOLATIONS)
        page.goto(batch["paths"]["index"].as_uri())
        visible = lambda: [c.split("\t")[1] for c in page.locator("#ranking-table tbody tr:visible").evaluate_all(  # noqa: E731
            "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()).join('\\t'))")]
        assert visible() == _expected_order(batch)
        assert page.locator("#filters").is_visible()
        page.select_option("#f-verdict", "veto")
        assert visible() == _expected_order(batch)[:1] + _expected_order(batch)[2:4]
        assert page.text_content("#f-count") == "符合条件 3 个，共 8 个网站"
        page.select_option("#f-verdict", "")
        page.fill("#f-text", batch["names"]["low"][0][:2])  # the city's name: the two rows of the "low" site
        assert visible() == [batch["names"]["low"][0]] * 2
        page.fill("#f-text", "")
        page.click("#ranking-table th:nth-child(7)")  # score, ascending: unscored sites (—) first
        scores = [s["score"] for s in ranking(batch["sites"]) if s["status"] == "audited"]
        assert [page.locator(f"#ranking-table tbody tr:visible >> nth={i} >> td:nth-child(7)").text_content()
                for i in range(8)] == ["—", "—", *map(str, sorted(scores))]
        page.click("#ranking-table th:nth-child(7)")
        assert visible()[0] in {s["name"] for s in batch["sites"] if s.get("score") == max(scores)}
        assert page.evaluate("window.__csp") == [] and errors == []


def test_xlsx_has_the_summary_and_one_sheet_per_audited_site(batch):
    book = load_workbook(batch["paths"]["xlsx"])
    ranked = ranking(batch["sites"])
    audited = [s for s in ranked if s["status"] == "audited"]
    assert book.sheetnames[0] == SUMMARY_SHEET and len(book.sheetnames) == 1 + len(audited)
    summary = list(book[SUMMARY_SHEET].iter_rows(values_only=True))
    summary = summary[[r[0] for r in summary].index("排名 Rank"):]  # below the lines naming the batch
    assert len(summary) == 1 + len(ranked)
    assert [r[1] for r in summary[1:]] == _expected_order(batch)
    assert summary[1][6] == "不合格 fail" and "网站无法访问" in summary[1][8] and summary[1][7] is None
    sheet_column = summary[0].index("工作表 Sheet")
    assert [r[sheet_column] for r in summary[1:] if r[sheet_column]] == book.sheetnames[1:]
    for site, name in zip(audited, book.sheetnames[1:]):
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == FINDING_HEADERS
        assert len(rows) - 1 == len(_sql_findings(batch["db"], site["scan_id"]))
        with sqlite3.connect(batch["db"]) as conn:
            fingerprints = [f for (f,) in conn.execute(
                "select fingerprint from findings where scan_id = ? and suppressed is null order by rank", (site["scan_id"],))]
        fingerprint = FINDING_HEADERS.index("指纹 Fingerprint")
        assert [r[fingerprint] for r in rows[1:]] == fingerprints  # the single-site 问题清单's order and layout
    names = book.sheetnames
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    assert LONG_NAME[:31] in names and SLASHED.replace("/", "_").replace(":", "_") in names
    low = batch["names"]["low"][0]
    assert low in names and low + "~2" in names


def test_sheet_names_of_awkward_sites():
    def site(name, code=None, status="audited"):
        return {"name": name, "code": code, "url": "http://x.example/", "status": status}
    sites = [site("汇总"), site("HISTORY"), site("a" * 40), site("a" * 40), site("a" * 31), site("x/y:z[1]*?\\"),
             site("'引号'"), site("", code="1234567890"), site("ABC"), site("abc"), site("dead", status="unreachable")]
    names = sheet_names(sites)
    assert names == ["汇总~2", "HISTORY~2", "a" * 31, "a" * 29 + "~2", "a" * 29 + "~3", "x_y_z_1____", "引号", "1234567890",
                     "ABC", "abc~2", None]


def _plain_site(name, score, findings):
    return {"name": name, "code": None, "url": "http://www.example.gov.cn/", "organiser": None, "status": "audited", "error": None,
            "report": None, "scan_id": 1, "previous": None, "score": score, "passed": score >= 60, "vetoes": [],
            "by_family": {"links": len(findings)}, "by_severity": {"error": len(findings), "warning": 0, "info": 0},
            "findings": (f for f in findings), "rule_texts": {}}


def test_index_pages_and_prints_every_matching_row_in_chromium(tmp_path):
    sites = [_plain_site(f"网站{i:03d}", float(i % 100), []) for i in range(250)]
    index = write_batch_outputs(tmp_path, sites)["index"]
    with browser_page() as page:
        page.goto(index.as_uri())
        names = lambda: page.locator("#ranking-table tbody tr:visible td:nth-child(2)").all_text_contents()  # noqa: E731
        ranked = [s["name"] for s in ranking(sites)]
        assert names() == ranked[:100] and page.text_content("#pager") == "第 1 / 3 页"
        page.click("#p-next")
        assert names() == ranked[100:200] and page.text_content("#pager") == "第 2 / 3 页"
        page.fill("#f-text", "网站1")  # 网站100 … 网站199
        assert sorted(names()) == [f"网站{i}" for i in range(100, 200)] and page.text_content("#pager") == "第 1 / 1 页"
        page.click("#ranking-table th:nth-child(2)")
        page.click("#ranking-table th:nth-child(2)")  # by name, descending
        assert names() == [f"网站{i}" for i in range(199, 99, -1)]
        page.emulate_media(media="print")  # the print lists every row, filtered or not, in the order on screen
        assert names() == [f"网站{i:03d}" for i in range(249, -1, -1)]
        page.emulate_media(media="screen")
        assert names() == [f"网站{i}" for i in range(199, 99, -1)]


def test_xlsx_cells_stay_text_and_fit_in_a_cell(tmp_path):
    """A formula-like message is written as text, a huge evidence list is shown by its first items
    and counted, a huge message is cut to what Excel holds; the findings may come from a generator
    (read once)."""
    huge = {"linked_from": [f"http://www.example.gov.cn/{i:06d}.html" for i in range(2000)]}
    findings = [{"rule": "links.broken", "severity": "error", "url": "http://www.example.gov.cn/x", "message": "=HYPERLINK(\"http://evil\")",
                 "message_en": "", "evidence": huge, "fingerprint": "f1", "column_url": None},
                {"rule": "links.broken", "severity": "error", "url": "http://www.example.gov.cn/y", "message": "长" * 40_000,
                 "message_en": "", "evidence": {}, "fingerprint": "f2", "column_url": None}]
    paths = write_batch_outputs(tmp_path, [_plain_site("示范", 99.0, findings)])
    rows = list(load_workbook(paths["xlsx"])["示范"].iter_rows(values_only=True))
    problem, evidence = FINDING_HEADERS.index("问题 Problem"), FINDING_HEADERS.index("证据 Evidence")
    assert len(rows) == 3 and rows[1][problem] == "'=HYPERLINK(\"http://evil\")"
    assert len(json.dumps(huge, ensure_ascii=False)) > 32767 and "…共 2000 项" in rows[1][evidence]
    assert "http://www.example.gov.cn/000000.html" in rows[1][evidence] and len(rows[1][evidence]) < 1000
    assert len(rows[2][problem]) == 32767 and rows[2][problem].endswith("…")


def test_outputs_name_the_batch_and_how_to_continue_it(batch):
    """The batch id, the days it ran in Beijing and 检查基准日 head both outputs; the failed site is not
    done (the unreachable one is: a single veto is its result), so both say how to continue."""
    doc = _index(batch["paths"]["index"])
    text = lambda element_id: " ".join(doc.get_element_by_id(element_id).text_content().split())  # noqa: E731
    assert BATCH.id in doc.findtext(".//title")
    assert (text("batch-id"), text("batch-ran"), text("batch-as-of")) == (BATCH.id, "2026-11-02 至 2026-11-03", AS_OF.isoformat())
    assert text("resume").startswith("本批次尚有 1 个网站未完成检查。") and doc.xpath("//section[@id='resume']/pre")[0].text == RESUME
    en = _index(batch["en"]["index"])
    assert " ".join(en.xpath("string(//dl[@class='batch'])").split()) == (
        f"Batch: {BATCH.id} Run on (Beijing time): 2026-11-02 to 2026-11-03 As of: {AS_OF.isoformat()}")
    assert en.get_element_by_id("resume").text_content().strip().startswith("Sites of this batch not done: 1.")

    book = load_workbook(batch["paths"]["xlsx"])
    summary = book[SUMMARY_SHEET]
    lines = [r[0] for r in summary.iter_rows(max_row=5, values_only=True)]
    assert lines == [f"批次 Batch: {BATCH.id}", "检查日期（北京时间）Run on (Beijing time): 2026-11-02 至 2026-11-03",
                     f"检查基准日 As of: {AS_OF.isoformat()}", lines[3], RESUME]
    assert lines[3].startswith("本批次尚有 1 个网站未完成检查。") and "Sites of this batch not done: 1." in lines[3]
    # the header row stays in view and filters, below the batch's lines on the summary, first on every other sheet
    rows = len(batch["sites"])
    assert (summary.freeze_panes, summary.auto_filter.ref) == ("A7", f"A6:{summary.cell(6, summary.max_column).column_letter}{6 + rows}")
    assert summary.cell(6, 1).value == "排名 Rank" and summary.max_row == 6 + rows
    last_column = get_column_letter(len(FINDING_HEADERS))
    for sheet in book.worksheets[1:]:
        assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", f"A1:{last_column}{sheet.max_row}") and sheet.max_row > 1


def test_a_batch_done_says_nothing_about_continuing(tmp_path):
    done = BatchInfo("20261102-0930-0002", ("2026-11-02", "2026-11-02"), ("2026-11-01", "2026-11-02"))
    paths = write_batch_outputs(tmp_path, [_plain_site("示范", 99.0, [])], batch=done)
    doc = _index(paths["index"])
    assert doc.xpath("//*[@id='resume']") == [] and doc.get_element_by_id("batch-ran").text_content() == "2026-11-02"
    assert doc.get_element_by_id("batch-as-of").text_content() == "2026-11-01、2026-11-02"  # --as-of left to each day
    summary = load_workbook(paths["xlsx"])[SUMMARY_SHEET]
    assert [r[0] for r in summary.iter_rows(max_row=4, values_only=True)] == [
        "批次 Batch: 20261102-0930-0002", "检查日期（北京时间）Run on (Beijing time): 2026-11-02",
        "检查基准日 As of: 2026-11-01、2026-11-02", "排名 Rank"]
    assert (summary.freeze_panes, summary.auto_filter.ref[:3]) == ("A5", "A4:")


def _batch_database(tmp_path):
    """A scan database with a batch of three sites, as `zwgk batch` records it: 甲 audited (its scan
    checked as of 2026-01-05), 乙 interrupted, 丙 still queued; started 01:30 in Beijing on 5 January
    (17:30 UTC the day before), the last site ended 00:10 in Beijing on the 6th."""
    from storage.connect import connect
    from zwgk.batch import Site, claim, finish, new_batch

    db = tmp_path / "batch.db"
    conn = connect(str(db), create=True)
    sites = [Site("1100000001", "甲市人民政府门户网站", ["http://a.example.gov.cn/"], code="1100000001"),
             Site("b.example.gov.cn", "乙县人民政府门户网站", ["http://b.example.gov.cn/"]),
             Site("1100000003", "丙镇人民政府门户网站", ["http://c.example.gov.cn/"], code="1100000003")]
    batch_id = new_batch(conn, sites, str(tmp_path / "网站清单.csv"), {}, None)
    with conn:
        conn.execute("update batches set created_at = '2026-01-04T17:30:00Z'")
        scans = [conn.execute("insert into scans (site, start_urls, status, as_of) values (?, '[]', 'finished', ?)",
                              (s.urls[0], as_of)).lastrowid for s, as_of in zip(sites, ("2026-01-05", None))]
        for site, status, scan_id in zip(sites, ("audited", "interrupted"), scans):
            assert claim(conn, batch_id, site.key, "w1")
            assert finish(conn, batch_id, site.key, "w1", status, scan_id, None, {"score": 80.0, "passed": True})
        conn.execute("update batch_sites set finished_at = '2026-01-05T16:10:00Z' where finished_at is not null")
    return db, conn, batch_id, scans


def test_batch_info_and_the_command_that_continues_it(tmp_path):
    import shlex

    from zwgk.batch import batch_info, claim, finish
    from zwgk.cli import batch_run

    db, conn, batch_id, scans = _batch_database(tmp_path)
    info = batch_info(conn, str(db), batch_id, str(tmp_path / "out"))
    assert (info.id, info.ran, info.as_of) == (batch_id, ("2026-01-05", "2026-01-06"), ("2026-01-05",))
    args = shlex.split(info.resume)
    assert args == ["zwgk", "batch", str(tmp_path / "网站清单.csv"), "--db", str(db.resolve()), "--out", str((tmp_path / "out").resolve()),
                    "--as-of", "2026-01-05", "--batch", batch_id]
    params = batch_run.make_context("batch", args[2:]).params  # what `zwgk batch` makes of it
    assert (params["batch_id"], params["db"], params["as_of"].date().isoformat()) == (batch_id, str(db.resolve()), "2026-01-05")
    # the sites file's 网站名称 and 网站标识码 on the scan of the site done, for its own report
    assert [tuple(r) for r in conn.execute("select site_name, site_code from scans order by id")] == [
        ("甲市人民政府门户网站", "1100000001"), (None, None)]

    with conn:
        for key in ("b.example.gov.cn", "1100000003"):
            assert claim(conn, batch_id, key, "w2") and finish(conn, batch_id, key, "w2", "unreachable", None, "refused")
    assert batch_info(conn, str(db), batch_id).resume is None  # every site has its one result
    conn.close()


def test_write_outputs_tells_how_to_continue(tmp_path):
    from zwgk.batch import write_outputs
    from zwgk.pipeline import AuditJob

    db, conn, batch_id, _ = _batch_database(tmp_path)
    with conn:  # 甲's report needs a checked scan: here it is one more site not done
        conn.execute("update batch_sites set status = 'failed' where site_key = '1100000001'")
    conn.close()
    from zwgk.cli import _batch_lines

    result = write_outputs(str(db), batch_id, str(tmp_path / "out"), AuditJob(urls=[], db=str(db)))
    # the command's summary ends with it: the last line is the command alone, to copy
    err = _batch_lines(batch_id, result["ranked"], result["paths"], result["batch"].resume)
    assert err[-2].startswith("本批次尚有 3 个网站未完成检查。") and "Sites of this batch not done: 3." in err[-2]
    assert err[-1] == result["batch"].resume and f"--batch {batch_id}" in err[-1]
    doc = _index(result["paths"]["index"])
    assert doc.xpath("//section[@id='resume']/pre")[0].text == err[-1]
    assert [tuple(_row_cells(r)[1:3]) for r in doc.xpath("//table[@id='ranking-table']/tbody/tr")] == [  # failed, interrupted, queued
        ("甲市人民政府门户网站", "1100000001"), ("乙县人民政府门户网站", ""), ("丙镇人民政府门户网站", "1100000003")]


def test_a_database_from_before_the_site_columns_gets_them(tmp_path):
    from storage.connect import connect

    db = str(tmp_path / "old.db")
    connect(db, create=True).close()
    with sqlite3.connect(db) as conn:
        for column in ("site_name", "site_code"):
            conn.execute(f"alter table scans drop column {column}")
    conn = connect(db, create=True)  # as `zwgk batch` opens it
    assert {"site_name", "site_code"} <= {r[1] for r in conn.execute("pragma table_info(scans)")}
    conn.close()
