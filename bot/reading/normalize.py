"""Text in, Message out: whole RFC 5322/MIME messages in any charset, or pasted fragments.

Pasted text is what a mail client or Slack shows: no headers, Slack's escaping (`&lt;`,
`<mailto:a|a>`), CRLF, `>` quoting, and sometimes the raw MIME of a report pasted without its
top headers. Everything ends as decoded parts; parsers never see transfer encodings.
"""

from __future__ import annotations

import itertools
import quopri
import re
import unicodedata

from bot.errors import BinaryInput, EmptyInput, InputTooLarge
from bot.limits import (
    MAX_INPUT_BYTES,
    MAX_LINE_CHARS,
    MAX_PART_CHARS,
    MAX_PASTE_BYTES,
    MAX_PAYLOAD_BYTES,
    MAX_TEXT_CHARS,
)
from bot.models import Message, Part
from bot.reading.bulk import cut_base64_runs, paste_head
from bot.reading.charsets import decode_bytes, decode_header_value, decode_jis_runs
from bot.reading.lazyre import lazy
from bot.reading.markup import has_escaped_html, html_blocks_to_text, html_to_text, unescape
from bot.reading.mimefields import charset, has_raw_bytes
from bot.reading.utf16 import to_utf8

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:  # mimetree is imported only for whole messages
    from bot.reading.mimetree import MimeNode

# Header names that mark the start of a whole message (or of an mbox "From " line).
_HEADER_START = lazy(
    rb"\A(?:From [^\r\n]{1,300}\r?\n)?(?:[!-9;-~]{1,60}:[^\r\n]{0,2000}\r?\n(?:[ \t][^\r\n]{0,2000}\r?\n){0,50}){2}"
)
_KNOWN_HEADERS = lazy(
    rb"^(?:received|return-path|from|to|subject|date|message-id|mime-version|content-type|delivered-to|x-[a-z0-9-]{1,40}):",
    re.IGNORECASE | re.MULTILINE,
)
_SLACK_LINK = lazy(r"<(?:mailto:|https?://|tel:)?([^<>|\n]{1,500})\|([^<>\n]{1,500})>")
_SLACK_BARE = lazy(r"<(?:mailto:|https?://)([^<>|\n]{1,500})>")
_QUOTE = lazy(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)
_QUOTED_SHARE = 0.6  # a paste is a quoted mail when this share of its non-blank lines start with ">"
_CODE_MARK = lazy(r"`{1,3}")
_SURROGATE = lazy("[\ud800-\udfff]")
_INVISIBLE = lazy("[\u200b\u200c\u200d\u2060\ufeff]")  # zero-width characters web pages and chats add
_QP_SOFT = lazy(r"=\n")
# CRs before a line feed: one line end, as a reader sees it (the stdlib read "\r\r\n" as two, a
# blank line that could end a header block, and it read such a message with its slower parser).
_CR_RUN = lazy(rb"\r{1,100}\n")
_QP_ESCAPE = lazy(r"=[0-9A-F]{2}")
_BOUNDARY_LINE = lazy(r"^--[^\s]{6,200}$", re.MULTILINE)
# A pasted part's fields: its type and its transfer encoding.
_PART_TYPE = lazy(r"content-type:\s{0,5}([\w.+-]{1,60}/[\w.+-]{1,60})", re.IGNORECASE)
_PART_BASE64 = lazy(r"content-transfer-encoding:\s{0,5}base64", re.IGNORECASE)
_PART_QP = lazy(r"content-transfer-encoding:\s{0,5}quoted-printable", re.IGNORECASE)
_PART_HEADER = lazy(
    r"\A(?:Content-[A-Za-z-]{1,40}:[^\n]{0,500}\n(?:[ \t][^\n]{0,500}\n){0,5}){1,6}\n", re.IGNORECASE
)


def normalize(data: bytes | str) -> Message:
    """Decode any bounce text (whole message or pasted fragment) into a Message."""
    if isinstance(data, str) and not data.isascii():
        # A lone surrogate (JSON's "\ud800" in a Slack event) is no character: it cannot be encoded.
        data = _SURROGATE.sub("\ufffd", data)
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else to_utf8(data, max_chars=_UTF16_CHARS)
    data = raw if isinstance(data, bytes) else data
    if len(raw) > MAX_INPUT_BYTES:
        raise InputTooLarge(len(raw))
    if not raw or raw.isspace():  # raw.strip() would copy a 10 MB input to look at its ends
        raise EmptyInput()
    if _looks_binary(raw[:65536]):
        raise BinaryInput()
    if isinstance(data, bytes) and _looks_whole(raw):
        from bot.reading.mimetree import message_from_bytes

        if b"\r\n" in raw:  # the replace copies the message: its attachment is cut first
            raw = cut_base64_runs(raw, keep=MAX_PAYLOAD_BYTES).replace(b"\r\n", b"\n")
            if b"\r\n" in raw:  # CR CR LF, from a message whose line ends were converted twice
                raw = _CR_RUN.sub(b"\n", raw)
        return _from_email(message_from_bytes(raw))
    if isinstance(data, str):
        del raw  # only the text is read on: its encoded copy need not live on beside it
        return _from_paste(data[:MAX_PASTE_BYTES])
    return _from_paste(decode_bytes(paste_head(raw)))


# C0 controls that text never carries (tab, line ends and ESC for ISO-2022-JP are fine).
_CONTROLS = bytes(b for b in range(32) if b < 9 or 13 < b < 27 or 27 < b < 32)


def _looks_binary(head: bytes) -> bool:
    # A stray NUL or form feed happens in real bounces; a binary file has them by the hundred.
    # Counted by what translate() deletes: one C-level pass instead of a Python loop per byte.
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return controls > len(head) // 100 + 2


_UTF16_CHARS = 2 * MAX_PASTE_BYTES  # of a UTF-16/32 file converted: more than a paste reads, bounded
_WHOLE_HEAD = 16384  # characters of a paste that _looks_whole needs (it reads 8 KiB after blank lines)


def _looks_whole(raw: bytes) -> bool:
    head = raw[:8192].lstrip(b"\r\n")
    if not _HEADER_START.match(head):
        return False
    # Two known header names are enough: stop at the second instead of listing all of them.
    return next(itertools.islice(_KNOWN_HEADERS.finditer(head[:8192]), 1, None), None) is not None


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # no-break and zero-width spaces are never ASCII
        text = _INVISIBLE.sub("", text.replace("\u00a0", " "))
        # Full-width letters, digits and punctuation (a retyped 「ｔａｎａｋａ＠ｅｘａｍｐｌｅ．ｊｐ」,
        # 「５５０ ５．１．１」, 「：」「（」) become ASCII before any layout pattern reads them.
        text = unicodedata.normalize("NFKC", text)
    if "\x1b" in text:
        text = decode_jis_runs(text)
    if len(text) > MAX_PART_CHARS:
        text = text[:MAX_PART_CHARS]
    if len(text) <= MAX_LINE_CHARS:  # most parts: no line can be too long
        return text
    lines = text.split("\n")
    if max(map(len, lines)) <= MAX_LINE_CHARS:
        return text
    return "\n".join(line[:MAX_LINE_CHARS] for line in lines)


def _from_email(root: MimeNode, depth: int = 0) -> Message:
    headers = tuple((k.lower(), _header_text(v)) for k, v in root.fields)
    parts: list[Part] = []
    forwarded: list[MimeNode] = []
    _walk(root, parts, forwarded, depth=depth)
    inner = tuple(_from_email(m, depth + 1) for m in forwarded[:_MAX_FORWARDED])
    return Message(headers=headers, parts=_bounded(parts), whole=True, forwarded=inner)


def _header_text(value: str) -> str:
    """A field's raw value as text (decode_header_value); most values are plain ASCII: one split."""
    if value.isascii() and "=?" not in value and "\x1b" not in value:
        return " ".join(value.split())
    return decode_header_value(_raw_value(value))


def _raw_value(value: str) -> str:
    """A field's value with its raw 8-bit bytes decoded as a body's are (UTF-8, CP932, EUC-JP).

    compat32 handed such a value over as an unknown-8bit Header, whose bytes were decoded so.
    """
    return decode_bytes(value.encode("ascii", "surrogateescape")) if has_raw_bytes(value) else value


_MAX_FORWARDED = 3  # delivery reports read inside one message: a desk forwards one, rarely a few
_REPORT_TYPES = ("multipart/report", "message/delivery-status", "message/global-delivery-status")


def _is_report(node: MimeNode) -> bool:
    """An attached message that is itself a delivery report (not the original a bounce returns)."""
    if node.content_type in _REPORT_TYPES:
        return True
    sender = (node.get("from") or "").lower()
    return any(s in sender for s in ("mailer-daemon", "postmaster", "mail delivery"))


def _bounded(parts: list[Part]) -> tuple[Part, ...]:
    """The parts in order, cut where their text reaches MAX_TEXT_CHARS together (work stays bounded)."""
    out: list[Part] = []
    room = MAX_TEXT_CHARS
    for part in parts:
        if room <= 0:
            break
        out.append(part if len(part.text) <= room else Part(part.content_type, part.text[:room]))
        room -= len(part.text)
    return tuple(out)


def _walk(node: MimeNode, parts: list[Part], forwarded: list[MimeNode], depth: int) -> None:
    ctype = node.content_type
    maintype = ctype.split("/")[0]
    if depth > 8:
        return
    payload = node.payload
    if ctype in ("message/delivery-status", "message/global-delivery-status", "message/feedback-report"):
        parts.append(Part(ctype, _clean(_status_text(node))))
    elif ctype in ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers"):
        parts.append(Part(ctype, _clean(_attached_headers(node))))
        if isinstance(payload, tuple) and payload and _is_report(payload[0]):
            forwarded.append(payload[0])
    elif isinstance(payload, tuple):
        for sub in payload:
            _walk(sub, parts, forwarded, depth + 1)
    elif maintype == "multipart":
        # A multipart whose boundary was lost (a header line wrapped without indent): its
        # body is raw MIME, read the way a pasted fragment is.
        body = decode_bytes(node.decoded() or b"", charset(node.fields))
        parts.extend(_paste_parts(body.replace("\r\n", "\n")))
    elif maintype == "text" or (ctype == "application/octet-stream" and depth == 0):
        text = decode_bytes(node.decoded() or b"", charset(node.fields))
        if ctype == "text/html":
            text = html_to_text(text)
        parts.append(Part(ctype, _clean(text)))


def _fields_text(node: MimeNode) -> str:
    """A node's fields as header-block text, values decoded."""
    return "\n".join(f"{k}: {_header_text(v)}" for k, v in node.fields)


def _status_text(node: MimeNode) -> str:
    """A delivery-status part as header-block text, whatever the reader made of it."""
    if isinstance(node.payload, tuple):
        return "\n\n".join(_fields_text(sub) for sub in node.payload)
    return decode_bytes(node.decoded() or b"", charset(node.fields))


def _attached_headers(node: MimeNode) -> str:
    """Only the headers of an attached original: its body is not the bounce."""
    if isinstance(node.payload, tuple) and node.payload:
        return _fields_text(node.payload[0])
    text = decode_bytes(node.decoded() or b"", charset(node.fields))
    return text.split("\n\n", 1)[0] if "\n\n" in text.replace("\r\n", "\n") else text


def _from_paste(text: str) -> Message:
    """A pasted fragment: undo Slack's and the mail client's changes, then find MIME remnants."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CODE_MARK.sub("", text)  # Slack's ``` blocks and `inline code` around the pasted lines
    text = _SLACK_LINK.sub(lambda m: m.group(2), text)
    text = _SLACK_BARE.sub(lambda m: m.group(1), text)
    if has_escaped_html(text):
        text = unescape(text)  # Slack escaped an HTML source: undo that first, the markup's own entities stay
    text = html_blocks_to_text(text)  # a web mail's HTML part pasted raw
    text = unescape(text)
    text = _unquote(text)
    if _QP_SOFT.search(text) and len(_QP_ESCAPE.findall(text)) >= 3:
        text = decode_bytes(quopri.decodestring(text.encode("utf-8", "surrogateescape")))
    # The head decides: a big paste is encoded again only when it is raw MIME.
    if _looks_whole(text[:_WHOLE_HEAD].encode("utf-8", "surrogateescape")):
        from bot.reading.mimetree import message_from_bytes

        msg = _from_email(message_from_bytes(text.encode("utf-8", "surrogateescape")))
        if msg.parts and any(p.text.strip() for p in msg.parts):
            return msg
    return Message(headers=(), parts=_bounded(_paste_parts(text)), whole=False)


def _unquote(text: str) -> str:
    """Remove `>` quoting level by level while most lines carry it.

    Only whole quoted pastes lose a level: sendmail's `>>> RCPT To:<a>` transcript lines in an
    unquoted bounce are the bounce's own text and stay.
    """
    for _ in range(10):
        lines, quoted = _quoted_lines(text)
        if not lines or quoted < lines * _QUOTED_SHARE:
            break
        text = _QUOTE.sub("", text)
    return text


def _quoted_lines(text: str) -> tuple[int, int]:
    """How many lines are not blank, and how many of them are quoted.

    Counted line by line without a list of them: the list of a 10 MB paste's lines took twice
    the paste's size.
    """
    lines = quoted = start = 0
    end_of_text = len(text)
    while start <= end_of_text:
        end = text.find("\n", start)
        end = end_of_text if end < 0 else end
        line = text[start:end]
        if line.strip():
            lines += 1
            quoted += 1 if _QUOTE.match(line) else 0
        start = end + 1
    return lines, quoted


def _paste_parts(text: str) -> list[Part]:
    """Split pasted raw MIME at its boundary lines; each chunk with Content-* headers is a part."""
    chunks = _BOUNDARY_LINE.split(text) if _BOUNDARY_LINE.search(text) else [text]
    parts: list[Part] = []
    for chunk in chunks:
        body = chunk.lstrip("\n")
        head = _PART_HEADER.match(body)
        ctype = "text/plain"
        if head:
            block = head.group(0)
            found = _PART_TYPE.search(block)
            ctype = found.group(1).lower() if found else ctype
            body = body[head.end() :]
            if _PART_BASE64.search(block):
                body = _maybe_base64(body)
            elif _PART_QP.search(block):
                body = decode_bytes(quopri.decodestring(body.encode("utf-8", "surrogateescape")))
        if body.strip():
            parts.append(Part(ctype, _clean(body)))
    return parts or [Part("text/plain", _clean(text))]


def _maybe_base64(body: str) -> str:
    import base64
    import binascii

    try:
        return decode_bytes(base64.b64decode("".join(body.split()), validate=False))
    except (binascii.Error, ValueError):
        return body
