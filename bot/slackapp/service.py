"""What every Slack surface shares: the store, the clients, the CPU pool, the DNS checker, the work in flight."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.diagnose import Reading, diagnose_reading
from bot.dnscheck.checks import DomainChecker
from bot.models import Diagnosis
from bot.render.blocks import render_words
from bot.render.mrkdwn import mask_addresses
from bot.slackapp.clients import Clients
from bot.slackapp.cpu import CpuPool, read_best, render
from bot.slackapp.posting import Identity, Poster, Target
from bot.slackapp.settings import Settings
from bot.slackapp.store import Store
from bot.vocab import Lang

log = logging.getLogger("mxcheck.slack")
_URL = re.compile(r"\b(?:https?|wss?)://[^\s'\"<>]{1,2000}")

MAX_CONCURRENT = 8  # analyses asking DNS at once; DNS waits are cheap, but each holds memory
LEASE = 240.0  # seconds a claimed event is ours while it is worked on (past Slack's 1-minute retry)
DONE = 3600.0  # seconds an answered event, message or signature is remembered
LOCALE_TTL = 3600.0
USERS_INFO_TIMEOUT = 2.0  # the user is waiting: after this, the default language
__all__ = ["LEASE", "Service", "Target", "describe_error"]


@dataclass
class Job:
    """One piece of work after an ack: what it is (ids only, for the log) and the keys it claimed."""

    label: str
    claims: tuple[str, ...] = ()
    started: float = field(default_factory=time.monotonic)


class Service:
    """The state the handlers share; one per running app (built inside its event loop)."""

    def __init__(
        self,
        settings: Settings,
        checker: DomainChecker | None,
        *,
        store: Store,
        clients: Clients,
        identity: Identity | None,
        cpu: CpuPool,
        late_after: float = 10.0,
    ) -> None:
        self.settings = settings
        self.checker = checker
        self.store = store
        self.clients = clients
        self.poster = Poster(clients, identity or Identity())
        self.identity = identity
        self.cpu = cpu
        self.late_after = late_after  # seconds after the request: an answer this late says so
        self.closing = False  # set at shutdown: no new request is taken
        self._dns_slots = asyncio.Semaphore(MAX_CONCURRENT)
        self._cpu_slots = asyncio.Semaphore(cpu.bound)
        self._tasks: dict[asyncio.Task[None], Job] = {}
        self._asking: dict[str, asyncio.Future[Lang]] = {}

    # ------------------------------------------------------------------ work after the ack
    def spawn(
        self,
        work: Awaitable[None],
        on_error: Callable[[Exception], Awaitable[None]],
        *,
        label: str = "work",
        claims: Sequence[str] = (),
    ) -> None:
        """Run the work after the ack as a task of its own; a failure goes to `on_error`."""
        job = Job(label, tuple(claims))
        task = asyncio.get_running_loop().create_task(self._guarded(work, on_error, job))
        self._tasks[task] = job  # the event loop holds tasks weakly: keep each until it is done
        task.add_done_callback(lambda t: self._tasks.pop(t, None))

    async def _guarded(
        self, work: Awaitable[None], on_error: Callable[[Exception], Awaitable[None]], job: Job
    ) -> None:
        try:
            await work
        except Exception as e:
            await on_error(e)
        # Answered (or apologised for): a retry of the same event must stay dropped for the hour.
        for key in job.claims:
            await self.store.put(key, "done", DONE)

    async def drain(self, timeout: float) -> list[str]:
        """Let running work finish for up to `timeout` s; the labels of what was abandoned."""
        deadline = time.monotonic() + timeout
        if self._tasks:
            log.info("shutting down: waiting up to %.0f s for %d answer(s)", timeout, len(self._tasks))
        # Work may start more work (an event acknowledged early starts its answer): wait for all.
        while self._tasks and time.monotonic() < deadline:
            await asyncio.wait(list(self._tasks), timeout=max(deadline - time.monotonic(), 0))
        abandoned = [(t, j) for t, j in list(self._tasks.items()) if not t.done()]
        for task, job in abandoned:
            task.cancel()
            for key in job.claims:  # not answered: Slack's retry (to any process) may answer it
                await self.store.release(key)
        if abandoned:
            log.warning(
                "shutdown abandoned %d answer(s): %s", len(abandoned), " ".join(j.label for _, j in abandoned)
            )
        return [j.label for _, j in abandoned]

    async def close(self) -> None:
        """Let go of the clients and the store (after `drain`)."""
        await self.clients.close()
        await self.store.close()

    # ------------------------------------------------------------------ dedupe
    async def claim(self, key: str, ttl: float = LEASE) -> bool:
        """True for the first claim of a key (an event id, a channel+ts) in every process sharing the store."""
        return await self.store.claim(key, ttl)

    async def once(self, key: str, ttl: float, work: Awaitable[None]) -> None:
        """Run the work only if this is the first claim of the key (checked after the ack)."""
        if await self.claim(key, ttl):
            await work
        else:
            close = getattr(work, "close", None)
            if close is not None:
                close()  # a coroutine never awaited: closed, so nothing warns about it

    # ------------------------------------------------------------------ language
    def cached_language(self, user: str | None) -> Lang:
        """The user's language if this process knows it already, else the default: for an ack, which asks no one."""
        value = self.store.peek(f"locale:{user}") if user else None
        return Lang(value) if value in ("ja", "en") else self.settings.default_lang

    async def language(self, user: str | None) -> Lang:
        """The user's Slack locale as ja/en (users.info, cached), else MXCHECK_LANG, else English."""
        if not user:
            return self.settings.default_lang
        known = await self.store.get(f"locale:{user}")
        if known in ("ja", "en"):
            return Lang(known)
        # A burst from one user (a pasted batch) asks users.info once, not once per message.
        pending = self._asking.get(user)
        if pending is None:
            pending = self._asking[user] = asyncio.ensure_future(self._ask_locale(user))
            pending.add_done_callback(lambda _: self._asking.pop(user, None))
        return await asyncio.shield(pending)

    async def _ask_locale(self, user: str) -> Lang:
        try:
            async with asyncio.timeout(USERS_INFO_TIMEOUT):
                info = await self.clients.reads.users_info(user=user, include_locale=True)
            locale = str(info["user"].get("locale") or "")
        except Exception as e:  # no users:read, a deleted user, a slow Slack: the default language will do
            log.warning("users.info failed: %s", describe_error(e))
            return self.settings.default_lang
        lang = Lang.JA if locale.startswith("ja") else Lang.EN if locale.startswith("en") else None
        lang = lang or self.settings.default_lang
        await self.store.put(f"locale:{user}", str(lang), LOCALE_TTL)
        return lang

    # ------------------------------------------------------------------ the analysis
    async def read(self, candidates: Sequence[bytes | str]) -> Reading | None:
        """The newest candidate holding a bounce, else the newest naming a domain, read once off the loop."""
        async with self._cpu_slots:
            return await self.cpu.run(read_best, list(candidates))

    async def diagnose(self, reading: Reading) -> Diagnosis:
        """The DNS half of the diagnosis of a text already read, a bounded number at a time."""
        async with self._dns_slots:
            return await diagnose_reading(reading, checker=self.checker)

    async def render(self, d: Diagnosis, lang: Lang) -> dict[str, Any]:
        """The Block Kit answer, rendered off the loop."""
        async with self._cpu_slots:
            return await self.cpu.run(render, d, lang)

    # ------------------------------------------------------------------ answers
    async def post(self, target: Target, message: dict[str, Any]) -> None:
        """Post in the target's thread once (privately when the bot cannot post there)."""
        await self.poster.post(target, message)

    async def respond(self, target: Target, message: dict[str, Any], *, replace: bool = False) -> None:
        """Send an ephemeral answer through the response_url."""
        await self.poster.respond(target, message, replace=replace)

    async def apologize(self, target: Target) -> None:
        """The short apology, in the user's language, wherever it can still go; never raises."""
        lang = await self.language(target.user)
        try:
            await self.post(target, render_words("apology", lang))
            return
        except Exception as e:
            log.error("apology could not be posted: %s", describe_error(e))
        if target.channel is not None and target.response_url:
            try:
                await self.respond(target, render_words("apology", lang))
            except Exception as e:
                log.error("apology could not be sent: %s", describe_error(e))


def describe_error(e: BaseException) -> str:
    """An error as a log line: its type and Slack's error code; addresses masked, URLs dropped.

    URLs go because a response_url or a file's url_private is itself a credential.
    """
    if isinstance(e, SlackApiError):
        return f"SlackApiError({e.response.get('error')})"
    return _URL.sub("<url>", mask_addresses(f"{type(e).__name__}: {e}"))[:200]
