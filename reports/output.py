"""Write a rendered report file atomically: a reader (or a killed scheduler) never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from config import Config
from reports.blocks import Document
from reports.docx import render_docx
from reports.html import render_html
from reports.markdown import render_markdown

FORMATS = ("docx", "html", "md")


def render(document: Document, fmt: str, config: Config) -> bytes:
    """The file's bytes in ``fmt`` (``docx``, ``html`` or ``md``)."""
    if fmt == "docx":
        return render_docx(document, config.reports.fonts)
    if fmt == "html":
        return render_html(document).encode("utf-8")
    if fmt == "md":
        return render_markdown(document).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r} (expected one of {', '.join(FORMATS)})")


def write_document(document: Document, fmt: str, path: Path, config: Config) -> Path:
    """Render and write ``path`` via a temporary file in the same folder, then an atomic rename."""
    data = render(document, fmt, config)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the report from the officers' group
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
