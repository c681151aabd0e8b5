"""Labels as real article headers and metadata blocks write them (issue #8 item 7): pinyin after
the characters, several fields in one text node, labels split across elements, 时间 / 日期 / 来源
alone, and a value never taken from a neighbouring field."""

import pytest
from lxml import html

from crawler.extract.labels import field_for, label_text
from crawler.extract.metadata import extract_metadata
from crawler.text import strip_pinyin

BODY = "<p>为进一步做好政务公开工作，现将有关事项通知如下。各单位要高度重视，认真抓好落实。</p>"


def fields(snippet):
    found = extract_metadata(html.document_fromstring(f"<html><body>{snippet}</body></html>"))
    return {name: (f.label, f.value, f.state) for name, f in found.items()}


@pytest.mark.parametrize("written, label, field", [
    ("索 引 號(hào)", "索引號", "index_no"),
    ("標(biāo) 題", "標題", "title"),
    ("發(fā)文字號(hào)：", "發文字號", "doc_no"),
    ("發（fā）布（bù）日期", "發布日期", "publish_date"),
    ("有效性(lǜ)", "有效性", "validity"),
])
def test_pinyin_is_dropped_from_labels(written, label, field):
    assert label_text(written) == label and field_for(written) == field


@pytest.mark.parametrize("text", ["(2019)", "（试行）", "(A)", "(PZ00101)", "（第一批）", "(Beijing)"])
def test_real_parenthesised_content_is_not_pinyin(text):
    assert strip_pinyin(text) == text


def test_values_keep_their_parentheses_and_pinyin():
    f = fields("<table><tr><td>標(biāo) 題:</td><td>關於印發(fā)《辦法（試行）》的通知(2019)</td></tr>"
               "<tr><td>文 號(hào)：</td><td>盤政發(fā)〔2019〕1號(hào)</td></tr></table>")
    assert f["title"] == ("標題", "關於印發(fā)《辦法（試行）》的通知(2019)", "ok")
    assert f["doc_no"] == ("文號", "盤政發(fā)〔2019〕1號(hào)", "ok")


@pytest.mark.parametrize("header", [
    '<div class="info"><span>时间：2020-01-19 09:31</span> <span>来源：市政府办公室</span></div>',
    "<p>时间：2020-01-19 09:31&nbsp;&nbsp;来源：市政府办公室&nbsp;&nbsp;浏览次数：12</p>",
    "<p>来源：市政府办公室 作者：张三 时间：2020-01-19 09:31</p>",
    '<div><span>发布</span><span>时间</span>：2020-01-19 09:31 <span>来</span><span>源</span>：市政府办公室</div>',
    "<div>发&nbsp;布&nbsp;时&nbsp;间：2020-01-19 09:31 文章来源：市政府办公室</div>",
])
def test_article_header_date_and_source(header):
    f = fields(f"<h1>关于做好2020年春节期间工作的通知</h1>{header}{BODY}")
    assert f["publish_date"][1] == "2020-01-19 09:31"
    assert f["source"][1] == "市政府办公室"


@pytest.mark.parametrize("header, field, value", [
    ("<div>时间：2020-01-19 09:31</div>", "publish_date", "2020-01-19 09:31"),
    ("<div>日期：2020年1月19日</div>", "publish_date", "2020年1月19日"),
    ("<div>来源：新华社</div>", "source", "新华社"),
])
def test_header_label_standing_alone(header, field, value):
    f = fields(f"<h1>关于做好2020年春节期间工作的通知</h1>{header}{BODY}")
    assert set(f) == {field} and f[field][1] == value


def test_header_labels_in_the_body_are_not_the_documents():
    # a meeting notice's 「时间：」 is when the meeting is held, not when the notice was published
    f = fields(f"<h1>关于召开工作会议的通知</h1>{BODY}<p>时间：2026年3月1日上午9时</p><p>地点：第一会议室</p>")
    assert f == {}


def test_header_labels_need_a_fitting_value_when_alone():
    assert fields(f"<h1>工作安排</h1><div>时间：待定</div>{BODY}") == {}


def test_header_labels_on_every_row_of_a_list_are_not_one_documents():
    rows = "".join(f'<li><a href="/a{i}.html">新闻{i}</a> 来源：办公室 时间：2020-01-{10 + i}</li>' for i in range(5))
    assert fields(f"<ul>{rows}</ul>") == {}


def test_label_split_across_spans_in_a_table():
    f = fields("<table><tr><td><span>索</span><span>引</span><span>号</span></td><td>X-1</td></tr>"
               "<tr><td><b>成文</b><b>日期</b>：</td><td>2026-03-10</td></tr>"
               "<tr><td><span>发</span>&nbsp;<span>布</span>&nbsp;<span>日期</span>：</td><td>2026-03-11</td></tr></table>")
    assert f["index_no"] == ("索引号", "X-1", "ok")
    assert f["written_date"] == ("成文日期", "2026-03-10", "ok")
    assert f["publish_date"] == ("发布日期", "2026-03-11", "ok")


def test_a_word_that_only_starts_like_a_label_is_not_joined():
    # 「发」「布会」 is no label; 「文」「章列表」 neither
    assert fields("<div><span>发</span><span>布会：</span>2026-03-11</div><div><span>文</span><span>章列表：</span>x</div>") == {}


def test_empty_value_never_comes_from_the_next_field():
    script = ('<script>var zhuTi = [{value: "04", name: "财政、金融、审计"}];'
              'for (var key in zhuTi) { if (zhuTi[key].value=="04") { $("#zhuTi").html(zhuTi[key].name); } }</script>')
    f = fields('<div class="index_box"><ul><li>索引号：<font>X-1</font></li><li>成文日期：<font></font></li>'
               '<li>主题分类：<font id="zhuTi"></font></li><li>发文字号：<font></font></li>'
               f"<li>发布日期：<font>2016-03-04</font></li></ul></div>{script}")
    assert f["written_date"] == ("成文日期", "", "empty")
    assert f["category"] == ("主题分类", "财政、金融、审计", "script")
    assert f["doc_no"] == ("发文字号", "", "empty")
    assert f["publish_date"] == ("发布日期", "2016-03-04", "ok")


def test_text_order_follows_the_document():
    # a tail after nested elements comes after their text: the value is 「X-1」, then the next label
    f = fields("<div><p><b>索引号：<i>X-1</i></b>发布日期：2026-03-11</p></div>")
    assert f["index_no"][1] == "X-1"
    assert f["publish_date"][1] == "2026-03-11"


def test_traditional_table_is_what_opencc_writes():
    """crawler/extract/traditional_labels.py is generated from OpenCC (not loaded at run time):
    it must hold every label word, converted as OpenCC converts it today."""
    from crawler.extract.labels import LABEL_WORDS, opencc_traditional
    from crawler.extract.traditional_labels import TRADITIONAL

    assert TRADITIONAL == opencc_traditional(LABEL_WORDS)
    assert "索引號" in TRADITIONAL["索引号"] and "發佈機構" in TRADITIONAL["发布机构"]
