"""互动回应差 (检查指标 单项否决): the site has no working channel for questions, or a 政务咨询 column
holds a message left within the year before the check date and not answered within three months.

"Three months" is calendar months: a message left on 5 March is late from 6 June on (left on
31 May: due 31 August; on 30 November: due 28/29 February). A message is judged only when the board
shows when it was left; an unanswered one only when the board says so (未回复, 办理中, 暂无回复 …) —
a message whose answer the board neither dates nor names is not taken for unanswered but reported,
with the board, as not checkable (interaction.unchecked_board), as is a board whose messages show
no readable date. 在线访谈, 调查征集/意见征集 and 举报投诉 columns are excepted by the indicator.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from checks.freshness import months_before
from checks.registry import Finding, rule
from crawler.extract.columns import CONSULTING, CONSULTING_NAMES, is_consulting_name, is_excepted_name
from crawler.extract.messages import EMPTY_REPLY, status_state
from crawler.scope import netloc

EXAMPLES = 5  # messages named in a board's "could not be checked" finding


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


def _weight(status: str | None, source: str | None) -> int:
    """Which status to believe: a word (已回复, 办理中) over a blank reply-time cell, the message's own
    page over its list row, anything over words this reader does not know."""
    if not status:
        return 0
    if status_state(status) is None:
        return 1
    if status == EMPTY_REPLY:
        return 2
    return 4 if source == "detail" else 3


def _messages(ctx) -> dict[str, dict]:
    """message URL → what its list row and its own page say together (the list's value first)."""
    if "source" not in ctx.table_columns("messages"):
        return {}

    def merged():
        found: dict[str, dict] = {}
        rows = ctx.stream("select url, source, column_url, list_url, title, asked_at, answered_at, status, replier "
                          "from messages where scan_id = ?")
        for r in sorted(rows, key=lambda r: (r["url"], r["source"] != "list")):
            m = found.setdefault(r["url"], {"url": r["url"], "column_url": None, "list_url": None, "detail": False,
                                            "title": None, "asked_at": None, "answered_at": None, "status": None,
                                            "replier": None, "listed": False, "status_source": None})
            m["listed"] |= r["source"] == "list"
            m["detail"] |= r["source"] == "detail"
            for key in ("column_url", "list_url", "title", "asked_at", "answered_at", "replier"):
                m[key] = m[key] or r[key]
            if _weight(r["status"], r["source"]) > _weight(m["status"], m["status_source"]):
                m["status"], m["status_source"] = r["status"], r["source"]
        # a message page reached before its list: its column is the one listing it (and its title, the listed one)
        for m in [m for m in found.values() if not m["column_url"] or not m["title"]]:
            row = ctx.conn.execute("select column_url, title from column_items where scan_id = ? and item_url = ? "
                                   "order by column_url limit 1", (ctx.scan_id, m["url"])).fetchone()
            if row is not None:
                m["column_url"], m["title"] = m["column_url"] or row[0], m["title"] or row[1]
        return found
    return ctx.memo("interaction.messages", merged)


def consulting_columns(ctx) -> dict[str, dict]:
    """column URL → its row, for the 政务咨询 columns holding messages: typed 互动咨询 by the crawler
    (name, ColumnType, URL), or a column of another name listing messages — never an excepted one."""
    messages = _messages(ctx)
    # messages with a readable time of leaving: a label like 咨询时间 alone (办事指南: 「咨询时间：工作日」) is not a board
    with_messages = {m["column_url"] for m in messages.values() if m["column_url"] and _day(m["asked_at"])}

    def other_board(url: str) -> bool:
        """A column of another name listing messages, unless its ColumnType is 在线访谈, 举报投诉 …"""
        if url not in with_messages:
            return False
        row = ctx.conn.execute("select meta_tags from pages where scan_id = ? and url = ? and request_body = ''",
                               (ctx.scan_id, url)).fetchone()
        meta = (json.loads(row[0]) if row and row[0] else {}).get("ColumnType", "")
        return not (is_excepted_name(meta) and not any(w in meta for w in CONSULTING_NAMES))

    return ctx.memo("interaction.columns", lambda: {
        c["url"]: dict(c) for c in ctx.columns
        if c["kind"] != "home" and not is_excepted_name(c["name"]) and (c["type"] == CONSULTING or other_board(c["url"]))})


def _judged(ctx, params):
    """(column row, message, verdict) for each message of a consulting column: verdict is
    unanswered | late | ok | outside | unreadable | undetermined."""
    columns = consulting_columns(ctx)
    since = ctx.as_of - timedelta(days=int(params["window_days"]))
    months = int(params["months"])
    for m in sorted(_messages(ctx).values(), key=lambda m: m["url"]):
        column = columns.get(m["column_url"])
        if column is None:
            continue
        asked = _day(m["asked_at"])
        if asked is None:
            yield column, m, "unreadable"
            continue
        if not since <= asked <= ctx.as_of:
            yield column, m, "outside"
            continue
        due = months_after(asked, months)
        answered = _day(m["answered_at"])
        state = status_state(m["status"])
        if answered is not None:
            yield column, m, "late" if answered > due else "ok"
        elif state == "pending":
            yield column, m, "unanswered" if ctx.as_of > due else "ok"
        elif state == "answered":
            yield column, m, "ok"  # answered on a date the board does not show: nothing to judge late
        else:
            yield column, m, "undetermined"


def _evidence(m: dict, column: dict, **more) -> dict:
    return {"column": column["name"], "title": m["title"], "asked_at": m["asked_at"], "answered_at": m["answered_at"],
            "status": m["status"], "replier": m["replier"], "list_url": m["list_url"],
            "detail_url": m["url"] if m["detail"] or not m["url"].startswith(f"{m['list_url']}#") else None, **more}


def _where(m: dict) -> str:
    return m["url"] if "#" not in m["url"] or not m["list_url"] else m["list_url"]


@rule("interaction.unanswered")
def unanswered(ctx, params):
    """A message left within the window, shown as not answered, older than ``months`` at the check date."""
    months = int(params["months"])
    for column, m, verdict in _judged(ctx, params):
        if verdict != "unanswered":
            continue
        asked = _day(m["asked_at"])
        age = (ctx.as_of - asked).days
        yield Finding(
            "interaction.unanswered", _where(m),
            f"「{column['name']}」留言「{m['title']}」留言时间 {asked}，至检查日 {ctx.as_of} 已 {age} 天未回复"
            f"（{m['status'] or '未回复'}），超过{months}个月",
            f"{column['name']}: message “{m['title']}” left {asked}, unanswered after {age} days at {ctx.as_of} "
            f"({m['status'] or 'no reply'}), more than {months} months",
            _evidence(m, column, age_days=age, due=str(months_after(asked, months)), months=months),
            key=m["url"], column_url=column["url"])


@rule("interaction.late_reply")
def late_reply(ctx, params):
    """A message left within the window and answered more than ``months`` after it was left."""
    months = int(params["months"])
    for column, m, verdict in _judged(ctx, params):
        if verdict != "late":
            continue
        asked, answered = _day(m["asked_at"]), _day(m["answered_at"])
        days = (answered - asked).days
        yield Finding(
            "interaction.late_reply", _where(m),
            f"「{column['name']}」留言「{m['title']}」留言时间 {asked}，回复时间 {answered}，相隔 {days} 天，超过{months}个月",
            f"{column['name']}: message “{m['title']}” left {asked}, answered {answered}: {days} days, more than {months} months",
            _evidence(m, column, days=days, due=str(months_after(asked, months)), months=months),
            key=m["url"], column_url=column["url"])


@rule("interaction.unchecked_board")
def unchecked_board(ctx, params):
    """A consulting column whose messages could not be judged: no readable date of leaving, an answer
    neither dated nor named, or a list whose rows are no readable messages at all."""
    counts: dict[str, dict] = {}
    for column, m, verdict in _judged(ctx, params):
        entry = counts.setdefault(column["url"], {"column": column, "messages": 0, "unreadable": [], "undetermined": []})
        entry["messages"] += 1
        if verdict in ("unreadable", "undetermined"):
            entry[verdict].append(m)
    for c in _outside(ctx):
        yield Finding(
            "interaction.unchecked_board", c["url"],
            f"咨询渠道「{c['name']}」在抓取范围之外（其他网站），其留言未核查；可用 --allow-host 纳入抓取",
            f"consulting channel {c['name']} is on another host: its messages were not read (--allow-host crawls it)",
            {"column": c["name"], "outside_scope": True, "status": c["status"]})
    for url, column in consulting_columns(ctx).items():
        entry = counts.get(url, {"column": column, "messages": 0, "unreadable": [], "undetermined": []})
        items = ctx.conn.execute("select count(*) from column_items where scan_id = ? and column_url = ?",
                                 (ctx.scan_id, url)).fetchone()[0]
        if entry["messages"] == 0 and items == 0:
            continue  # nothing listed: a blank column (freshness.blank_column), or a writing form
        if entry["messages"] and not entry["unreadable"] and not entry["undetermined"]:
            continue
        if entry["messages"] == 0:
            zh = f"列出 {items} 条，但未能读出任何留言的留言时间和回复情况"
            en = f"lists {items} entries, but no message's time of leaving or reply could be read"
        else:
            zh = f"{entry['messages']} 条留言中 {len(entry['unreadable'])} 条没有可读的留言时间，{len(entry['undetermined'])} 条既无回复时间也未标明是否回复"
            en = (f"of {entry['messages']} messages, {len(entry['unreadable'])} show no readable time of leaving and "
                  f"{len(entry['undetermined'])} neither a reply time nor whether they were answered")
        examples = [{"title": m["title"], "url": m["url"], "asked_at": m["asked_at"], "status": m["status"]}
                    for m in (entry["unreadable"] + entry["undetermined"])[:EXAMPLES]]
        yield Finding(
            "interaction.unchecked_board", url,
            f"咨询栏目「{column['name']}」无法核查回复时限：{zh}", f"consulting column {column['name']} could not be checked: {en}",
            {"column": column["name"], "items": items, "messages": entry["messages"], "unreadable": len(entry["unreadable"]),
             "undetermined": len(entry["undetermined"]), "examples": examples},
            column_url=url)


def _outside(ctx) -> list[dict]:
    """Consulting channels the crawl only probed: linked on another host (hd.example.gov.cn, a city's
    12345 platform), open, their messages never read (--allow-host brings a host into the crawl)."""
    return [c for c in _channel_links(ctx) if netloc(c["url"]) not in ctx.site_hosts and c["status"] is not None and c["status"] < 400]


def _channel_links(ctx) -> list[dict]:
    """Links named like a consulting channel (领导信箱, 我要咨询, 12345 …) and how their targets answered."""
    def read():
        likes = " or ".join(["l.anchor like ?"] * len(CONSULTING_NAMES))
        rows = ctx.stream("select l.target_url as url, l.anchor as anchor, p.status as status, p.kind as kind "
                          "from links l left join pages p on p.scan_id = l.scan_id and p.url = l.target_url and p.request_body = '' "
                          f"where l.scan_id + 0 = ? and l.hidden = 0 and ({likes})", tuple(f"%{w}%" for w in CONSULTING_NAMES))
        found: dict[str, dict] = {}
        for r in rows:
            if is_consulting_name(r["anchor"]) and r["url"].startswith(("http://", "https://")):
                found.setdefault(r["url"], {"url": r["url"], "name": r["anchor"], "status": r["status"], "kind": r["kind"]})
        return tuple(sorted(found.values(), key=lambda c: c["url"]))
    return list(ctx.memo("interaction.channel_links", read))


@rule("interaction.no_channel", whole_site=True)
def no_channel(ctx, params):
    """No consulting column and no link named like one whose page opens (or every one found is
    broken or an empty list). A link whose target the crawl did not fetch proves nothing either way."""
    columns = consulting_columns(ctx)
    with_content = {r[0] for r in ctx.rows("select distinct column_url from column_items where scan_id = ?")}
    with_content |= {m["column_url"] for m in _messages(ctx).values()}
    candidates = _channel_links(ctx)
    for url, column in columns.items():
        status = ctx.conn.execute("select status from pages where scan_id = ? and url = ? and request_body = ''",
                                  (ctx.scan_id, url)).fetchone()
        candidates.append({"url": url, "name": column["name"], "status": status[0] if status else None, "kind": "column"})
    empty = {c["url"] for c in candidates if c["kind"] == "column" and c["url"] not in with_content}
    for c in candidates:
        if c["status"] is None or (c["status"] < 400 and c["kind"] != "error" and c["url"] not in empty):
            return  # a working channel, or one the crawl did not open (no proof of absence)
    broken = [{**c, "empty": c["url"] in empty} for c in candidates[:10]]
    home = sorted(ctx.home_urls)[0] if ctx.home_urls else ctx.start_urls[0]
    if broken:
        zh = "找到的咨询渠道均无法访问或为空：" + "；".join(f"{c['name']}（{'空白' if c['empty'] else c['status']}）" for c in broken)
        en = "every consulting channel found is broken or empty: " + "; ".join(
            f"{c['url']} ({'empty' if c['empty'] else c['status']})" for c in broken)
    else:
        zh, en = "全站未找到政务咨询渠道（领导信箱、网上咨询、留言等）", "no consulting channel (leader's mailbox, online questions, messages) found on the site"
    yield Finding("interaction.no_channel", home, f"网站无可用的互动咨询渠道：{zh}", f"no working channel for questions: {en}",
                  {"candidates": broken})
