"""Make scraped text inert in each channel's format and cut messages to each channel's size limit.

Post text (title, excerpt, reason, place) is untrusted: it may hold ``@all``, ``<@userid>``, URLs, markdown
links, HTML or control characters. :func:`inert` is the base of every format: one line without control
characters, ``@`` as ``＠``, and every auto-linkable pattern defanged (``://`` → ``：//``, a ``.`` before a letter
→ ``。``, dotted IPv4 → ``1。2。3。4``) so phones, mail clients and robots link or mention nothing. Markdown
(企业微信, 钉钉) additionally has every markup character replaced by its full-width twin; HTML is inert text
through Jinja2's autoescape; JSON is plain text through ``json.dumps``. Links we add ourselves (the post's
link, the signed 确认 / 误报 links) pass :func:`safe_url` and stay clickable. :func:`fit` cuts the excerpt,
then the reason, then the title — never the links — until the rendered message fits.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from functools import cache
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from alerts.message import Message

ELLIPSIS = "…"
SHRINKABLE = ("excerpt", "reason", "title")
MAX_URL_CHARS = 2048

_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff]"
)
_JSON_UNSAFE = re.compile(_CONTROL.pattern[:-1] + "\u2028\u2029\x85]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_WHITESPACE_RUN = re.compile(r"\s+")
_MARKDOWN_TWINS = str.maketrans({
    "[": "［", "]": "］", "(": "（", ")": "）", "*": "＊", "_": "＿", "`": "｀", "#": "＃", ">": "＞",
    "<": "＜", "!": "！", "|": "｜", "~": "～", "&": "＆", "\\": "＼", "$": "＄",
})
_HOST_DOT = re.compile(r"\.(?=[^\W\d_])")  # evil.example, www.x, a@b.cn, 政府.中国 — but not 3.5
_IPV4 = re.compile(r"(?<!\d)\d{1,3}(?:\.\d{1,3}){3}(?!\d)")
_URL_SAFE = "/:?=&%#;,+~.-_!$"

Parts = Mapping[str, str]


def plain(text: str | None) -> str:
    """Text without control, bidi-override, zero-width or XML-invalid characters; line breaks normalised to ``\\n``."""
    text = _LINE_BREAKS.sub("\n", text or "")
    return _CONTROL.sub("", text.replace("\t", " "))


def json_line(value: object) -> str:
    """JSON with Chinese kept readable but control, bidi and line-separator characters \\u-escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def one_line(text: str | None) -> str:
    """:func:`plain` with every run of whitespace (newlines included) collapsed to one space."""
    return _WHITESPACE_RUN.sub(" ", plain(text)).strip()


def inert(text: str | None) -> str:
    """:func:`one_line` that no phone, mail client or robot turns into a link or a mention; still readable.

    ``@all`` → ``＠all``; ``http://evil.example/p`` → ``http：//evil。example/p``; ``www.evil.com`` →
    ``www。evil。com``; ``a@b.cn`` → ``a＠b。cn``; ``1.2.3.4`` → ``1。2。3。4``. Every host needs a ``.`` before
    its top-level domain, which starts with a letter: that dot is the one broken, so bare domains are covered
    too. Decimals (``3.5万``) are left alone. Characters are swapped one for one, so lengths do not change.
    """
    text = one_line(text).replace("@", "＠").replace("://", "：//")
    text = _IPV4.sub(lambda match: match.group().replace(".", "。"), text)
    return _HOST_DOT.sub("。", text)


def markdown(text: str | None) -> str:
    """One line of inert markdown: :func:`inert`, with markup characters turned into their full-width twins.

    ``<@userid>``/``<at …>`` lose their angle brackets, ``[点我](http://evil)`` its brackets.
    """
    return inert(text).translate(_MARKDOWN_TWINS)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL with markup-significant characters percent-encoded, or None when unusable."""
    if not url:
        return None
    url = one_line(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > MAX_URL_CHARS:
        return None
    return quote(url, safe=_URL_SAFE)


def cut_chars(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in … when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS if limit > 0 else ""


def cut_utf8(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes on a character boundary, ending in … when cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = max(limit - len(ELLIPSIS.encode("utf-8")), 0)
    return data[:room].decode("utf-8", errors="ignore") + (ELLIPSIS if limit >= 3 else "")


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def fit(compose: Callable[[Parts], str], parts: Parts, limit: int, size: Callable[[str], int] = utf8_size) -> str:
    """The longest rendering of ``compose(parts)`` within ``limit``, cutting excerpt, reason, then title.

    The fixed parts (headline, links, mentions) are never cut; if they alone exceed the limit the
    result is cut bytewise as a last resort.
    """
    current = dict(parts)
    for name in SHRINKABLE:
        rendered = compose(current)
        overflow = size(rendered) - limit
        if overflow <= 0:
            return rendered
        current[name] = _longest_fitting(compose, current, name, limit, size, overflow)
    rendered = compose(current)
    return rendered if size(rendered) <= limit else cut_utf8(rendered, limit)


def _longest_fitting(compose: Callable[[Parts], str], parts: dict[str, str], name: str, limit: int,
                     size: Callable[[str], int], overflow: int) -> str:
    """The longest cut of ``parts[name]`` that fits: a binary search between bounds found around a first guess
    (drop as many characters as the overflow takes at the text's average size per character)."""
    text = parts[name]

    def fits(chars: int) -> bool:
        return size(compose({**parts, name: cut_chars(text, chars)})) <= limit

    per_char = max(size(text), 1) / max(len(text), 1)
    low, high = _bracket(fits, max(len(text) - math.ceil(overflow / per_char) - 1, 0), len(text))
    while low < high:  # largest n whose cut still fits
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return cut_chars(text, low)


def _bracket(fits: Callable[[int], bool], guess: int, length: int) -> tuple[int, int]:
    """(low, high) with the longest fitting cut between them, galloping from ``guess`` in doubling steps."""
    step = 8
    if fits(guess):
        low = guess
        while low < length:
            probe = min(low + step, length)
            if not fits(probe):
                return low, probe - 1
            low, step = probe, step * 2
        return low, length
    high = guess - 1
    while high >= 0:
        probe = max(high + 1 - step, 0)
        if fits(probe):
            return probe, high
        high, step = probe - 1, step * 2
    return 0, 0


def message_parts(message: Message) -> dict[str, str]:
    """The untrusted, cuttable texts of a message (raw: each channel escapes them for its format)."""
    return {"title": message.title, "reason": message.reason, "excerpt": message.excerpt}


def format_time(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "未知"


def facts(message: Message, parts: Parts, tz: tzinfo) -> list[tuple[str, str]]:
    """(label, raw value) pairs of what the officer reads, in order; empty values are left out."""
    sources = "、".join(message.sources)
    scale = f"{message.post_count} 条帖子，{message.source_count} 个来源" + (f"（{sources}）" if sources else "")
    growth = f"互动较上轮 +{message.growth:.0%}" if message.growth > 0 else "暂无明显增长"
    pairs = [
        ("事件", parts["title"]),
        ("地点", message.place or "未识别"),
        ("首次发现", format_time(message.first_seen, tz)),
        ("规模", scale),
        ("增长", growth),
        ("研判", parts["reason"]),
        ("摘录", parts["excerpt"]),
        ("编号", message.alert_id),
    ]
    if message.kind == "source_health":
        pairs = [pair for pair in pairs if pair[0] in ("事件", "研判", "摘录", "编号")]
    return [(label, value) for label, value in pairs if value]


def links(message: Message) -> list[tuple[str, str]]:
    """(label, safe URL) pairs: the top post, then the signed 确认 / 误报 links (absent ones left out)."""
    candidates = [("查看原帖", message.link), ("确认收到", message.ack_url), ("标记误报", message.false_alarm_url)]
    return [(label, url) for label, raw in candidates if (url := safe_url(raw))]


def inert_facts(message: Message, parts: Parts, tz: tzinfo) -> list[tuple[str, str]]:
    """:func:`facts` with every value :func:`inert` (plain text, e-mail HTML)."""
    return [(label, inert(value)) for label, value in facts(message, parts, tz)]


def plain_text(message: Message, parts: Parts, tz: tzinfo) -> str:
    """The message as plain Chinese lines (console, e-mail text part): scraped text inert, our links clickable."""
    lines = [f"【{message.headline}】"]
    lines += [f"{label}：{value}" for label, value in inert_facts(message, parts, tz)]
    lines += [f"{label}：{url}" for label, url in links(message)]
    return "\n".join(lines)


def markdown_body(message: Message, parts: Parts, tz: tzinfo, newline: str = "\n") -> str:
    """The message as robot markdown: our own headline, bold labels and links; every scraped text inert."""
    lines = [f"### {message.headline}"]
    lines += [f"**{label}**：{markdown(value)}" for label, value in facts(message, parts, tz)]
    anchors = [f"[{label}]({url})" for label, url in links(message)]
    if anchors:
        lines.append("　".join(anchors))
    return newline.join(lines)


_MENTION_ID = re.compile(r"\+?[A-Za-z0-9_.-]{1,64}")


def mention_ids(message: Message, to: str) -> list[str]:
    """The roster ids to mention: ``message.mentions`` plus the addressee, deduplicated; malformed ids dropped."""
    ids = [*message.mentions, to]
    return list(dict.fromkeys(i.strip() for i in ids if i and _MENTION_ID.fullmatch(i.strip())))


@cache
def html_templates() -> Environment:
    """Jinja2 templates of alerts/templates (e-mail, link pages), HTML-autoescaped."""
    return Environment(loader=PackageLoader("alerts", "templates"), autoescape=True, trim_blocks=True,
                       lstrip_blocks=True, undefined=StrictUndefined)
