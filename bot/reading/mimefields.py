"""Header fields of a MIME node read as the stdlib's compat32 Message reads them, without the email package.

A node's fields are (name, raw value) pairs as compat32 stores them: the value after the colon,
blanks before it dropped, continuation lines kept. ``get`` is `Message.get` (first field of that
name; a value carrying raw 8-bit bytes is read as compat32's `str(Header)` does, each byte a
U+FFFD); ``content_type``, ``param``, ``boundary`` and ``charset`` are `get_content_type`,
`get_param` (RFC 2045 parameters, RFC 2231 continuations and charsets), `get_boundary` and
`get_content_charset`, step for step, so every answer stays what the stdlib gave.
"""

from __future__ import annotations

import functools
import re

from bot.reading.lazyre import lazy

Fields = tuple[tuple[str, str], ...]
# An RFC 2231 parameter name: `name*`, `name*0`, `name*0*` (email.utils.rfc2231_continuation).
_CONTINUATION = lazy(r"^(?P<name>\w+)\*((?P<num>[0-9]+)\*?)?$", re.ASCII)
Rfc2231 = tuple[str | None, str | None, str]  # (charset, language, text) of an RFC 2231 value


def has_raw_bytes(value: str) -> bool:
    """True when a value carries raw 8-bit bytes (surrogate-escaped, as the reader decodes them)."""
    if value.isascii():
        return False
    try:
        value.encode()
        return False
    except UnicodeEncodeError:
        return True


def fetched(value: str) -> str:
    """A raw value as `str(Message.get(...))` gives it: raw 8-bit bytes become U+FFFD."""
    if has_raw_bytes(value):  # compat32 wraps such a value in an unknown-8bit Header
        return value.encode("ascii", "surrogateescape").decode("ascii", "replace")
    return value


def get(fields: Fields, name: str) -> str | None:
    """The first field called name (any case), as `str(Message.get(name))`; None when there is none."""
    size = len(name)
    for key, value in fields:
        if len(key) == size and key.lower() == name:  # lengths first: most names differ, no lower() copy
            return fetched(value)
    return None


def content_type(fields: Fields, default: str) -> str:
    """`Message.get_content_type()`: the lower-cased type, text/plain when it is not one type/subtype."""
    value = get(fields, "content-type")
    if value is None:
        return default
    ctype = value.partition(";")[0].strip().lower()
    return ctype if ctype.count("/") == 1 else "text/plain"


def param(fields: Fields, name: str) -> str | Rfc2231 | None:
    """`Message.get_param(name)` of Content-Type: the unquoted value, an RFC 2231 triple, or None."""
    value = get(fields, "content-type")
    if value is None:
        return None
    for key, found in _params(value):
        if key.lower() == name:
            if isinstance(found, tuple):
                return found[0], found[1], _unquote(found[2])
            return _unquote(found)
    return None


def boundary(fields: Fields) -> str | None:
    """`Message.get_boundary()`: the boundary parameter, RFC 2231 value collapsed, trailing blanks dropped."""
    found = param(fields, "boundary")
    if found is None:
        return None
    if not isinstance(found, tuple):
        return _unquote(found).rstrip()
    charset, _language, text = found  # email.utils.collapse_rfc2231_value
    try:
        return str(bytes(text, "raw-unicode-escape"), charset or "us-ascii", "replace").rstrip()
    except LookupError:
        return _unquote(text).rstrip()


def charset(fields: Fields) -> str | None:
    """`Message.get_content_charset()`: the charset parameter lower-cased, None when absent or not ASCII."""
    found = param(fields, "charset")
    if found is None:
        return None
    if isinstance(found, tuple):  # RFC 2231: decoded by its own charset when it can be
        try:
            found = str(found[2].encode("raw-unicode-escape"), found[0] or "us-ascii")
        except (LookupError, UnicodeError):
            found = found[2]
    return found.lower() if found.isascii() else None


@functools.lru_cache(maxsize=256)
def _params(value: str) -> tuple[tuple[str, str | Rfc2231], ...]:
    """A Content-Type value's parameters, decoded; kept for the last values read (the boundary and
    the charset of one part are asked apart, and a batch's parts repeat the same few values)."""
    return tuple(_decoded_params(_split_params(value)))


def _split_params(value: str) -> list[tuple[str, str]]:
    """(name, value) of each `;` item, the type first (message._parseparam and _get_params_preserve)."""
    s = ";" + value
    items: list[tuple[str, str]] = []
    while s[:1] == ";":
        s = s[1:]
        end = s.find(";")
        while end > 0 and (s.count('"', 0, end) - s.count('\\"', 0, end)) % 2:
            end = s.find(";", end + 1)  # a `;` inside a quoted string
        if end < 0:
            end = len(s)
        item = s[:end]
        if "=" in item:
            i = item.index("=")
            item = item[:i].strip().lower() + "=" + item[i + 1 :].strip()
        item = item.strip()
        if "=" in item:
            key, _, found = item.partition("=")
            items.append((key.strip(), found.strip()))
        else:
            items.append((item, ""))
        s = s[end:]
    return items


def _decoded_params(params: list[tuple[str, str]]) -> list[tuple[str, str | Rfc2231]]:
    """email.utils.decode_params: plain parameters quoted again, RFC 2231 pieces joined after them."""
    out: list[tuple[str, str | Rfc2231]] = [params[0]]
    pieces: dict[str, list[tuple[int | None, str, bool]]] = {}
    for key, value in params[1:]:
        encoded = key.endswith("*")
        value = _unquote(value)
        m = _CONTINUATION.match(key) if "*" in key else None  # only an RFC 2231 name has a star
        if m:
            num = m.group("num")
            pieces.setdefault(m.group("name"), []).append((None if num is None else int(num), value, encoded))
        else:
            out.append((key, f'"{_quote(value)}"'))
    for key, continuations in pieces.items():
        continuations.sort()  # as the stdlib sorts them: a None number beside an int raises there too
        extended = False
        texts = []
        for _num, text, encoded in continuations:
            if encoded:
                from urllib.parse import unquote  # percent escapes, as octets (latin-1)

                text = unquote(text, encoding="latin-1")
                extended = True
            texts.append(text)
        joined = _quote("".join(texts))
        if extended:
            split = joined.split("'", 2)
            if len(split) <= 2:
                out.append((key, (None, None, f'"{joined}"')))
            else:
                out.append((key, (split[0], split[1], f'"{split[2]}"')))
        else:
            out.append((key, f'"{joined}"'))
    return out


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _unquote(text: str) -> str:
    """email.utils.unquote: one pair of double quotes (with their escapes) or angle brackets removed."""
    if len(text) > 1:
        if text.startswith('"') and text.endswith('"'):
            return text[1:-1].replace("\\\\", "\\").replace('\\"', '"')
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
    return text
