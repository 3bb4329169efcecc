"""Bytes and header values to text: declared charsets with the supersets Japanese mail needs, the
guesses when none is declared, RFC 2047 words and raw ISO-2022-JP runs."""

from __future__ import annotations

import re

from bot.reading.encodedwords import decode_words
from bot.reading.lazyre import lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:  # the email package is imported only when a header needs it
    from email.header import Header

# Charset names as bounces write them, mapped to Python codecs that are their supersets.
_CHARSET_ALIASES = {
    "iso-2022-jp": "iso2022_jp_ext",
    "iso-2022-jp-1": "iso2022_jp_ext",
    "iso-2022-jp-2": "iso2022_jp_2",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-jp": "euc_jis_2004",
    "x-euc-jp": "euc_jis_2004",
    "us-ascii": "utf-8",  # many "us-ascii" bounces carry UTF-8 anyway
    "ascii": "utf-8",
    "unknown-8bit": "utf-8",
    "x-unknown": "utf-8",
}
# 7-bit ISO-2022-JP left undecoded inside a field value (a Diagnostic-Code written in Japanese).
_JIS_RUN = lazy(r"\x1b\$[@B][^\x1b\n]{0,2000}(?:\x1b\([BJ]|$)", re.MULTILINE)


def decode_bytes(raw: bytes, charset: str | None = None) -> str:
    """Bytes to text: the declared charset, else ISO-2022-JP by its escapes, UTF-8, CP932, EUC-JP."""
    tried = []
    if charset:
        tried.append(_CHARSET_ALIASES.get(charset.lower().strip('"'), charset.lower().strip('"')))
    if b"\x1b$" in raw or b"\x1b(" in raw:
        tried.append("iso2022_jp_ext")
    tried += ["utf-8", "cp932", "euc_jis_2004"]
    for codec in tried:
        try:
            return raw.decode(codec)
        except (LookupError, UnicodeError):  # UnicodeError: codecs such as "undefined" and "idna"
            continue
    return raw.decode("utf-8", "replace")


def decode_header_value(value: str | Header) -> str:
    """A header value as plain text: RFC 2047 words, raw 8-bit or ISO-2022-JP; undecodable words stay."""
    if not isinstance(value, str):  # an email.header.Header
        from email.header import decode_header

        # compat32 hands a value with raw 8-bit bytes over as a Header of "unknown-8bit" chunks:
        # their charset is guessed as a body's is (UTF-8, CP932, EUC-JP).
        value = "".join(decode_bytes(raw) for raw, _charset in decode_header(value))
    if "\x1b" in value:  # ISO-2022-JP written raw, without RFC 2047
        value = decode_jis_runs(value)
    if "=?" in value:  # RFC 2047 words
        value = decode_words(value, decode_bytes)
    return " ".join(value.split())


def decode_jis_runs(text: str) -> str:
    """Runs of 7-bit ISO-2022-JP left undecoded in a text, decoded (a run that fails stays)."""
    return _JIS_RUN.sub(_decode_jis, text)


def _decode_jis(m: re.Match[str]) -> str:
    run = m.group(0)
    if not run.endswith(("\x1b(B", "\x1b(J")):
        run += "\x1b(B"
    try:
        return run.encode("ascii").decode("iso2022_jp_ext")
    except (UnicodeError, LookupError):
        return m.group(0)
