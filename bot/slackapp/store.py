"""What must agree across processes: dedupe keys and the locale cache, in Redis or in this process.

`MemoryStore` is the embedded default. `RedisStore` (REDIS_URL) keeps every key in Redis and a
copy of what this process claimed in a `MemoryStore` in front of it, so that when Redis is lost
the process falls back to its own keys with one warning: a key it claimed is never claimed
again (no double answer within a process), and nothing is dropped for want of Redis.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Protocol

from cachetools import TTLCache

log = logging.getLogger("mxcheck.slack")

RETRY_REDIS_AFTER = 5.0  # seconds of in-process keys before Redis is asked again
# Per command. No ack waits for Redis (claims are made after it), so a busy moment of our own
# loop must not pass for a lost Redis: that would answer twice. A refused connection fails at once.
REDIS_TIMEOUT = 5.0
POOL_WAIT = 10.0  # for a free pooled connection in a burst (each command is bounded above)
PEEK_TTL = 300.0  # seconds a value read from Redis is also kept here
POOL = 32  # connections to Redis; a burst waits for one rather than opening hundreds
_PREFIX = "mxcheck:"


class Store(Protocol):
    """Keys with a lifetime: claimed once (SET NX), read and written (the locale cache)."""

    async def claim(self, key: str, ttl: float) -> bool:
        """True for the one caller (in every process) that set the key first within `ttl` seconds."""
        ...

    async def release(self, key: str) -> None:
        """Forget a claim (work abandoned at shutdown: a retry may then be answered)."""
        ...

    async def get(self, key: str) -> str | None:
        """The value of a key, or None."""
        ...

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set a key for `ttl` seconds."""
        ...

    def peek(self, key: str) -> str | None:
        """What this process already knows of a key, without asking anyone (for an ack)."""
        ...

    async def close(self) -> None:
        """Let go of connections."""
        ...

    async def warm(self) -> None:
        """Open connections before the first request."""
        ...


class MemoryStore:
    """Keys in this process only, each with its own deadline (TTLCache caps the memory)."""

    def __init__(self, *, maxsize: int = 100_000, clock: object = time.monotonic) -> None:
        self._values: TTLCache[str, tuple[str, float]] = TTLCache(maxsize=maxsize, ttl=86_400, timer=clock)
        self._clock = clock

    def _live(self, key: str) -> str | None:
        found = self._values.get(key)
        if found is None or found[1] <= self._clock():  # type: ignore[operator]
            return None
        return found[0]

    async def claim(self, key: str, ttl: float) -> bool:
        """True unless the key is already set and alive."""
        return self.claim_now(key, ttl)

    def claim_now(self, key: str, ttl: float) -> bool:
        """`claim` without awaiting (the Redis store's local half)."""
        if self._live(key) is not None:
            return False
        self.put_now(key, "1", ttl)
        return True

    async def release(self, key: str) -> None:
        """Forget a key."""
        self._values.pop(key, None)

    async def get(self, key: str) -> str | None:
        """The live value of a key."""
        return self._live(key)

    def peek(self, key: str) -> str | None:
        """The live value of a key."""
        return self._live(key)

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set a key for `ttl` seconds."""
        self.put_now(key, value, ttl)

    def put_now(self, key: str, value: str, ttl: float) -> None:
        """`put` without awaiting."""
        self._values[key] = (value, self._clock() + ttl)  # type: ignore[operator]

    async def close(self) -> None:
        """Nothing to close."""

    async def warm(self) -> None:
        """Nothing to open."""


class RedisStore:
    """Redis first (SET NX EX), this process's own keys kept alongside for when Redis is lost."""

    def __init__(self, url: str, *, timeout: float = REDIS_TIMEOUT) -> None:
        import redis.asyncio as redis  # only loaded when REDIS_URL is set

        self._errors = (redis.RedisError, OSError, TimeoutError)
        self._timeouts = (redis.TimeoutError, TimeoutError)
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=POOL,
            timeout=POOL_WAIT,
            socket_timeout=timeout,
            socket_connect_timeout=min(timeout, 1.0),
            decode_responses=True,
        )
        self._redis = redis.Redis(connection_pool=pool)
        self.local = MemoryStore()
        self._down_until = 0.0  # monotonic time before which Redis is not asked
        self.degraded = False

    def _usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _lost(self, e: BaseException) -> None:
        """Redis failed: in-process keys for a while; one warning per outage, not per call."""
        self._down_until = time.monotonic() + RETRY_REDIS_AFTER
        if not self.degraded:
            self.degraded = True
            log.warning(
                "Redis unreachable (%s): using this process's own store until it is back", type(e).__name__
            )

    def _back(self) -> None:
        if self.degraded:
            self.degraded = False
            log.warning("Redis reachable again: keys are shared across processes again")

    async def claim(self, key: str, ttl: float) -> bool:
        """True when neither this process nor (if reachable) Redis had the key."""
        if not self.local.claim_now(key, ttl):
            return False  # claimed here before: whatever Redis says, never twice in one process
        if not self._usable():
            return True
        try:
            won = await self._set_once(_PREFIX + key, ttl)
        except self._errors as e:
            self._lost(e)
            return True
        self._back()
        if not won:
            await self.local.release(key)  # another process has it: this one must not keep a claim
        return won

    async def _set_once(self, name: str, ttl: float) -> bool:
        """SET NX with a value of our own; after a timeout the value says whether it was ours."""
        token = secrets.token_hex(8)
        px = max(1, int(ttl * 1000))
        try:
            return bool(await self._redis.set(name, token, nx=True, px=px))
        except self._timeouts:
            pass  # the SET may or may not have been applied: look, rather than guess
        found = await self._redis.get(name)
        if found is None:
            return bool(await self._redis.set(name, token, nx=True, px=px))
        return found == token

    async def release(self, key: str) -> None:
        """Forget a claim here and in Redis."""
        await self.local.release(key)
        if self._usable():
            try:
                await self._redis.delete(_PREFIX + key)
            except self._errors as e:
                self._lost(e)

    async def get(self, key: str) -> str | None:
        """Redis's value (kept here too), else this process's."""
        if self._usable():
            try:
                value = await self._redis.get(_PREFIX + key)
            except self._errors as e:
                self._lost(e)
            else:
                self._back()
                if value is not None:  # known here too, for `peek`
                    self.local.put_now(key, value, PEEK_TTL)
                return value
        return await self.local.get(key)

    def peek(self, key: str) -> str | None:
        """This process's own copy of a key."""
        return self.local.peek(key)

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set in both, Redis when it answers."""
        self.local.put_now(key, value, ttl)
        if self._usable():
            try:
                await self._redis.set(_PREFIX + key, value, px=max(1, int(ttl * 1000)))
            except self._errors as e:
                self._lost(e)
            else:
                self._back()

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()

    async def warm(self) -> None:
        """Open a few pooled connections (a Redis that is down only warns, as on any call)."""
        try:
            await asyncio.gather(*(self._redis.ping() for _ in range(8)))
        except self._errors as e:
            self._lost(e)


def open_store(redis_url: str | None) -> Store:
    """A RedisStore when REDIS_URL is set, else the in-process store."""
    return RedisStore(redis_url) if redis_url else MemoryStore()
