"""Whole messages into a tree of MimeNode: fields and payload bytes, cut by slicing, not line by line.

Written by hand instead of the stdlib's `email` parser and Message objects: over the corpus,
warm, those and the slicing reader that fed them were 16% of each message's profiled time (email
package 10%: Message.get, get_param, get_content_type, feedparser), and importing them cost each
process 8-12 ms; with this reader normalize's warm pass over the 417 corpus files took 72 ms of
CPU instead of 120 ms (benchmarks/throughput_history.md has the whole-process figures). This
reader builds the tree compat32's FeedParser builds — the same fields, the same payload bytes —
and bot.reading.mimefields reads fields as `Message.get`/`get_param` do. It finds header ends
and boundary lines with `bytes.find` and regular expressions and slices what lies between,
following FeedParser's rules for well-formed input: header blocks end at a blank line or at the
first line that is not a field (that line starts the body); a part ends at the next boundary
line of any enclosing multipart (each multipart only looks inside its own part); the line break
before a boundary belongs to the boundary; delivery-status parts are blocks of fields between
blank lines; message/* parts hold one message; a multipart without boundary parameter or first
separator keeps its body as payload. What it does not cover — a lone CR, a misplaced `From `
line, a field without a name, a boundary line with over-long blanks, a boundary beyond ASCII —
goes to the stdlib parser (imported then only), whose tree is copied into MimeNodes.
tests/test_mimetree_equivalence.py compares the normalized messages of both.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.limits import MAX_PAYLOAD_BYTES
from bot.reading import mimefields
from bot.reading.lazyre import lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from email.message import Message as EmailMessage

_NL = ord("\n")

# A header line as FeedParser's headerRE sees it: an envelope line, a continuation, a field name
# and colon (names bounded: a longer one is left to the stdlib).
_FIELD_START = lazy(rb"From |[\t ]|[\041-\071\073-\176]{0,998}:")
# The line break before the first line that is no continuation or field (or before the end).
_FIELDS_END = lazy(rb"\n(?![\t ]|[\041-\071\073-\176]{0,998}:)")
# What follows "--" + boundary on a boundary line (FeedParser's boundaryre after the separator).
_BOUNDARY_REST = lazy(rb"(?P<end>--)?[ \t]{0,998}\n?\Z")
_FIELD_BREAK = lazy(r"\n(?![ \t])")  # a line break not followed by a continuation line
_DELIVERY_STATUS = "message/delivery-status"


@dataclass(frozen=True, slots=True)
class MimeNode:
    """One message or part: its raw fields, its content type, and payload bytes or sub-nodes."""

    fields: mimefields.Fields
    content_type: str
    payload: bytes | tuple[MimeNode, ...]

    def get(self, name: str) -> str | None:
        """The first field called name (lower case), as `str(Message.get(name))`."""
        return mimefields.get(self.fields, name)

    def decoded(self) -> bytes | None:
        """`Message.get_payload(decode=True)`: the payload undone from its transfer encoding."""
        if isinstance(self.payload, tuple):
            return None
        return decode_payload(self.payload, (self.get("content-transfer-encoding") or "").lower())


def decode_payload(raw: bytes, cte: str) -> bytes:
    """Base64, quoted-printable or uuencode undone as compat32 does (bad base64 fixed or kept)."""
    if cte == "quoted-printable":
        import quopri

        return quopri.decodestring(raw)
    if cte == "base64":
        import base64
        import binascii

        encoded = b"".join(raw.splitlines())
        pad_err = len(encoded) % 4  # email._encoded_words.decode_b, defects aside
        try:
            return base64.b64decode(encoded + (b"==="[: 4 - pad_err] if pad_err else b""), validate=True)
        except binascii.Error:
            pass
        for tail in (b"", b"=="):
            try:
                return base64.b64decode(encoded + tail, validate=False)
            except binascii.Error:
                continue
        return encoded
    if cte in ("x-uuencode", "uuencode", "uue", "x-uue"):
        from email.message import _decode_uu  # a uuencoded bounce is rare: the stdlib's reader is used

        try:
            return _decode_uu(raw)
        except ValueError:
            return raw
    return raw


class _Irregular(Exception):
    """Input outside the well-formed cases: the stdlib parser reads it."""


def message_from_bytes(raw: bytes) -> MimeNode:
    """The tree `email.message_from_bytes(raw, policy=compat32)` makes, as MimeNodes.

    A payload longer than MAX_PAYLOAD_BYTES is cut there (at a line break): nothing reads
    further into one part (normalize keeps MAX_PART_CHARS of its text), and a 10 MB attachment
    is not copied whole into the tree.
    """
    if b"\r" not in raw:
        try:
            return _Reader(raw).message(0, len(raw), "text/plain", trim=False)
        except _Irregular:
            pass
    import email  # compat32, the default (email.policy costs 5 ms to import)

    return _copied(email.message_from_string(raw.decode("ascii", "surrogateescape")))


def _copied(msg: EmailMessage) -> MimeNode:
    """A stdlib message tree as MimeNodes."""
    payload = msg._payload  # compat32 keeps a list of messages or a str of surrogate-escaped bytes
    body = (
        tuple(_copied(sub) for sub in payload)
        if isinstance(payload, list)
        else (payload or "").encode("ascii", "surrogateescape")
    )
    return MimeNode(tuple(msg._headers), msg.get_content_type(), body)


def _text(raw: bytes) -> str:
    return raw.decode("ascii", "surrogateescape")  # as BytesParser decodes


def _cut(raw: bytes, start: int, end: int, *, trim: bool) -> bytes:
    """raw[start:end], at most MAX_PAYLOAD_BYTES of it (cut after a line break when one is near).

    With trim, a final line break is dropped: it belongs to the boundary line that follows.
    """
    if end - start > MAX_PAYLOAD_BYTES:
        stop = start + MAX_PAYLOAD_BYTES
        newline = raw.rfind(b"\n", stop - 4096, stop)
        end = newline + 1 if newline >= 0 else stop
    if trim and end > start and raw[end - 1] == _NL:
        end -= 1
    return raw[start:end]


class _Reader:
    """One message's bytes and the rules that cut them into parts (regions start at a line start)."""

    def __init__(self, text: bytes) -> None:
        self.text = text  # bytes, sliced piece by piece: never one whole str

    def message(self, start: int, end: int, default_type: str, *, trim: bool) -> MimeNode:
        """The message in text[start:end]; with trim, its last leaf loses a final line break (a boundary follows)."""
        fields, body = self.headers(start, end)
        ctype = mimefields.content_type(fields, default_type)
        if ctype == _DELIVERY_STATUS:
            return MimeNode(fields, ctype, self.status_blocks(body, end, trim=trim))
        maintype = ctype.split("/")[0]
        if maintype == "message":
            return MimeNode(fields, ctype, (self.message(body, end, "text/plain", trim=trim),))
        if maintype == "multipart":
            return MimeNode(
                fields, ctype, self.multipart(fields, body, end, digest=ctype == "multipart/digest")
            )
        return MimeNode(fields, ctype, _cut(self.text, body, end, trim=trim))

    def headers(self, start: int, end: int) -> tuple[mimefields.Fields, int]:
        """The fields of the header block at start, and where its body starts.

        The block ends at a blank line (dropped) or at the first line that is not a field, which
        starts the body.
        """
        text = self.text
        stop = start
        if text.startswith(b"From ", start, end):  # the envelope line
            newline = text.find(b"\n", start, end)
            stop = end if newline < 0 else newline + 1
        if stop < end and _FIELD_START.match(text, stop, end) and not text.startswith(b"From ", stop, end):
            found = _FIELDS_END.search(text, stop, end)
            stop = found.end() if found else end
        if stop == end:
            body = end
        elif text[stop] == _NL:
            body = stop + 1
        else:
            line_end = text.find(b"\n", stop, end)
            if (
                _FIELD_START.match(text, stop, end)
                or text.find(b":", stop, end if line_end < 0 else line_end) - stop > 998
            ):
                raise _Irregular  # a misplaced envelope line, or a field name past the bound
            body = stop
        if stop == start:
            return (), body
        block = _text(text[start : stop - 1] if text[stop - 1] == _NL else text[start:stop])
        if block.startswith("From "):
            block = block.partition("\n")[2]
            if not block:
                return (), body
        if block[0] in " \t:" or block.startswith("From ") or "\nFrom " in block or "\n:" in block:
            # A continuation line without a field, a misplaced envelope line, a field without a name.
            raise _Irregular
        fields = []
        for field in _FIELD_BREAK.split(block):  # a str pattern: the block is text by now
            name, _, value = field.partition(":")
            # compat32's header_source_parse: the value after the colon, blanks before it dropped.
            fields.append((name, value.lstrip(" \t")))
        return tuple(fields), body

    def multipart(
        self, fields: mimefields.Fields, start: int, end: int, *, digest: bool
    ) -> bytes | tuple[MimeNode, ...]:
        """The parts between boundary lines, as FeedParser reads them (preamble and epilogue unread).

        Without a boundary parameter, or without a first separator line, the body is the payload.
        Boundary lines right after a separator are skipped; a part runs to the next boundary
        line; after the close line all is epilogue; without a close line the last part runs to
        the end.
        """
        text = self.text
        boundary = mimefields.boundary(fields)
        if boundary is None:
            return _cut(text, start, end, trim=False)
        try:
            separator = ("--" + boundary).encode("ascii", "surrogateescape")
        except UnicodeEncodeError:  # an RFC 2231 boundary beyond ASCII
            raise _Irregular from None
        lines = self.boundary_lines(separator, start, end)
        if not lines or lines[0][2]:
            return _cut(text, start, lines[0][0] if lines else end, trim=False)
        parts = []
        i = 0
        while True:
            while i + 1 < len(lines) and lines[i + 1][0] == lines[i][1]:
                i += 1  # boundary lines in a row: no part between them
            part_start = lines[i][1]
            i += 1
            part_end = lines[i][0] if i < len(lines) else end
            # FeedParser drops the final line break of each part's last message, close line or not.
            parts.append(
                self.message(part_start, part_end, "message/rfc822" if digest else "text/plain", trim=True)
            )
            if i == len(lines) or lines[i][2]:
                return tuple(parts)

    def boundary_lines(self, separator: bytes, start: int, end: int) -> list[tuple[int, int, bool]]:
        """(line start, line end, is the close line) of each boundary line in text[start:end]."""
        text = self.text
        found: list[tuple[int, int, bool]] = []
        at = start
        while at < end:
            if not text.startswith(separator, at, end):
                at = text.find(b"\n" + separator, at, end) + 1
                if at <= 0:
                    break
                continue
            line_end = text.find(b"\n", at, end)
            line_end = end if line_end < 0 else line_end + 1
            rest = _BOUNDARY_REST.match(text, at + len(separator), line_end)
            if rest is not None:
                found.append((at, line_end, rest.group("end") is not None))
            elif not text[at + len(separator) : line_end].rstrip(b"\n").lstrip(b"-").strip(b" \t"):
                raise _Irregular  # blanks beyond the bound, or more dashes: let the stdlib judge
            at = line_end
        return found

    def status_blocks(self, start: int, end: int, *, trim: bool) -> tuple[MimeNode, ...]:
        """A delivery-status part: a node per block of fields between blank lines (trim: of the last)."""
        text = self.text
        blocks = []
        at = start
        while True:
            if at < end and text[at] == _NL:
                stop = at  # a blank line right away: an empty block
            else:
                found = text.find(b"\n\n", at, end)
                stop = found + 1 if found >= 0 else end
            fields, body = self.headers(at, stop)
            ctype = mimefields.content_type(fields, "text/plain")
            if ctype.split("/")[0] in ("multipart", "message"):
                raise _Irregular
            at = stop + 1  # past the blank line that ended the block
            last = stop >= end or at >= end
            blocks.append(MimeNode(fields, ctype, _cut(text, body, stop, trim=trim and last)))
            if last:
                return tuple(blocks)
