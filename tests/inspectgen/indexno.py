"""Plant 索引号 collisions in a portal's 政策文件 and 规范性文件 columns, with ground truth.

A real collision: two different documents (different titles, numbers and bodies, published months
apart) that carry one 索引号, the second typed with a stray space and a full-width colon in its label
as portals do (``metadata.duplicate_index_no``). The look-alike: one document the CMS publishes in
two columns (TRS 引用) so it is reachable under two URLs with the same 索引号, title and body — the
same document, not a duplicate. Every other document gets its own 索引号.
"""

from __future__ import annotations

from datetime import date, timedelta

from .portal import Expect, Portal

TOPICS = ["城镇老旧小区改造", "农村生活垃圾治理", "中小学校园安全", "政府投资项目审批", "城市道路挖掘占用", "重大行政决策程序",
          "行政执法公示", "公共资源交易", "河道采砂管理", "建筑垃圾处置"]


def plant(p: Portal) -> None:
    rng = p.rng
    zcwj, gfxwj = "/zwgk/zcwj/", "/zwgk/gfxwj/"
    rows_zc, rows_gf = [], []
    docs = []
    for i, topic in enumerate(TOPICS):
        day = date(2025, 3, 3) + timedelta(days=33 * i + rng.randint(0, 9))
        docid = p.docid()
        title = f"{p.city}人民政府办公室关于印发{topic}管理办法的通知"
        doc_no = f"{p.city[0]}政办规〔2025〕{i + 1}号"
        docs.append({"day": day, "docid": docid, "title": title, "doc_no": doc_no, "topic": topic,
                     "index_no": p.index_no(2025)})
    shared = docs[6]["index_no"]
    docs[2]["index_no"] = shared       # two different documents, one 索引号
    twice = docs[4]                    # one document under two URLs
    for d in docs:
        path = f"{d['day']:%Y%m}/t{d['day']:%Y%m%d}_{d['docid']}.html"
        body = (f"<p>各县（市、区）人民政府，市政府各部门：</p><p>《{p.city}{d['topic']}管理办法》已经市政府同意，现印发给你们，"
                f"请认真贯彻执行。</p><p>本办法自印发之日起施行，有效期五年。</p><p style=\"text-align:right\">"
                f"{p.city}人民政府办公室</p><p style=\"text-align:right\">{d['day'].year}年{d['day'].month}月{d['day'].day}日</p>")
        index_no = d["index_no"] + (" " if d is docs[2] else "")
        for base, rows in ((zcwj, rows_zc),) + (((gfxwj, rows_gf),) if d is twice or d["docid"] % 2 else ()):
            p.doc_page(base + path, d["title"], d["day"], f"{p.city}人民政府办公室", index_no, body, ("政策文件", "政策文件"),
                       layout="govcn", doc_no=d["doc_no"], written=d["day"] - timedelta(days=2))
            rows.append(("./" + path, d["title"], d["day"]))
        d["targets"] = [zcwj + path] + ([gfxwj + path] if d is twice or d["docid"] % 2 else [])
    rows_zc.sort(key=lambda r: r[2], reverse=True)
    rows_gf.sort(key=lambda r: r[2], reverse=True)
    p.trs_column(zcwj, "政策文件", "政策文件", rows_zc, per_page=8, date_style="slash")
    p.trs_column(gfxwj, "行政规范性文件", "政策文件", rows_gf, per_page=8, date_style="iso")
    a, b = docs[2], docs[6]
    p.expect.append(Expect("metadata.duplicate_index_no", a["targets"][:1], [shared], True,
                           f"{a['title']} shares {shared} with {b['title']}"))
    p.expect.append(Expect("metadata.duplicate_index_no", b["targets"][:1], [shared], True,
                           f"{b['title']} shares {shared} with {a['title']}"))
    for d in docs:
        if d is not a and d is not b:
            p.expect.append(Expect("metadata.duplicate_index_no", d["targets"] + [d["index_no"]], [], False,
                                   "one document (two URLs when quoted in two columns), its own 索引号"))
