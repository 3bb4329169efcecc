"""What every Slack surface shares: the DNS checker, the user's language, posting answers and apologies."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.diagnose import analyse, diagnose
from bot.dnscheck.checks import DomainChecker
from bot.models import Diagnosis
from bot.render.blocks import render_words
from bot.render.mrkdwn import mask_addresses
from bot.slackapp.settings import Settings
from bot.vocab import Kind, Lang

log = logging.getLogger("mxcheck.slack")
_URL = re.compile(r"\b(?:https?|wss?)://[^\s'\"<>]{1,2000}")

MAX_CONCURRENT = 8  # analyses at once: parsing is CPU work on a 2-core box, DNS waits are cheap
MAX_CANDIDATES = 50  # thread messages looked at, newest first
# Errors after which a thread cannot take our post, but the user's response_url still can.
_CANNOT_POST = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})
# Slack's documented metadata values are strings, numbers, booleans, objects and arrays; our JSON
# nulls (a domain check has no reason) may be refused, and the answer must not be lost for it.
_BAD_METADATA = frozenset({"invalid_metadata_format", "invalid_metadata_schema"})


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retries for Web API and response_url calls: 429 after Retry-After, 500/503, dropped connections."""
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
    ]


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client: the configured base URL, the bot token, retries on."""
    return AsyncWebClient(
        token=settings.bot_token, base_url=settings.api_url, timeout=15, retry_handlers=retry_handlers()
    )


@dataclass(frozen=True, slots=True)
class Target:
    """Where an answer goes: a thread, a response_url (ephemeral), or a thread with a response_url fallback."""

    channel: str | None = None
    thread_ts: str | None = None
    response_url: str | None = None
    user: str | None = None


class Service:
    """The state the handlers share; one per app."""

    def __init__(self, settings: Settings, checker: DomainChecker | None) -> None:
        self.settings = settings
        self.checker = checker
        self._locales: TTLCache[str, Lang] = TTLCache(maxsize=10_000, ttl=3600)
        self._seen: TTLCache[str, bool] = TTLCache(maxsize=50_000, ttl=3600)
        self._slots = asyncio.Semaphore(MAX_CONCURRENT)
        self._tasks: set[asyncio.Task[None]] = set()
        self._asking: dict[str, asyncio.Future[Lang]] = {}

    def spawn(self, work: Awaitable[None], on_error: Callable[[Exception], Awaitable[None]]) -> None:
        """Run the work after the ack as a task of its own; a failure goes to `on_error`."""
        task = asyncio.get_running_loop().create_task(_guarded(work, on_error))
        self._tasks.add(task)  # the event loop holds tasks weakly: keep each until it is done
        task.add_done_callback(self._tasks.discard)

    def first_time(self, key: str) -> bool:
        """True the first time a key (an event id, a channel+ts) is seen within the hour."""
        if key in self._seen:
            return False
        self._seen[key] = True
        return True

    def cached_language(self, user: str | None) -> Lang:
        """The user's language if already known, else the default: for replies that cannot wait."""
        return self._locales.get(user or "", self.settings.default_lang)

    async def language(self, client: AsyncWebClient, user: str | None) -> Lang:
        """The user's Slack locale as ja/en (users.info, cached), else MXCHECK_LANG, else English."""
        if not user:
            return self.settings.default_lang
        if user in self._locales:
            return self._locales[user]
        # A burst from one user (a pasted batch) asks users.info once, not once per message.
        pending = self._asking.get(user)
        if pending is None:
            pending = self._asking[user] = asyncio.ensure_future(self._ask_locale(client, user))
            pending.add_done_callback(lambda _: self._asking.pop(user, None))
        return await asyncio.shield(pending)

    async def _ask_locale(self, client: AsyncWebClient, user: str) -> Lang:
        try:
            info = await client.users_info(user=user, include_locale=True)
            locale = str(info["user"].get("locale") or "")
        except Exception as e:  # no users:read, a deleted user: the default language will do
            log.warning("users.info failed: %s", describe_error(e))
            return self.settings.default_lang
        lang = Lang.JA if locale.startswith("ja") else Lang.EN if locale.startswith("en") else None
        self._locales[user] = lang or self.settings.default_lang
        return self._locales[user]

    async def pick(self, candidates: Sequence[bytes | str]) -> bytes | str | None:
        """The newest candidate holding a bounce, else the newest naming a domain, else None."""
        recent = [c for c in candidates if c and c.strip()][-MAX_CANDIDATES:]
        return await asyncio.to_thread(_pick, recent)  # parsing is CPU work: keep the loop free for acks

    async def diagnose(self, data: bytes | str) -> Diagnosis:
        """The full diagnosis (with DNS) of one text, a bounded number at a time."""
        async with self._slots:
            return await diagnose(data, checker=self.checker, source="slack")

    async def post(self, client: AsyncWebClient, target: Target, message: dict[str, Any]) -> None:
        """Post in the target's thread; when the bot cannot post there, answer the user privately instead."""
        if target.channel is None:
            await self.respond(target, message)
            return
        try:
            await client.chat_postMessage(
                channel=target.channel,
                thread_ts=target.thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                **message,
            )
        except SlackApiError as e:
            error = e.response.get("error")
            if error in _BAD_METADATA and "metadata" in message:
                await self.post(client, target, message | {"metadata": _without_nulls(message["metadata"])})
                return
            if error not in _CANNOT_POST or not target.response_url:
                raise
            await self.respond(target, message)

    async def respond(self, target: Target, message: dict[str, Any], *, replace: bool = False) -> None:
        """Send an ephemeral answer through the response_url (message metadata cannot go this way)."""
        if not target.response_url:
            raise ValueError("no response_url to answer through")
        body = {k: v for k, v in message.items() if k != "metadata"}
        body |= {"response_type": "ephemeral", "replace_original": replace}
        client = AsyncWebhookClient(target.response_url, timeout=15, retry_handlers=retry_handlers())
        resp = await client.send_dict(body)
        if resp.status_code != 200:
            raise RuntimeError(f"response_url answered HTTP {resp.status_code}")

    async def apologize(self, client: AsyncWebClient, target: Target) -> None:
        """The short apology, in the user's language, wherever it can still go; never raises."""
        lang = await self.language(client, target.user)
        try:
            await self.post(client, target, render_words("apology", lang))
            return
        except Exception as e:
            log.error("apology could not be posted: %s", describe_error(e))
        if target.channel is not None and target.response_url:
            try:
                await self.respond(target, render_words("apology", lang))
            except Exception as e:
                log.error("apology could not be sent: %s", describe_error(e))


async def _guarded(work: Awaitable[None], on_error: Callable[[Exception], Awaitable[None]]) -> None:
    try:
        await work
    except Exception as e:
        await on_error(e)


def _pick(candidates: Sequence[bytes | str]) -> bytes | str | None:
    domain = None
    for candidate in reversed(candidates):
        kind = analyse(candidate, source="slack").kind
        if kind is Kind.BOUNCE:
            return candidate
        if kind in (Kind.DOMAIN, Kind.CODE) and domain is None:  # a code alone is looked up too
            domain = candidate
    return domain


def describe_error(e: BaseException) -> str:
    """An error as a log line: its type and Slack's error code; addresses masked, URLs dropped.

    URLs go because a response_url or a file's url_private is itself a credential.
    """
    if isinstance(e, SlackApiError):
        return f"SlackApiError({e.response.get('error')})"
    return _URL.sub("<url>", mask_addresses(f"{type(e).__name__}: {e}"))[:200]


def _without_nulls(metadata: dict[str, Any]) -> dict[str, Any]:
    """The same metadata with each null value as an empty string (a second try when Slack refuses nulls)."""
    payload = metadata.get("event_payload", {})
    if None not in payload.values():
        raise ValueError("metadata refused although it holds no null")  # do not loop on another cause
    return metadata | {"event_payload": {k: "" if v is None else v for k, v in payload.items()}}
