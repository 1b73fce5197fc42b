"""Pick the reader for a page: by file extension when there is one we know, else by content."""

from __future__ import annotations

import re
from pathlib import PurePath

from knowledge.importer.html import parse_html
from knowledge.importer.markdown import parse_markdown
from knowledge.importer.rows import ParsedPage
from knowledge.importer.rst import parse_rst
from knowledge.importer.text import parse_text

# A grid-table border: "+---+---+" (or "+===+" under the header), possibly indented.
_GRID_LINE = re.compile(r"^[ \t]*\+[-=]{3,}", re.MULTILINE)
_TABLE_TAG = re.compile(r"<table[\s>]", re.IGNORECASE)
_PIPE_DELIMITER = re.compile(r"^\|?[ \t]*:?-{3,}:?[ \t]*\|", re.MULTILINE)


def sniff(text: str) -> str:
    """ "html", "rst" or "text" for a page whose file name says nothing."""
    if text.lstrip("\ufeff \t\r\n").startswith("<") or _TABLE_TAG.search(text):
        return "html"
    if _GRID_LINE.search(text) and "|" in text:
        return "rst"
    if _PIPE_DELIMITER.search(text):
        return "markdown"
    return "text"


def format_of(text: str, filename: str | None = None) -> str:
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".rst":
        return "rst"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return sniff(text)


_PARSERS = {"html": parse_html, "rst": parse_rst, "text": parse_text, "markdown": parse_markdown}


def parse_page(text: str, filename: str | None = None) -> ParsedPage:
    return _PARSERS[format_of(text, filename)](text)
