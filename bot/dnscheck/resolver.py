"""Async DNS lookups with typed results, a TTL cache and single-flight, around dnspython's resolver."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdatatype
import dns.resolver

from bot.dnscheck.cache import Cache, DnsCache
from bot.dnscheck.result import Answer, DnsFailure, FailureKind, NoData, NxDomain, Result

__all__ = [
    "Answer",
    "DnsFailure",
    "FailureKind",
    "NoData",
    "NxDomain",
    "Resolver",
    "Result",
    "nameservers_from_env",
    "parse_nameserver",
]

ENV_NAMESERVERS = "MXCHECK_NAMESERVERS"
EDNS_PAYLOAD = 1232  # the DNS flag day 2020 size: big TXT answers fit without a TCP retry
_Key = tuple[str, str]


def parse_nameserver(text: str) -> tuple[str, int]:
    """'IP[:PORT]' (IPv6 as '[::1]:53' or bare '::1') → (ip, port); ValueError when malformed."""
    text = text.strip()
    host, port = text, "53"
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"bad nameserver {text!r}: expected [IPv6]:PORT")
        port = rest[1:] or "53"
    elif text.count(":") == 1:  # IPv4:PORT; a bare IPv6 address has two or more colons
        host, port = text.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"bad nameserver {text!r}: not an IP address") from None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bad nameserver {text!r}: port must be 1-65535")
    return (str(address), int(port))


def nameservers_from_env(environ: Mapping[str, str] = os.environ) -> tuple[tuple[str, int], ...] | None:
    """The nameservers of MXCHECK_NAMESERVERS (comma-separated IP[:PORT]); None when unset or blank."""
    value = environ.get(ENV_NAMESERVERS, "")
    parts = [p for p in (s.strip() for s in value.split(",")) if p]
    return tuple(parse_nameserver(p) for p in parts) or None


class Resolver:
    """Looks names up through one set of nameservers, caching results and sharing identical queries."""

    resolv_conf = "/etc/resolv.conf"  # the system resolver's configuration, read when no nameserver is given

    def __init__(
        self,
        nameservers: Sequence[tuple[str, int]] | None = None,
        *,
        timeout: float = 2.0,
        cache: Cache | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = timeout
        self.cache: Cache = cache if cache is not None else DnsCache(clock=clock)
        self.queries_sent = 0  # lookups that went to the network (cache misses not joined to another)
        self._inflight: dict[_Key, asyncio.Future[Result]] = {}
        self._config_error = ""
        self._dns = self._make_resolver(nameservers)
        self._checking_disabled = self._make_resolver(nameservers, cd=True)

    def describe(self) -> str:
        """The servers asked, as 'IP' or 'IP:PORT' (the system's from resolv.conf when none was given)."""
        if self._dns is None:
            return self.resolv_conf
        shown = []
        for ns in self._dns.nameservers:
            if isinstance(ns, dns.nameserver.Do53Nameserver):
                shown.append(ns.address if ns.port == 53 else f"{ns.address}:{ns.port}")
            else:
                shown.append(str(ns))
        return ", ".join(shown)

    def _make_resolver(
        self, nameservers: Sequence[tuple[str, int]] | None, *, cd: bool = False
    ) -> dns.asyncresolver.Resolver | None:
        if nameservers:
            res = dns.asyncresolver.Resolver(configure=False)
            res.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in nameservers]
        else:
            try:
                res = dns.asyncresolver.Resolver(filename=self.resolv_conf)
            except (dns.resolver.NoResolverConfiguration, OSError) as exc:
                # No configuration is a fact to report per lookup, not a reason to crash the bot.
                self._config_error = str(exc) or type(exc).__name__
                return None
        res.cache = None  # ours is above, with capped and negative TTLs
        res.lifetime = self.timeout
        # Two tries within the timeout: one lost UDP datagram does not cost the whole lookup.
        res.timeout = self.timeout / 2
        # DO asks a validating resolver to check signatures and say so (AD); CD (the second
        # resolver) asks it not to, which tells a validation failure from a server failure.
        res.use_edns(0, dns.flags.DO, EDNS_PAYLOAD)
        if cd:
            res.flags = dns.flags.RD | dns.flags.CD
        return res

    async def lookup(self, name: str, rdtype: str) -> Result:
        """Answer, NxDomain or NoData for (name, type); raises DnsFailure when there is no answer."""
        key = (name.lower().rstrip("."), rdtype.upper())
        cached = self.cache.get(key)
        if isinstance(cached, DnsFailure):
            raise cached
        if cached is not None:
            return cached
        future = self._inflight.get(key)
        # A query left pending by another event loop (one that stopped early) cannot be awaited here.
        if future is None or future.get_loop() is not asyncio.get_running_loop():
            future = asyncio.ensure_future(self._query(*key))
            self._inflight[key] = future
            future.add_done_callback(partial(self._landed, key))
        # A caller that gives up (deadline) must not cancel the query others are waiting for.
        return await asyncio.shield(future)

    def _landed(self, key: _Key, future: asyncio.Future[Result]) -> None:
        if self._inflight.get(key) is future:
            del self._inflight[key]
        if not future.cancelled():
            future.exception()  # retrieved: every waiter may have left before it failed

    async def _query(self, name: str, rdtype: str) -> Result:
        try:
            result = await self._resolve(name, rdtype)
        except DnsFailure as failure:
            self.cache.put((name, rdtype), failure)
            raise
        self.cache.put((name, rdtype), result)
        return result

    async def probe(self, name: str, rdtype: str) -> Result:
        """One lookup that bypasses the cache (the control query); raises DnsFailure like lookup."""
        return await self._resolve(name, rdtype)

    async def _resolve(self, name: str, rdtype: str) -> Result:
        try:
            return await self._ask(self._dns, name, rdtype)
        except DnsFailure as failure:
            if failure.kind is not FailureKind.SERVFAIL or self._checking_disabled is None:
                raise
            try:  # RFC 4035 section 3.2.2: the same question with CD set skips validation
                await self._ask(self._checking_disabled, name, rdtype)
            except DnsFailure:
                raise failure from None
            raise DnsFailure(name, rdtype, FailureKind.VALIDATION) from None

    async def _ask(self, res: dns.asyncresolver.Resolver | None, name: str, rdtype: str) -> Result:
        if res is None:
            raise DnsFailure(name, rdtype, FailureKind.NO_NAMESERVER, self._config_error)
        self.queries_sent += 1
        try:
            qname = dns.name.from_text(name)
            # dnspython may sleep a retry backoff past its lifetime: the timeout is enforced here too.
            async with asyncio.timeout(self.timeout):
                answer = await res.resolve(qname, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN as exc:
            response = exc.response(qname)
            canonical = _text(_canonical(response, qname))
            return NxDomain(name, rdtype, _negative_ttl(response), canonical, _secure(response))
        except dns.resolver.NoNameservers as exc:
            raise DnsFailure(name, rdtype, _failure_kind(exc.kwargs.get("errors") or [])) from None
        except (dns.exception.Timeout, TimeoutError):
            raise DnsFailure(name, rdtype, FailureKind.TIMEOUT) from None
        except OSError as exc:
            raise DnsFailure(name, rdtype, FailureKind.NETWORK, type(exc).__name__) from None
        except dns.exception.DNSException as exc:
            raise DnsFailure(name, rdtype, FailureKind.ERROR, type(exc).__name__) from None
        canonical = _text(answer.canonical_name)
        secure = _secure(answer.response)
        if answer.rrset is None:
            return NoData(name, rdtype, _negative_ttl(answer.response), canonical, secure)
        ttl = answer.chaining_result.minimum_ttl
        return Answer(name, rdtype, tuple(answer.rrset), ttl, canonical, secure)


def _secure(response: dns.message.Message | None) -> bool:
    return response is not None and bool(response.flags & dns.flags.AD)


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True).lower()


def _canonical(response: dns.message.Message, qname: dns.name.Name) -> dns.name.Name:
    try:
        return response.canonical_name()  # type: ignore[attr-defined]
    except dns.exception.DNSException:
        return qname


def _negative_ttl(response: dns.message.Message) -> int:
    """RFC 2308 section 5: min(SOA TTL, SOA MINIMUM) from the authority section; 0 without an SOA."""
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
            return min(rrset.ttl, rrset[0].minimum)
    return 0  # "negative responses without SOA records SHOULD NOT be cached"


def _failure_kind(errors: list[tuple[object, ...]]) -> FailureKind:
    """The most telling kind among dnspython's per-server errors (server, tcp, port, exc, response)."""
    kinds = set()
    for *_server, exc, response in errors:
        if isinstance(response, dns.message.Message):
            rcode = response.rcode()
            kinds.add(
                FailureKind.SERVFAIL
                if rcode == dns.rcode.SERVFAIL
                else FailureKind.REFUSED
                if rcode == dns.rcode.REFUSED
                else FailureKind.ERROR
            )
        elif isinstance(exc, dns.exception.Timeout):
            kinds.add(FailureKind.TIMEOUT)
        elif isinstance(exc, OSError | EOFError):
            kinds.add(FailureKind.NETWORK)
        else:
            kinds.add(FailureKind.ERROR)
    for kind in (FailureKind.SERVFAIL, FailureKind.REFUSED, FailureKind.TIMEOUT, FailureKind.NETWORK):
        if kind in kinds:
            return kind
    return FailureKind.ERROR
