"""HTML in bounces: a web mail's HTML part pasted raw, or a text/html part, read as plain text.

Blocks (`<html>…</html>`, `<style>…</style>`) are found by pairing each opening tag with the
first closing tag after it in one pass, not with a lazy `.{0,N}?</x>` that a search would run
from every opening tag: on text full of opening tags without their closing tags, that scanned
N characters per tag (minutes on a few hundred kilobytes of `<html`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from bot.reading.lazyre import lazy

_TAG = lazy(r"<[^<>]{0,2000}>")
_BR = lazy(r"<(?:br|/p|/div|/tr|/li|/h[1-6])\b[^<>]{0,200}>", re.IGNORECASE)
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'", "&nbsp;": " "}
_ENTITY = lazy(r"&(?:lt|gt|amp|quot|#39|nbsp);")
_ESCAPED_HTML = lazy(r"&lt;html\b", re.IGNORECASE)
_HTML_OPEN = lazy(r"<html\b", re.IGNORECASE)
_HTML_CLOSE = lazy(r"</html>", re.IGNORECASE)
_HTML_MAX = 300_000  # the longest HTML block read as one
_HEAD_OPEN = lazy(r"<(style|script|head)\b[^<>]{0,200}>", re.IGNORECASE)
_HEAD_CLOSE = lazy(r"</(style|script|head)>", re.IGNORECASE)
_HEAD_MAX = 200_000  # the longest style, script or head block dropped


def html_to_text(html: str) -> str:
    """The text of an HTML document: head, style and script dropped, tags removed, entities undone."""
    html = _sub_blocks(html, _HEAD_OPEN, _HEAD_CLOSE, lambda _block: " ", limit=_HEAD_MAX)
    html = _BR.sub("\n", html)
    lines = [line.strip() for line in unescape(_TAG.sub("", html)).split("\n")]
    # Markup leaves runs of empty lines; one blank line keeps the paragraphs apart.
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1]))


def unescape(text: str) -> str:
    """The few HTML entities bounces and Slack use, undone."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text)


def has_escaped_html(text: str) -> bool:
    """Whether a text holds an HTML source whose `<` was escaped (`&lt;html`), as Slack does."""
    return _ESCAPED_HTML.search(text) is not None


def html_blocks_to_text(text: str) -> str:
    """Each `<html …` block of a text (to its `</html>`, else to the end) replaced by its text."""
    return _sub_blocks(text, _HTML_OPEN, _HTML_CLOSE, html_to_text, limit=_HTML_MAX, to_end=True)


def _sub_blocks(
    text: str,
    opener: re.Pattern[str],
    closer: re.Pattern[str],
    repl: Callable[[str], str],
    *,
    limit: int,
    to_end: bool = False,
) -> str:
    """What `opener.{0,limit}?(?:closer|\\Z)` with sub() would give, in one pass over the text.

    When the opener has a group (a tag name), only a closer with the same name, in any case,
    ends the block. `to_end`: a block without its closer runs to the end of the text.
    """
    closes: dict[str, list[re.Match[str]]] = {}
    for m in closer.finditer(text):
        closes.setdefault(m.group(1).lower() if closer.groups else "", []).append(m)
    starts = {name: [m.start() for m in found] for name, found in closes.items()}
    out: list[str] = []
    kept = pos = 0
    while (m := opener.search(text, pos)) is not None:
        name = m.group(1).lower() if opener.groups else ""
        k = bisect.bisect_left(starts.get(name, []), m.end())
        if k < len(starts.get(name, [])) and starts[name][k] - m.end() <= limit:
            end = closes[name][k].end()
        elif to_end and len(text) - m.end() <= limit:
            end = len(text)
        else:  # no block starts here: look for the next opening tag, as a search would
            pos = m.start() + 1
            continue
        out += (text[kept : m.start()], repl(text[m.start() : end]))
        kept = pos = end
    out.append(text[kept:])
    return "".join(out)
