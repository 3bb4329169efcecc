"""DNS checks of mail domains: existence, MX (null, implicit, broken targets), and SPF/DMARC on request.

Every check asks MX, A, AAAA (and TXT, _dmarc TXT with auth) at once, then all MX targets'
A/AAAA at once: two round trips for a usual domain, whatever its number of MX hosts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.name

from bot.dnscheck.authcheck import AuthFacts, check_auth
from bot.dnscheck.names import DomainName, ip_literal, parse_domain, unreachable
from bot.dnscheck.resolver import Resolver
from bot.dnscheck.result import Answer, NxDomain, Result
from bot.dnscheck.session import LookupSession
from bot.dnscheck.suggest import suggestions
from bot.models import DomainReport, MxHost, Problem
from bot.vocab import ProblemId, Severity

MAX_MX_HOSTS = 10  # targets resolved per domain; real domains have a handful


@dataclass(slots=True)
class _Host:
    """One mail host being judged: usable (a reachable address), broken, or unknown (lookup failed)."""

    mx: MxHost
    state: str  # "ok", "broken", "unknown"
    problems: list[tuple[ProblemId, str]] = field(default_factory=list)  # (id, value); severity later


class DomainChecker:
    """Checks domains through one Resolver (and its cache) within a deadline per check."""

    def __init__(self, resolver: Resolver, *, deadline: float = 3.0) -> None:
        self.resolver = resolver
        self.deadline = deadline

    async def check(self, names: Sequence[str], *, auth: bool = False) -> tuple[DomainReport, ...]:
        """Reports for several names, checked concurrently; InvalidDomain before any query if one is bad."""
        domains = [parse_domain(name) for name in names]
        return tuple(await asyncio.gather(*(self._check(d, auth) for d in domains)))

    async def check_one(self, name: str, *, auth: bool = False) -> DomainReport:
        """The report for one domain (or the domain of a mail address)."""
        return await self._check(parse_domain(name), auth)

    async def _check(self, domain: DomainName, auth: bool) -> DomainReport:
        name = domain.ascii
        session = LookupSession(self.resolver, self.deadline, names={name: domain.display})
        questions = [(name, "MX"), (name, "A"), (name, "AAAA")]
        if auth:
            questions += [(name, "TXT"), (f"_dmarc.{name}", "TXT")]
        first = await asyncio.gather(*(session.get(*q) for q in questions))
        mx, a, aaaa = first[:3]
        exists = _exists(first[:4] if auth else first[:3])
        if exists is False:
            return DomainReport(
                domain=domain.display,
                ascii=name,
                exists=False,
                problems=(Problem(ProblemId.NXDOMAIN, Severity.ERROR, subject=domain.display),),
                suggestions=suggestions(name),
                complete=session.complete,
            )
        hosts_job = _mail_hosts(session, domain, mx, a, aaaa)
        if auth and exists:
            (hosts, mail_problems), facts = await asyncio.gather(
                hosts_job, check_auth(session, domain.display, name, first[3], first[4])
            )
        else:
            (hosts, mail_problems), facts = await hosts_job, AuthFacts((), None, None)
        return DomainReport(
            domain=domain.display,
            ascii=name,
            exists=exists,
            mx=hosts,
            problems=mail_problems + facts.problems + session.problems(),
            spf=facts.spf,
            dmarc=facts.dmarc,
            complete=session.complete,
        )


def _exists(apex: Sequence[Result | None]) -> bool | None:
    """False on NXDOMAIN for the name itself; True on any other answer; None when all failed."""
    if any(isinstance(r, NxDomain) and not r.alias for r in apex):
        return False
    return True if any(r is not None for r in apex) else None


async def _mail_hosts(
    session: LookupSession, domain: DomainName, mx: Result | None, a: Result | None, aaaa: Result | None
) -> tuple[tuple[MxHost, ...], tuple[Problem, ...]]:
    """The MX hosts with their addresses, and the problems of the domain's mail routing."""
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
    answers = await asyncio.gather(*(session.get(h, t) for h in to_ask for t in ("A", "AAAA")))
    by_host = {h: (answers[2 * i], answers[2 * i + 1]) for i, h in enumerate(to_ask)}
    judged = []
    for pref, host in resolved:
        if host in by_host:
            judged.append(_judge(pref, host, *by_host[host], check_alias=True))
        else:
            judged.append(_Host(MxHost(pref, host), "broken", [(ProblemId.MX_TARGET_IP_LITERAL, host)]))
    extra = tuple(MxHost(pref, host) for pref, host in names[MAX_MX_HOSTS:])
    return tuple(h.mx for h in judged) + extra, _host_problems(judged)


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
