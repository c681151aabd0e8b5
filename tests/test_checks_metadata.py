"""metadata.missing_field asks each document for the fields of its column type (rules.yaml
required_by_type): 政策文件 and 规范性文件 also need 发文字号 and 有效性, 工作动态 no 发文字号."""

import json
import shutil
import sqlite3

import pytest

from checks.config import RulesError, load_rules
from checks.metadata import required_fields
from conftest import AS_OF, query, run_zwgk
from zwgk.demo.portal import DemoPortal

MODEL = DemoPortal()
PARAMS = load_rules()["metadata.missing_field"].params
BASE = ["index_no", "publisher", "written_date", "publish_date", "title"]


def doc(slug, index):
    return next(d for d in MODEL.by_slug[slug].docs if d.index == index)


@pytest.mark.parametrize("columns, fields, keys", [
    ([("政策文件", "政策文件")], BASE + ["doc_no", "validity"], ["政策文件"]),
    # the crawler types a 规范性文件 column 政策文件; both keys ask for the same list
    ([("政策文件", "行政规范性文件")], BASE + ["doc_no", "validity"], ["政策文件", "规范性文件"]),
    ([("工作动态", "工作动态")], BASE, ["工作动态"]),
    # a 规范性文件解读 column is an interpretation column: the default list
    ([("政策解读", "规范性文件解读")], BASE, []),
    ([("人事信息", "人事信息")], BASE, []),
    ([], BASE, []),  # in no column at all
    # listed in two columns: what either asks for
    ([("工作动态", "工作动态"), ("政策文件", "政策文件")], BASE + ["doc_no", "validity"], ["工作动态", "政策文件"]),
])
def test_required_fields_by_column_type(columns, fields, keys):
    assert required_fields(PARAMS, columns) == (fields, keys)


def test_required_by_type_cites_its_basis():
    rule = load_rules()["metadata.missing_field"]
    assert "第十二条" in rule.basis and "发文字号" in rule.basis
    # the per-type lists are said to be this tool's default, in words (no parameter name reaches the reader)
    assert "本工具的默认值" in rule.description_zh and "this tool's default" in rule.description_en
    assert "required_by_type" not in rule.description_zh + rule.description_en


def run_missing(db, *args):
    run_zwgk("check", "--db", db, "--as-of", AS_OF, "--select", "metadata.missing_field", "--fail-on", "never", *args)
    # each check is kept: the findings of the one just run (the highest number)
    rows = query(db, "select url, evidence from findings where rule = 'metadata.missing_field' "
                     "and check_no = (select max(check_no) from findings)")
    return {(url.split("/", 3)[3], json.loads(ev)["field"]): json.loads(ev) for url, ev in rows}


def drop_fields(db, url, *fields):
    with sqlite3.connect(db) as conn:
        for field in fields:
            conn.execute("delete from document_fields where url like ? and field = ?", (f"%{url}", field))


@pytest.fixture()
def db(audit, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copy(audit["db"], path)
    return path


def test_policy_documents_need_doc_no_and_validity_news_does_not(db):
    policy, normative, news, personnel = doc("zcwj", 1), doc("gfxwj", 2), doc("gzdt", 3), doc("rsxx", 4)
    for d in (policy, normative, news, personnel):
        drop_fields(db, d.url, "doc_no", "validity")
    found = run_missing(db)
    planted = {(doc("gzdt", 6).url.lstrip("/"), "index_no"), (doc("zcwj", 4).url.lstrip("/"), "written_date")}
    assert set(found) == planted | {(d.url.lstrip("/"), f) for d in (policy, normative) for f in ("doc_no", "validity")}
    ev = found[(policy.url.lstrip("/"), "doc_no")]
    assert ev["column_types"] == ["政策文件"] and ev["required_by_type"] == ["政策文件"]
    # the demo's 规范性文件 column is named so: both keys apply
    assert found[(normative.url.lstrip("/"), "validity")]["required_by_type"] == ["政策文件", "规范性文件"]
    message = query(db, "select message_zh from findings where rule = 'metadata.missing_field' and url like ? and evidence like '%doc_no%' "
                        "and check_no = (select max(check_no) from findings)",
                    (f"%{policy.url}",))
    assert message == [("文件页缺少「发文字号」（政策文件栏目要求）",)]


def test_a_title_the_page_shows_is_not_missing_when_it_has_no_label(db):
    """标题 is required, but a page showing its title (heading or <title>) has one: only a page showing
    none is reported (a supervisor opening the page sees the title)."""
    shown, blank = doc("gzdt", 3), doc("rsxx", 4)
    drop_fields(db, shown.url, "title")
    drop_fields(db, blank.url, "title")
    with sqlite3.connect(db) as conn:
        conn.execute("update documents set title = '' where url like ?", (f"%{blank.url}",))
    found = run_missing(db)
    assert (shown.url.lstrip("/"), "title") not in found and (blank.url.lstrip("/"), "title") in found


def test_column_type_from_the_pages_meta_tags_when_no_column_lists_it(db):
    policy = doc("zcwj", 1)
    drop_fields(db, policy.url, "doc_no")
    with sqlite3.connect(db) as conn:  # as if found only through a link: no column, no column_url
        conn.execute("delete from column_items where item_url like ?", (f"%{policy.url}",))
        conn.execute("update documents set column_url = null where url like ?", (f"%{policy.url}",))
    assert (policy.url.lstrip("/"), "doc_no") in run_missing(db)  # <meta name="ColumnName" content="政策文件">
    with sqlite3.connect(db) as conn:
        conn.execute("update pages set meta_tags = '{}' where url like ?", (f"%{policy.url}",))
    assert (policy.url.lstrip("/"), "doc_no") not in run_missing(db)  # nothing says what it is: the default list


def test_user_file_changes_the_types_it_names_and_keeps_the_others(db, tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text("rules:\n  metadata.missing_field:\n    params:\n      required_by_type:\n"
                    "        人事信息: [index_no, publisher, written_date, publish_date, title, doc_no]\n", encoding="utf-8")
    rules = load_rules(user)["metadata.missing_field"].params["required_by_type"]
    assert set(rules) == {"政策文件", "规范性文件", "工作动态", "人事信息"}
    personnel, policy = doc("rsxx", 4), doc("zcwj", 1)
    drop_fields(db, personnel.url, "doc_no")
    drop_fields(db, policy.url, "validity")
    found = run_missing(db, "--rules", user)
    assert (personnel.url.lstrip("/"), "doc_no") in found and (policy.url.lstrip("/"), "validity") in found


@pytest.mark.parametrize("value, line, needle", [
    ("        政策文件: doc_no\n", 5, "required_by_type.政策文件: expected a list"),
    ("        政策文件: [doc_no, 3]\n", 5, "required_by_type.政策文件: expected a list of names"),
    ("        - 政策文件\n", 4, "required_by_type: expected a mapping"),
])
def test_broken_required_by_type(tmp_path, value, line, needle):
    user = tmp_path / "broken.yaml"
    user.write_text("rules:\n  metadata.missing_field:\n    params:\n      required_by_type:\n" + value, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(user)
    assert str(err.value).startswith(f"{user}:{line}: ") and needle in str(err.value)


# issue 19: 索引号 schemes differ by region; only what cannot be one is reported
@pytest.mark.parametrize("value, why", [
    ("003351278/202603-72055", None), ("11330100002489236A/2026-00123", None), ("000014349/2026-00045", None),
    ("QZ00101-0200-2026-00012", None), ("xxgk-2026-0012", None), ("SFS-临时-7", None), ("闽政办〔2026〕3号", None),
    ("无", "placeholder"), ("暂无", "placeholder"), ("NULL", "placeholder"), ("——", "placeholder"),
    ("2026-03-04", "date"), ("2026年3月4日", "date"), ("见正文", "placeholder"), ("待编", "no_digit"),
    ("？？？", "no_digit"), ("0033？51278/2026-1", "stray"), ("2026-0012*", "stray"),
])
def test_index_number_is_reported_only_when_it_cannot_be_one(value, why):
    from checks.config import load_rules
    from checks.metadata import index_no_problem
    params = load_rules()["metadata.bad_value"].params
    assert index_no_problem(value, {str(p).casefold() for p in params["index_no_placeholders"]}) == why
