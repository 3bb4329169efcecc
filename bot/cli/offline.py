"""`mxcheck bounce --no-dns`: decoding only, without asyncio or the DNS stack, on every core.

A big batch (POOL_OVER messages or more) is cut into chunks. This process lists the first
POOL_OVER inputs, imports the decoding stack and loads the knowledge, then forks its worker
processes before any message is decoded: the workers share what is loaded (done after the fork,
each process did it again, 50-60 ms more CPU for the same wall time), and every process warms
its own caches on its first chunk, side by side (forked after a first chunk decoded here, the
worker waited for it). A chunk goes to a worker while that worker has fewer than
AHEAD chunks waiting, else this process decodes it itself: on two cores one worker and this
process share the batch, and neither waits on the other. A worker renders its answers (JSON
lines or text) and sends back strings and the summary's counts, so this process only writes.
Answers are printed in input order, at most LIMIT chunks and IN_FLIGHT_BYTES of messages ahead
of the oldest one not yet back, and a chunk closes at CHUNK_BYTES, so memory holds what is in
flight and not the batch (60 files of 10 MB held for the workers once peaked at 876 MiB). Sources
are read in turn, when their chunk is made, never POOL_OVER ahead. A small batch, one core or a platform
without fork is decoded here, one message after another: the same `rendered(analyse(...))`, so
the output is the same either way. A worker that dies leaves its chunks to this process.

Written by hand on os.fork and pipes, not multiprocessing: its pool took ~12 ms to import and
three threads per run, as much as it saved on a corpus of a few hundred messages.
"""

from __future__ import annotations

import gc
import itertools
import os
import pickle
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from bot.cli import collector
from bot.cli.inputs import Source
from bot.cli.output import Options, Output, ReadFailure, Rendered, rendered
from bot.errors import InputError

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    import threading
    from typing import Any, BinaryIO

POOL_OVER = 64  # messages: below this, forking a worker costs more than it saves (benchmarks/pool.py)
CHUNK = 8  # messages per task: big enough to pay for the round trip, small enough to spread
AHEAD = 2  # chunks per worker, one in hand and one queued, before this process decodes one itself
# (one queued in the pipe is enough for the worker never to wait; more left this process waiting
# at the end of a batch for the worker's queue)
LIMIT = 16  # chunks in flight (decoded or not) ahead of the oldest unprinted one
CHUNK_BYTES = 2 * 1024 * 1024  # a chunk closes at this many bytes of messages, whatever their count
IN_FLIGHT_BYTES = 16 * 1024 * 1024  # bytes of messages held in chunks not yet printed, beyond one chunk

Item = tuple[str, bytes | InputError]  # a source's name and its bytes, or why they could not be had


def printed(found: Iterable[Source], out: Output, *, workers: int | None = None) -> None:
    """Decode each source without DNS and print its answer through `out`, in input order."""
    found = iter(found)
    head = list(itertools.islice(found, POOL_OVER))  # sources, not their bytes: each is read in turn
    cores = _cores() if workers is None else workers
    chunks = _chunks(_item(s) for s in itertools.chain(head, found))
    if len(head) < POOL_OVER or cores < 2 or not hasattr(os, "fork"):
        _here(chunks, out)
        return
    _pooled(chunks, out, cores - 1)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _item(source: Source) -> Item:
    try:
        return source.name, source.read()
    except InputError as exc:
        return source.name, exc


def _chunks(items: Iterator[Item]) -> Iterator[list[Item]]:
    """Chunks of CHUNK messages, or fewer once they hold CHUNK_BYTES."""
    chunk: list[Item] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += _size(item)
        if len(chunk) >= CHUNK or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _size(item: Item) -> int:
    return len(item[1]) if isinstance(item[1], bytes) else 0


def _render(item: Item, options: Options) -> Rendered:
    name, data = item
    if isinstance(data, InputError):
        return rendered(ReadFailure(name, data), options)
    return rendered(_analyse()(data, source=name), options)


_analyse_fn: Callable[..., Any] | None = None


def _preload() -> None:
    """Import the decoding stack and load the knowledge here, once, for every worker forked after."""
    _analyse()
    from bot.reading.knowledge import knowledge

    knowledge()


def _analyse() -> Callable[..., Any]:
    """bot.diagnose.analyse, imported when first needed (not for a batch of read failures alone)."""
    global _analyse_fn
    if _analyse_fn is None:
        from bot.diagnose import analyse

        _analyse_fn = analyse
    return _analyse_fn


def _render_chunk(chunk: list[Item], options: Options) -> list[Rendered]:
    answers = [_render(item, options) for item in chunk]
    _settle()
    return answers


_frozen = False


def _settle() -> None:
    """After a process's first chunk: what is loaded by then (knowledge, compiled patterns) lives as
    long as the process, so the collector need not walk it again on each full collection (a few % of
    a batch); then the collector paused for start-up runs again."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
    collector.resume()  # a no-op unless this run paused it (a second run in one process too)


def _here(chunks: Iterable[list[Item]], out: Output) -> None:
    """Decode and print the chunks in this process, one after another."""
    for chunk in chunks:
        for r in _render_chunk(chunk, out.options):
            out.write(r)


def _pooled(chunks: Iterator[list[Item]], out: Output, n: int) -> None:
    _preload()
    # Frozen before the fork (as the gc module's documentation advises): the collector never walks
    # what is loaded again, so no process writes into the pages it shares with the others for that
    # (each such write copies a page).
    gc.freeze()
    workers: list[_Worker] = []
    for _ in range(n):  # every fork before any thread starts: a forked thread would be a copy that never runs
        try:
            workers.append(_Worker(out.options, inherited=[w.fd for w in workers]))
        except OSError:  # no fork or pipe to be had (EAGAIN, ENOMEM, EMFILE): go on with those started
            break
    if not workers:  # decoded here, one chunk after another
        _here(chunks, out)
        return
    # The knowledge is loaded and frozen: this process runs its collector from here, whether or not
    # it decodes a chunk itself (with many workers it may only hand them out); each worker resumes
    # its own after its first chunk.
    collector.resume()
    for w in workers:
        w.start_reading()
    pending: deque[tuple[list[Item], _Worker | None, list[Rendered] | _Slot]] = deque()
    held = 0  # bytes of the messages in pending chunks sent to a worker (kept should it die)
    try:
        for chunk in chunks:
            alive = [w for w in workers if w.alive]  # a dead worker is never the idle one
            idle = min(alive, key=lambda w: w.waiting) if alive else None
            if idle is not None and idle.waiting < AHEAD:
                pending.append((chunk, idle, idle.send(chunk)))
                held += sum(map(_size, chunk))
            else:  # decoded here at once: only the names stay (read failures are rendered at write)
                pending.append(([(name, b"") for name, _ in chunk], None, _render_chunk(chunk, out.options)))
            while pending and (len(pending) > LIMIT or held > IN_FLIGHT_BYTES or _ready(pending[0][2])):
                first = pending.popleft()
                held -= sum(map(_size, first[0])) if first[1] is not None else 0
                _write(*first, out)
        while pending:
            _write(*pending.popleft(), out)
    finally:
        for w in workers:
            w.stop()


def _ready(done: list[Rendered] | _Slot) -> bool:
    return isinstance(done, list) or done.event.is_set()


def _write(chunk: list[Item], worker: _Worker | None, done: list[Rendered] | _Slot, out: Output) -> None:
    answers = done if isinstance(done, list) else worker.answer(done)  # type: ignore[union-attr]
    if answers is None:  # the worker died (or failed) before answering: decoded here instead
        answers = _render_chunk(chunk, out.options)
    for item, r in zip(chunk, answers, strict=True):
        out.write(r if r is not None else _render(item, out.options))  # read failures are rendered here


class _Slot:
    """A chunk sent to a worker: set when its answers came back (result stays None if the worker died)."""

    __slots__ = ("event", "result")

    def __init__(self) -> None:
        import threading

        self.event = threading.Event()
        self.result: list[Rendered | None] | None = None


class _Worker:
    """One forked process decoding chunks from a pipe; a thread here reads its answers back."""

    def __init__(self, options: Options, *, inherited: list[int]) -> None:
        """Fork the worker; `inherited`: this process's ends of the earlier workers' pipes, which it closes."""
        tasks_r, self.fd = os.pipe()
        _widen(self.fd)
        try:
            answers_r, answers_w = os.pipe()
        except OSError:
            os.close(tasks_r)
            os.close(self.fd)
            raise
        sys.stdout.flush()  # what is buffered now is this process's to write, not a copy for the child
        sys.stderr.flush()
        try:
            self.pid = os.fork()
        except OSError:  # the caller goes on without this worker
            for fd in (tasks_r, self.fd, answers_r, answers_w):
                os.close(fd)
            raise
        if self.pid == 0:  # the worker: never returns
            for fd in (self.fd, answers_r, *inherited):
                os.close(fd)  # else an earlier worker would never see its input end
            _serve(tasks_r, answers_w, options)
        os.close(tasks_r)
        os.close(answers_w)
        self._answers = answers_r
        self.alive = True
        self.sent = self.answered = 0
        self._slots: deque[_Slot] = deque()
        self._reader: threading.Thread | None = None

    @property
    def waiting(self) -> int:
        """Chunks sent and not yet answered."""
        return self.sent - self.answered

    def start_reading(self) -> None:
        """Start the thread that reads the answers."""
        import threading

        self._reader = threading.Thread(target=self._read, name="mxcheck-answers", daemon=True)
        self._reader.start()

    def send(self, chunk: list[Item]) -> _Slot:
        """Hand a chunk to the worker; its answers arrive in the slot returned."""
        slot = _Slot()
        self._slots.append(slot)  # before the send: the answer may come back at once
        self.sent += 1
        # Read failures stay here (an exception need not pickle): None marks their places.
        sent = [(name, None if isinstance(data, InputError) else data) for name, data in chunk]
        try:
            _send(self.fd, pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the worker is gone (EPIPE): its slots stay empty
            self.alive = False
        return slot

    def answer(self, slot: _Slot) -> list[Rendered | None] | None:
        """The answers of a chunk sent, once back; None if the worker ended without answering it."""
        assert self._reader is not None
        while not slot.event.wait(0.05):
            if not self._reader.is_alive():  # it set every answer it will ever have
                break
        return slot.result

    def _read(self) -> None:
        with os.fdopen(self._answers, "rb") as answers:
            while (data := _receive(answers)) is not None:
                slot = self._slots.popleft()
                slot.result = pickle.loads(data)
                self.answered += 1
                slot.event.set()
        self.alive = False

    def stop(self) -> None:
        """Close the worker's input (it exits when done) and reap it."""
        try:
            os.close(self.fd)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _serve(tasks_fd: int, answers_fd: int, options: Options) -> None:
    """The worker's loop: a chunk in, its rendered answers out, until the input closes; then exit."""
    status = 0
    try:
        with os.fdopen(tasks_fd, "rb") as tasks, os.fdopen(answers_fd, "wb") as answers:
            while (data := _receive(tasks)) is not None:
                found = [
                    None if raw is None else _render((name, raw), options) for name, raw in pickle.loads(data)
                ]
                _settle()
                reply = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
                answers.write(len(reply).to_bytes(8, "little") + reply)
                answers.flush()
    except BaseException:  # whatever it could not answer, the parent decodes
        status = 1
    finally:
        os._exit(status)  # never the parent's atexit handlers or buffered output


PIPE_BYTES = 1024 * 1024  # Linux's default cap for an unprivileged pipe (/proc/sys/fs/pipe-max-size)


def _widen(fd: int) -> None:
    """Let the pipe hold AHEAD chunks of ordinary size: with the default 64 KiB a send waited, blocked,
    until the worker finished its chunk in hand (a third of this process's time in a batch)."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):  # not Linux, or a lower cap: the pipe keeps its size
        pass


def _send(fd: int, data: bytes) -> None:
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(stream: BinaryIO) -> bytes | None:
    """One length-prefixed message, or None at the end of the pipe."""
    head = stream.read(8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    return data if len(data) == size else None
