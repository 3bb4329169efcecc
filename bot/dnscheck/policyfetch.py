"""Fetches an MTA-STS policy over HTTPS (aiohttp), resolving the host through our own Resolver.

The host's address comes from the same resolver and cache as every other lookup (so a test's
loopback DNS server, or --nameserver, is honoured, and the address asked in the first round is
reused). Certificates are always verified: a CA file or SSL context can be given (a private CA,
a test CA), verification is never turned off.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver
from cachetools import TLRUCache

from bot.dnscheck.resolver import Resolver
from bot.dnscheck.result import Answer, DnsFailure

WELL_KNOWN = "/.well-known/mta-sts.txt"
POLICY_TTL = 3600.0  # RFC 8461 section 5.1: a policy stays valid while its id is unchanged
FAILURE_TTL = 60.0  # an unreachable policy server is asked again after a minute


class _OurResolver(AbstractResolver):
    """aiohttp's host lookup answered by bot.dnscheck's Resolver (A, then AAAA)."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[dict[str, Any]]:
        """The host's addresses as aiohttp wants them; OSError when it has none."""
        found: list[dict[str, Any]] = []
        for rdtype, fam in (("A", socket.AF_INET), ("AAAA", socket.AF_INET6)):
            try:
                result = await self._resolver.lookup(host, rdtype)
            except DnsFailure:
                continue
            if isinstance(result, Answer):
                found += [
                    {"hostname": host, "host": a, "port": port, "family": fam, "proto": 0, "flags": 0}
                    for a in result.addresses()
                ]
        if not found:
            raise OSError(f"{host} has no address")
        return found

    async def close(self) -> None:
        """Nothing to close: the Resolver outlives the fetch."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A policy body, or why there is none ('timeout', 'tls', 'connect', 'http-404', 'too-large')."""

    body: str | None
    failure: str = ""


class PolicyFetcher:
    """GET https://mta-sts.<domain>/.well-known/mta-sts.txt within a short timeout."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        timeout: float = 3.0,
        max_bytes: int = 65536,
        ssl_context: ssl.SSLContext | None = None,
        cafile: str | None = None,
        port: int = 443,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._resolver = resolver
        self._cache: TLRUCache[tuple[str, str], Fetched] = TLRUCache(
            1024, lambda _k, v, now: now + (POLICY_TTL if v.body is not None else FAILURE_TTL), timer=clock
        )
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.port = port  # RFC 8461 says 443; another port only for tests and proxies
        self._ssl = ssl_context or ssl.create_default_context(cafile=cafile)

    async def fetch(self, domain: str, policy_id: str = "", *, within: float | None = None) -> Fetched:
        """The policy of a domain (A-label form) whose _mta-sts record has this id, or the failure kind.

        `within` shortens the timeout to what is left of a check's deadline.
        """
        key = (domain, policy_id)
        cached = self._cache.get(key)
        if cached is None:
            timeout = self.timeout if within is None else min(self.timeout, within)
            cached = await self._get(domain, timeout)
            if cached.failure != "timeout" or timeout >= self.timeout:
                self._cache[key] = cached  # a fetch cut short by the check's deadline proves nothing lasting
        return cached

    async def _get(self, domain: str, timeout: float) -> Fetched:
        host = f"mta-sts.{domain}"
        url = f"https://{host}:{self.port}{WELL_KNOWN}" if self.port != 443 else f"https://{host}{WELL_KNOWN}"
        connector = aiohttp.TCPConnector(
            resolver=_OurResolver(self._resolver), ssl=self._ssl, use_dns_cache=False
        )
        try:
            async with (
                asyncio.timeout(timeout),
                aiohttp.ClientSession(connector=connector) as client,
                # RFC 8461 section 3.3: redirects are not followed.
                client.get(url, allow_redirects=False) as response,
            ):
                if response.status != 200:
                    return Fetched(None, f"http-{response.status}")
                body = await response.content.read(self.max_bytes + 1)
        except TimeoutError:
            return Fetched(None, "timeout")
        except aiohttp.ClientSSLError:
            return Fetched(None, "tls")
        except (aiohttp.ClientError, OSError):
            return Fetched(None, "connect")
        if len(body) > self.max_bytes:
            return Fetched(None, "too-large")
        return Fetched(body.decode("utf-8", "replace"))
