"""What is decided once the whole site is known, not by the order pages happened to arrive in.

A crawl reaches a document through whichever link comes first; a resumed crawl, or the same
crawl on a busier day, may come another way. Anything stored about a page that depends on that
path is settled here from the complete scan, so two crawls of one site store the same rows:
a column found under two URLs keeps the plainer one, a document's column is the column that
lists it, and a document listed in a 政策解读 column is an interpretation.
"""

from __future__ import annotations

from crawler.urls import directory_of, page_identity


def settle(conn, scan_id: int) -> None:
    name_columns_plainly(conn, scan_id)
    conn.create_function("page_identity", 1, page_identity, deterministic=True)
    conn.create_function("directory_of", 1, directory_of, deterministic=True)
    with conn:
        # What is not a column of its own, so never 空白栏目: a gkmlpt index is the catalogue (it
        # lists through the API); a section index links sub-columns and lists nothing; a page that
        # lists nothing but whose scripts fetch the list shows it only in a browser.
        conn.execute("update columns set kind = 'catalogue' where scan_id = ? and kind = 'column' and pager = 'gkmlpt'", (scan_id,))
        empty = ("kind = 'column' and not exists (select 1 from column_items i where i.scan_id = columns.scan_id "
                 "and i.column_url = columns.url)")
        # (sub-columns below its own directory: a blank column's sidebar of sibling columns does not count)
        conn.execute(
            f"update columns set kind = 'section' where scan_id = ? and {empty} and (select count(distinct c2.url) "
            "from pages p join links l on l.scan_id = p.scan_id and l.source_url = p.url "
            "join columns c2 on c2.scan_id = p.scan_id and c2.url = page_identity(l.target_url) and c2.url != columns.url "
            "and substr(c2.url, 1, length(directory_of(columns.url))) = directory_of(columns.url) "
            "where p.scan_id = columns.scan_id and p.column_url = columns.url and p.kind = 'column' and l.tag = 'a') >= 2",
            (scan_id,))
        # a records API (Hanweb's proxy, Fujian's search) that answered, with no records, was read:
        # the column is blank, not unreadable
        conn.execute("update columns set scripted = 0 where scan_id = ? and scripted = 1 and pager in ('hanweb', 'fujian') "
                     "and exists (select 1 from pages p where p.scan_id = columns.scan_id and p.column_url = columns.url "
                     "and p.kind = 'column' and p.url != columns.url and p.status < 400)", (scan_id,))
        # a rendered list that shows its empty notice as visible text is blank, not unreadable
        conn.execute("update columns set scripted = 0, empty_notice = 1 where scan_id = ? and url in "
                     "(select column_url from rendered where scan_id = ? and empty_notice = 1)", (scan_id, scan_id))
        # a page that fetches something by script, names no column in its meta tags, and rendered
        # without error shows no list and no empty notice: not a list (a visit counter, a detail shell)
        conn.execute(f"update columns set kind = 'not_a_list' where scan_id = ? and {empty} and scripted = 1 "
                     "and not exists (select 1 from pages p where p.scan_id = columns.scan_id and p.url = columns.url and "
                     "(p.meta_tags like '%\"ColumnName\"%' or p.meta_tags like '%\"ColumnType\"%')) "
                     "and url in (select column_url from rendered r where "
                     "r.scan_id = columns.scan_id and r.error is null and r.empty_notice = 0)", (scan_id,))
        conn.execute("update pages set kind = 'other' where scan_id = ? and kind = 'column' and url in "
                     "(select url from columns where scan_id = ? and kind = 'not_a_list')", (scan_id, scan_id))
        conn.execute(f"update columns set kind = 'script_only' where scan_id = ? and {empty} and scripted = 1", (scan_id,))
        listing = ("(select min(ci.column_url) from column_items ci join columns c on c.scan_id = ci.scan_id "
                   "and c.url = ci.column_url and c.kind != 'home' where ci.scan_id = {t}.scan_id and ci.item_url = {t}.url)")
        conn.execute(f"update documents set column_url = {listing.format(t='documents')} where scan_id = ?", (scan_id,))
        conn.execute(f"update pages set column_url = {listing.format(t='pages')} where scan_id = ? "
                     "and kind in ('document', 'interpretation')", (scan_id,))
        interpretation = ("url in (select ci.item_url from column_items ci join columns c on c.scan_id = ci.scan_id "
                          "and c.url = ci.column_url where ci.scan_id = ? and c.type = '政策解读')")
        for table in ("documents", "pages"):
            conn.execute(f"update {table} set kind = 'interpretation' where scan_id = ? and kind = 'document' and {interpretation}",
                         (scan_id, scan_id))


def _plainness(url: str) -> tuple[int, int, str]:
    return ("?" in url, len(url), url)


def name_columns_plainly(conn, scan_id: int) -> None:
    """A column found under two URLs with the same list keeps the plainer one (no query, then
    the shorter): /zwgk/tzgg/list.jsp rather than list.jsp?kw=, whichever the crawl met first."""
    renames = {}
    for alias, column in conn.execute("select url, column_url from column_aliases where scan_id = ?", (scan_id,)).fetchall():
        current = renames.get(column, column)
        if _plainness(alias) < _plainness(current):
            renames[column] = alias
    if not renames:
        return
    with conn:
        for old, new in renames.items():
            conn.execute("delete from column_aliases where scan_id = ? and url = ?", (scan_id, new))
            for table, col in (("columns", "url"), ("column_items", "column_url"), ("pages", "column_url"),
                               ("documents", "column_url"), ("pagers", "column_url"), ("column_aliases", "column_url")):
                conn.execute(f"update or replace [{table}] set [{col}] = ? where scan_id = ? and [{col}] = ?", (new, scan_id, old))
            conn.execute("insert or replace into column_aliases (scan_id, url, column_url, reason) values (?, ?, ?, 'same_list')",
                         (scan_id, old, new))
            conn.execute("update pages set kind = 'column' where scan_id = ? and kind = 'alias' and url = ?", (scan_id, new))
            conn.execute("update pages set kind = 'alias' where scan_id = ? and kind = 'column' and url = ?", (scan_id, old))
