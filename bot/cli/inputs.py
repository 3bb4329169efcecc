"""What `mxcheck bounce` reads: files, directories (Maildir cur/new too), mbox files and stdin.

Paths expand lazily (``sources``): directories are walked and mboxes split as the batch goes,
so memory holds the messages in flight, not the whole mbox or its index (``count`` walks the
same paths without keeping anything, for the progress bar). Each source reads its bytes only
when asked, bounded by limits.MAX_INPUT_BYTES. A path named on the
command line is opened once: a pipe (`<(cat f)`, `/dev/stdin`) can be read only once, so it is
never stat-ed, sniffed and reopened. Inside a directory, anything but a regular file (a FIFO, a
socket, a device) is skipped with a note: opening a FIFO nobody writes to would wait forever.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from bot.errors import InputError, InputTooLarge
from bot.limits import MAX_INPUT_BYTES
from bot.reading.lazyre import lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import BinaryIO

MAX_MBOX_BYTES = 1024 * 1024 * 1024  # an mbox is many messages; each one is still bounded
MAX_SOURCES = 200_000  # files and messages in one run: beyond this, a run is a mistake
STDIN = "-"
_CHUNK = 1024 * 1024  # a pipe is read a MiB at a time
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)

# An mbox "From " separator line: "From sender Mon Jan  1 00:00:00 2024" (asctime date).
_FROM_LINE = lazy(rb"^From \S{1,300} {1,3}(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ", re.MULTILINE)
_HIDDEN_OK = ("cur", "new")  # Maildir++ folders are hidden directories holding these


class SkippedInput(InputError):
    """A directory entry that is not a regular file (FIFO, socket, device): skipped, not an error."""

    def __init__(self, path: str) -> None:
        super().__init__("special-file-skipped", path)
        self.path = path


class UnreadableInput(InputError):
    """A path that cannot be read: missing, a permission problem, not a regular file."""

    def __init__(self, path: str, why: str, *, missing: bool = False) -> None:
        super().__init__("no-such-path" if missing else "unreadable-input", f"{path}: {why}")
        self.path = path
        self.why = why


@dataclass(frozen=True, slots=True)
class Source:
    """One message to analyse: a display name and a way to get its bytes (raises InputError)."""

    name: str
    read: Callable[[], bytes]


def collect(paths: Sequence[str], *, stdin: BinaryIO) -> list[Source]:
    """Every message the paths name, in order: '-' (or no path) is standard input."""
    return list(sources(paths, stdin=stdin))


def sources(paths: Sequence[str], *, stdin: BinaryIO) -> Iterator[Source]:
    """The messages the paths name, in order, as they are found (at most MAX_SOURCES)."""
    n = 0
    for path in paths or [STDIN]:
        for source in _expand(path, stdin):
            yield source
            n += 1
            if n >= MAX_SOURCES:
                return


def count(paths: Sequence[str], *, stdin: BinaryIO) -> int:
    """How many sources `sources` will give; reads no stream (an mbox file is scanned, not kept)."""
    return sum(1 for _ in sources(paths, stdin=stdin))


def _expand(path: str, stdin: BinaryIO) -> Iterator[Source]:
    if path == STDIN:
        yield Source(STDIN, lambda: read_bounded(stdin))
        return
    try:
        mode = os.stat(path).st_mode  # a stat never reads: a pipe keeps its bytes
    except FileNotFoundError:
        yield Source(path, _fail(UnreadableInput(path, "", missing=True)))
        return
    except OSError as exc:
        yield Source(path, _fail(UnreadableInput(path, exc.strerror or type(exc).__name__)))
        return
    if stat.S_ISDIR(mode):
        yield from _directory(tidy(path))
    elif stat.S_ISREG(mode):
        yield from _file(tidy(path))
    else:  # a pipe, process substitution, /dev/stdin: read once, as one message
        yield Source(path, lambda: _read_once(path))


def tidy(path: str) -> str:
    """A path as pathlib writes it ("./a//b/" is "a/b"): the name shown for the inputs under it.

    By hand, without pathlib (4-6 ms of imports for every run); ".." stays, as a link may lie
    behind it, which os.path.normpath would not respect.
    """
    parts = [p for p in path.split("/") if p not in ("", ".")]
    lead = "/" if path.startswith("/") else ""
    return lead + "/".join(parts) if parts or lead else "."


def _fail(error: InputError) -> Callable[[], bytes]:
    def read() -> bytes:
        raise error

    return read


def _directory(root: str) -> Iterator[Source]:
    """Every file below a directory, sorted; a Maildir's tmp/ (mail being written) is skipped."""
    # followlinks=False: a link back up the tree must not loop.
    for here, dirs, files in os.walk(root, onerror=None, followlinks=False):
        is_maildir = "cur" in dirs and "new" in dirs
        dirs[:] = sorted(
            d
            for d in dirs
            if not (is_maildir and d == "tmp") and (not d.startswith(".") or _maildir_folder(here, d))
        )
        for name in sorted(files):
            if not name.startswith("."):
                yield from _file(os.path.join(here, name))


def _maildir_folder(here: str, name: str) -> bool:
    return all(os.path.isdir(os.path.join(here, name, sub)) for sub in _HIDDEN_OK)


def _read_once(path: str) -> bytes:
    """A stream the user named (a pipe, a device): opened once, read once, bounded."""
    try:
        with open(path, "rb") as fh:
            return read_bounded(fh)
    except OSError as exc:
        raise UnreadableInput(path, exc.strerror or type(exc).__name__) from None


def _file(path: str) -> Iterator[Source]:
    name = path
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            yield Source(name, _fail(SkippedInput(name)))
            return
        size = info.st_size
        mbox = _is_mbox(path)
    except OSError as exc:
        yield Source(name, _fail(UnreadableInput(name, exc.strerror or type(exc).__name__)))
        return
    if mbox:
        yield from _mbox(path, size)
    elif size > MAX_INPUT_BYTES:
        yield Source(name, _fail(InputTooLarge(size)))
    else:
        yield Source(name, lambda: _read_file(path))


def _read_file(path: str) -> bytes:
    """A file's bytes, read when its turn comes (a batch never holds every file at once).

    On the descriptor, without a file object: a batch reads hundreds of small files, and the
    buffered reader made for each took as long as the reading.
    """
    try:
        # O_NONBLOCK: should the file have become a FIFO since it was listed, the open does not wait.
        fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    except OSError as exc:
        raise UnreadableInput(path, exc.strerror or type(exc).__name__) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SkippedInput(path)
        return _bounded(functools.partial(os.read, fd), min(info.st_size, MAX_INPUT_BYTES) + 1)
    except OSError as exc:
        raise UnreadableInput(path, exc.strerror or type(exc).__name__) from None
    finally:
        os.close(fd)


def _is_mbox(path: str) -> bool:
    """An mbox starts with a From line and has another after a blank line; one .eml may start with one.

    mbox writers put a blank line before each separator; a From line glued to the text above it
    is part of a message (an unescaped copy of an original), not a second message.
    """
    fd = os.open(path, os.O_RDONLY | _NONBLOCK)  # most files are not: 5 bytes, no file object
    try:
        if os.read(fd, 5) != b"From ":
            return False
    finally:
        os.close(fd)
    with open(path, "rb") as fh:
        seen, blank = 0, True
        for line in fh:  # streamed: only files that start like an mbox get this scan
            if blank and line.startswith(b"From ") and _FROM_LINE.match(line[:400]):
                seen += 1
                if seen > 1:
                    return True
            blank = not line.strip()
    return False


def _mbox(path: str, size: int) -> Iterator[Source]:
    """An mbox's messages, split as Python's mailbox.mbox splits them, one at a time.

    Every line starting "From " begins a message; the blank line before it belongs to no message.
    mailbox.mbox indexes the whole file first (about 1 KB a message); this reads on as it goes,
    and each message is only where it lies in the file (read again when its turn comes): the
    messages a batch looks ahead at hold no bytes.
    """
    name = path
    if size > MAX_MBOX_BYTES:
        yield Source(name, _fail(InputTooLarge(size)))
        return
    n = 0
    try:
        with open(path, "rb") as fh:
            start: int | None = None  # None: before the first From line (mailbox skips it)
            at = 0
            blank_end = False  # the message's last line is blank (then it is no part of it)
            for line in fh:
                if line.startswith(b"From "):
                    if start is not None:
                        n += 1
                        yield _lying(path, f"{name}#{n}", start, at - blank_end)
                    start, blank_end = at + len(line), False
                else:
                    blank_end = line == b"\n"
                at += len(line)
            if start is not None:
                n += 1
                yield _lying(path, f"{name}#{n}", start, at - blank_end)
    except OSError as exc:
        yield Source(name if n == 0 else f"{name}#{n + 1}", _fail(UnreadableInput(name, exc.strerror or type(exc).__name__)))


def _lying(path: str, name: str, start: int, end: int) -> Source:
    """The message at path[start:end], read when asked, or InputTooLarge."""
    if end - start > MAX_INPUT_BYTES:
        return Source(name, _fail(InputTooLarge(end - start)))

    def read() -> bytes:
        try:
            with open(path, "rb") as fh:
                fh.seek(start)
                return fh.read(end - start)
        except OSError as exc:
            raise UnreadableInput(name, exc.strerror or type(exc).__name__) from None

    return Source(name, read)


def read_bounded(stream: BinaryIO) -> bytes:
    """A stream's bytes, refusing more than MAX_INPUT_BYTES without reading them all."""
    # A file's size sizes the first read: read(MAX_INPUT_BYTES + 1) reserved 10 MiB for every file.
    # A pipe is read by one read(MAX_INPUT_BYTES + 1): a buffered reader fills one buffer of that
    # size in place (pages never written are never resident) and shrinks it to what came, where
    # chunks joined at the end held the input twice (a 10 MB paste on stdin peaked 20 MB higher).
    try:
        info = os.fstat(stream.fileno())
        first = min(info.st_size, MAX_INPUT_BYTES) + 1 if stat.S_ISREG(info.st_mode) else MAX_INPUT_BYTES + 1
    except (OSError, AttributeError, ValueError):  # a BytesIO, a closed or odd stream
        first = _CHUNK
    return _bounded(stream.read, first)


def _bounded(read: Callable[[int], bytes], first: int) -> bytes:
    """What read(n) gives until it gives nothing, `first` bytes asked first, then _CHUNK at a time;
    InputTooLarge past MAX_INPUT_BYTES (never more than one byte past it is read)."""
    chunks: list[bytes] = []
    total = 0
    want = first
    while True:
        chunk = read(min(want, MAX_INPUT_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_INPUT_BYTES:
            raise InputTooLarge(total)
        want = _CHUNK
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
