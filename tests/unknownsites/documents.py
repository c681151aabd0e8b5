"""Documents: titles, dates, 索引号 in real shapes (and a few planted bad ones), metadata fields.

Dates: a fresh column's newest document is 1-10 days before AS_OF (within every stale limit of
rules.yaml, the shortest being 工作动态's 14 days), older ones step back 1-20 days each; a planted
stale column's newest document is 400-600 days old (stale under any column type). 成文日期 is
0-15 working days before 发布日期 (publication_delay allows 20).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.sitegen.calendar import back_working_days

from .words import BODY_SENTENCES, CATEGORIES, TITLE_ACTIONS, TITLE_TAILS, TITLE_TOPICS

AS_OF = date(2026, 11, 20)
LABELS = ["索引号", "主题分类", "发文机关", "成文日期", "发布日期", "发文字号", "标题", "有效性"]


@dataclass
class Doc:
    id: int
    column: str
    title: str
    publish: date
    written: date
    fields: dict            # label → the value as shown on the page
    body: list
    spa: bool = False
    path: str = ""          # set once the column's URL pattern is known
    url: str = ""           # ORIGIN + path
    index_shape: str = ""   # a shape name from INDEX_SHAPES, or "bad:<why>"


def _org9(rng: random.Random) -> str:
    s = "".join(rng.choice("0123456789") for _ in range(8))
    return s + rng.choice("0123456789X")


def _credit18(rng: random.Random, region: str) -> str:
    return "11" + region + rng.choice(["MB", "MC", "KA"]) + "".join(rng.choice("0123456789") for _ in range(7)) + rng.choice("ABCDEFGHJKLMNPQRTUWY")


# shape name → maker(rng, ctx, publish date, serial); ctx holds the site's codes
INDEX_SHAPES = {
    "org9/yyyy-serial": lambda rng, c, d, n: f"{c['org']}/{d.year}-{n:05d}",
    "org9/yyyymm-serial": lambda rng, c, d, n: f"{c['org']}/{d.year}{d.month:02d}-{rng.randint(10000, 99999)}",
    "credit18/yyyy-serial": lambda rng, c, d, n: f"{c['credit']}/{d.year}-{n:05d}",
    "org9-yyyy-serial": lambda rng, c, d, n: f"{c['org']}-{d.year}-{n + 150000}",
    "org9-yyyymm-serial": lambda rng, c, d, n: f"{c['org']}-{d.year}{d.month:02d}-{n + 100000}",
    "local-XX00000-0000-yyyy-serial": lambda rng, c, d, n: f"{c['local']}-{d.year}-{n:05d}",
    "xxgk-yyyy-serial": lambda rng, c, d, n: f"xxgk-{d.year}-{n:04d}",
}
SHAPE_WEIGHTS = {"org9/yyyy-serial": 5, "org9/yyyymm-serial": 1, "credit18/yyyy-serial": 3, "org9-yyyy-serial": 2,
                 "org9-yyyymm-serial": 2, "local-XX00000-0000-yyyy-serial": 2, "xxgk-yyyy-serial": 1}
BAD_VALUES = ["无", "暂无", "bare-date", "？？？", "stray"]


def site_codes(rng: random.Random, region: str) -> dict:
    return {"org": _org9(rng), "credit": _credit18(rng, region),
            "local": rng.choice(["QZ", "PZ", "LX", "HB"]) + f"{rng.randint(100, 999):05d}-{rng.randint(1, 30):02d}00"}


def bad_index(rng: random.Random, kind: str, good: str, d: date) -> str:
    if kind == "bare-date":
        return (d - timedelta(days=rng.randint(0, 9))).isoformat()
    if kind == "stray":
        return good + "？？"
    return kind


def column_dates(rng: random.Random, n: int, stale: bool) -> list[date]:
    """n publication dates, newest first."""
    newest = AS_OF - timedelta(days=rng.randint(400, 600) if stale else rng.randint(1, 10))
    out = [newest]
    for _ in range(n - 1):
        out.append(out[-1] - timedelta(days=rng.randint(1, 20)))
    return out


def show_date(d: date, style: str) -> str:
    return d.isoformat() if style == "iso" else f"{d.year}年{d.month}月{d.day}日"


def make_title(rng: random.Random, used: set, column_name: str) -> str:
    for _ in range(200):
        topic = rng.choice(TITLE_TOPICS)
        if column_name == "政策解读":
            t = f"《{rng.choice(['关于', ''])}{topic}{rng.choice(['实施方案', '工作方案'])}》政策解读"
        elif column_name == "人事信息":
            t = f"关于{rng.choice(['公开招聘', '选调', '遴选'])}{topic.replace('计划', '')}工作人员{rng.choice(['的公告', '拟录用人员的公示'])}"
        else:
            t = f"{rng.choice(TITLE_ACTIONS)}{rng.randint(2025, 2026)}年{topic}{rng.choice(TITLE_TAILS)}"
        if t not in used:
            used.add(t)
            return t
    raise RuntimeError("titles exhausted")


def make_doc(rng: random.Random, ctx: dict, column, publish: date, serial: int, shape: str, used_titles: set) -> Doc:
    written = back_working_days(publish, rng.randint(0, 15))
    title = make_title(rng, used_titles, column.name)
    index = INDEX_SHAPES[shape](rng, ctx["codes"], publish, serial)
    doc_no = f"{ctx['short']}{rng.choice(['政发', '政办发', '财', '政规', '办'])}〔{written.year}〕{rng.randint(1, 60)}号"
    style = ctx["date_style"]
    fields = {"索引号": index, "主题分类": rng.choice(CATEGORIES), "发文机关": column.publisher,
              "成文日期": show_date(written, style), "发布日期": show_date(publish, style), "发文字号": doc_no,
              "标题": title, "有效性": "有效"}
    body = [BODY_SENTENCES[0]] + rng.sample(BODY_SENTENCES[1:], 3)
    return Doc(id=0, column=column.key, title=title, publish=publish, written=written, fields=fields, body=body,
               index_shape=shape)
