"""A bounded DNS answer cache with an injected clock: TTLs honoured and capped, RFC 2308 negatives."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, Protocol

from cachetools import TLRUCache

from bot.dnscheck.result import Answer, DnsFailure, FailureKind, NoData, NxDomain

MAX_TTL = 3600.0  # a record that says "a day" is still looked up again within the hour
MAX_NEGATIVE_TTL = 900.0  # a domain registered a minute ago should not stay "missing" long
FAILURE_TTL = 5.0  # SERVFAIL/REFUSED/validation: spares the server a burst, short enough to retry soon


class Cache(Protocol):
    """What the resolver needs from a cache: any object with these two methods will do."""

    def get(self, key: Hashable) -> Any | None:
        """The live entry for a key, or None."""
        ...

    def put(self, key: Hashable, value: Any) -> None:
        """Store a lookup result (or failure) for as long as its kind and TTL allow."""
        ...


class DnsCache:
    """Lookup results keyed by (name, type), each kept for its own capped lifetime."""

    def __init__(
        self,
        maxsize: int = 4096,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_ttl: float = MAX_TTL,
        max_negative_ttl: float = MAX_NEGATIVE_TTL,
        failure_ttl: float = FAILURE_TTL,
    ) -> None:
        self.max_ttl = max_ttl
        self.max_negative_ttl = max_negative_ttl
        self.failure_ttl = failure_ttl
        self._entries: TLRUCache[Hashable, Any] = TLRUCache(maxsize, self._expires, timer=clock)

    def lifetime(self, value: Any) -> float:
        """Seconds a result may be kept: its TTL within the bounds of its kind (0 = not at all)."""
        if isinstance(value, Answer):
            return max(0.0, min(float(value.ttl), self.max_ttl))
        if isinstance(value, NxDomain | NoData):
            return max(0.0, min(float(value.ttl), self.max_negative_ttl))
        if isinstance(value, DnsFailure) and value.kind in (
            FailureKind.SERVFAIL,
            FailureKind.REFUSED,
            FailureKind.VALIDATION,
        ):
            return self.failure_ttl
        return 0.0  # timeouts and anything unknown: ask again next time

    def get(self, key: Hashable) -> Any | None:
        """The live entry for a key, or None (expired entries are never returned)."""
        return self._entries.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        """Store a result for its lifetime; one with no lifetime is not stored."""
        if self.lifetime(value) > 0:
            self._entries[key] = value
        else:
            self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()

    def __len__(self) -> int:
        # Expired entries still count until cachetools evicts them on the next write.
        return len(self._entries)

    def _expires(self, _key: Hashable, value: Any, now: float) -> float:
        return now + self.lifetime(value)
