"""A domain checker's interface (what bot.diagnose asks of it) and a memo in front of one for batches."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.dnscheck.dnsbl import Blocklist
    from bot.models import DomainReport, IpReport


class Checker(Protocol):
    """What diagnose needs of bot.dnscheck.checks.DomainChecker (or of a memo in front of it)."""

    async def check_one(self, name: str, *, auth: bool = True) -> DomainReport:
        """The DNS facts of one domain."""
        ...

    async def check_ips(self, ips: Sequence[str], lists: Sequence[Blocklist]) -> tuple[IpReport, ...]:
        """What the blocklists say about IP addresses."""
        ...


class MemoChecker:
    """A checker that asks each (domain, auth) once per run: a batch of bounces shares the answers."""

    def __init__(self, checker: Checker) -> None:
        self._checker = checker
        self._tasks: dict[tuple[str, bool], asyncio.Task[DomainReport]] = {}
        self._ip_tasks: dict[tuple[tuple[str, ...], tuple[str, ...]], asyncio.Task[tuple[IpReport, ...]]] = {}

    async def check_ips(self, ips: Sequence[str], lists: Sequence[Blocklist]) -> tuple[IpReport, ...]:
        """The blocklists' answers for these IPs, from the first request for them."""
        key = (tuple(ips), tuple(bl.zone for bl in lists))
        task = self._ip_tasks.get(key)
        if task is None:
            task = self._ip_tasks[key] = asyncio.ensure_future(self._checker.check_ips(ips, lists))
        return await asyncio.shield(task)

    async def check_one(self, name: str, *, auth: bool = True) -> DomainReport:
        """The report of one domain, from the first request for it."""
        key = (name.lower(), auth)
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(self._checker.check_one(name, auth=auth))
            self._tasks[key] = task
        # shield: one caller's cancellation must not cancel the answer the others wait for.
        return await asyncio.shield(task)
