"""MTA-STS against real servers: the _mta-sts TXT from the loopback DNS server, the policy over HTTPS
from a loopback server whose certificate comes from a test CA made by the fixture."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from dnsserver import DnsServer
from httpsserver import PolicyServer

from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.mtasts import RecordError, check_sts_record, parse_policy
from bot.dnscheck.policyfetch import PolicyFetcher
from bot.dnscheck.resolver import Resolver
from bot.models import DomainReport

GOOD = "version: STSv1\r\nmode: enforce\r\nmx: mx1.healthy.test\r\nmx: *.healthy.test\r\nmax_age: 86400\r\n"
BAD = "version: STSv1\nmode: maybe\nmx: mx1.healthy.test\nmax_age: 86400\n"


@pytest.fixture(scope="module")
def policy_server() -> Iterator[PolicyServer]:
    """An HTTPS server for the auth.test MTA-STS hosts: a good policy, none (404), a malformed one."""
    server = PolicyServer(
        {
            "mta-sts.stsgood.auth.test": (200, GOOD),
            "mta-sts.stsnopolicy.auth.test": (404, "no policy here"),
            "mta-sts.stsbadpolicy.auth.test": (200, BAD),
        }
    ).start()
    yield server
    server.stop()


def _checker(dns_server: DnsServer, server: PolicyServer, **fetch: object) -> DomainChecker:
    resolver = Resolver([dns_server.address], timeout=0.5)
    options: dict[str, object] = {"cafile": str(server.cafile), "port": server.port, "timeout": 2.0} | fetch
    return DomainChecker(resolver, deadline=3.0, fetcher=PolicyFetcher(resolver, **options))  # type: ignore[arg-type]


def _check(checker: DomainChecker, name: str) -> DomainReport:
    return asyncio.run(checker.check_one(name))


def test_good_policy_is_fetched_and_accepted(dns_server: DnsServer, policy_server: PolicyServer) -> None:
    """TXT present, policy served with a certificate of the given CA: no problem, and it was fetched."""
    before = len(policy_server.requests)
    report = _check(_checker(dns_server, policy_server), "stsgood.auth.test")
    assert report.problems == ()
    assert policy_server.requests[before:] == ["mta-sts.stsgood.auth.test"]


@pytest.mark.parametrize(
    ("name", "value"), [("stsnopolicy.auth.test", "http-404"), ("stsbadpolicy.auth.test", "invalid: mode")]
)
def test_missing_or_malformed_policy(
    dns_server: DnsServer, policy_server: PolicyServer, name: str, value: str
) -> None:
    """A 404 or a policy RFC 8461 forbids: mta-sts-policy-unreachable naming the policy host and why."""
    report = _check(_checker(dns_server, policy_server), name)
    assert [(p.id.value, p.subject, p.value) for p in report.problems] == [
        ("mta-sts-policy-unreachable", f"mta-sts.{name}", value)
    ]


def test_certificate_of_an_unknown_ca_is_refused(dns_server: DnsServer, policy_server: PolicyServer) -> None:
    """Without the test CA (the system's CAs only) the certificate does not verify: 'tls', never accepted."""
    resolver = Resolver([dns_server.address], timeout=0.5)
    checker = DomainChecker(resolver, fetcher=PolicyFetcher(resolver, port=policy_server.port, timeout=2.0))
    report = _check(checker, "stsgood.auth.test")
    assert [(p.id.value, p.value) for p in report.problems] == [("mta-sts-policy-unreachable", "tls")]


def test_slow_policy_server_times_out(dns_server: DnsServer) -> None:
    """A policy server slower than the fetch timeout: 'timeout', within the timeout."""
    slow = PolicyServer({"mta-sts.stsgood.auth.test": (200, GOOD)}, delay=1.0).start()
    try:
        checker = _checker(dns_server, slow, timeout=0.3)
        report = _check(checker, "stsgood.auth.test")
    finally:
        slow.stop()
    assert [(p.id.value, p.value) for p in report.problems] == [("mta-sts-policy-unreachable", "timeout")]


def test_no_record_no_fetch(dns_server: DnsServer, policy_server: PolicyServer) -> None:
    """A domain without _mta-sts TXT is not fetched from."""
    before = len(policy_server.requests)
    assert _check(_checker(dns_server, policy_server), "healthy.test").problems == ()
    assert len(policy_server.requests) == before


@pytest.mark.parametrize(
    ("texts", "outcome"),
    [
        (["v=STSv1; id=20160831085700Z;"], "20160831085700Z"),
        (["v=STSv1;id=abc"], "abc"),
        (["something else"], None),
        (["v=STSv1; id=a;", "v=STSv1; id=b;"], RecordError("multiple")),
        (["v=STSv1; id=;"], RecordError("id=")),
        (["v=STSv1; id=" + "a" * 33], RecordError("id=" + "a" * 33)),
    ],
)
def test_sts_record_syntax(texts: list[str], outcome: object) -> None:
    """RFC 8461 3.1: v=STSv1 first, one record, an id of 1-32 letters and digits."""
    if isinstance(outcome, RecordError):
        with pytest.raises(RecordError, match=str(outcome)):
            check_sts_record(texts)
    else:
        assert check_sts_record(texts) == outcome


@pytest.mark.parametrize(
    ("body", "wrong"),
    [
        ("version: STSv1\nmode: none\nmax_age: 0\n", None),
        ("version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1\n", "version"),
        ("version: STSv1\nmode: enforce\nmax_age: 1\n", "mx"),
        ("version: STSv1\nmode: testing\nmx: a.test\nmax_age: 99999999999\n", "max_age"),
        ("version: STSv1\nmode: testing\nmx: a..test\nmax_age: 1\n", "mx: a..test"),
    ],
)
def test_policy_syntax(body: str, wrong: str | None) -> None:
    """RFC 8461 3.2: version, mode, max_age within a year, mx patterns unless mode none."""
    if wrong is None:
        assert parse_policy(body)["mode"] == ["none"]
    else:
        with pytest.raises(RecordError, match=wrong):
            parse_policy(body)


def test_policy_is_fetched_once_per_id(dns_server: DnsServer, policy_server: PolicyServer) -> None:
    """A second check of the same domain (same _mta-sts id) reuses the fetched policy."""
    checker = _checker(dns_server, policy_server)
    before = len(policy_server.requests)
    _check(checker, "stsgood.auth.test")
    _check(checker, "stsgood.auth.test")
    assert len(policy_server.requests) == before + 1


def test_policy_fetch_stays_within_the_checks_deadline(dns_server: DnsServer) -> None:
    """A slow policy server cannot hold a check past its deadline: the fetch gets what is left of it."""
    slow = PolicyServer({"mta-sts.stsgood.auth.test": (200, GOOD)}, delay=1.0).start()
    try:
        resolver = Resolver([dns_server.address], timeout=0.5)
        fetcher = PolicyFetcher(resolver, cafile=str(slow.cafile), port=slow.port, timeout=5.0)
        checker = DomainChecker(resolver, deadline=0.5, fetcher=fetcher)
        start = time.monotonic()
        report = _check(checker, "stsgood.auth.test")
        took = time.monotonic() - start
    finally:
        slow.stop()
    assert took < 0.9
    assert [(p.id.value, p.value) for p in report.problems] == [("mta-sts-policy-unreachable", "timeout")]
