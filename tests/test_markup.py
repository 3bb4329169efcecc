"""bot.reading.markup: HTML blocks found in one pass give what the lazy expressions they replace gave."""

from __future__ import annotations

import random
import re

from bot.reading import markup
from bot.reading.normalize import normalize

# The expressions bot.reading.normalize used before (a lazy scan from every opening tag): the reference.
_OLD_HTML = re.compile(r"<html\b.{0,300000}?(?:</html>|\Z)", re.IGNORECASE | re.DOTALL)
_OLD_HEAD = re.compile(r"<(style|script|head)\b[^<>]{0,200}>.{0,200000}?</\1>", re.IGNORECASE | re.DOTALL)
_TOKENS = [
    *("<html>", "<HTML lang=ja>", "</html>", "</HTML>", "<html", "<htmlx>", "<p>", "</p>", "<", ">"),
    *("<style>", "</style>", "<STYLE type='x'>", "</Style>", "<script>", "</script>", "<scripts>"),
    *("<head>", "</head>", "<head", "</head >", "<style<", "x", " ", "\n", "配信"),
]


def _texts(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(_TOKENS) for _ in range(rnd.randint(0, 30))) for _ in range(count)]


def test_head_blocks_match_the_lazy_expression() -> None:
    """Style, script and head blocks are dropped exactly where the backreference expression dropped them."""
    for text in _texts(1, 3000):
        new = markup._sub_blocks(text, markup._HEAD_OPEN, markup._HEAD_CLOSE, lambda _b: " ", limit=200_000)
        assert new == _OLD_HEAD.sub(" ", text), text


def test_html_blocks_match_the_lazy_expression() -> None:
    """An <html> block runs to its </html>, else to the end, exactly as the lazy expression read it."""
    for text in _texts(2, 3000):

        def mark(block: str) -> str:
            return "[" + block.upper() + "]"

        new = markup._sub_blocks(
            text, markup._HTML_OPEN, markup._HTML_CLOSE, mark, limit=300_000, to_end=True
        )
        assert new == _OLD_HTML.sub(lambda m: mark(m.group(0)), text), text


def test_limits_match_the_lazy_expression() -> None:
    """A block longer than the limit is not one, for the one-pass reader as for the expression."""
    old_head = re.compile(r"<(style|script|head)\b[^<>]{0,200}>.{0,5}?</\1>", re.IGNORECASE | re.DOTALL)
    old_html = re.compile(r"<html\b.{0,5}?(?:</html>|\Z)", re.IGNORECASE | re.DOTALL)
    for text in _texts(3, 3000):
        assert markup._sub_blocks(text, markup._HEAD_OPEN, markup._HEAD_CLOSE, lambda _b: " ", limit=5) == (
            old_head.sub(" ", text)
        ), text
        new = markup._sub_blocks(text, markup._HTML_OPEN, markup._HTML_CLOSE, str.upper, limit=5, to_end=True)
        assert new == old_html.sub(lambda m: m.group(0).upper(), text), text


def test_pasted_html_with_unclosed_style_tags_is_read() -> None:
    """A paste full of opening tags without their closing tags still gives the text around them."""
    msg = normalize("<html><body>" + "<style>" * 20_000 + "<p>550 5.1.1 user unknown</p></body></html>")
    assert "550 5.1.1 user unknown" in msg.text
