"""Render a report as a .docx in 公文 style (python-docx): fonts set for East-Asian text, numbered headings, tables.

Weekly: title in 方正小标宋简体 二号, headings 黑体, body 仿宋_GB2312 三号 (configurable to 四号), on A4 with
the 公文 margins. Daily: title 3号黑体, body 四号宋体. Each font is written on the styles *and* on every run,
as ``w:rFonts`` with ``w:eastAsia`` (Word and WPS pick the Chinese font from there) and the Western font in
``w:ascii``/``w:hAnsi``; theme fonts are removed so they cannot override. The font table names a fallback
(``w:altName``) for the 公文 fonts many PCs lack. Scraped text goes in as plain
text runs (lxml escapes it); links are real ``w:hyperlink`` elements to external relationships.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timezone

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from config.reports import ReportFonts
from reports.blocks import Block, Cell, Document, Heading, Image, Link, Paragraph, Table

TITLE_PT = {"weekly": 22.0, "daily": 16.0}  # 二号 / 三号
TABLE_PT = 10.5  # 五号
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


@dataclass(frozen=True)
class _Fonts:
    """The fonts of one document kind."""

    title: str
    heading: str
    body: str
    western: str
    body_pt: float


def _fonts(kind: str, fonts: ReportFonts) -> _Fonts:
    if kind == "weekly":
        return _Fonts(fonts.title, fonts.heading, fonts.body, fonts.western, fonts.body_size_pt)
    return _Fonts(fonts.daily_title, fonts.daily_title, fonts.daily_body, fonts.western, 14.0)


def render_docx(document: Document, fonts: ReportFonts) -> bytes:
    """The .docx file's bytes."""
    doc = new_document()
    chosen = _fonts(document.kind, fonts)
    _page_setup(doc)
    _style(doc, "Normal", chosen.body, chosen.western, chosen.body_pt)
    _style(doc, "Heading 1", chosen.heading, chosen.western, chosen.body_pt)
    _centred(doc, document.title, chosen.title, chosen.western, TITLE_PT[document.kind])
    _centred(doc, document.subtitle, chosen.body, chosen.western, chosen.body_pt - 2)
    _properties(doc, document)
    if document.kind == "weekly":
        _declare_fallbacks(doc, {fonts.title: fonts.title_fallback, fonts.body: fonts.body_fallback})
    for block in document.blocks:
        _add_block(doc, block, chosen)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _properties(doc: DocxDocument, document: Document) -> None:
    """The file's properties: our title, office and time, not python-docx's template defaults (2013, "python-docx")."""
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = document.title, document.author, document.author
    props.comments, props.subject, props.keywords = "", document.subtitle, "舆情"
    if document.created is not None:
        props.created = props.modified = document.created.astimezone(timezone.utc).replace(tzinfo=None)


def _page_setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)


def _add_block(doc: DocxDocument, block: Block, fonts: _Fonts) -> None:
    if isinstance(block, Heading):
        heading = doc.add_heading(level=1)
        _run(heading, block.text, fonts.heading, fonts.western, fonts.body_pt)
        heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(6), Pt(0)
    elif isinstance(block, Paragraph):
        paragraph = doc.add_paragraph()
        _body_format(paragraph, fonts.body_pt)
        _run(paragraph, block.text, fonts.body, fonts.western, fonts.body_pt)
    elif isinstance(block, Table):
        _table(doc, block, fonts.body, fonts.western)
    elif isinstance(block, Image):
        doc.add_picture(io.BytesIO(block.png), width=Cm(15.0))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _centred(doc, block.caption, fonts.body, fonts.western, TABLE_PT)


def _declare_fallbacks(doc: DocxDocument, fallbacks: dict[str, str]) -> None:
    """Font-table entries with ``w:altName`` (方正小标宋简体 → 黑体, 仿宋_GB2312 → 仿宋): what Word and WPS use on
    a PC without the 公文 font, instead of a default of their choosing."""
    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    table = etree.fromstring(part.blob)
    for name, fallback in fallbacks.items():
        if name == fallback:
            continue
        font = etree.SubElement(table, qn("w:font"), {qn("w:name"): name})
        for tag, value in (("w:altName", fallback), ("w:charset", "86"), ("w:family", "modern"), ("w:pitch", "fixed")):
            etree.SubElement(font, qn(tag), {qn("w:val"): value})
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _style(doc: DocxDocument, name: str, east_asian: str, western: str, size_pt: float) -> None:
    style = doc.styles[name]
    style.font.size, style.font.bold, style.font.italic = Pt(size_pt), False, False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element.get_or_add_rPr(), east_asian, western)
    style.paragraph_format.space_after = Pt(0)


def _set_fonts(rpr, east_asian: str, western: str) -> None:
    """``<w:rFonts w:ascii w:hAnsi w:eastAsia>`` on a run's or style's properties; theme fonts removed."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute, value in (("w:ascii", western), ("w:hAnsi", western), ("w:cs", western), ("w:eastAsia", east_asian)):
        fonts.set(qn(attribute), value)


def _run(paragraph: DocxParagraph, text: str, east_asian: str, western: str, size_pt: float,
         bold: bool = False) -> None:
    """A plain-text run with its fonts and size set on the run itself."""
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.font.size = Pt(size_pt)
    _set_fonts(run._element.get_or_add_rPr(), east_asian, western)


def _centred(doc: DocxDocument, text: str, east_asian: str, western: str, size_pt: float) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(6)
    _run(paragraph, text, east_asian, western, size_pt)


def _body_format(paragraph: DocxParagraph, size_pt: float) -> None:
    layout = paragraph.paragraph_format
    layout.first_line_indent = Pt(size_pt * 2)
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(round(size_pt * 1.75))


def _table(doc: DocxDocument, table: Table, east_asian: str, western: str) -> None:
    grid = doc.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    for cell, heading in zip(grid.rows[0].cells, table.header):
        _run(cell.paragraphs[0], heading, east_asian, western, TABLE_PT, bold=True)
    for row in table.rows:
        for cell, value in zip(grid.add_row().cells, row):
            _cell(cell.paragraphs[0], value, east_asian, western)


def _cell(paragraph: DocxParagraph, value: Cell, east_asian: str, western: str) -> None:
    if isinstance(value, Link):
        _hyperlink(paragraph, value, east_asian, western)
    else:
        _run(paragraph, value, east_asian, western, TABLE_PT)


def _hyperlink(paragraph: DocxParagraph, value: Link, east_asian: str, western: str) -> None:
    """A ``w:hyperlink`` to an external relationship (the URL is an escaped XML attribute, never a field code)."""
    rel_id = paragraph.part.relate_to(value.url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    _set_fonts(properties, east_asian, western)
    for tag, attribute, val in (("w:color", "w:val", "0563C1"), ("w:sz", "w:val", str(int(TABLE_PT * 2))),
                                ("w:u", "w:val", "single")):  # CT_RPr's schema order
        element = OxmlElement(tag)
        element.set(qn(attribute), val)
        properties.append(element)
    text = OxmlElement("w:t")
    text.text = value.text
    text.set(qn("xml:space"), "preserve")
    run.append(properties)
    run.append(text)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)
