"""The Resolver against the loopback DNS server: typed results, failures, TCP fallback, single-flight."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from dnsserver import DnsServer

from bot.dnscheck.resolver import Resolver, nameservers_from_env, parse_nameserver
from bot.dnscheck.result import Answer, DnsFailure, FailureKind, NoData, NxDomain, Result


def _lookup(resolver: Resolver, name: str, rdtype: str) -> Result:
    return asyncio.run(resolver.lookup(name, rdtype))


def _failure(resolver: Resolver, name: str, rdtype: str) -> DnsFailure:
    with pytest.raises(DnsFailure) as caught:
        _lookup(resolver, name, rdtype)
    return caught.value


# ---------------------------------------------------------------------------- nameserver syntax
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        (" 192.0.2.53:53 ", ("192.0.2.53", 53)),
        ("[::1]:5353", ("::1", 5353)),
        ("[::1]", ("::1", 53)),
        ("2001:db8::53", ("2001:db8::53", 53)),
    ],
)
def test_parse_nameserver(text: str, expected: tuple[str, int]) -> None:
    """IP[:PORT] with IPv4, bracketed IPv6 and bare IPv6."""
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize(
    "text", ["", "dns.google", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:x", "[::1", "[::1]x", "1.2.3"]
)
def test_parse_nameserver_rejects(text: str) -> None:
    """Host names, bad ports and broken brackets are refused with ValueError."""
    with pytest.raises(ValueError):
        parse_nameserver(text)


def test_nameservers_from_env() -> None:
    """MXCHECK_NAMESERVERS is a comma-separated list; blank means the system resolver."""
    env = {"MXCHECK_NAMESERVERS": "127.0.0.1:5353, [::1]:53,"}
    assert nameservers_from_env(env) == (("127.0.0.1", 5353), ("::1", 53))
    assert nameservers_from_env({"MXCHECK_NAMESERVERS": " "}) is None
    assert nameservers_from_env({}) is None
    with pytest.raises(ValueError):
        nameservers_from_env({"MXCHECK_NAMESERVERS": "resolver.example"})


# ---------------------------------------------------------------------------- answers
def test_answer_records_and_ttl(dns_server: DnsServer, dns_resolver: Resolver) -> None:
    """An MX answer holds the records and their TTL, under the queried name."""
    answer = _lookup(dns_resolver, "Healthy.Test.", "mx")
    assert isinstance(answer, Answer)
    assert answer.name == "healthy.test" and answer.rdtype == "MX" and answer.ttl == 300
    assert sorted(r.preference for r in answer.records) == [10, 20]
    assert not answer.alias


def test_nxdomain_and_nodata(dns_resolver: Resolver) -> None:
    """A missing name is NxDomain, an existing name without the type is NoData; both carry a TTL."""
    missing = _lookup(dns_resolver, "gone.dangling.test", "A")
    empty = _lookup(dns_resolver, "noaddr.dangling.test", "A")
    assert isinstance(missing, NxDomain) and missing.ttl == 60
    assert isinstance(empty, NoData) and empty.ttl == 60


def test_empty_non_terminal_is_nodata(dns_resolver: Resolver) -> None:
    """spfchain.auth.test has only names below it: it exists, without data."""
    assert isinstance(_lookup(dns_resolver, "spfchain.auth.test", "TXT"), NoData)


def test_cname_is_followed_and_reported(dns_resolver: Resolver) -> None:
    """An alias resolves to the target's addresses and names the canonical host."""
    answer = _lookup(dns_resolver, "mail.cname.test", "A")
    assert isinstance(answer, Answer)
    assert answer.addresses() == ("192.0.32.10",)
    assert answer.alias and answer.canonical == "mx1.healthy.test"


def test_txt_strings_are_joined(dns_resolver: Resolver) -> None:
    """A TXT answer gives each record as one string."""
    answer = _lookup(dns_resolver, "healthy.test", "TXT")
    assert isinstance(answer, Answer) and answer.texts() == ("v=spf1 mx -all",)


# ---------------------------------------------------------------------------- failures
def test_refused_outside_served_zones(dns_resolver: Resolver) -> None:
    """A name the server is not authoritative for gets REFUSED → DnsFailure(refused)."""
    assert _failure(dns_resolver, "www.example", "A").kind is FailureKind.REFUSED


def test_servfail(dns_server: DnsServer, dns_resolver: Resolver) -> None:
    """SERVFAIL (also with CD set) → DnsFailure(servfail), kept briefly so a burst asks once."""
    dns_server.fault("servfail", name="healthy.test", rdtype="A")
    assert _failure(dns_resolver, "healthy.test", "A").kind is FailureKind.SERVFAIL
    assert _failure(dns_resolver, "healthy.test", "A").kind is FailureKind.SERVFAIL
    assert dns_server.count("healthy.test", "A") == 2  # the question, then once more with CD set
    assert isinstance(_lookup(dns_resolver, "healthy.test", "MX"), Answer)  # other types unaffected


def test_timeout_is_a_failure_and_not_cached(dns_server: DnsServer, dns_resolver: Resolver) -> None:
    """A server that never answers → DnsFailure(timeout); the next lookup asks again."""
    dns_server.fault("timeout", name="healthy.test", rdtype="MX")
    assert _failure(dns_resolver, "healthy.test", "MX").kind is FailureKind.TIMEOUT
    first = dns_server.count("healthy.test", "MX")
    assert first >= 1  # dnspython retries within the timeout
    dns_server.clear_faults()
    assert isinstance(_lookup(dns_resolver, "healthy.test", "MX"), Answer)
    assert dns_server.count("healthy.test", "MX") == first + 1


def test_silent_nameserver_times_out() -> None:
    """Nothing listening on the port: a timeout failure within the configured timeout."""
    resolver = Resolver([("127.0.0.1", 9)], timeout=0.3)
    assert _failure(resolver, "healthy.test", "A").kind in (FailureKind.TIMEOUT, FailureKind.NETWORK)


def test_missing_resolv_conf(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without a system configuration the resolver is built and each lookup says no-nameserver."""
    monkeypatch.setattr(Resolver, "resolv_conf", str(tmp_path / "missing.conf"))
    resolver = Resolver()
    assert _failure(resolver, "healthy.test", "A").kind is FailureKind.NO_NAMESERVER


# ---------------------------------------------------------------------------- transport
def test_truncated_udp_answer_retried_over_tcp(dns_server: DnsServer, dns_resolver: Resolver) -> None:
    """A UDP reply with TC set makes the client ask again over TCP and get the full answer."""
    dns_server.fault("truncate", name="healthy.test", rdtype="MX")
    answer = _lookup(dns_resolver, "healthy.test", "MX")
    assert isinstance(answer, Answer) and len(answer.records) == 2
    assert dns_server.count("healthy.test", "MX", transport="udp") == 1
    assert dns_server.count("healthy.test", "MX", transport="tcp") == 1


def test_large_answer_goes_over_tcp(dns_server: DnsServer, dns_resolver: Resolver) -> None:
    """A TXT answer larger than the EDNS payload is truncated on UDP and fetched over TCP."""
    answer = _lookup(dns_resolver, "big.auth.test", "TXT")
    assert isinstance(answer, Answer) and len(answer.texts()) == 6
    assert dns_server.count("big.auth.test", "TXT", transport="tcp") == 1


# ---------------------------------------------------------------------------- sharing
def test_cache_answers_repeat_lookups(dns_server: DnsServer, dns_resolver: Resolver) -> None:
    """A second identical lookup is served from the cache: one query sent, one received."""
    _lookup(dns_resolver, "healthy.test", "MX")
    _lookup(dns_resolver, "healthy.test", "MX")
    assert dns_resolver.queries_sent == 1 and dns_server.queries == 1


def test_single_flight(dns_server: DnsServer, dns_resolver: Resolver) -> None:
    """Twenty concurrent identical lookups share one query."""
    dns_server.fault("delay", seconds=0.05)

    async def many() -> list[Result]:
        return await asyncio.gather(*(dns_resolver.lookup("healthy.test", "A") for _ in range(20)))

    results = asyncio.run(many())
    assert len({r.addresses() for r in results if isinstance(r, Answer)}) == 1
    assert dns_server.count("healthy.test", "A") == 1
    assert dns_resolver.queries_sent == 1


def test_single_flight_shares_failures(dns_server: DnsServer, dns_resolver: Resolver) -> None:
    """Concurrent waiters on a query that times out all get the failure; one query went out per try."""
    dns_server.fault("timeout", name="healthy.test", rdtype="A")

    async def many() -> list[object]:
        return await asyncio.gather(
            *(dns_resolver.lookup("healthy.test", "A") for _ in range(5)), return_exceptions=True
        )

    results = asyncio.run(many())
    assert all(isinstance(r, DnsFailure) and r.kind is FailureKind.TIMEOUT for r in results)
    assert dns_resolver.queries_sent == 1


def test_waiter_leaving_does_not_cancel_shared_query(dns_server: DnsServer, dns_resolver: Resolver) -> None:
    """A caller giving up early leaves the query running for the others."""
    dns_server.fault("delay", seconds=0.1)

    async def race() -> Result:
        patient = asyncio.ensure_future(dns_resolver.lookup("healthy.test", "AAAA"))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(dns_resolver.lookup("healthy.test", "AAAA"), 0.01)
        return await patient

    answer = asyncio.run(race())
    assert isinstance(answer, Answer) and answer.addresses() == ("2620:0:2d0:200::80",)
    assert dns_server.count("healthy.test", "AAAA") == 1


def test_resolver_survives_several_event_loops(dns_server: DnsServer, dns_resolver: Resolver) -> None:
    """A query left pending by a loop that was closed does not poison the next loop's lookups."""
    dns_server.fault("delay", name="healthy.test", rdtype="TXT", seconds=0.2)
    pending: list[asyncio.Future[Result]] = []

    async def abandon() -> None:
        pending.append(asyncio.ensure_future(dns_resolver.lookup("healthy.test", "TXT")))
        await asyncio.sleep(0.01)  # the query is in flight when the loop stops

    old_loop = asyncio.new_event_loop()
    old_loop.run_until_complete(abandon())  # stops with the query's future still registered
    try:
        dns_server.clear_faults()
        assert isinstance(_lookup(dns_resolver, "healthy.test", "TXT"), Answer)
    finally:
        pending[0].cancel()
        old_loop.run_until_complete(asyncio.gather(*asyncio.all_tasks(old_loop), return_exceptions=True))
        old_loop.close()
