"""Typed results of one DNS lookup: an answer, NXDOMAIN, NODATA, or a DnsFailure with its kind."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class FailureKind(StrEnum):
    """Why a lookup got no usable answer; the value is what a dns-failure problem reports."""

    TIMEOUT = "timeout"
    SERVFAIL = "servfail"
    REFUSED = "refused"
    NETWORK = "network"  # the server could not be reached at all
    NO_NAMESERVER = "no-nameserver"  # no resolver configured (no /etc/resolv.conf)
    ERROR = "error"  # a malformed or unexpected response
    VALIDATION = "validation"  # DNSSEC: SERVFAIL that clears with CD set (the signatures are wrong)


@dataclass(frozen=True, slots=True)
class Answer:
    """NOERROR with records; `canonical` differs from `name` when a CNAME led there."""

    name: str  # queried name, lower case, no final dot
    rdtype: str  # "MX", "A", ...
    records: tuple[Any, ...]  # dnspython rdata objects of the final rrset
    ttl: int  # the smallest TTL along the CNAME chain
    canonical: str
    secure: bool = False  # the AD bit: a validating resolver checked the DNSSEC signatures

    @property
    def alias(self) -> bool:
        """True when the name is a CNAME."""
        return self.canonical != self.name

    def texts(self) -> tuple[str, ...]:
        """A TXT answer's records, each record's strings joined (RFC 7208 section 3.3)."""
        return tuple(b"".join(r.strings).decode("utf-8", "replace") for r in self.records)

    def addresses(self) -> tuple[str, ...]:
        """An A/AAAA answer's addresses as text."""
        return tuple(r.address for r in self.records)


@dataclass(frozen=True, slots=True)
class NxDomain:
    """The name does not exist; ttl is the RFC 2308 negative TTL (0 without an SOA)."""

    name: str
    rdtype: str
    ttl: int
    canonical: str  # the last name of a CNAME chain that ended in NXDOMAIN
    secure: bool = False

    @property
    def alias(self) -> bool:
        """True when the queried name exists as a CNAME and its target does not."""
        return self.canonical != self.name


@dataclass(frozen=True, slots=True)
class NoData:
    """The name exists without records of this type (NOERROR, empty answer)."""

    name: str
    rdtype: str
    ttl: int
    canonical: str
    secure: bool = False

    @property
    def alias(self) -> bool:
        """True when a CNAME led to the name without data."""
        return self.canonical != self.name


Result = Answer | NxDomain | NoData


class DnsFailure(Exception):
    """A lookup that got no answer we can use: timeout, SERVFAIL, REFUSED, unreachable server..."""

    def __init__(self, name: str, rdtype: str, kind: FailureKind, detail: str = "") -> None:
        super().__init__(f"{name} {rdtype}: {kind}" + (f" ({detail})" if detail else ""))
        self.name = name
        self.rdtype = rdtype
        self.kind = kind
        self.detail = detail
