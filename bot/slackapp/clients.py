"""The Web API and response_url clients: one connection pool, and a retry policy per kind of call.

Reads (conversations.replies, users.info, files.info, auth.test) are safe to repeat: they retry
429s, server errors and dropped connections, with short timeouts. Writes (chat.postMessage,
chat.update, response_url) are retried only where Slack cannot have received them (the
connection was never made) or where it said so (429); a reply lost after sending is not a reason
to post again (see `bot.slackapp.posting`, which looks before it posts twice).
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slackapp.settings import Settings

READ_TIMEOUT = 5.0  # seconds per read call
WRITE_TIMEOUT = 15.0  # per post: a post that is slow to answer has usually been made
MAX_RETRY_AFTER = 20.0  # a 429's Retry-After is obeyed up to this; the user is waiting
POOL_SIZE = 100  # connections kept to Slack


class CappedRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Retry a 429 after its Retry-After, but never wait longer than `cap` seconds."""

    def __init__(self, *, max_retry_count: int = 3, cap: float = MAX_RETRY_AFTER) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.cap = cap

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Sleep min(Retry-After, cap), then ask for the next attempt."""
        if response is None:
            raise error or RuntimeError("rate limited without a response")
        value = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"])
        raw = value[0] if isinstance(value, list) else value
        seconds = float(raw) if str(raw).strip().isdigit() else 1.0
        state.next_attempt_requested = True
        await asyncio.sleep(min(max(seconds, 0.0), self.cap))
        state.increment_current_attempt()


def read_retries() -> list[AsyncRetryHandler]:
    """For calls that may be repeated: 429, 500/503, dropped and refused connections."""
    return [
        CappedRateLimitRetry(max_retry_count=3),
        AsyncServerErrorRetryHandler(max_retry_count=2),
        AsyncConnectionErrorRetryHandler(
            max_retry_count=2,
            error_types=[aiohttp.ServerConnectionError, aiohttp.ClientOSError, aiohttp.ClientConnectorError],
        ),
    ]


def write_retries() -> list[AsyncRetryHandler]:
    """For posts: 429 (Slack said it did not take it) and connections that never opened, nothing else."""
    return [
        CappedRateLimitRetry(max_retry_count=3),
        AsyncConnectionErrorRetryHandler(max_retry_count=2, error_types=[aiohttp.ClientConnectorError]),
    ]


@dataclass
class Clients:
    """The pooled sessions and the clients built on them; `close` once, when the app stops."""

    connector: aiohttp.TCPConnector
    reads: AsyncWebClient
    writes: AsyncWebClient
    bolt: AsyncWebClient  # Bolt's own: no token (Bolt takes it from authorize), the read session
    files: aiohttp.ClientSession
    _sessions: tuple[aiohttp.ClientSession, ...]

    def webhook(self, url: str) -> AsyncWebhookClient:
        """A response_url client on the pooled write session."""
        return AsyncWebhookClient(
            url, timeout=int(WRITE_TIMEOUT), session=self._sessions[1], retry_handlers=write_retries()
        )

    async def close(self) -> None:
        """Close every session and the pool."""
        for session in self._sessions:
            await session.close()
        await self.connector.close()


def open_clients(settings: Settings, *, ssl_context: ssl.SSLContext | None = None) -> Clients:
    """The clients of one running app (inside its event loop): one connection pool for all of them."""
    connector = aiohttp.TCPConnector(limit=POOL_SIZE, ssl=ssl_context if ssl_context is not None else True)

    def session(seconds: float, **options: object) -> aiohttp.ClientSession:
        timeout = aiohttp.ClientTimeout(total=seconds, connect=min(seconds, 5.0))
        return aiohttp.ClientSession(connector=connector, connector_owner=False, timeout=timeout, **options)

    read, write = session(READ_TIMEOUT), session(WRITE_TIMEOUT)
    # File downloads follow redirects by hand (bot.slackapp.files keeps them on Slack's hosts).
    files = session(20.0)
    common = {"token": settings.bot_token, "base_url": settings.api_url}
    return Clients(
        connector=connector,
        reads=AsyncWebClient(
            **common, timeout=int(READ_TIMEOUT), session=read, retry_handlers=read_retries()
        ),
        writes=AsyncWebClient(
            **common, timeout=int(WRITE_TIMEOUT), session=write, retry_handlers=write_retries()
        ),
        bolt=AsyncWebClient(
            base_url=settings.api_url, timeout=int(READ_TIMEOUT), session=read, retry_handlers=read_retries()
        ),
        files=files,
        _sessions=(read, write, files),
    )
