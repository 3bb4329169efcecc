"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dnsserver import DnsServer

from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.resolver import Resolver

# ============================================================================ DNS (tests/dnsserver.py)
# A real authoritative server on loopback UDP+TCP serving tests/dns/zones/*.zone (see zones/README.md).
# One server per session; faults and query counters are cleared before and after every test.
#   dns_server.address            (host, port) for Resolver([...]) / --nameserver
#   dns_server.fault(kind, name=, rdtype=, seconds=)   kind: delay, timeout, servfail, truncate
#   dns_server.count(name, rdtype, transport=)  /  dns_server.queries  /  dns_server.questions()


@pytest.fixture(scope="session")
def _dns_server_session() -> Iterator[DnsServer]:
    server = DnsServer.from_directory().start()
    yield server
    server.stop()


@pytest.fixture
def dns_server(_dns_server_session: DnsServer) -> Iterator[DnsServer]:
    """The loopback DNS server with no faults and zeroed counters."""
    server = _dns_server_session
    server.clear_faults()
    server.reset_counts()
    yield server
    server.clear_faults()
    server.reset_counts()


@pytest.fixture
def dns_resolver(dns_server: DnsServer) -> Resolver:
    """A fresh Resolver (empty cache) on the loopback server, with a short timeout for fault tests."""
    return Resolver([dns_server.address], timeout=0.4)


@pytest.fixture
def dns_checker(dns_resolver: Resolver) -> DomainChecker:
    """A DomainChecker on dns_resolver with a 1.5 s deadline."""
    return DomainChecker(dns_resolver, deadline=1.5)


# ============================================================================ (other fixtures below)


# ============================================================================ DNSSEC (tests/dns/validating.py)
# knotd serving zones signed at test time behind a validating unbound, both on loopback ports.
@pytest.fixture(scope="session")
def validating_resolver() -> Iterator[tuple[str, int]]:
    """(host, port) of a validating unbound in front of knotd with signed.test, bogus.test, insecure.test."""
    from validating import ValidatingResolver

    server = ValidatingResolver().start()
    yield server.address
    server.stop()
