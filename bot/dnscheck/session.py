"""The lookups of one domain check: one deadline for all, failures remembered instead of raised."""

from __future__ import annotations

import asyncio

from bot.dnscheck.resolver import Resolver
from bot.dnscheck.result import DnsFailure, FailureKind, Result
from bot.models import Problem
from bot.vocab import ProblemId, Severity


class LookupSession:
    """Runs lookups until a shared deadline; a lookup that fails or is cut short yields None."""

    def __init__(self, resolver: Resolver, deadline: float, *, names: dict[str, str] | None = None) -> None:
        self._resolver = resolver
        self._end = asyncio.get_running_loop().time() + deadline
        self._failures: dict[tuple[str, FailureKind], None] = {}
        self._names = names or {}  # A-label → the user's spelling, for problem subjects
        self.cut = False  # True once the deadline stopped a lookup

    async def get(self, name: str, rdtype: str) -> Result | None:
        """The lookup's result, or None when it failed or the deadline passed (noted either way)."""
        try:
            async with asyncio.timeout_at(self._end):
                return await self._resolver.lookup(name, rdtype)
        except TimeoutError:
            self.cut = True
            self._failures[(name, FailureKind.TIMEOUT)] = None
        except DnsFailure as failure:
            self._failures[(name, failure.kind)] = None
        return None

    def remaining(self) -> float:
        """Seconds left before the shared deadline (0 when it has passed)."""
        return max(0.0, self._end - asyncio.get_running_loop().time())

    @property
    def complete(self) -> bool:
        """True when every lookup got an answer (NXDOMAIN and NODATA are answers)."""
        return not self._failures

    def failure_of(self, name: str) -> FailureKind | None:
        """How the lookups of a name failed (the first kind noted), or None."""
        return next((k for n, k in self._failures if n == name), None)

    def failed(self, kind: FailureKind) -> tuple[str, ...]:
        """The names whose lookups failed this way."""
        return tuple(name for name, k in self._failures if k is kind)

    def problems(self) -> tuple[Problem, ...]:
        """One dns-failure per name and kind, in the order they happened."""
        return tuple(
            Problem(
                ProblemId.DNS_FAILURE, Severity.WARNING, subject=self._names.get(name, name), value=kind.value
            )
            for name, kind in self._failures
        )
