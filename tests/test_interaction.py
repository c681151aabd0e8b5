"""互动回应差 on a real crawl: a portal whose consulting boards come in the three list kinds — a
领导信箱 as a TRS-paged HTML table, a 网上咨询 whose rows a script loads as JSON (rendered once in
Chromium, its API then paged over HTTP, the reply date only on each message's own page) and a
政务咨询 list paged by ?page=N with labelled rows — plus excepted columns (在线访谈, 举报投诉) holding
old unanswered entries, a 县长信箱 whose messages show no readable times, and sites with no consulting
channel at all or only a broken one. The check date is fixed (2026-11-10): three calendar months
before it is 2026-08-10, the year's window starts 2025-11-10."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest

from browser import needs_browser
from conftest import FAST, query, run_zwgk
from http_site import page, serve

AS_OF = "2026-11-10"
META = '<meta name="SiteName" content="示范县人民政府"><meta name="SiteDomain" content="127.0.0.1"><meta name="SiteIDCode" content="3599000002">'
NAV = {"/hdjl/ldxx/": "领导信箱", "/hdjl/wszx/": "网上咨询", "/hdjl/zwzx/list.jsp": "政务咨询", "/hdjl/xzxx/": "县长信箱",
       "/hdjl/zxft/": "在线访谈", "/hdjl/jbts/": "举报投诉", "/xxgk/tzgg/": "通知公告"}

# (id, title, asked as the list writes it, answered or None, replier): None answered = not answered yet
LDXX = [  # 领导信箱: 3 on index.html, 2 on index_1.html
    (1, "关于老旧小区加装电梯的建议", "2026-09-01", "2026-09-15", "住建局"),
    (2, "关于农村低保申请条件的咨询", "2026-08-20", "2026-09-02", "民政局"),
    (3, "关于学校周边交通拥堵的反映", "2026-07-11", "2026-07-30", "交警大队"),
    (4, "关于村道路灯长期不亮的问题", "2026-06-08", None, None),  # 155 days unanswered: interaction.unanswered
    (5, "关于医保异地结算的咨询", "2026-05-03", "2026-05-20", "医保局"),
]
WSZX = [  # 网上咨询: JSON, five a page; the list shows 提问时间 and 状态, the reply date is on the message's page
    (11, "新生儿落户需要哪些材料", "2026/10/20 09:12", "2026年10月22日", "公安局"),
    (12, "灵活就业人员如何缴纳养老保险", "2026/10/02 15:40", "2026年10月9日", "人社局"),
    (13, "小微企业贷款贴息政策咨询", "2026/9/14 10:05", "2026年9月30日", "财政局"),
    (14, "残疾人两项补贴如何申请", "2026/8/01 08:30", "2026年8月10日", "残联"),
    (15, "公积金提取办理时限", "2026/7/07 11:11", "2026年7月20日", "公积金中心"),
    (16, "个体户营业执照变更咨询", "2026/3/2 10:22", "2026年7月6日", "市场监管局"),  # 126 days: interaction.late_reply
    (17, "义务教育入学登记时间", "2026/2/10 16:00", "2026年2月20日", "教育局"),
]
ZWZX = [  # 政务咨询: ?page=N, rows that label their own times, 2026年4月1日 / 2026/6/29 10:22
    (21, "农机购置补贴申请流程", "2026年4月1日", "2026/6/29 10:22", "农业农村局"),  # answered on day 89: nothing
    (22, "城乡居民医保缴费截止时间", "2026年10月1日", None, None),  # unanswered, but under three months: nothing
    (23, "宅基地审批需要多久", "2025年10月5日", None, None),  # unanswered, 13 months old: outside the year
    (24, "退役军人优待证办理", "2026年5月12日", "2026/5/20 09:00", "退役军人事务局"),
]
OLD_UNANSWERED = "2026-02-01"  # in 在线访谈 and 举报投诉 (excepted): nothing


def _ldxx_table(rows) -> str:
    head = "<tr><th>序号</th><th>信件标题</th><th>留言时间</th><th>回复时间</th><th>回复单位</th><th>状态</th></tr>"
    body = "".join(
        f"<tr><td>{i}</td><td><a href='/hdjl/ldxx/{asked[:7].replace('-', '')}/t{asked.replace('-', '')}_{i}.html' target='_blank'>{t}</a></td>"
        f"<td>{asked}</td><td>{answered or ''}</td><td>{replier or ''}</td>"
        f"<td><span class='{'green' if answered else 'red'}'>{'已回复' if answered else '未回复'}</span></td></tr>"
        for i, t, asked, answered, replier in rows)
    return f"<table class='xxlist'>{head}{body}</table>"


def _message_page(title: str, asked_label: str, asked: str, answered_label: str, answered, replier) -> bytes:
    reply = (f"<div class='reply'><h3>答复内容</h3><p>答复单位：{replier}</p><p>您好，您反映的问题已转相关部门研究办理。</p>"
             f"<p>{answered_label}：{answered}</p></div>") if answered else "<div class='reply'><p>暂无回复</p></div>"
    return page(title, f"<h1>{title}</h1><div class='info'><span>来信人：王**</span><span>{asked_label}：{asked}</span></div>"
                       f"<div class='question'><p>请问{title}？盼复。</p></div>{reply}", META)


WSZX_SCRIPT = """<table class="zx"><thead><tr><th>咨询标题</th><th>提问时间</th><th>状态</th></tr></thead><tbody id="rows"></tbody></table>
<div class="pg"></div><script>
var cur = 1;
function load(n) {
  fetch('/hdjl/api/wszx?pageNo=' + n + '&pageSize=5').then(r => r.json()).then(d => { cur = n;
    document.getElementById('rows').innerHTML = d.data.map(r => '<tr><td><a href="/hdjl/wszx/detail.html?id=' + r.id + '">'
      + r.title + '</a></td><td>' + r.askTime + '</td><td><em>' + r.state + '</em></td></tr>').join('');
    document.querySelector('.pg').innerHTML = d.total > n * 5 ? '<a href="javascript:void(0)" onclick="load(cur + 1)">下一页</a>' : '';
  });
}
load(1);
</script>"""


def _zwzx_row(i, title, asked, answered, replier) -> str:
    state = f"<span>回复时间：{answered}</span><span>回复单位：{replier}</span>" if answered else "<span class='state red'>待回复</span>"
    return f"<li><a href='/hdjl/zwzx/show.jsp?id={i}'>{title}</a><span>留言时间：{asked}</span>{state}</li>"


def portal(method, path, query_string, body, outside: str = ""):
    """The portal; ``outside``: a city's 12345 platform on another host (probed, never crawled)."""
    q = {k: v[0] for k, v in parse_qs(query_string).items()}
    if path == "/":
        nav = "".join(f"<li><a href='{u}'>{n}</a></li>" for u, n in NAV.items())
        nav += f"<li><a href='{outside}/'>12345政务服务便民热线</a></li>" if outside else ""
        return 200, {}, page("示范县人民政府", f"<ul class='nav'>{nav}</ul><div class='news'><ul><li><a href='/xxgk/tzgg/t20261105_1.html'>"
                                               f"关于开展秋季森林防火工作的通知</a><span>2026-11-05</span></li></ul></div>", META), 0
    if path == "/xxgk/tzgg/":
        return 200, {}, page("通知公告", "<ul class='list'><li><a href='/xxgk/tzgg/t20261105_1.html'>关于开展秋季森林防火工作的通知</a>"
                                          "<span>2026-11-05</span></li></ul>", META), 0
    if path == "/xxgk/tzgg/t20261105_1.html":
        return 200, {}, page("通知", "<h1>关于开展秋季森林防火工作的通知</h1><p>发布日期：2026-11-05</p><p>各乡镇：请做好防火工作。</p>", META), 0
    if path in ("/hdjl/ldxx/", "/hdjl/ldxx/index.html", "/hdjl/ldxx/index_1.html"):
        n = 1 if path.endswith("index_1.html") else 0
        rows = LDXX[:3] if n == 0 else LDXX[3:]
        pager = f'<div class="page"><script>createPageHTML(2, {n}, "index", "html");</script></div>'
        return 200, {}, page("领导信箱", _ldxx_table(rows) + pager, META + '<meta name="ColumnName" content="领导信箱">'), 0
    m = re.fullmatch(r"/hdjl/ldxx/\d{6}/t\d{8}_(\d+)\.html", path)
    if m:
        _, title, asked, answered, replier = next(r for r in LDXX if r[0] == int(m[1]))
        return 200, {}, _message_page(title, "留言时间", asked, "回复时间", answered, replier), 0
    if path == "/hdjl/wszx/":
        head = META + '<meta name="ColumnName" content="网上咨询"><meta name="ColumnType" content="咨询投诉">'
        return 200, {}, page("网上咨询", WSZX_SCRIPT, head), 0
    if path == "/hdjl/api/wszx":
        n, size = int(q.get("pageNo", 1)), int(q.get("pageSize", 5))
        rows = [{"id": i, "title": t, "askTime": asked, "state": "已回复"} for i, t, asked, _a, _r in WSZX[(n - 1) * size:n * size]]
        return 200, {"Content-Type": "application/json"}, json.dumps({"total": len(WSZX), "data": rows}, ensure_ascii=False).encode(), 0
    if path == "/hdjl/wszx/detail.html" and q.get("id", "").isdigit():
        _, title, asked, answered, replier = next(r for r in WSZX if r[0] == int(q["id"]))
        return 200, {}, _message_page(title, "提问时间", asked, "答复时间", answered, replier), 0
    if path == "/hdjl/zwzx/list.jsp":
        n = int(q.get("page", 1))
        rows = "".join(_zwzx_row(*r) for r in ZWZX[(n - 1) * 2:n * 2])
        pager = "<div class='pager'>共2页 " + ("<a href='list.jsp?page=2'>下一页</a>" if n == 1 else "<a href='list.jsp?page=1'>上一页</a>") + "</div>"
        return 200, {}, page("政务咨询", f"<ul class='zxlist'>{rows}</ul>{pager}", META), 0
    if path == "/hdjl/zwzx/show.jsp" and q.get("id", "").isdigit():
        _, title, asked, answered, replier = next(r for r in ZWZX if r[0] == int(q["id"]))
        return 200, {}, _message_page(title, "留言时间", asked, "回复时间", answered, replier), 0
    if path == "/hdjl/xzxx/":  # titles and a bare date only; the messages' pages show no times either
        rows = "".join(f"<li><a href='/hdjl/xzxx/m{i}.html'>县长信箱来信{i}</a><span>2026-09-0{i}</span></li>" for i in (1, 2))
        return 200, {}, page("县长信箱", f"<ul class='list'>{rows}</ul>", META), 0
    if re.fullmatch(r"/hdjl/xzxx/m\d\.html", path):
        return 200, {}, page("县长信箱来信", "<h1>县长信箱来信</h1><div class='content'><p>反映的问题已收悉。</p></div>", META), 0
    if path == "/hdjl/zxft/":
        head = "<tr><th>访谈问题</th><th>提问时间</th><th>状态</th></tr>"
        row = f"<tr><td><a href='/hdjl/zxft/q1.html'>网友提问：何时开通公交线路</a></td><td>{OLD_UNANSWERED}</td><td>未回复</td></tr>"
        return 200, {}, page("在线访谈", f"<table>{head}{row}</table>", META), 0
    if path == "/hdjl/zxft/q1.html":
        return 200, {}, _message_page("网友提问：何时开通公交线路", "提问时间", OLD_UNANSWERED, "回复时间", None, None), 0
    if path == "/hdjl/jbts/":
        row = f"<li><a href='/hdjl/jbts/j1.html'>举报某工地夜间施工扰民</a><span>留言时间：{OLD_UNANSWERED}</span><em>办理中</em></li>"
        return 200, {}, page("举报投诉", f"<ul class='list'>{row}</ul>", META), 0
    if path == "/hdjl/jbts/j1.html":
        return 200, {}, _message_page("举报某工地夜间施工扰民", "留言时间", OLD_UNANSWERED, "回复时间", None, None), 0
    return 404, {}, page("404", "页面不存在"), 0


def _audit(answer, tmp_path, name):
    with serve(answer) as server:
        run_zwgk("audit", server.base + "/", "--db", tmp_path / f"{name}.db", "--out", tmp_path / name, "--format", "json",
                 "--no-ipv6", "--as-of", AS_OF, "--quiet", "--fail-on", "never", "--select", "interaction", *FAST)
        data = json.loads((tmp_path / name / "findings.json").read_text(encoding="utf-8"))
        for f in data["findings"]:
            f["url"] = f["url"].replace(server.base, "")
        return server.base, data["findings"], tmp_path / f"{name}.db"


@pytest.fixture(scope="module")
def boards(tmp_path_factory):
    needs_browser()
    with serve(lambda *request: (200, {}, page("12345热线", "<p>网上留言</p>"), 0)) as city:
        yield _audit(lambda *request: portal(*request, outside=city.base), tmp_path_factory.mktemp("interaction"), "portal")


def _of(findings, rule):
    return {f["url"]: f for f in findings if f["rule"] == rule}


def test_every_message_of_the_three_list_kinds_is_read(boards):
    base, _findings, db = boards
    got = {(u.replace(base, ""), s): (a, r, st) for u, s, a, r, st in query(
        db, "select url, source, asked_at, answered_at, status from messages")}
    # the TRS-paged table: page 2 reached, header → field
    assert got[("/hdjl/ldxx/202606/t20260608_4.html", "list")] == ("2026-06-08", None, "未回复")
    assert got[("/hdjl/ldxx/202605/t20260503_5.html", "list")] == ("2026-05-03", "2026-05-20", "已回复")
    # the script-loaded list: every message of both API pages has its page read, the reply date only there
    for i, _t, asked, answered, _r in WSZX:
        assert got[(f"/hdjl/wszx/detail.html?id={i}", "detail")][1][:10] == re.sub(
            r"(\d+)年(\d+)月(\d+)日", lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", answered)
    assert got[("/hdjl/wszx/detail.html?id=11", "list")] == ("2026-10-20 09:12:00", None, "已回复")  # the rendered first page
    # the ?page=N list with labelled rows: both pages
    assert got[("/hdjl/zwzx/show.jsp?id=21", "list")] == ("2026-04-01", "2026-06-29 10:22:00", None)
    assert got[("/hdjl/zwzx/show.jsp?id=23", "list")] == ("2025-10-05", None, "待回复")
    types = dict(query(db, "select replace(url, ?, ''), type from columns", (base,)))
    assert {types[u] for u in ("/hdjl/ldxx/", "/hdjl/wszx/", "/hdjl/xzxx/")} == {"互动咨询"}
    assert types["/hdjl/zxft/"] != "互动咨询" and types["/hdjl/jbts/"] != "互动咨询"


def test_unanswered_and_late_messages_are_the_planted_ones(boards):
    _base, findings, _db = boards
    unanswered = _of(findings, "interaction.unanswered")
    assert set(unanswered) == {"/hdjl/ldxx/202606/t20260608_4.html"}
    ev = unanswered["/hdjl/ldxx/202606/t20260608_4.html"]["evidence"]
    assert ev["title"] == "关于村道路灯长期不亮的问题" and ev["asked_at"] == "2026-06-08" and ev["age_days"] == 155
    assert ev["list_url"].endswith("/hdjl/ldxx/index_1.html") and ev["due"] == "2026-09-08"
    late = _of(findings, "interaction.late_reply")
    assert set(late) == {"/hdjl/wszx/detail.html?id=16"}
    ev = late["/hdjl/wszx/detail.html?id=16"]["evidence"]
    assert ev["asked_at"].startswith("2026-03-02") and ev["answered_at"] == "2026-07-06" and ev["days"] == 126
    assert not _of(findings, "interaction.no_channel")


def test_a_board_without_readable_times_is_reported_not_passed(boards):
    _base, findings, _db = boards
    unchecked = _of(findings, "interaction.unchecked_board")
    outside = [u for u in unchecked if u.startswith("http://127.0.0.1:")]  # the 12345 platform: another host
    assert len(outside) == 1 and unchecked[outside[0]]["evidence"]["outside_scope"]
    assert set(unchecked) - set(outside) == {"/hdjl/xzxx/"}
    assert unchecked["/hdjl/xzxx/"]["evidence"]["items"] == 2 and unchecked["/hdjl/xzxx/"]["evidence"]["messages"] == 0


def _no_board(broken: bool):
    def answer(method, path, query_string, body):
        if path == "/":
            links = "<a href='/xxgk/tzgg/'>通知公告</a><a href='/hdjl/zxft/'>在线访谈</a><a href='/hdjl/jbts/'>举报投诉</a>"
            links += "<a href='/hdjl/ldxx/'>领导信箱</a>" if broken else ""
            return 200, {}, page("示范县人民政府", links, META), 0
        if path == "/xxgk/tzgg/":
            return 200, {}, page("通知公告", "<ul class='list'><li><a href='/xxgk/tzgg/t20261105_1.html'>通知</a><span>2026-11-05</span></li></ul>", META), 0
        if path == "/xxgk/tzgg/t20261105_1.html":
            return 200, {}, page("通知", "<h1>通知</h1><p>发布日期：2026-11-05</p>", META), 0
        if path == "/hdjl/zxft/":
            return 200, {}, page("在线访谈", "<ul class='list'><li><a href='/hdjl/zxft/1.html'>访谈一</a><span>2026-10-01</span></li></ul>", META), 0
        if path == "/hdjl/jbts/":
            return 200, {}, page("举报投诉", "<ul class='list'><li><a href='/hdjl/jbts/1.html'>举报一</a><span>留言时间：2026-01-01</span>"
                                                "<em>办理中</em></li></ul>", META), 0
        if path in ("/hdjl/zxft/1.html", "/hdjl/jbts/1.html"):
            return 200, {}, page("详情", "<h1>详情</h1><p>内容。</p>", META), 0
        return 404, {}, page("404", "页面不存在"), 0
    return answer


@pytest.mark.parametrize("broken", [False, True], ids=["none", "broken"])
def test_a_site_without_a_working_consulting_channel(tmp_path, broken):
    _base, findings, _db = _audit(_no_board(broken), tmp_path, "site")
    found = _of(findings, "interaction.no_channel")
    assert set(found) == {"/"}
    candidates = found["/"]["evidence"]["candidates"]
    assert [(c["name"], c["status"]) for c in candidates] == ([("领导信箱", 404)] if broken else [])
    assert not _of(findings, "interaction.unanswered")  # the 举报投诉 entry is excepted


# ---- the reading of one page, as boards write it (no crawl) ----

def _extract(url, body):
    from crawler.extract.page import extract_page
    return extract_page(url, page("留言", body), "text/html; charset=utf-8")


def test_boards_as_they_vary_are_read():
    rows = _extract("http://x/ly/", "<table><tr><td>主题</td><td>来信日期</td><td>答复日期</td></tr>"
                                    "<tr><td><a href='/ly/1.html'>甲</a></td><td>2024.03.05</td><td>未答复</td></tr>"
                                    "<tr><td><a href='/ly/2.html'>乙</a></td><td>2024年3月5日</td><td>2024/3/9 10:22</td></tr></table>").messages
    assert [(m.title, m.asked_at, m.answered_at, m.status) for m in rows] == [
        ("甲", "2024-03-05", None, "未答复"), ("乙", "2024-03-05", "2024-03-09 10:22:00", None)]
    detail = _extract("http://x/ly/1.html", "<h1>乙</h1><p>提问时间：2024年3月5日</p><div class='hf'><p>答复单位：某局</p>"
                                            "<p>您好……</p><p>回复时间：2024-03-09</p></div>").messages
    assert [(m.asked_at, m.answered_at, m.replier, m.source) for m in detail] == [("2024-03-05", "2024-03-09", "某局", "detail")]
    pending = _extract("http://x/ly/3.html", "<h1>丙</h1><p>留言时间：2024-03-05</p><p>办理状态：办理中</p><p>回复时间：</p>").messages
    assert [(m.status, m.answered_at) for m in pending] == [("办理中", None)]
    # a 办事指南 page labelling office hours, a document list with a 状态 column: no messages
    assert _extract("http://x/bszn/1.html", "<h1>指南</h1><p>受理时间：工作日</p><p>咨询时间：工作日</p>").messages == []
    assert _extract("http://x/wj/", "<table><tr><th>标题</th><th>发布时间</th><th>状态</th></tr><tr><td><a href='/wj/1.html'>文件</a>"
                                    "</td><td>2024-01-01</td><td>有效</td></tr></table>").messages == []


def test_three_calendar_months():
    from datetime import date

    from checks.interaction import months_after
    from crawler.extract.messages import status_state

    assert months_after(date(2026, 3, 5), 3) == date(2026, 6, 5) and months_after(date(2026, 5, 31), 3) == date(2026, 8, 31)
    assert months_after(date(2026, 11, 30), 3) == date(2027, 2, 28) and months_after(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert [status_state(s) for s in ("已办结", "办理中", "未回复（回复时间为空）", "暂无回复", "已受理", "有效", None)] == [
        "answered", "pending", "pending", "pending", "pending", None, None]
