"""The shared store against a real redis-server: a claim that times out is looked up, not guessed."""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis_server import RedisServer

from bot.slackapp.store import MemoryStore, RedisStore

TIMEOUT = 1.0


def test_claim_whose_reply_is_late_is_still_decided_by_redis(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis hangs past the command timeout while a claim is sent: the claim is ours (its token is there), another process's is refused, and nothing degrades."""

    async def scenario() -> None:
        one, two = (
            RedisStore(redis_server.url, timeout=TIMEOUT),
            RedisStore(redis_server.url, timeout=TIMEOUT),
        )
        await one.warm()
        await two.warm()
        blocker = redis_server.send(f"DEBUG SLEEP {TIMEOUT + 0.5}\r\n".encode())
        await asyncio.sleep(0.1)
        try:
            assert await one.claim("event:EvHang", 60) is True
        finally:
            blocker.close()
        assert await two.claim("event:EvHang", 60) is False
        assert await one.claim("event:EvHang", 60) is False  # and never twice in one process
        assert not one.degraded and not two.degraded
        await one.close()
        await two.close()

    with caplog.at_level(logging.WARNING, logger="mxcheck.slack"):
        asyncio.run(scenario())
    assert not [r for r in caplog.records if "Redis" in r.getMessage()]


def test_memory_store_keys_expire() -> None:
    """The in-process store: a claim holds for its lifetime, then the key can be taken again."""
    now = [100.0]
    store = MemoryStore(clock=lambda: now[0])

    async def scenario() -> None:
        assert await store.claim("k", 10) is True
        assert await store.claim("k", 10) is False
        now[0] += 11
        assert await store.claim("k", 10) is True
        await store.put("locale:U1", "ja", 5)
        assert await store.get("locale:U1") == "ja"
        now[0] += 6
        assert await store.get("locale:U1") is None

    asyncio.run(scenario())
