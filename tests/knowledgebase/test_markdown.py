"""Markdown becomes HTML with nothing a browser would run."""

import re

import pytest

from knowledgebase.markdown import plain_text, render


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        '<a href="data:text/html,<script>alert(1)</script>">click</a>',
        "<img src=x onerror=alert(1)>",
        '<p onclick="alert(1)" style="color:red">hi</p>',
        "<iframe src=https://evil.example></iframe>",
        "<svg><script>alert(1)</script></svg>",
        "![x](javascript:alert(1))",
        '<a href="vbscript:msgbox(1)">x</a>',
        "<style>body{display:none}</style>",
        '<form action="https://evil.example"><input name=a></form>',
    ],
)
def test_nothing_that_runs_survives(markdown):
    """What cannot be made safe is dropped, or left as words (a refused link's text)."""
    html = render(markdown).lower()
    for forbidden in ("<script", "onerror", "onclick", "<iframe", "<style", "style=", "<form",
                      "<input", "<svg"):  # fmt: skip
        assert forbidden not in html
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*(javascript|vbscript|data):""", html)


def test_markdown_keeps_its_formatting_and_safe_links():
    html = render(
        "# Title\n\n**bold** _it_ [site](https://shop.example) [mail](mailto:a@b.example)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n![pic](/kb/images/1/)"
    )
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert 'href="https://shop.example"' in html and 'href="mailto:a@b.example"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html and "<td>2</td>" in html
    assert '<img src="/kb/images/1/" alt="pic">' in html


def test_the_plain_text_has_a_line_per_block():
    html = render("# Returns\n\nWithin **30 days** &amp; free.\n\n- one\n- two")
    assert plain_text(html) == "Returns\nWithin 30 days & free.\n- one\n- two"
