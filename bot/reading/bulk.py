"""The bulk of a big message, cut before the message is copied: runs of base64 lines over a bound.

A 10 MB bounce is nearly always a returned attachment in base64. Where the whole message must
be copied before it is read (CRLF line ends turned into LF), each run of base64 lines longer
than MAX_PAYLOAD_BYTES is cut to its first MAX_PAYLOAD_BYTES first: mimetree would cut that
payload there anyway, and the copy is then the size of the report, not of the attachment.
Boundary and header lines are never base64 lines (`-`, `:` and blanks are not in its alphabet),
so the message's structure is untouched. A paste (no MIME headers) is read from its head only
(``paste_head``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.limits import MAX_PASTE_BYTES
from bot.reading.lazyre import lazy

# Up to 1,000 lines of 40-100 base64 characters (MIME writes 76), each ending in LF or CRLF.
# Bounded: sre keeps a little state per repetition of a group, so `(...)+` over a 10 MB run
# took more memory than the copy it was to spare; longer runs are matches that touch.
_BASE64_LINES = lazy(rb"^(?:[A-Za-z0-9+/]{40,100}={0,2}\r?\n){1,1000}", re.MULTILINE)


def cut_base64_runs(raw: bytes, *, keep: int) -> bytes:
    """raw with every run of base64 lines longer than `keep` bytes cut after its last line within `keep`."""
    pieces: list[bytes] = []
    kept = 0
    for start, end in _runs(raw):
        if end - start > keep:
            stop = raw.rfind(b"\n", start, start + keep) + 1
            pieces.append(raw[kept : stop if stop > start else start])
            kept = end
    if not pieces:
        return raw
    pieces.append(raw[kept:])
    return b"".join(pieces)


def _runs(raw: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of base64 lines: matches that follow one another are one run."""
    start = end = -1
    for m in _BASE64_LINES.finditer(raw):
        if m.start() != end:
            if end > start:
                yield start, end
            start = m.start()
        end = m.end()
    if end > start:
        yield start, end


def paste_head(raw: bytes) -> bytes:
    """The first MAX_PASTE_BYTES of a paste, cut at a line break (else between UTF-8 characters).

    No more of a paste is ever read (its parts keep MAX_TEXT_CHARS together), and a 10 MB paste
    decoded whole would be a str of 10-40 MB (2 or 4 bytes a character once one is Japanese).
    """
    if len(raw) <= MAX_PASTE_BYTES:
        return raw
    newline = raw.rfind(b"\n", MAX_PASTE_BYTES // 2, MAX_PASTE_BYTES)
    if newline >= 0:
        return raw[: newline + 1]
    end = MAX_PASTE_BYTES
    while end > MAX_PASTE_BYTES - 4 and 0x80 <= raw[end] < 0xC0:  # a UTF-8 continuation byte
        end -= 1
    return raw[:end]
