"""Charset repair: a page whose declared (or guessed) encoding is wrong for its bytes, re-decoded as GB18030 or UTF-8.

Chinese forums (Discuz, PHPWind) serve GBK or UTF-8 depending on the install, and sometimes declare the other one
(FORMATS.md §0.4); a page without any declaration may be guessed as something else entirely (GBK bytes read as
Korean cp949, say). Only a suspect page is looked at closely, so a clean page costs one scan of its text: one
whose text holds replacement characters (U+FFFD: bytes its encoding cannot decode), or whose encoding Scrapy
guessed as something other than UTF-8 or GBK. A suspect page is re-decoded with the first of UTF-8 and GB18030
(a superset of GBK) that decodes every byte of it. A U+FFFD that the page's bytes really hold is left alone.
"""

from __future__ import annotations

import codecs

from scrapy.http import TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

REPLACEMENT = "\ufffd"
CANDIDATES = ("utf-8", "gb18030")  # Python codec names; Scrapy reads gbk and gb2312 as gb18030


def redecoded(response: TextResponse) -> TextResponse | None:
    """``response`` re-decoded with the encoding its bytes are really in, else None (nothing to repair)."""
    encoding = repaired_encoding(response)
    return response.replace(encoding=encoding) if encoding else None


def repaired_encoding(response: TextResponse) -> str | None:
    """UTF-8 or GB18030 when the response is suspect and that decodes all its bytes; else None."""
    body, own = response.body, _codec_name(response.encoding)
    guessed = own not in CANDIDATES and not _declared(response)
    if body.isascii() or not (guessed or REPLACEMENT in response.text):
        return None
    if not guessed and _decodes(body, own):
        return None  # its replacement characters are in its bytes
    return next((encoding for encoding in CANDIDATES if encoding != own and _decodes(body, encoding)), None)


def has_undecodable_bytes(response: TextResponse) -> bool:
    """Whether the text holds replacement characters for bytes its encoding cannot decode (garbled text)."""
    return REPLACEMENT in response.text and not _decodes(response.body, _codec_name(response.encoding))


def _declared(response: TextResponse) -> bool:
    """Whether the encoding was given (a BOM, the Content-Type charset, a ``<meta>``) rather than guessed."""
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    return bool(read_bom(response.body)[0] or http_content_type_encoding(content_type)
                or html_body_declared_encoding(response.body))


def _codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True
