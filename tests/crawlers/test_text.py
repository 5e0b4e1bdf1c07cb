"""``html_to_text``: plain text from HTML fragments, paragraph breaks as ``\\n``."""

from __future__ import annotations

from crawlers.parsing.text import html_to_text


def test_paragraphs_and_line_breaks_become_newlines() -> None:
    assert html_to_text("<p>第一段</p><p>第二段<br/>换行</p><div>第三段</div>") == "第一段\n第二段\n换行\n第三段"


def test_entities_are_unescaped_and_html_whitespace_collapsed() -> None:
    assert html_to_text("<p>浓烟 &amp;\n   明火&nbsp;&lt;现场&gt;</p>") == "浓烟 & 明火 <现场>"


def test_blank_lines_are_collapsed_and_the_text_stripped() -> None:
    assert html_to_text("  <p> a </p><p>  </p><br><br><p>b</p>\n") == "a\nb"


def test_scripts_styles_and_comments_are_dropped() -> None:
    html = "<style>p{color:red}</style><p>正文</p><script>var x = '<p>不是正文</p>';</script><!-- 注释 -->尾"
    assert html_to_text(html) == "正文\n尾"


def test_weibo_emoji_images_become_their_names() -> None:
    html = '好消息<span class="url-icon"><img alt="[doge]" src="https://h5.sinaimg.cn/x.png"></span>！<img alt="照片" src="p.jpg">'
    assert html_to_text(html) == "好消息[doge]！"


def test_links_keep_their_text() -> None:
    assert html_to_text('<a href="/k">#天宁火灾#</a> 现场<a href="/status/1">全文</a>') == "#天宁火灾# 现场全文"


def test_empty_and_plain_inputs() -> None:
    assert html_to_text("") == ""
    assert html_to_text(None) == ""
    assert html_to_text("只是文字") == "只是文字"


def test_characters_no_text_can_hold_are_dropped_not_fatal() -> None:
    assert html_to_text("<p>楼道\x01起火</p><p>已&#1;扑灭&#x1F;</p>") == "楼道起火\n已扑灭"
    assert html_to_text("纯文本\x0b里的\ue000控制符") == "纯文本里的控制符"


def test_numeric_references_to_real_characters_are_decoded() -> None:
    assert html_to_text("<p>&#22825;&#x5B81;区</p>") == "天宁区"


def test_markup_that_closes_or_reopens_the_document_still_gives_its_text() -> None:
    assert html_to_text("</body><body>楼道起火") == "楼道起火"
    assert html_to_text("<html></p>") == ""
