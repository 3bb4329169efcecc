"""Parsing and rendering off the event loop: a process pool shared by the app, behind a bounded queue.

Threads would share the interpreter lock with the loop: 50 pastes of 40 KB being parsed in
threads still delay every ack by the lock's switch interval, many times over. Worker processes
leave the loop alone; each text goes to them once and comes back read (`bot.diagnose.Reading`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from bot.diagnose import Reading, read_text
from bot.models import Diagnosis
from bot.reading.knowledge import knowledge
from bot.render.blocks import render_message
from bot.vocab import Kind, Lang

T = TypeVar("T")
MAX_CANDIDATES = 50  # thread messages looked at, newest first


# ----------------------------------------------------------------------------- the work itself
def read_best(candidates: Sequence[bytes | str]) -> Reading | None:
    """Each candidate read once, newest first: the first bounce, else the newest other answer (a domain)."""
    fallback = None
    texts = [c for c in candidates if c and c.strip()]
    if len(texts) > MAX_CANDIDATES:  # the oldest (a thread's parent, often the bounce) and the newest
        texts = texts[:1] + texts[-(MAX_CANDIDATES - 1) :]
    for candidate in reversed(texts):
        reading = read_text(candidate, source="slack")
        if reading.pure.kind is Kind.BOUNCE:
            return reading
        if reading.pure.kind is not Kind.NONE and fallback is None:
            fallback = reading
    return fallback


def render(d: Diagnosis, lang: Lang) -> dict[str, Any]:
    """The Block Kit answer of a diagnosis."""
    return render_message(d, lang)


WORKER_NICENESS = 10  # workers yield the CPU to the loop's process: acks first, parsing after


def _lower_priority() -> None:
    """Worker start: a lower scheduling priority than the process that acks."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not allowed here: the workers run at the same priority
        pass


def warm() -> int:
    """Load the knowledge tables in a worker before the first real text (returns the pid)."""
    knowledge()
    read_text("550 5.1.1 user unknown <a@example.jp>", source="slack")
    return os.getpid()


# ----------------------------------------------------------------------------- the pool
class CpuPool:
    """An executor for `read_best` and `render`; processes by default, threads when workers is 0."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = (os.cpu_count() or 2) if workers is None else workers
        self._executor: Executor | None = None

    def _pool(self) -> Executor:
        if self._executor is None:
            if self.workers <= 0:
                self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mxcheck-cpu")
            else:
                # forkserver: never fork a process that already runs an event loop and threads.
                method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
                self._executor = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context(method)
                )
        return self._executor

    @property
    def bound(self) -> int:
        """How many jobs may be handed to the workers at once; the rest wait (cheaply) in the loop."""
        return 2 * max(self.workers, 1)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run fn(*args) in the pool; a pool whose worker died is replaced once."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool(), fn, *args)
        except BrokenProcessPool:
            self._executor = None
            return await loop.run_in_executor(self._pool(), fn, *args)

    async def warm(self) -> None:
        """Start every worker and load the knowledge in each (and here, for DNS rules and words) before the first request."""
        warm()
        await asyncio.gather(*(self.run(warm) for _ in range(max(self.workers, 1))))

    def close(self) -> None:
        """Stop the workers (the app is stopping)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


_shared: CpuPool | None = None


def shared_pool() -> CpuPool:
    """One pool per process (MXCHECK_WORKERS processes; 0 for threads), started on first use."""
    global _shared
    if _shared is None:
        value = os.environ.get("MXCHECK_WORKERS", "").strip()
        _shared = CpuPool(int(value) if value.isdigit() else None)
    return _shared
