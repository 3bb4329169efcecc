"""RFC 2047 encoded words in header values, decoded: ``=?charset?B?...?=`` and ``=?charset?Q?...?=``.

Written by hand instead of email.header.decode_header, which raised HeaderParseError on a base64
word of impossible length (a bounce whose Subject was ``=?utf-8?b?A?=`` stopped the analysis),
turned raw non-ASCII text beside an encoded word into ``\\u65e5`` escapes, left a word with an
RFC 2231 language (``=?utf-8*ja?...``) undecoded, searched with an expression that backtracks
over a long line, and cost each process its import (email.header, base64mime, quoprimime,
charset: ~15 M instructions). The rules are RFC 2047's, read as leniently as the stdlib reads
them: whitespace between two encoded words is dropped (section 6.2); adjacent words in one
charset are joined as bytes before they are decoded, so a character split across two words
survives; Q turns ``_`` into a space and ``=XX`` into that byte; B is base64 with its missing
padding added. A word that does not decode stays as written, and so does one whose charset name
is over 75 characters or whose text is over 2,000 (RFC 2047 bounds a word at 75 in all); bytes
in a charset that is not known, or that do not fit it, are read as a body's are
(bot.reading.charsets.decode_bytes).
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable

from bot.reading.lazyre import lazy

# =?charset?encoding?text?= on one line; the charset may carry an RFC 2231 language ("utf-8*ja").
# The text stops at the first "?" (RFC 2047 allows none inside), so every search is linear.
_WORD = lazy(r"=\?([^?\s]{0,75})\?([BbQq])\?([^?\n]{0,2000})\?=")

_Q_ESCAPE = lazy(rb"=([0-9A-Fa-f]{2})")
_Token = tuple[str, list[bytes]] | str  # encoded words decoded to (charset, their bytes), or text as written


def decode_words(value: str, decode: Callable[[bytes, str], str]) -> str:
    """value with its encoded words decoded; `decode(bytes, charset)` turns a word's bytes into text."""
    tokens: list[_Token] = []
    at = 0
    for m in _WORD.finditer(value):
        data = _decoded(m.group(2), m.group(3))
        if data is None:  # stays as written, with the text before it
            continue
        gap = value[at : m.start()]
        # Whitespace between two encoded words is no part of the text (RFC 2047 section 6.2).
        if gap and not (gap.isspace() and tokens and not isinstance(tokens[-1], str)):
            tokens.append(gap)
        charset = m.group(1).partition("*")[0].lower() or "utf-8"
        last = tokens[-1] if tokens else None
        if isinstance(last, tuple) and last[0] == charset:
            last[1].append(data)  # one character may be split across two words: decoded together
        else:
            tokens.append((charset, [data]))
        at = m.end()
    if not tokens:
        return value
    tokens.append(value[at:])
    return "".join(t if isinstance(t, str) else decode(b"".join(t[1]), t[0]) for t in tokens)


def _unquoted(m: re.Match[bytes]) -> bytes:
    return bytes.fromhex(m.group(1).decode("ascii"))


def _decoded(encoding: str, text: str) -> bytes | None:
    """An encoded word's bytes; None when its text is no valid B or Q."""
    raw = text.encode("utf-8", "surrogateescape")
    if encoding in "Qq":  # "_" is a space, "=XX" a byte; any other "=" stays (binascii drops a last one)
        raw = raw.replace(b"_", b" ")
        return _Q_ESCAPE.sub(_unquoted, raw) if b"=" in raw else raw
    missing = -len(raw) % 4  # Postel's law, as the stdlib reads it: padding the writer left off
    try:
        return binascii.a2b_base64(raw + b"=" * missing if missing < 3 else raw)
    except binascii.Error:
        return None
