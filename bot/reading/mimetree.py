"""Whole messages into the stdlib's compat32 message tree, slicing bodies instead of stepping lines.

`email.message_from_bytes(raw, policy=compat32)` reads a message one line at a time through a
generator, which is most of normalize's cost. `message_from_bytes` here builds the same tree
(the same headers, payloads, preambles and epilogues, in `email.message.Message` objects) by
finding header ends and boundary lines with `str.find` and regular expressions and slicing what
lies between. It follows FeedParser's rules for well-formed input: header blocks end at a blank
line or at the first line that is not a field (that line starts the body); a part ends at the
next boundary line of any enclosing multipart (each multipart only looks inside its own part);
the line break before a boundary belongs to the boundary; delivery-status parts are blocks of
fields between blank lines; message/* parts hold one message; a multipart without boundary
parameter or first separator keeps its body as payload. What it does not cover — a lone CR, a
misplaced `From ` line, a field without a name, a boundary line with over-long blanks — is left
to the stdlib parser. tests/test_mimetree.py compares both trees on the corpus and on random
messages.
"""

from __future__ import annotations

import email
from email.message import Message as EmailMessage  # compat32 is the default policy of both

from bot.limits import MAX_PAYLOAD_BYTES
from bot.reading.lazyre import lazy

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


class _Irregular(Exception):
    """Input outside the well-formed cases: the stdlib parser reads it."""


def message_from_bytes(raw: bytes) -> EmailMessage:
    """What `email.message_from_bytes(raw, policy=compat32)` returns, built faster when raw is well formed.

    A payload, preamble or epilogue longer than MAX_PAYLOAD_BYTES is cut there (at a line
    break): nothing reads further into one part (normalize keeps MAX_PART_CHARS of its text),
    and a 10 MB attachment is not copied whole into the tree.
    """
    if b"\r" not in raw:
        try:
            return _Reader(raw).message(0, len(raw))[0]
        except _Irregular:
            pass
    return email.message_from_string(_text(raw))  # compat32, the default (email.policy costs 5 ms to import)


def _text(raw: bytes) -> str:
    return raw.decode("ascii", "surrogateescape")  # as BytesParser decodes


def _cut(raw: bytes, start: int, end: int) -> str:
    """raw[start:end] as text, at most MAX_PAYLOAD_BYTES of it, cut after a line break when one is near."""
    if end - start > MAX_PAYLOAD_BYTES:
        stop = start + MAX_PAYLOAD_BYTES
        newline = raw.rfind(b"\n", stop - 4096, stop)
        end = newline + 1 if newline >= 0 else stop
    return _text(raw[start:end])


class _Reader:
    """One message's text and the rules that cut it into parts (regions start at a line start)."""

    def __init__(self, text: bytes) -> None:
        self.text = text  # bytes, sliced and decoded piece by piece: never one whole str

    def message(
        self, start: int, end: int, default_type: str = "text/plain"
    ) -> tuple[EmailMessage, EmailMessage]:
        """The message in text[start:end], and the last message made reading it (FeedParser's `_last`)."""
        msg = EmailMessage()
        if default_type != "text/plain":
            msg.set_default_type(default_type)
        body = self.headers(msg, start, end)
        ctype = msg.get_content_type()
        if ctype == _DELIVERY_STATUS:
            return msg, self.status_blocks(msg, body, end)
        maintype = ctype.split("/")[0]  # get_content_maintype(), without reading the fields again
        if maintype == "message":
            inner, last = self.message(body, end)
            msg.attach(inner)
            return msg, last
        if maintype == "multipart":
            self.multipart(msg, body, end, digest=ctype == "multipart/digest")
            return msg, msg
        msg.set_payload(_cut(self.text, body, end))
        return msg, msg

    def headers(self, msg: EmailMessage, start: int, end: int) -> int:
        """Read the header block at start into msg; where its body starts.

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
            return body
        block = _text(text[start : stop - 1] if text[stop - 1] == _NL else text[start:stop])
        if block.startswith("From "):
            envelope, _, block = block.partition("\n")
            msg.set_unixfrom(envelope)
            if not block:
                return body
        if block[0] in " \t:" or block.startswith("From ") or "\nFrom " in block or "\n:" in block:
            # A continuation line without a field, a misplaced envelope line, a field without a name.
            raise _Irregular
        for field in _FIELD_BREAK.split(block):  # a str pattern: the block is text by now
            name, _, value = field.partition(":")
            # compat32's header_source_parse: the value after the colon, blanks before it dropped.
            msg.set_raw(name, value.lstrip(" \t"))
        return body

    def multipart(self, msg: EmailMessage, start: int, end: int, *, digest: bool) -> None:
        """The parts between boundary lines, with preamble and epilogue, as FeedParser reads them.

        Without a boundary parameter, or without a first separator line, the body is the payload
        (with an empty epilogue in the latter case). Boundary lines right after a separator are
        skipped; a part runs to the next boundary line; after the close line all is epilogue;
        without a close line the last part runs to the end and there is no epilogue.
        """
        text = self.text
        boundary = msg.get_boundary()
        if boundary is None:
            msg.set_payload(_cut(text, start, end))
            return
        try:
            separator = ("--" + boundary).encode("ascii", "surrogateescape")
        except UnicodeEncodeError:  # an RFC 2231 boundary beyond ASCII
            raise _Irregular from None
        lines = self.boundary_lines(separator, start, end)
        if not lines or lines[0][2]:
            msg.set_payload(_cut(text, start, lines[0][0] if lines else end))
            msg.epilogue = ""
            return
        if lines[0][0] > start:
            msg.preamble = _cut(text, start, lines[0][0] - 1)  # the line break before a boundary is its own
        i = 0
        while True:
            while i + 1 < len(lines) and lines[i + 1][0] == lines[i][1]:
                i += 1  # boundary lines in a row: no part between them
            part_start = lines[i][1]
            i += 1
            part_end = lines[i][0] if i < len(lines) else end
            part, last = self.message(part_start, part_end, "message/rfc822" if digest else "text/plain")
            msg.attach(part)
            _drop_final_line_break(last)
            if i == len(lines):
                return  # no close line
            if lines[i][2]:
                msg.epilogue = _cut(text, lines[i][1], end)  # "" when the close line ends the text
                return

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

    def status_blocks(self, msg: EmailMessage, start: int, end: int) -> EmailMessage:
        """A delivery-status part: a message per block of fields between blank lines; the last one."""
        text = self.text
        at = start
        while True:
            if at < end and text[at] == _NL:
                stop = at  # a blank line right away: an empty block
            else:
                found = text.find(b"\n\n", at, end)
                stop = found + 1 if found >= 0 else end
            block = EmailMessage()
            body = self.headers(block, at, stop)
            if block.get_content_maintype() in ("multipart", "message"):
                raise _Irregular
            block.set_payload(_cut(text, body, stop))
            msg.attach(block)
            at = stop + 1  # past the blank line that ended the block
            if stop >= end or at >= end:
                return block


def _drop_final_line_break(last: EmailMessage) -> None:
    """The line break before a boundary belongs to the boundary, not to the part before it."""
    if last.get_content_maintype() == "multipart":
        if last.epilogue == "":
            last.epilogue = None
        elif last.epilogue is not None and last.epilogue.endswith("\n"):
            last.epilogue = last.epilogue[:-1]
        return
    payload = last._payload  # FeedParser trims this very attribute
    if isinstance(payload, str) and payload.endswith("\n"):
        last._payload = payload[:-1]
