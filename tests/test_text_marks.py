"""The content rules read only the documents the crawl marked for them (crawler.text_marks), and
find exactly what they find reading every document; a check run with another lexicon than the
crawl's reads every document again."""

import json
import random
import shutil

from checks.content import PERSONAL_MARKS, spam_marks
from checks.engine import rules_for_run, run_checks
from checks.lexicon import LEXICON_DIR
from checks.prefilters import mark_specs
from checks.repealed import REPEALED_MARKS
from checks.wording import wording_marks
from conftest import query, run_zwgk
from storage.sqlite import open_db
from crawler.text_marks import MarkSpec, digests, marks, page_marks
from test_content_rules import AS_OF, ID, SITE, build, document

CONTENT_RULES = ("content.personal_data", "content.spam_text", "content.wording", "content.repealed_unmarked")
FILLER = "为深入贯彻落实决策部署，扎实推进各项工作，结合本地实际，制定本方案。各单位要高度重视，认真组织实施。"


def lexicon_terms(name: str) -> list[str]:
    lines = (LEXICON_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")]


def corpus_documents(rng: random.Random) -> list[dict]:
    """Documents carrying every literal of the shipped lexicons (spam terms in other letter case
    too), personal numbers masked and unmasked, repeal declarations and expiries, look-alikes
    that are not findings, and many documents with nothing at all."""
    docs = []
    spam = lexicon_terms("spam.tsv")
    wording = [line.split("\t") for line in (LEXICON_DIR / "wording.tsv").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    texts = [f"页脚：{term.upper()}官方网站" for term in spam] + [f"欢迎访问{term}" for term in spam]
    texts += [f"会议要求{cells[0]}派员参加。" for cells in wording if cells[2] == "literal"]
    texts += ["来自美国、日本、台湾等国家的客商", "中国和台湾的交流", "推进“一带一路”战略实施",
              f"联系人身份证号{ID}", "联系电话13812345678", "手机138****5678", "银行卡6222021234567890123",
              "本办法自发布之日起施行，有效期至2020年12月31日。", "本通知有效期五年。",
              "《示范市城市管理办法》（示政发〔2019〕3号）同时废止。", "下列文件继续有效：示政发〔2018〕1号。",
              "公安机关破获一起网络百家乐赌场案件。"]
    for i, text in enumerate(texts):
        body = FILLER * rng.randint(0, 3) + text + FILLER * rng.randint(0, 3)
        docs.append(document(f"{SITE}/t/{i}.html", f"文件{i}", body, written=f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"))
    docs.append(document(f"{SITE}/t/target.html", "示范市城市管理办法", FILLER, written="2018-01-01", doc_no="示政发〔2019〕3号", validity="有效"))
    docs.append(document(f"{SITE}/t/title.html", "关于废止部分文件的决定", "《示范市城市管理办法》同时废止。" + FILLER, written="2024-01-01"))
    for i in range(200):
        docs.append(document(f"{SITE}/plain/{i}.html", f"工作动态{i}", FILLER * rng.randint(1, 5), written="2025-03-01"))
    return docs


def marked_scan(tmp_path, docs, rules):
    """A scan of ``docs`` with the text marks and recorded digests a crawl with ``rules`` writes."""
    db, scan = build(tmp_path, documents=docs)
    specs = mark_specs(rules)
    conn = open_db(db).conn
    with conn:
        for d in docs:
            for rule in marks(specs, d["title"], d["body_text"]):
                conn.execute("insert into text_marks (scan_id, url, rule) values (?, ?, ?)", (scan, d["url"], rule))
        conn.execute("update scans set settings = ? where id = ?", (json.dumps({"text_marks": digests(specs)}), scan))
    conn.close()
    return db, scan


def content_findings(db, scan, rules):
    found = run_checks(db, scan, rules, as_of=AS_OF, select=CONTENT_RULES)
    return sorted((f["rule"], f["url"], f["fingerprint"], json.dumps(f["evidence"], sort_keys=True, ensure_ascii=False)) for f in found)


def test_marks_are_a_superset_of_what_the_rules_report(tmp_path):
    rules = rules_for_run()
    docs = corpus_documents(random.Random(7))
    db, scan = marked_scan(tmp_path, docs, rules)
    with_marks = content_findings(db, scan, rules)
    query_marked = query(db, "select rule, count(*) from text_marks group by rule")
    assert {rule for rule, _ in query_marked} == set(CONTENT_RULES)
    assert all(count < len(docs) / 2 for _, count in query_marked)  # the plain documents are not read

    unmarked = tmp_path / "unmarked"
    unmarked.mkdir()
    shutil.copy(db, unmarked / "scan.db")
    with open_db(str(unmarked / "scan.db")).conn as conn:
        conn.execute("update scans set settings = '{}'")  # as a scan made before marks: every document read
    every_document = content_findings(str(unmarked / "scan.db"), scan, rules)
    assert with_marks == every_document
    assert {f[0] for f in with_marks} == set(CONTENT_RULES)


def test_another_lexicon_at_check_time_reads_every_document(tmp_path):
    rules = rules_for_run()
    docs = corpus_documents(random.Random(3))
    db, scan = marked_scan(tmp_path, docs, rules)
    extra = tmp_path / "mine.tsv"
    extra.write_text("工作动态199\tseo\tLOCAL\t本单位巡查记录\n", encoding="utf-8")
    user = tmp_path / "rules.yaml"
    user.write_text(f"rules:\n  content.spam_text:\n    params: {{extra_files: ['{extra}']}}\n", encoding="utf-8")
    found = {f["evidence"]["term"]: f["url"] for f in run_checks(db, scan, rules_for_run(user), as_of=AS_OF, select=("content.spam_text",))}
    assert found["工作动态199"] == f"{SITE}/plain/199.html"  # a document the crawl did not mark


def test_specs_follow_the_rule_parameters(tmp_path):
    rules = rules_for_run()
    specs = mark_specs(rules)
    assert specs["content.personal_data"] == PERSONAL_MARKS and specs["content.repealed_unmarked"] == REPEALED_MARKS
    assert specs["content.spam_text"].fold_case and "皇冠hg" in specs["content.spam_text"].literals
    silenced = spam_marks({**rules["content.spam_text"].params, "silence": ["皇冠hg"]})
    assert silenced.digest != specs["content.spam_text"].digest
    wording = wording_marks(rules["content.wording"].params)
    assert "一带一路" in wording.literals and not wording.patterns  # a pattern's needed word stands for it
    mine = tmp_path / "mine.tsv"
    mine.write_text("示范县(?:政府办|府办)\t示范县人民政府办公室\tregex\t\texpression\t\tLOCAL\t本县通知\n", encoding="utf-8")
    assert wording_marks({**rules["content.wording"].params, "extra_files": [str(mine)]}).patterns == ("示范县(?:政府办|府办)",)
    spam = specs["content.spam_text"]
    assert page_marks({"s": spam}, ["页脚", "皇冠HG体育"]) == ("s",) and page_marks({"p": PERSONAL_MARKS}, ["13812345678"]) == ()
    assert set(mark_specs(rules, ignore=("content.wording",))) == set(CONTENT_RULES) - {"content.wording"}
    assert marks({"r": MarkSpec(literals=("bet365",), fold_case=True)}, "", "访问BET365") == ("r",)
    assert marks({"r": MarkSpec(literals=("bet365",))}, "", "访问BET365") == ()
    assert marks({"r": MarkSpec(patterns=(r"\d{11}",))}, "13812345678", "") == ("r",)


def test_crawl_marks_pages_and_the_checks_agree_with_reading_all(demo_db, tmp_path):
    settings = json.loads(query(demo_db, "select settings from scans")[0][0])
    assert settings["text_marks"] == digests(mark_specs(rules_for_run()))
    marked = dict(query(demo_db, "select rule, count(*) from text_marks group by rule"))
    documents = query(demo_db, "select count(*) from documents")[0][0]
    assert set(marked) == set(CONTENT_RULES) and all(0 < marked[rule] < documents / 10 for rule in CONTENT_RULES)
    copies = []
    for name, settings_sql in (("marked", None), ("unmarked", "update scans set settings = json_remove(settings, '$.text_marks')")):
        db = tmp_path / f"{name}.db"
        shutil.copy(demo_db, db)
        if settings_sql:
            with open_db(str(db)).conn as conn:
                conn.execute(settings_sql)
        run_zwgk("check", "--db", db, "--as-of", "2026-11-20", "--fail-on", "never", "--quiet")
        copies.append(query(db, "select rule, url, fingerprint, evidence from findings order by 1, 2, 3"))
    assert copies[0] == copies[1]
    assert {f[0] for f in copies[0]} >= {"content.spam_text", "content.wording", "disclosure.catalogue_missing"}
