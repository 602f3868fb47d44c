"""Markdown to safe HTML, and to the plain text that search reads and replies carry.

markdown-it-py renders CommonMark (with tables and strikethrough); nh3 then keeps only
harmless markup: no script or style, no event-handler attributes, and links and pictures only
to http(s), mailto or our own relative addresses. Done once per revision, at save.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
    ["table", "strikethrough"]
)
URL_SCHEMES = {"http", "https", "mailto"}
TAGS = nh3.ALLOWED_TAGS - {"area", "map"} | {"img", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {
    **{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
    "img": {"src", "alt", "title", "width", "height"},
    "a": {"href", "title"},
    "th": {"align"},
    "td": {"align"},
}
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|pre|blockquote|tr|table|ul|ol)>|<br\s*/?>", re.I)
_LIST_ITEM = re.compile(r"<li[^>]*>", re.I)
_CELL_END = re.compile(r"</t[hd]>", re.I)


def sanitise(markup: str) -> str:
    """HTML with nothing a browser would run."""
    return nh3.clean(
        markup,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(body: str) -> str:
    """The article's Markdown as safe HTML."""
    return sanitise(_parser.render(body))


def plain_text(safe_html: str) -> str:
    """The words of rendered HTML, a line per block, list items marked with a dash."""
    marked = _LIST_ITEM.sub("- ", _BLOCK_END.sub("\n", _CELL_END.sub(" ", safe_html)))
    text = html.unescape(nh3.clean(marked, tags=set()))
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{2,}", "\n", "\n".join(lines)).strip()
