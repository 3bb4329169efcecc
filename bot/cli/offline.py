"""`mxcheck bounce --no-dns`: decoding only, without asyncio or the DNS stack, on every core.

A big batch is cut into chunks that worker processes decode (forked after the first
POOL_OVER messages were decoded here, so a worker starts with the knowledge loaded and the
common patterns compiled); results come back in input order, a bounded number of
chunks ahead, so memory holds what is in flight and not the batch. A small batch, a machine
with one core or a platform without fork is decoded here, one message after another: the same
`analyse`, so the answers are the same either way.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from bot.cli.inputs import Source
from bot.cli.output import ReadFailure
from bot.diagnose import analyse
from bot.errors import InputError
from bot.models import Diagnosis
from bot.reading.knowledge import knowledge

if TYPE_CHECKING:
    from concurrent.futures import Future

POOL_OVER = 48  # messages: below this, starting workers costs more than it saves
CHUNK = 12  # messages per task: big enough to pay for the round trip, small enough to spread
AHEAD = 4  # chunks in flight per worker
# Bytes too bound what is in flight: 96 messages of 10 MB held for the workers peaked at 876 MiB.
CHUNK_BYTES = 2 * 1024 * 1024  # a task closes at this many bytes of messages, whatever their count
IN_FLIGHT_BYTES = 16 * 1024 * 1024  # messages sent and not answered yet, beyond one task

Item = tuple[str, bytes | InputError]  # a source's name and its bytes, or why they could not be had


def decoded(found: Iterable[Source], *, workers: int | None = None) -> Iterator[Diagnosis | ReadFailure]:
    """Each source's diagnosis without DNS (or its read failure), in input order."""
    found = iter(found)
    head = list(itertools.islice(found, POOL_OVER))  # sources, not their bytes: each is read in turn
    cores = _cores() if workers is None else workers
    if len(head) < POOL_OVER or cores < 2 or not hasattr(os, "fork"):
        yield from (_decode(_item(s)) for s in itertools.chain(head, found))
        return
    # The first messages are decoded here: that compiles the patterns and fills the caches most
    # messages need, and the workers forked after it start warm instead of each doing it again.
    yield from (_decode(_item(s)) for s in head)
    yield from _pooled((_item(s) for s in found), cores)


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


def _decode(item: Item) -> Diagnosis | ReadFailure:
    name, data = item
    if isinstance(data, InputError):
        return ReadFailure(name, data)
    return analyse(data, source=name)


def _decode_chunk(chunk: list[tuple[str, bytes | None]]) -> list[Diagnosis | None]:
    # Read failures stay in the parent (an InputError does not pickle): None marks their places.
    return [None if data is None else analyse(data, source=name) for name, data in chunk]


def _merged(chunk: list[Item], done: list[Diagnosis | None]) -> Iterator[Diagnosis | ReadFailure]:
    for (name, data), d in zip(chunk, done, strict=True):
        yield d if d is not None else ReadFailure(name, data)  # type: ignore[arg-type]


def _pooled(items: Iterator[Item], cores: int) -> Iterator[Diagnosis | ReadFailure]:
    import multiprocessing  # here: a small batch never pays for importing it
    from concurrent.futures import ProcessPoolExecutor

    knowledge()  # loaded before the fork: every worker has it without loading it again
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=cores, mp_context=context) as pool:
        pending: deque[tuple[list[Item], int, Future[list[Diagnosis | None]]]] = deque()
        in_flight = 0
        for chunk, size in _chunks(items):
            sent = [(name, None if isinstance(data, InputError) else data) for name, data in chunk]
            pending.append((chunk, size, pool.submit(_decode_chunk, sent)))
            in_flight += size
            while pending and (
                len(pending) >= cores * AHEAD or in_flight > IN_FLIGHT_BYTES or pending[0][2].done()
            ):
                first, size, future = pending.popleft()
                in_flight -= size
                yield from _merged(first, future.result())
        while pending:
            first, _size, future = pending.popleft()
            yield from _merged(first, future.result())


def _chunks(items: Iterator[Item]) -> Iterator[tuple[list[Item], int]]:
    """Tasks of CHUNK messages, or fewer once they hold CHUNK_BYTES; each with its bytes."""
    chunk: list[Item] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += len(item[1]) if isinstance(item[1], bytes) else 0
        if len(chunk) >= CHUNK or size >= CHUNK_BYTES:
            yield chunk, size
            chunk, size = [], 0
    if chunk:
        yield chunk, size
