"""Render a report as one self-contained HTML page (Jinja2, autoescape on; CSS inline; charts as data: URIs)."""

from __future__ import annotations

import base64
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from reports.blocks import Document, Heading, Image, Link, Paragraph, Table


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("reports", "templates"), autoescape=True, undefined=StrictUndefined,
                      keep_trailing_newline=True)
    env.tests.update(heading=lambda b: isinstance(b, Heading), paragraph=lambda b: isinstance(b, Paragraph),
                     table=lambda b: isinstance(b, Table), image=lambda b: isinstance(b, Image),
                     link=lambda c: isinstance(c, Link))
    env.filters["data_uri"] = lambda png: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return env


def render_html(document: Document) -> str:
    """The page's HTML: scraped text escaped by Jinja2's autoescape, links only to checked http(s) URLs."""
    return _environment().get_template("report.html.j2").render(document=document)
