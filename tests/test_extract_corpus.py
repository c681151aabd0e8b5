"""Metadata extraction on the real pages in tests/fixtures/corpus. Expected values were written down
by reading each page (not taken from the extractor's output)."""

import pytest
from lxml import html

from corpus import PINGTAN, govcn_rows, read_corpus, read_seed, seed_html
from crawler.extract.metadata import extract_metadata
from crawler.extract.page import extract_page

PINGTAN_DETAIL = "pingtan__zwgk_zfxxgk_gwhwj_hzgfxwj_201603_t20160303_79824.html"


def fields_of(name):
    return extract_metadata(html.document_fromstring(read_corpus(name)))


def test_pingtan_detail_index_box():
    f = fields_of(PINGTAN_DETAIL)
    assert f["index_no"].value == "PZ00101-1700-2023-00061"
    assert f["index_no"].label == "索引号"  # written 「索&ensp;引&ensp;号」
    assert f["publisher"].value == "平潭综合实验区财政金融局"
    assert f["written_date"].parsed == "2016-03-01"
    assert f["title"].value == "平潭综合实验区管委会印发平潭综合实验区财税优惠政策兑现实施方案的通知"
    assert f["doc_no"].value == "岚综管综〔2016〕31号"
    assert f["publish_date"].parsed == "2016-03-04"
    assert f["validity"].value == "有效"
    # 主题分类 is an empty <font id="zhuTi"> filled by an inline script from code "04"
    assert f["category"].state == "script"
    assert f["category"].value == "财政、金融、审计"


def test_pingtan_empty_field_does_not_take_the_next_fields_script_value():
    # The real page with its 成文日期 emptied and moved just before 主题分类, whose <font id="zhuTi">
    # an inline script fills: 成文日期 stays empty, 主题分类 is still resolved from the script.
    page = read_corpus(PINGTAN_DETAIL)
    written = page[page.index("成文日期："):page.index("</li>", page.index("成文日期："))]
    page = page.replace(written, "成文日期：\n<font></font>")
    page = page.replace("主题分类：", "成文日期：\n<font></font></li><li>主题分类：", 1)
    f = extract_metadata(html.document_fromstring(page))
    assert f["written_date"].value == "" and f["written_date"].state == "empty"
    assert f["category"].state == "script" and f["category"].value == "财政、金融、审计"
    assert f["publisher"].value == "平潭综合实验区财政金融局"


def test_pingtan_detail_page_meta_and_kind():
    page = extract_page(PINGTAN + "/zwgk/zfxxgk/gwhwj/hzgfxwj/201603/t20160303_79824.htm",
                        read_corpus(PINGTAN_DETAIL).encode(), "text/html")
    assert page.kind == "document"
    assert page.meta_tags["SiteIDCode"] == "3590000001"
    assert page.meta_tags["PubDate"] == "2016-03-04 17:13"
    assert page.meta_tags["DocId"] == "79824"
    assert "Desctiption" in page.meta_tags  # the portal's own misspelling is kept as written
    assert page.publish_date == "2016-03-04" and page.publish_date_source == "metadata"
    assert "财税优惠政策" in page.body_text


def test_handan_detail_with_commented_out_fields():
    f = fields_of("handan__details.jsp")
    assert f["index_no"].value == "000014348/2020-35147"
    assert f["publisher"].value == "邯郸市教育局" and f["publisher"].label == "发布机构"
    assert f["title"].value == "邯郸市教育局关于印发《全市教育系统安全专项整治三年行动实施方案》的通知"
    assert f["title"].label == "名称"
    assert f["doc_no"].value == "无" and f["doc_no"].label == "文号"
    assert f["category"].value == "教育"
    assert f["publish_date"].parsed == "2020-08-02"
    # 主题词, 成文日期 and 有效期 are commented out in the served HTML: present, empty, with reason
    for name, raw in (("keywords", "安全专项整治三年行动实施方案"), ("written_date", "2020年08月02日"), ("validity", "")):
        assert f[name].state == "commented_out"
        assert f[name].value == ""
        assert raw in f[name].raw_value


def test_nfra_rendered_header_with_empty_spans():
    f = fields_of("nfra__merged_cells_page_source.html")
    assert f["title"].value == "国家金融监督管理总局浙江监管局行政处罚信息公开表（浙金罚决字〔2024〕52号）"
    assert f["title"].label == "公文名称"
    for name in ("index_no", "category", "publisher", "doc_no"):
        assert f[name].state == "empty", name
    assert f["publish_date"].parsed == "2025-06-03"
    assert f["source"].value == "浙江监管局"


def test_nfra_page_without_header_block():
    f = fields_of("nfra__page_source_debug.html")
    assert f["publish_date"].parsed == "2024-07-12"
    assert f["source"].value == "保险和非银机构检查局"
    assert "index_no" not in f


def test_ccgp_procurement_notice_has_no_disclosure_metadata():
    f = fields_of("ccgphebei__中标公告详细页面.html")
    assert f["publish_date"].parsed == "2021-10-11"
    # 「名称：」 of the procurement contact block is not a document title
    assert set(f) == {"publish_date"}


# (索引号, 主题分类, 发文机关, 成文日期, 标题 (start), 发文字号, 发布日期, 主题词) read from each row's html
GOVCN_EXPECTED = {
    1: ("000014349/2018-00222", "卫生、体育\\医药管理", "国务院", "2018-12-21", "国务院关于在海南博鳌乐城", "国发〔2018〕43号", "2018-12-29", ""),
    2: ("000014349/2018-00221", "综合政务\\政务公开", "国务院办公厅", "2018-12-07", "国务院办公厅关于推进政务新媒体健康有序发展的意见", "国办发〔2018〕123号", "2018-12-27", ""),
    3: ("000014349/2018-00220", "文化、广电、新闻出版\\文化", "国务院办公厅", "2018-12-18", "国务院办公厅关于印发文化体制改革中", "国办发〔2018〕124号", "2018-12-25", ""),
    4: ("000014349/1996-00077", "国防\\国防动员", "国务院办公厅、中央军委办公厅", "1996-06-29", "国务院办公厅、中央军委办公厅关于加强对侵华日军遗弃化学武器", "国办发〔1996〕25号", "2018-12-24", ""),
    5: ("000014349/1996-00076", "城乡建设、环境保护\\气象、水文、测绘、地震", "国务院办公厅", "1996-02-05", "国务院办公厅转发国家地震局", "国办发〔1996〕2号", "2018-12-24", ""),
    6: ("000014349/2004-00209", "其他", "国务院办公厅", "2004-08-12", "国务院办公厅关于辽宁省在曾培炎副总理考察工作时", "国办函〔2004〕57号", "2018-12-24", "经济管理 考察 措施 函"),
    7: ("000014349/2004-00208", "其他", "国务院办公厅", "2004-10-15", "国务院办公厅关于四川省在温家宝总理考察工作时", "国办函〔2004〕71号", "2018-12-24", ""),
    8: ("000014349/2004-00207", "综合政务\\应急管理", "国务院办公厅", "2004-11-04", "国务院办公厅关于湖北省巴东县地质灾害险情", "国办函〔2004〕80号", "2018-12-24", ""),
    9: ("000014349/2004-00206", "卫生、体育\\体育", "国务院办公厅", "2004-04-17", "国务院办公厅关于同意以哈尔滨市名义申办", "国办函〔2004〕36号", "2018-12-24", "体育 运动会 函"),
    10: ("000014349/2005-00156", "科技、教育\\科技", "国务院办公厅", "2005-03-03", "国务院办公厅关于科技节水建议的复函", "国办函〔2005〕21号", "2018-12-24", ""),
    11: ("000014349/2006-00213", "其他", "国务院办公厅", "2006-10-18", "国务院办公厅对全国政协十届四次会议第4626号提案的答复", "国办函〔2006〕82号", "2018-12-24", "文秘工作 提案 函"),
    12: ("000014349/2006-00212", "其他", "国务院办公厅", "2006-09-07", "国务院办公厅对十届全国人大四次会议第7240号建议的答复", "国办函〔2006〕71号", "2018-12-24", ""),
    13: ("000014349/2006-00211", "其他", "国务院办公厅", "2006-09-07", "国务院办公厅对十届全国人大四次会议第2996号建议的答复", "国办函〔2006〕70号", "2018-12-24", ""),
    14: ("000014349/2006-00210", "其他", "国务院办公厅", "2006-09-07", "国务院办公厅对十届全国人大四次会议第7264号建议的答复", "国办函〔2006〕69号", "2018-12-24", ""),
    15: ("000014349/2005-00155", "其他", "国务院办公厅", "2005-07-14", "国务院办公厅对全国政协十届三次会议第2741号提案的答复", "国办函〔2005〕69号", "2018-12-24", ""),
}


@pytest.mark.parametrize("row", govcn_rows(), ids=lambda r: str(r["id"]))
def test_govcn_table_bd1_fragments(row):
    index_no, category, publisher, written, title, doc_no, published, keywords = GOVCN_EXPECTED[row["id"]]
    f = extract_metadata(html.document_fromstring(row["html"]))
    assert f["index_no"].value == index_no
    assert f["index_no"].label == "索引号"  # written 「索 引 号」 on the page
    assert f["category"].value == category
    assert f["publisher"].value == publisher
    assert f["written_date"].parsed == written
    assert f["title"].value.startswith(title) and f["title"].label == "标题"  # 「标　　题」
    assert f["doc_no"].value == doc_no
    assert f["publish_date"].parsed == published
    assert f["keywords"].value == keywords
    assert f["keywords"].state == ("ok" if keywords else "empty")
    # the dump's own crawler columns agree where they exist
    assert f["index_no"].value == row["index_number"] and f["doc_no"].value == row["release_number"]


# The seeds are page text, not HTML: corpus.seed_html makes a line with 「|」 cells a table row and
# any other line a paragraph. Expected values were read from the seed files.

def seed_fields(number):
    return extract_metadata(html.document_fromstring(seed_html(read_seed(number))))


def test_seed_002_traditional_labels_with_pinyin():
    f = seed_fields("002")
    # 「索 引 號(hào):」, 「標(biāo) 題:」, 「發(fā)文字號(hào):」: the pinyin is dropped from the labels only
    assert (f["index_no"].label, f["index_no"].value) == ("索引號", "pjsrmzf-2019-000223")
    assert (f["category"].label, f["category"].value) == ("主題分類", "縣區(qū)政府信息公開(kāi)工作年度報(bào)告")
    assert (f["publisher"].label, f["publisher"].value) == ("發文機關", "盤錦市政府")
    assert (f["title"].label, f["title"].value) == ("標題", "遼東灣新區(qū)2018年度政府信息公開(kāi)工作報(bào)告")
    assert (f["publish_date"].label, f["publish_date"].parsed) == ("發布日期", "2019-03-11")
    # 成文日期, 发文字号 and 主题词 are on the page with no value; the 发文字号 cell is followed at
    # once by the 发布日期 label, whose date is not its value
    for name, label in (("written_date", "成文日期"), ("doc_no", "發文字號"), ("keywords", "主題詞")):
        assert (f[name].label, f[name].value, f[name].state) == (label, "", "empty"), name
    assert set(f) == {"index_no", "category", "publisher", "written_date", "title", "doc_no", "publish_date", "keywords"}


def test_seed_001_date_and_source_in_one_header_line():
    f = seed_fields("001")  # 「发布日期:2019-10-22 信息来源:龙城区」, then 「浏览:」
    assert f["publish_date"].value == "2019-10-22" and f["publish_date"].parsed == "2019-10-22"
    assert f["source"].value == "龙城区" and f["source"].label == "信息来源"
    assert set(f) == {"publish_date", "source"}


def test_seed_001_page_publish_date_without_a_pubdate_meta_tag():
    page = extract_page("http://portal.test/zwgk/gzyd/1.html", seed_html(read_seed("001")).encode(), "text/html")
    assert page.kind == "document" and not page.meta_tags
    assert page.publish_date == "2019-10-22" and page.publish_date_source == "metadata"


def test_seed_003_header_between_title_and_author():
    # 「推进权力运行公开 建设服务型政府 市长 都本伟 作者: 来源: 葫芦岛新闻网 发布时间:2013年05月15日 09:」
    f = seed_fields("003")
    assert f["source"].value == "葫芦岛新闻网" and f["source"].label == "来源"
    assert f["publish_date"].parsed == "2013-05-15"  # the time is cut off after 「09:」 in the seed
    assert set(f) == {"source", "publish_date"}


@pytest.mark.parametrize("number", ["000", "004"])
def test_seeds_without_labels_give_no_fields(number):
    # 000: a date line 「2021年5月15日」 and the author 「杨 凯」 without labels; 004: the author only
    assert seed_fields(number) == {}
