"""The .docx reads back with python-docx: 公文 headings, tables, charts, East-Asian fonts, safe text and links."""

from __future__ import annotations

import io
from datetime import datetime

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from config.reports import ReportFonts
from reports.blocks import Document, Heading, Paragraph, Table, clean, link
from reports.docx import render_docx
from tests.reports.conftest import REPORT_AT

HEADINGS = ["一、总体情况", "二、舆情走势", "三、情感与区域分布", "四、重点事件及处置", "五、预警处置情况", "六、热点词",
            "七、环比变化", "八、负面舆情清单"]


def east_asian(element) -> str | None:
    rpr = element.rPr
    return None if rpr is None or rpr.rFonts is None else rpr.rFonts.get(qn("w:eastAsia"))


@pytest.fixture(scope="module")
def weekly(corpus):
    return docx.Document(str(corpus.out / "weekly-2026-W47.docx"))


def test_the_weekly_docx_has_numbered_headings_tables_and_three_charts(weekly):
    assert [p.text for p in weekly.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    assert [cell.text for cell in weekly.tables[0].rows[0].cells] == ["来源", "本周（条）", "上周（条）", "环比"]
    headers = [[cell.text for cell in table.rows[0].cells] for table in weekly.tables]
    assert ["序号", "级别", "事件", "地点", "区域", "来源", "帖子数", "首次发现", "处置状态"] in headers
    assert ["事件", "预警编号", "确认人（时间）", "上报网信办", "结果"] in headers
    assert len(weekly.inline_shapes) == 3
    assert weekly.paragraphs[0].text == "天宁区应急管理局 舆情周报"


def test_the_file_properties_name_the_office_and_the_report_time_not_python_docx(weekly):
    props = weekly.core_properties
    assert (props.title, props.author, props.comments) == ("天宁区应急管理局 舆情周报", "天宁区应急管理局", "")
    assert props.created == props.modified == datetime.fromisoformat(REPORT_AT)


def test_east_asian_fonts_are_set_on_the_styles_and_on_every_run(weekly):
    assert east_asian(weekly.styles["Normal"].element) == "仿宋_GB2312"
    assert east_asian(weekly.styles["Heading 1"].element) == "黑体"
    title = weekly.paragraphs[0].runs[0]
    assert (east_asian(title._element), title.font.size) == ("方正小标宋简体", Pt(22))
    body = [p for p in weekly.paragraphs if p.style.name == "Normal" and p.text.startswith("2026年")][0]
    assert (east_asian(body.runs[0]._element), body.runs[0].font.size) == ("仿宋_GB2312", Pt(16))
    runs = [run for p in weekly.paragraphs for run in p.runs if run.text]
    runs += [run for t in weekly.tables for row in t.rows for cell in row.cells for p in cell.paragraphs
             for run in p.runs if run.text]
    assert runs and all(east_asian(run._element) for run in runs)
    theme = weekly.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsiaTheme"))
    assert theme is None  # a theme font would override 黑体


def test_the_font_table_names_fallbacks_for_the_gongwen_fonts(weekly):
    part = next(p for p in weekly.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    table = etree.fromstring(part.blob)
    fallbacks = {font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
                 for font in table.findall(qn("w:font")) if font.find(qn("w:altName")) is not None}
    assert fallbacks["方正小标宋简体"] == "黑体" and fallbacks["仿宋_GB2312"] == "仿宋"


def test_negative_posts_link_to_their_urls_and_no_field_codes_are_written(weekly):
    table = [t for t in weekly.tables if t.rows[0].cells[0].text == "序号" and t.rows[0].cells[3].text == "内容"][0]
    link_cell = table.rows[1].cells[3].paragraphs[0]
    assert link_cell.hyperlinks and link_cell.hyperlinks[0].address.startswith("https://")
    xml = weekly.element.xml
    assert "w:instrText" not in xml and "w:fldSimple" not in xml


def test_the_daily_brief_uses_a_3hao_heiti_title_and_4hao_songti_body(tmp_path):
    document = Document("daily", "天宁区应急管理局 每日舆情", "2026年11月20日",
                        [Heading("一、总体情况"), Paragraph("当日共监测到网络帖子 82 条。")])
    daily = docx.Document(io.BytesIO(render_docx(document, ReportFonts())))
    title = daily.paragraphs[0].runs[0]
    body = daily.paragraphs[-1].runs[0]
    assert (east_asian(title._element), title.font.size) == ("黑体", Pt(16))
    assert (east_asian(body._element), body.font.size) == ("宋体", Pt(14))


def test_scraped_text_stays_plain_text_and_links_are_escaped():
    hostile = '<w:t>x</w:t>{ HYPERLINK "javascript:alert(1)" }\x07 &amp; 正文'
    document = Document("weekly", "标题", "副标题", [
        Paragraph(clean(hostile)),
        Table(["内容", "备注"], [[link("点我", 'https://e.com/a b"<x>'), link("脚本", "javascript:alert(1)")]]),
    ])
    read = docx.Document(io.BytesIO(render_docx(document, ReportFonts())))
    assert read.paragraphs[-1].text == '<w:t>x</w:t>{ HYPERLINK "javascript:alert(1)" } &amp; 正文'
    cells = read.tables[0].rows[1].cells
    assert cells[0].paragraphs[0].hyperlinks[0].address == "https://e.com/a%20b%22%3Cx%3E"
    assert (cells[1].text, cells[1].paragraphs[0].hyperlinks) == ("脚本", [])
    assert "w:instrText" not in read.element.xml


def test_bidi_overrides_and_xml_invalid_characters_are_dropped_and_user_info_cannot_mask_a_host():
    document = Document("weekly", "标题", "副标题", [
        Paragraph(clean("天宁\u202e区火灾\u200b\uffff通报")),
        Table(["内容"], [[link("政府网", "https://www.gov.cn@evil.example/(x)")]]),
    ])
    read = docx.Document(io.BytesIO(render_docx(document, ReportFonts())))
    assert read.paragraphs[-1].text == "天宁区火灾通报"
    address = read.tables[0].rows[1].cells[0].paragraphs[0].hyperlinks[0].address
    assert address == "https://www.gov.cn%40evil.example/%28x%29"
