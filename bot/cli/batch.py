"""Runs the CLI's work: every input through diagnose, one shared resolver, answers printed in order.

With DNS, each message is decoded as soon as it is read and its domains are asked at once (a
memo asks each distinct domain once per run, at most IN_FLIGHT at a time); answers are printed
in input order as they are ready, up to LOOKAHEAD messages ahead of the oldest one still
waiting. There is no window to wait out: a batch waits about as long as its slowest chain of
lookups, not one round trip per group of messages. Without DNS, bot.cli.offline decodes, and
neither asyncio nor the DNS stack is imported.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from bot.cli import collector
from bot.cli.inputs import Source, count, sources
from bot.cli.output import Options, Output, ReadFailure, shown
from bot.errors import InputError
from bot.models import Diagnosis, DomainReport

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    import asyncio
    from typing import BinaryIO

    from bot.dnscheck.memo import Checker

__all__ = ["Options", "bounce_command", "domain_command", "run_bounces", "run_domains", "shown"]

LOOKAHEAD = 512  # messages decoded ahead of the oldest answer not yet printed
IN_FLIGHT = 48  # distinct domains being checked at once


def bounce_command(paths: Sequence[str], options: Options, *, stdin: BinaryIO) -> int:
    """`mxcheck bounce`: diagnose every message the paths name; returns how many could not be analysed."""
    if not options.dns:
        return _offline(paths, options, stdin)
    import asyncio

    collector.resume()  # asyncio's loop makes cycles as it goes: the collector runs from here
    return asyncio.run(run_bounces(paths, options, stdin=stdin))


def domain_command(names: Sequence[str], options: Options) -> int:
    """`mxcheck domain`: check each name; returns how many were not valid domains."""
    import asyncio

    collector.resume()

    return asyncio.run(run_domains(names, options))


def _total(paths: Sequence[str], options: Options, stdin: BinaryIO) -> int:
    # Counted only for a progress bar: an mbox is then read twice, but never held.
    return count(paths, stdin=stdin) if options.progress else 0


def _offline(paths: Sequence[str], options: Options, stdin: BinaryIO) -> int:
    from bot.cli.offline import printed

    out = Output(options, total=_total(paths, options, stdin))
    printed(sources(paths, stdin=stdin), out)
    out.done()
    return out.failed


class _Bounded:
    """A checker that lets at most `limit` checks run at once (the rest wait their turn)."""

    def __init__(self, checker: Checker, limit: int) -> None:
        import asyncio

        self._checker = checker
        self._slots = asyncio.Semaphore(limit)

    async def check_one(self, name: str, *, auth: bool = False) -> DomainReport:
        """The report of one domain, once a slot is free."""
        async with self._slots:
            return await self._checker.check_one(name, auth=auth)


def make_checker(options: Options) -> Checker | None:
    """One checker for the whole run (shared resolver and cache, each domain asked once); None: no DNS."""
    if not options.dns:
        return None
    from bot.dnscheck.checks import DomainChecker
    from bot.dnscheck.memo import MemoChecker
    from bot.dnscheck.resolver import Resolver

    if options.timeout is None:
        resolver, checker = Resolver(options.nameservers), None
    else:
        resolver = Resolver(options.nameservers, timeout=options.timeout)
        # The whole check may take a few lookups in a row (MX, then each host's addresses).
        checker = DomainChecker(resolver, deadline=options.timeout * 1.5 + 0.5)
    return MemoChecker(_Bounded(checker or DomainChecker(resolver), IN_FLIGHT))


async def run_bounces(paths: Sequence[str], options: Options, *, stdin: BinaryIO) -> int:
    """Diagnose every message the paths name; returns how many could not be analysed."""
    import asyncio

    if not options.dns:
        return _offline(paths, options, stdin)
    checker = make_checker(options)
    out = Output(options, total=_total(paths, options, stdin))
    pending: deque[asyncio.Future[Diagnosis | ReadFailure]] = deque()
    for source in sources(paths, stdin=stdin):
        pending.append(asyncio.ensure_future(_one(source, checker)))
        await asyncio.sleep(0)  # the new task decodes now and sends its first queries
        while pending and (pending[0].done() or len(pending) > LOOKAHEAD):
            out.emit(await pending.popleft())
    while pending:
        out.emit(await pending.popleft())
    out.done()
    return out.failed


async def _one(source: Source, checker: Checker | None) -> Diagnosis | ReadFailure:
    from bot.diagnose import diagnose_reading, read_text

    try:
        # Read and decoded in one expression: the bytes are gone before the DNS answers are
        # awaited (up to LOOKAHEAD messages wait at once; their 10 MB each would add up).
        reading = read_text(source.read(), source=source.name)
    except InputError as exc:
        return ReadFailure(source.name, exc)
    return await diagnose_reading(reading, checker=checker)


async def run_domains(names: Sequence[str], options: Options) -> int:
    """Check each name (a domain or an address); returns how many were not valid domains."""
    import asyncio

    from bot.diagnose import check_domains

    checker = make_checker(options)
    assert checker is not None  # `mxcheck domain` always asks the DNS
    out = Output(options, total=len(names))
    for d in await asyncio.gather(*(check_domains([n], checker=checker, source=n) for n in names)):
        out.emit(d)
    out.done()
    return out.failed


