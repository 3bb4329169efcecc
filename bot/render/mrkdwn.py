"""Text to and from Slack: undo Slack's markup on what users wrote, escape what we echo, mask what we log."""

from __future__ import annotations

import re

from bot.reading.lazyre import lazy

# Slack's markup in received text: <@U123>, <!here>, <#C1|general>, <mailto:a@b|a@b>, <https://x|x>.
# Literal "<" and ">" typed by a user arrive as &lt; &gt;, so a real "<" always opens markup.
_MARKUP = lazy(r"<([^<>|\n]{1,1000})(?:\|([^<>\n]{0,1000}))?>")
_BROADCAST = lazy(r"(?<![\w.@])@(channel|here|everyone)\b")
_ADDRESS = lazy(r"([A-Za-z0-9._%+\-]{1,64})@([A-Za-z0-9.\-]{1,253}\.[A-Za-z]{2,63})")


def unformat(text: str) -> str:
    """Slack message text → the plain text the user sees (links, mentions, entities undone)."""
    return _unescape(_MARKUP.sub(_plain, text))


def _plain(m: re.Match[str]) -> str:
    """One markup token as the user sees it."""
    target, label = m.group(1), m.group(2)
    if target.startswith("@"):  # a user mention: not part of anything we analyse
        return ""
    if target.startswith("!"):  # <!here>, <!subteam^S1|@team>, <!date^...|label>
        return label or "@" + target[1:].split("^", 1)[0]
    if target.startswith("#"):  # <#C123|general>
        return "#" + (label or target[1:])
    if label:
        return label
    return target.removeprefix("mailto:")


def _unescape(text: str) -> str:
    """Slack's three entities back to characters (&amp; last, so "&amp;lt;" stays "&lt;")."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    """User text made inert for mrkdwn: &, <, > as entities, bare @channel/@here/@everyone defused."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A zero-width joiner after "@" keeps the word readable but never a broadcast.
    return _BROADCAST.sub("@\u2060\\1", text)


def code_span(text: str, *, limit: int = 300) -> str:
    """Inline code of user text: escaped, one line, no backtick to break out, cut to `limit`."""
    text = " ".join(text.split())
    return f"`{escape(cut(text, limit).replace('`', 'ˋ'))}`"


def code_block(text: str, *, limit: int = 2800) -> str:
    """A ``` block of text: escaped, cut to `limit`, with any ``` inside broken up."""
    return f"```{escape(cut(text.strip(), limit).replace('```', 'ˋˋˋ'))}```"


def cut(text: str, limit: int) -> str:
    """Text no longer than `limit` characters, ending in … when it was cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def mask_address(address: str) -> str:
    """A mail address safe to log: first character of the local part, then ***."""
    local, sep, domain = address.rpartition("@")
    if not sep:
        return address[:1] + "***"
    return f"{local[:1]}***@{domain}"


def mask_addresses(text: str) -> str:
    """Every mail address in a text masked (for log lines built from errors)."""
    return _ADDRESS.sub(lambda m: f"{m.group(1)[:1]}***@{m.group(2)}", text)
