"""Plant 互动交流 message boards (领导信箱, 网上咨询 …) with ground truth, as of ``AS_OF``.

Two real mechanisms: 领导信箱 is a JSP list paged by query string (``list.jsp?page=2``) showing
留言时间 and 状态, the 回复时间 only on each letter's detail page; 网上咨询 is an empty list page
whose rows a script loads from a JSON API (``askTime`` in epoch milliseconds, ``replyTime`` text).
Planted (within the year before ``AS_OF``): an unanswered message older than three months
(``interaction.unanswered``) and a reply four months after its message (``interaction.late_reply``)
on each board. Look-alikes: a reply after 89 days, an unanswered message older than a year (outside
the window), a recent one 办理中, and 在线访谈 / 举报投诉 columns with old unanswered entries
(excepted by 指标2019). ``plant_no_channel`` gives a 互动交流 page with neither 信箱 nor 咨询.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from html import escape

from .portal import Expect, Portal, fmt_date

AS_OF = date(2026, 3, 15)
CST = timezone(timedelta(hours=8))
SUBJECTS = ["小区加装电梯补贴申请流程", "学区划分咨询", "公积金提取到账时间", "农村危房改造补助标准", "夜间施工噪音扰民", "医保异地备案",
            "新能源车充电桩安装", "公交线路调整建议", "老旧小区雨污分流", "企业开办一网通办", "灵活就业社保缴费", "路灯长期不亮",
            "养犬登记办理", "残疾人补贴发放", "不动产登记预约", "农民工工资拖欠", "城市公园开放时间", "义务教育转学手续",
            "供暖费收费标准", "二手房交易税费", "人才公寓申请条件", "营业执照经营范围变更", "校外培训机构退费", "乡村道路硬化"]
DEPTS = ["市住房和城乡建设局", "市教育局", "市医疗保障局", "市交通运输局", "市人力资源和社会保障局", "市城市管理综合行政执法局"]


def _messages(p: Portal, n: int, planted: list[tuple[str, date, date | None, str]]):
    """n ordinary messages answered within 3–40 days plus the planted ones, newest first.
    Each: dict(id, title, asked, replied, status, dept, kind)."""
    rng = p.rng
    out = []
    for i in range(n):
        asked = AS_OF - timedelta(days=rng.randint(20, 500))
        out.append({"title": rng.choice(SUBJECTS) + f"的问题（{i + 1}）", "asked": asked,
                    "replied": asked + timedelta(days=rng.randint(3, 40)), "kind": "ordinary"})
    for kind, asked, replied, title in planted:
        out.append({"title": title, "asked": asked, "replied": replied, "kind": kind})
    for m in out:
        m["id"] = p.docid()
        m["dept"] = rng.choice(DEPTS)
        m["status"] = "已回复" if m["replied"] else ("办理中" if (AS_OF - m["asked"]).days < 60 else "未回复")
        m["hm"] = f"{rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}"
    out.sort(key=lambda m: m["asked"], reverse=True)
    return out


def _detail(p: Portal, target: str, m: dict, board: str) -> None:
    reply = (f'<div class="hf"><p><b>回复单位：</b>{m["dept"]}</p><p><b>回复时间：</b>{fmt_date(m["replied"], "cn")}</p>'
             f'<p><b>回复内容：</b>您好！您反映的问题已收悉，经核实，相关情况答复如下……感谢您对我们工作的关心和支持。</p></div>'
             if m["replied"] else '<div class="hf"><p>暂无回复</p></div>')
    body = (f'<div class="xx"><h2>{escape(m["title"])}</h2><table class="xxtb">'
            f'<tr><th>信件编号</th><td>XJ{m["id"]:08d}</td><th>来信人</th><td>王**</td></tr>'
            f'<tr><th>留言时间</th><td>{m["asked"].isoformat()} {m["hm"]}:12</td><th>办理状态</th><td>{m["status"]}</td></tr>'
            f'</table><div class="nr"><p><b>留言内容：</b>尊敬的领导：您好！关于{escape(m["title"])}，希望有关部门予以答复。</p></div>'
            f"{reply}</div>")
    p.add(target, p.page(m["title"] + f"-{board}", body, p.article_meta(m["title"], m["asked"], board)))


def _expect(p: Portal, board: str, msgs: list, target_of) -> None:
    for m in msgs:
        where = [target_of(m), m["title"]]
        kind = m["kind"]
        for rule, planted in (("interaction.unanswered", "unanswered"), ("interaction.late_reply", "late")):
            p.expect.append(Expect(rule, where, [], kind == planted, f"{board}: {kind} asked {m['asked']}"
                                   f" replied {m['replied']}"))


def plant_mailbox(p: Portal, base: str = "/hdjl/ldxx/") -> None:
    """领导信箱: ``list.jsp`` / ``list.jsp?page=N`` (15 a page, 共N页), detail ``detail.jsp?id=``."""
    planted = [("unanswered", date(2025, 10, 20), None, "关于小区违建长期无人处理的反映"),
               ("late", date(2025, 5, 6), date(2025, 9, 8), "关于学校周边交通拥堵的建议"),
               ("ok89", date(2025, 8, 1), date(2025, 8, 1) + timedelta(days=89), "关于菜市场搬迁后摊位分配的咨询"),
               ("old", date(2025, 1, 10), None, "关于村集体土地流转收益的疑问"),
               ("recent", date(2026, 2, 10), None, "关于春节后务工人员返岗专列的咨询")]
    msgs = _messages(p, 26, planted)
    per = 15
    pages = [msgs[i:i + per] for i in range(0, len(msgs), per)]
    for n, chunk in enumerate(pages, 1):
        rows = "".join(f'<tr><td>XJ{m["id"]:08d}</td><td><a href="detail.jsp?id={m["id"]}" target="_blank">'
                       f'{escape(m["title"])}</a></td><td>{m["asked"].isoformat()}</td><td>{m["status"]}</td></tr>'
                       for m in chunk)
        links = " ".join(f'<a href="list.jsp?page={k}">{k}</a>' if k != n else f"<span>{k}</span>"
                         for k in range(1, len(pages) + 1))
        nxt = f'<a href="list.jsp?page={n + 1}">下一页</a>' if n < len(pages) else ""
        html = p.page("领导信箱", f'<h2>领导信箱</h2><table class="xxlist"><tr><th>编号</th><th>主题</th><th>留言时间</th>'
                      f'<th>状态</th></tr>{rows}</table><div class="pager">共{len(pages)}页 {links} {nxt}</div>',
                      p.column_meta("领导信箱", "咨询投诉"))
        p.add(f"{base}list.jsp?page={n}", html)
        if n == 1:
            p.add(f"{base}list.jsp", html)
    for m in msgs:
        _detail(p, f"{base}detail.jsp?id={m['id']}", m, "领导信箱")
    _expect(p, "领导信箱", msgs, lambda m: f"{base}detail.jsp?id={m['id']}")


def plant_consult(p: Portal, base: str = "/hdjl/wszx/") -> None:
    """网上咨询: ``index.html`` is an empty list a script fills from ``api/list.do?pageNo=N&pageSize=10``."""
    planted = [("unanswered", date(2025, 11, 5), None, "咨询创业担保贷款贴息政策"),
               ("late", date(2025, 4, 1), date(2025, 8, 12), "咨询退役军人优待证办理"),
               ("ok", date(2025, 9, 1), date(2025, 10, 31), "咨询居住证积分落户")]
    msgs = _messages(p, 12, planted)
    size = 10
    pages = [msgs[i:i + size] for i in range(0, len(msgs), size)]
    for n, chunk in enumerate(pages, 1):
        data = {"code": 0, "total": len(msgs), "pageNo": n, "pageSize": size, "totalPage": len(pages), "data": [
            {"id": m["id"], "title": m["title"], "url": f"{base}content_{m['id']}.html",
             "askTime": int(datetime(m["asked"].year, m["asked"].month, m["asked"].day, 10, 0, tzinfo=CST).timestamp() * 1000),
             "replyTime": f"{m['replied'].isoformat()} 16:30" if m["replied"] else "", "status": m["status"],
             "replyDept": m["dept"] if m["replied"] else ""} for m in chunk]}
        p.add(f"{base}api/list.do?pageNo={n}&pageSize={size}", json.dumps(data, ensure_ascii=False).encode(),
              ctype="application/json;charset=UTF-8")
    script = """<script>
var pageNo = 1;
function pad(n){return n<10?'0'+n:''+n}
function day(ms){var d=new Date(ms+8*3600*1000);return d.getUTCFullYear()+'-'+pad(d.getUTCMonth()+1)+'-'+pad(d.getUTCDate())}
function load(n){var x=new XMLHttpRequest();x.open('GET','api/list.do?pageNo='+n+'&pageSize=10');
x.onload=function(){var r=JSON.parse(x.responseText),h='';
for(var i=0;i<r.data.length;i++){var m=r.data[i];h+='<tr><td><a href="'+m.url+'">'+m.title+'</a></td><td>'+day(m.askTime)+'</td><td>'+
(m.replyTime?m.replyTime.substring(0,10):'')+'</td><td>'+m.status+'</td></tr>'}
document.getElementById('rows').innerHTML=h;var p='';for(var k=1;k<=r.totalPage;k++){p+='<a href="javascript:load('+k+')">'+k+'</a> '}
document.getElementById('pager').innerHTML='共'+r.total+'条 '+p;};x.send();}
load(1);
</script>"""
    html = p.page("网上咨询", '<h2>网上咨询</h2><table class="zxlist"><thead><tr><th>咨询主题</th><th>咨询时间</th><th>回复时间</th>'
                  '<th>状态</th></tr></thead><tbody id="rows"></tbody></table><div id="pager"></div>' + script,
                  p.column_meta("网上咨询", "咨询投诉"))
    p.add(f"{base}index.html", html)
    p.add(base, html)
    for m in msgs:
        _detail(p, f"{base}content_{m['id']}.html", m, "网上咨询")
    _expect(p, "网上咨询", msgs, lambda m: f"{base}content_{m['id']}.html")


def plant_excepted(p: Portal) -> None:
    """在线访谈 and 举报投诉 with old unanswered entries: excepted columns, never interaction.* findings."""
    for base, name, ctype, title in (("/hdjl/zxft/", "在线访谈", "在线访谈", "网友提问：城区停车位规划何时公布"),
                                     ("/hdjl/jbts/", "举报投诉", "咨询投诉", "举报某企业夜间偷排废水")):
        m = {"id": p.docid(), "title": title, "asked": date(2025, 7, 3), "replied": None, "status": "未回复",
             "dept": DEPTS[0], "hm": "10:20", "kind": "excepted"}
        _detail(p, f"{base}t{m['id']}.html", m, name)
        rows = (f'<li><a href="t{m["id"]}.html">{title}</a><span>提问时间：{m["asked"].isoformat()}</span>'
                f"<span>未回复</span></li>")
        p.add(f"{base}index.html", p.page(name, f"<h2>{name}</h2><ul>{rows}</ul>", p.column_meta(name, ctype)))
        _expect(p, name, [m], lambda mm, b=base: f"{b}t{mm['id']}.html")


def hub(p: Portal, with_channels: bool) -> None:
    """The 互动交流 entry page. Without channels: only 在线访谈 and 征集调查 (no 信箱, no 咨询)."""
    links = [("/hdjl/zxft/index.html", "在线访谈"), ("/hdjl/zjdc/index.html", "征集调查")]
    if with_channels:
        links = [("/hdjl/ldxx/list.jsp", "领导信箱"), ("/hdjl/wszx/index.html", "网上咨询"),
                 ("/hdjl/jbts/index.html", "举报投诉")] + links
    items = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in links)
    p.add("/hdjl/index.html", p.page("互动交流", f'<h2>互动交流</h2><ul class="hd">{items}</ul>',
                                     p.column_meta("互动交流", "咨询投诉")))
    if not with_channels:
        p.add("/hdjl/zxft/index.html", p.page("在线访谈", "<h2>在线访谈</h2><ul><li><a href=\"/hdjl/zxft/t1.html\">"
                                              "2026年优化营商环境在线访谈</a><span>2026-02-27</span></li></ul>",
                                              p.column_meta("在线访谈", "在线访谈")))
        p.add("/hdjl/zxft/t1.html", p.page("2026年优化营商环境在线访谈", "<h2>2026年优化营商环境在线访谈</h2>"
                                           "<p>访谈嘉宾：市营商环境监督局局长。访谈时间：2026年2月27日。</p>"))
    p.add("/hdjl/zjdc/index.html", p.page("征集调查", '<h2>征集调查</h2><ul><li><a href="/hdjl/zjdc/t1.html">'
                                          "关于《城市绿化条例（草案）》公开征求意见</a><span>2026-01-12</span></li></ul>",
                                          p.column_meta("征集调查", "征集调查")))
    p.add("/hdjl/zjdc/t1.html", p.page("关于《城市绿化条例（草案）》公开征求意见",
                                       "<h2>关于《城市绿化条例（草案）》公开征求意见</h2><p>征集时间：2026年1月12日至2月11日。</p>"))


def plant_no_channel(p: Portal) -> None:
    hub(p, with_channels=False)
    p.expect.append(Expect("interaction.no_channel", ["/", "/index.html", "/hdjl/index.html"], [], True,
                           "互动交流 has no 信箱 or 咨询"))
