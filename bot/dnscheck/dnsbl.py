"""The blocklists a bounce names, asked about the IP addresses it names (knowledge/dns_blocklists.toml).

A DNSBL answers <reversed IP>.<zone> A with 127.0.0.x when the address is listed (the code says
which sub-list) and NXDOMAIN when it is not. Spamhaus answers 127.255.255.x when it refuses the
query (e.g. one coming through a public resolver): that is no listing and is said so.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from bot.dnscheck.result import Answer, NxDomain
from bot.models import IpReport, Problem
from bot.reading.datafiles import load_table
from bot.vocab import Lang, ProblemId, Severity

if TYPE_CHECKING:  # the renderers read this module's tables: no resolver or event loop for them
    from bot.dnscheck.session import LookupSession

MAX_IPS = 3
MAX_LISTS = 4
_IPV4 = re.compile(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])")
# "host mx.example.jp[192.0.2.1] said": the receiving server's address, not the one refused.
_REMOTE = re.compile(r"\bhost [^\s\[\]]{1,255}\[[0-9a-f.:]{1,45}\]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Blocklist:
    """One list: its zone, the words that name it, its answer codes' meanings."""

    zone: str
    names: tuple[str, ...]
    default: bool
    refused: frozenset[str]
    codes: dict[str, dict[str, str]]


@cache
def blocklists() -> tuple[Blocklist, ...]:
    """knowledge/dns_blocklists.toml, parsed once."""
    return tuple(
        Blocklist(
            zone=str(row["zone"]).lower(),
            names=tuple(str(n).lower() for n in row["names"]),
            default=bool(row.get("default", False)),
            refused=frozenset(row.get("refused", ())),
            codes={str(k): dict(v) for k, v in row.get("codes", {}).items()},
        )
        for row in load_table("dns_blocklists")["list"]
    )


def meaning(zone: str, code: str, lang: Lang) -> str:
    """What a list's answer code means, in words; the code itself when the list does not say."""
    for bl in blocklists():
        if bl.zone == zone and code in bl.codes:
            return bl.codes[code][lang.value]
    return code


def named_lists(text: str) -> tuple[Blocklist, ...]:
    """The lists a text names, in the table's order."""
    lower = text.lower()
    return tuple(bl for bl in blocklists() if any(n in lower for n in bl.names))[:MAX_LISTS]


def default_lists() -> tuple[Blocklist, ...]:
    """The lists asked when a refusal blames the sending IP without naming a list."""
    return tuple(bl for bl in blocklists() if bl.default)[:MAX_LISTS]


def refused_ips(text: str) -> tuple[str, ...]:
    """The IPv4 addresses a refusal names, the receiving server's own left out."""
    found = []
    for match in _IPV4.finditer(_REMOTE.sub(" ", text)):
        try:
            found.append(str(ipaddress.IPv4Address(match.group())))
        except ValueError:
            continue  # 999.1.1.1 is no address
    return tuple(dict.fromkeys(found))[:MAX_IPS]


async def check_ips(
    session: LookupSession, ips: Sequence[str], lists: Sequence[Blocklist]
) -> tuple[IpReport, ...]:
    """Each IP asked of each list at once: listed (with codes), not listed, or refused."""
    pairs = [(ip, bl) for ip in ips for bl in lists]
    import asyncio  # only a lookup needs the event loop

    results = await asyncio.gather(*(session.get(_query(ip, bl.zone), "A") for ip, bl in pairs))
    by_ip: dict[str, list[Problem]] = {ip: [] for ip in ips}
    for (ip, bl), result in zip(pairs, results, strict=True):
        problem = _judge(ip, bl, result)
        failed = session.failure_of(_query(ip, bl.zone)) if result is None else None
        if failed is not None:  # the list did not answer: said, and nothing concluded
            problem = Problem(ProblemId.DNS_FAILURE, Severity.WARNING, subject=bl.zone, value=failed.value)
        if problem is not None:
            by_ip[ip].append(problem)
    return tuple(IpReport(ip, tuple(problems)) for ip, problems in by_ip.items())


def _query(ip: str, zone: str) -> str:
    return ipaddress.ip_address(ip).reverse_pointer.rsplit(".", 2)[0] + "." + zone


def _judge(ip: str, bl: Blocklist, result: object) -> Problem | None:
    if isinstance(result, NxDomain):
        return Problem(ProblemId.DNSBL_NOT_LISTED, Severity.INFO, subject=ip, value=bl.zone)
    if not isinstance(result, Answer):
        return None  # NODATA is no answer a list gives; a failure is reported by the session
    codes = sorted(result.addresses(), key=ipaddress.ip_address)
    refused = [c for c in codes if c in bl.refused or c.startswith("127.255.255.")]
    if refused:
        return Problem(
            ProblemId.DNSBL_REFUSED, Severity.WARNING, subject=ip, value=bl.zone, answer=refused[0]
        )
    return Problem(ProblemId.DNSBL_LISTED, Severity.ERROR, subject=ip, value=bl.zone, answer=", ".join(codes))
