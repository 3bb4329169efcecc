"""UTF-16 and UTF-32 text (what Windows PowerShell's `Get-Clipboard > x.txt` writes) as UTF-8 bytes.

A BOM names the encoding outright; UTF-16 without one is recognised only when it is clearly so:
most of the high bytes of the first kilobytes are NUL on one side and none on the other (ASCII
and Latin text), and the whole decodes. Anything else is left as it is for the usual decoding.
"""

from __future__ import annotations

import codecs

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF = 4096
_CLEAR_SHARE = 0.7  # of the bytes on one side that are NUL, for UTF-16 without a BOM


def to_utf8(raw: bytes, *, max_chars: int | None = None) -> bytes:
    """The bytes as UTF-8 when they are UTF-16/UTF-32 (BOM, or clearly UTF-16); else unchanged.

    `max_chars`: only the first characters are converted (a 10 MB clipboard file decoded whole
    is a str of up to 10 MB and its UTF-8 copy beside it, where a bounded part is ever read).
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _converted(raw, codec, len(bom), max_chars)
    codec = _bomless_utf16(raw[:_SNIFF])
    return raw if codec is None else _converted(raw, codec, 0, max_chars)


def _converted(raw: bytes, codec: str, start: int, max_chars: int | None) -> bytes:
    width = 4 if "32" in codec else 2
    end = len(raw) if max_chars is None else min(len(raw), start + max_chars * width)
    view = memoryview(raw)  # decoded from a view: a slice would copy the bytes first
    for stop in (end, end - 2):  # a cut may split a surrogate pair: then one unit less
        try:
            return codecs.decode(view[start:stop], codec).encode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            if stop == len(raw) or width == 4:
                break
    return raw


def _bomless_utf16(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NULs fill one side of the byte pairs and not the other."""
    pairs = len(head) // 2
    if pairs < 8 or b"\x00" not in head:  # nearly every input: no NUL, nothing to count
        return None
    even, odd = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
    if odd >= pairs * _CLEAR_SHARE and even == 0:
        return "utf-16-le"
    if even >= pairs * _CLEAR_SHARE and odd == 0:
        return "utf-16-be"
    return None
