"""Whether our own resolver works: one control query per interval, shared by every check meanwhile.

A resolver that times out, refuses us, or answers NXDOMAIN for the root (a broken or hijacking
one) would make every domain look missing or broken: the checks then report that DNS could not be
checked from here instead of blaming the domains.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from bot.dnscheck.resolver import Resolver
from bot.dnscheck.result import Answer, DnsFailure, NxDomain
from bot.reading.datafiles import load_table

NXDOMAIN = "nxdomain"  # the value of resolver-unusable when the control name was said not to exist
NODATA = "nodata"


@dataclass(frozen=True, slots=True)
class Control:
    """The control question and how long its verdict holds."""

    name: str
    rdtype: str
    interval: float  # seconds a verdict is reused (a CLI run, a Slack process's next minute)


@cache
def control() -> Control:
    """knowledge/dns_checks.toml's [control]."""
    row = load_table("dns_checks")["control"]
    return Control(str(row["name"]), str(row["rdtype"]), float(row["interval"]))


class ResolverHealth:
    """Asks the control question at most once per interval; concurrent checks share one question."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float | None = None,
    ) -> None:
        self.resolver = resolver
        self._clock = clock
        self._interval = control().interval if interval is None else interval
        self._verdict: tuple[float, str | None] | None = None  # (when, failure or None)
        self._pending: asyncio.Future[str | None] | None = None

    async def failure(self) -> str | None:
        """None when the resolver answered the control question; else why not (a failure kind, 'nxdomain')."""
        now = self._clock()
        if self._verdict is not None and now - self._verdict[0] < self._interval:
            return self._verdict[1]
        pending = self._pending
        if pending is None or pending.done() or pending.get_loop() is not asyncio.get_running_loop():
            pending = self._pending = asyncio.ensure_future(self._ask())
        return await asyncio.shield(pending)

    async def _ask(self) -> str | None:
        wanted = control()
        try:
            result = await self.resolver.probe(wanted.name, wanted.rdtype)
        except DnsFailure as failure:
            verdict: str | None = failure.kind.value
        else:
            verdict = (
                None if isinstance(result, Answer) else NXDOMAIN if isinstance(result, NxDomain) else NODATA
            )
        self._verdict = (self._clock(), verdict)
        return verdict
