"""The DNS cache: TTLs honoured and capped, RFC 2308 negative TTLs, failures, size bound."""

from __future__ import annotations

import asyncio

import pytest
from dnsserver import DnsServer

from bot.dnscheck.cache import DnsCache
from bot.dnscheck.resolver import Resolver
from bot.dnscheck.result import Answer, DnsFailure, FailureKind, NoData, NxDomain


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


def _answer(ttl: int) -> Answer:
    return Answer("a.test", "A", (), ttl, "a.test")


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock."""
    return FakeClock()


def test_answer_kept_for_its_ttl(clock: FakeClock) -> None:
    """A positive answer is returned until its TTL runs out, not after."""
    cache = DnsCache(clock=clock)
    cache.put(("a.test", "A"), _answer(5))
    clock.advance(4.9)
    assert cache.get(("a.test", "A")) == _answer(5)
    clock.advance(0.1)
    assert cache.get(("a.test", "A")) is None


def test_answer_ttl_capped(clock: FakeClock) -> None:
    """A day-long TTL is cut to the one-hour cap."""
    cache = DnsCache(clock=clock, max_ttl=3600)
    cache.put(("a.test", "A"), _answer(86400))
    clock.advance(3599)
    assert cache.get(("a.test", "A")) is not None
    clock.advance(1)
    assert cache.get(("a.test", "A")) is None


def test_zero_ttl_not_stored(clock: FakeClock) -> None:
    """TTL 0 means do not cache."""
    cache = DnsCache(clock=clock)
    cache.put(("a.test", "A"), _answer(0))
    assert cache.get(("a.test", "A")) is None
    assert len(cache) == 0


def test_negative_answers_use_their_ttl_and_cap(clock: FakeClock) -> None:
    """NXDOMAIN/NODATA live for their negative TTL, at most the negative cap."""
    cache = DnsCache(clock=clock, max_negative_ttl=900)
    cache.put(("n.test", "A"), NxDomain("n.test", "A", 10, "n.test"))
    cache.put(("d.test", "A"), NoData("d.test", "A", 86400, "d.test"))
    clock.advance(9.9)
    assert isinstance(cache.get(("n.test", "A")), NxDomain)
    clock.advance(0.1)
    assert cache.get(("n.test", "A")) is None
    clock.advance(880)
    assert isinstance(cache.get(("d.test", "A")), NoData)
    clock.advance(10)
    assert cache.get(("d.test", "A")) is None


def test_failures_kept_briefly_or_not_at_all(clock: FakeClock) -> None:
    """SERVFAIL is kept a few seconds; a timeout is never kept."""
    cache = DnsCache(clock=clock, failure_ttl=5)
    cache.put(("s.test", "A"), DnsFailure("s.test", "A", FailureKind.SERVFAIL))
    cache.put(("t.test", "A"), DnsFailure("t.test", "A", FailureKind.TIMEOUT))
    assert isinstance(cache.get(("s.test", "A")), DnsFailure)
    assert cache.get(("t.test", "A")) is None
    clock.advance(5)
    assert cache.get(("s.test", "A")) is None


def test_size_is_bounded(clock: FakeClock) -> None:
    """The cache never holds more than maxsize entries."""
    cache = DnsCache(3, clock=clock)
    for i in range(10):
        cache.put((f"h{i}.test", "A"), _answer(300))
    assert len(cache) == 3
    assert cache.get(("h9.test", "A")) is not None


def test_resolver_honours_ttl_with_injected_clock(dns_server: DnsServer, clock: FakeClock) -> None:
    """ttl.test A (TTL 5) is asked once, then again once 5 s have passed."""
    resolver = Resolver([dns_server.address], clock=clock)

    async def twice() -> None:
        await resolver.lookup("ttl.test", "A")
        await resolver.lookup("ttl.test", "A")

    asyncio.run(twice())
    assert dns_server.count("ttl.test", "A") == 1
    clock.advance(5)
    asyncio.run(twice())
    assert dns_server.count("ttl.test", "A") == 2


def test_resolver_caps_long_ttl(dns_server: DnsServer, clock: FakeClock) -> None:
    """ttl.test MX (TTL 7200) is asked again after the one-hour cap."""
    resolver = Resolver([dns_server.address], clock=clock)
    answer = asyncio.run(resolver.lookup("ttl.test", "MX"))
    assert isinstance(answer, Answer) and answer.ttl == 7200
    clock.advance(3599)
    asyncio.run(resolver.lookup("ttl.test", "MX"))
    assert dns_server.count("ttl.test", "MX") == 1
    clock.advance(1)
    asyncio.run(resolver.lookup("ttl.test", "MX"))
    assert dns_server.count("ttl.test", "MX") == 2


@pytest.mark.parametrize(
    ("name", "rdtype", "kind", "ttl"),
    [
        ("ttl.test", "AAAA", NoData, 10),  # min(SOA TTL 30, MINIMUM 10)
        ("missing.ttl.test", "A", NxDomain, 10),
        ("negttl.test", "AAAA", NoData, 20),  # min(SOA TTL 20, MINIMUM 600)
    ],
)
def test_negative_caching_uses_soa_minimum(
    dns_server: DnsServer, clock: FakeClock, name: str, rdtype: str, kind: type, ttl: int
) -> None:
    """A negative answer carries min(SOA TTL, MINIMUM) and is cached exactly that long."""
    resolver = Resolver([dns_server.address], clock=clock)
    result = asyncio.run(resolver.lookup(name, rdtype))
    assert isinstance(result, kind) and result.ttl == ttl
    clock.advance(ttl - 0.5)
    asyncio.run(resolver.lookup(name, rdtype))
    assert dns_server.count(name, rdtype) == 1
    clock.advance(0.5)
    asyncio.run(resolver.lookup(name, rdtype))
    assert dns_server.count(name, rdtype) == 2


def test_cname_answer_ttl_is_smallest_of_chain(dns_server: DnsServer, clock: FakeClock) -> None:
    """An answer reached through a CNAME (TTL 100) to a record (TTL 60) lives 60 s."""
    resolver = Resolver([dns_server.address], clock=clock)
    answer = asyncio.run(resolver.lookup("alias.ttl.test", "A"))
    assert isinstance(answer, Answer)
    assert answer.ttl == 60 and answer.canonical == "mx.ttl.test" and answer.alias
