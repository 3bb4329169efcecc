"""The mail hosts of a domain: MX (null, implicit, broken targets), each host's addresses and DANE TLSA.

All MX targets' A/AAAA (and _25._tcp TLSA) are asked at once: one round trip whatever their number.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import dns.name

from bot.dnscheck.names import DomainName, ip_literal, unreachable
from bot.dnscheck.result import Answer, Result
from bot.dnscheck.session import LookupSession
from bot.models import MxHost, Problem
from bot.vocab import ProblemId, Severity

MAX_MX_HOSTS = 10  # targets resolved per domain; real domains have a handful


@dataclass(slots=True)
class _Host:
    """One mail host being judged: usable (a reachable address), broken, or unknown (lookup failed)."""

    mx: MxHost
    state: str  # "ok", "broken", "unknown"
    problems: list[tuple[ProblemId, str]] = field(default_factory=list)  # (id, value); severity later


async def mail_hosts(
    session: LookupSession,
    domain: DomainName,
    mx: Result | None,
    a: Result | None,
    aaaa: Result | None,
    *,
    dane: bool = True,
) -> tuple[tuple[MxHost, ...], tuple[Problem, ...]]:
    """The MX hosts with their addresses, and the problems of the domain's mail routing (and DANE)."""
    if mx is None:
        return (), ()  # unknown: the session reports the failure
    if not isinstance(mx, Answer):  # NODATA (or an alias to nothing): RFC 5321 section 5.1
        return _implicit(domain, a, aaaa)
    records = sorted(mx.records, key=lambda r: (r.preference, r.exchange.to_text().lower()))
    real = [r for r in records if r.exchange != dns.name.root]
    if not real:  # RFC 7505: "MX 0 ." and nothing else
        return (
            tuple(MxHost(r.preference, ".") for r in records),
            (Problem(ProblemId.NULL_MX, Severity.ERROR, subject=domain.display),),
        )
    # A null MX beside real ones is ignored: RFC 7505 forbids the mix, MTAs use the real hosts.
    names = [(r.preference, r.exchange.to_text(omit_final_dot=True).lower()) for r in real]
    resolved = names[:MAX_MX_HOSTS]
    to_ask = [host for _pref, host in resolved if ip_literal(host) is None]
    types = ("A", "AAAA", "TLSA") if dane else ("A", "AAAA")
    answers = await asyncio.gather(
        *(session.get(f"_25._tcp.{h}" if t == "TLSA" else h, t) for h in to_ask for t in types)
    )
    width = len(types)
    by_host = {h: (answers[width * i], answers[width * i + 1]) for i, h in enumerate(to_ask)}
    tlsa = {h: answers[width * i + 2] for i, h in enumerate(to_ask)} if dane else {}
    judged = []
    for pref, host in resolved:
        if host in by_host:
            judged.append(_judge(pref, host, *by_host[host], check_alias=True))
        else:
            judged.append(_Host(MxHost(pref, host), "broken", [(ProblemId.MX_TARGET_IP_LITERAL, host)]))
    extra = tuple(MxHost(pref, host) for pref, host in names[MAX_MX_HOSTS:])
    return tuple(h.mx for h in judged) + extra, _host_problems(judged) + _dane(tlsa)


def _dane(tlsa: dict[str, Result | None]) -> tuple[Problem, ...]:
    """TLSA records of the MX hosts: info when validated, a warning when DNSSEC does not protect them."""
    out = []
    for host, result in tlsa.items():
        if not isinstance(result, Answer):
            continue
        kinds = ", ".join(dict.fromkeys(f"{r.usage} {r.selector} {r.mtype}" for r in result.records))
        if result.secure:
            out.append(Problem(ProblemId.DANE_TLSA, Severity.INFO, subject=host, value=kinds))
        else:  # RFC 7672 section 2.2: senders use TLSA only from a validated (secure) answer
            out.append(Problem(ProblemId.DANE_WITHOUT_DNSSEC, Severity.WARNING, subject=host, value=kinds))
    return tuple(out)


def _implicit(
    domain: DomainName, a: Result | None, aaaa: Result | None
) -> tuple[tuple[MxHost, ...], tuple[Problem, ...]]:
    """No MX: the domain's own A/AAAA take its mail, or nothing does."""
    host = _judge(0, domain.ascii, a, aaaa, check_alias=False)
    if host.state == "unknown":
        return (), ()
    if not host.mx.addresses:
        return (), (Problem(ProblemId.NO_MAIL_HOST, Severity.ERROR, subject=domain.display),)
    info = Problem(
        ProblemId.IMPLICIT_MX, Severity.INFO, subject=domain.display, value=", ".join(host.mx.addresses)
    )
    return (host.mx,), (info, *_host_problems([host]))


def _judge(pref: int, host: str, a: Result | None, aaaa: Result | None, *, check_alias: bool) -> _Host:
    """One host's addresses and problems from its A and AAAA results."""
    addresses = tuple(x for r in (a, aaaa) if isinstance(r, Answer) for x in r.addresses())
    judged = _Host(MxHost(pref, host, addresses), "ok")
    canonical = next((r.canonical for r in (a, aaaa) if r is not None and r.alias), None)
    if check_alias and canonical:  # RFC 2181 section 10.3: an MX must name a host, not an alias
        judged.problems.append((ProblemId.MX_TARGET_CNAME, canonical))
    if not addresses:
        unknown = a is None or aaaa is None
        judged.state = "unknown" if unknown else "broken"
        if not unknown:
            judged.problems.append((ProblemId.MX_TARGET_UNRESOLVABLE, ""))
        return judged
    bad = [x for x in addresses if unreachable(x)]
    if bad:
        judged.problems.append((ProblemId.MX_TARGET_PRIVATE, ", ".join(bad)))
        judged.state = "broken" if len(bad) == len(addresses) else "ok"
    return judged


def _host_problems(hosts: list[_Host]) -> tuple[Problem, ...]:
    """Problems of all hosts; a broken host is an error only when no host can take the mail."""
    # With one host usable (or possibly usable: its lookup failed), mail still flows: a warning.
    all_broken = all(h.state == "broken" for h in hosts)
    out = []
    for host in hosts:
        for pid, value in host.problems:
            severity = (
                Severity.WARNING if pid == ProblemId.MX_TARGET_CNAME or not all_broken else Severity.ERROR
            )
            out.append(Problem(pid, severity, subject=host.mx.host, value=value))
    return tuple(out)
