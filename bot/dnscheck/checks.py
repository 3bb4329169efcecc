"""DNS checks of mail domains: existence, mail hosts, SPF, DMARC, MTA-STS, TLS-RPT, DNSSEC and DANE.

The rounds follow the dependency chain and nothing else: first every question about the domain
itself at once (MX, A, AAAA, TXT, _dmarc of the domain and of its organisational domain,
_mta-sts, _smtp._tls, the MTA-STS host's address) beside the control query that tells whether our
resolver works; then, at once, the MX hosts' addresses and TLSA, the SPF includes, the DMARC report
authorisations and the MTA-STS policy fetch; SPF includes nested deeper take one round per level.
A domain that does not exist gets one more concurrent round: its spelling suggestions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.dnscheck.dmarccheck import DmarcFacts, check_dmarc, organisational_domain
from bot.dnscheck.dnsbl import Blocklist, check_ips
from bot.dnscheck.domaindepth import dnssec_problems, sts_problems, tlsrpt_problems
from bot.dnscheck.health import ResolverHealth
from bot.dnscheck.mailhosts import mail_hosts
from bot.dnscheck.names import DomainName, parse_domain
from bot.dnscheck.policyfetch import PolicyFetcher
from bot.dnscheck.resolver import Resolver
from bot.dnscheck.result import NxDomain, Result
from bot.dnscheck.session import LookupSession
from bot.dnscheck.spfcheck import check_spf
from bot.dnscheck.suggest import verified
from bot.models import DomainReport, IpReport, Problem
from bot.vocab import ProblemId, Severity


class DomainChecker:
    """Checks domains through one Resolver (and its cache) within a deadline per check."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        deadline: float = 3.0,
        fetcher: PolicyFetcher | None = None,
        health: ResolverHealth | None = None,
    ) -> None:
        self.resolver = resolver
        self.deadline = deadline
        self.fetcher = fetcher or PolicyFetcher(resolver, timeout=min(3.0, deadline))
        self.health = health or ResolverHealth(resolver)

    async def check(self, names: Sequence[str], *, auth: bool = True) -> tuple[DomainReport, ...]:
        """Reports for several names, checked concurrently; InvalidDomain before any query if one is bad."""
        domains = [parse_domain(name) for name in names]
        return tuple(await asyncio.gather(*(self._check(d, auth) for d in domains)))

    async def check_one(self, name: str, *, auth: bool = True) -> DomainReport:
        """The report for one domain (or the domain of a mail address); auth=False: mail hosts only."""
        return await self._check(parse_domain(name), auth)

    async def check_ips(self, ips: Sequence[str], lists: Sequence[Blocklist]) -> tuple[IpReport, ...]:
        """What each blocklist says about each IP address; nothing is asked when our resolver is unusable."""
        session = LookupSession(self.resolver, self.deadline)
        broken, reports = await asyncio.gather(self.health.failure(), check_ips(session, ips, lists))
        if broken is not None:
            return tuple(IpReport(ip, (self._unusable(broken),)) for ip in ips)
        failures = session.problems()
        return tuple(
            IpReport(r.ip, r.problems + tuple(p for p in failures if r.ip in p.subject)) for r in reports
        )

    def _unusable(self, why: str) -> Problem:
        return Problem(
            ProblemId.RESOLVER_UNUSABLE, Severity.ERROR, subject=self.resolver.describe(), value=why
        )

    async def _check(self, domain: DomainName, auth: bool) -> DomainReport:
        name = domain.ascii
        session = LookupSession(self.resolver, self.deadline, names={name: domain.display})
        questions = {"mx": (name, "MX"), "a": (name, "A"), "aaaa": (name, "AAAA")}
        org = organisational_domain(name)
        if auth:
            questions |= {
                "txt": (name, "TXT"),
                "dmarc": (f"_dmarc.{name}", "TXT"),
                "sts": (f"_mta-sts.{name}", "TXT"),
                "tlsrpt": (f"_smtp._tls.{name}", "TXT"),
                # Asked now so that the policy fetch of the next round finds the address cached.
                "sts_host": (f"mta-sts.{name}", "A"),
            }
            if org != name:
                questions["org_dmarc"] = (f"_dmarc.{org}", "TXT")
        broken, *answers = await asyncio.gather(
            self.health.failure(), *(session.get(*q) for q in questions.values())
        )
        if broken is not None:  # nothing our resolver said can be trusted: no fact about the domain
            return DomainReport(
                domain=domain.display,
                ascii=name,
                exists=None,
                problems=(self._unusable(broken),),
                complete=False,
            )
        first: dict[str, Result | None] = dict(zip(questions, answers, strict=True))
        exists = _exists([first[k] for k in ("mx", "a", "aaaa", "txt") if k in first])
        if exists is False:
            return DomainReport(
                domain=domain.display,
                ascii=name,
                exists=False,
                problems=(Problem(ProblemId.NXDOMAIN, Severity.ERROR, subject=domain.display),),
                suggestions=await self._suggestions(name),
                complete=session.complete,
            )
        hosts_job = mail_hosts(session, domain, first["mx"], first["a"], first["aaaa"], dane=auth)
        if not (auth and exists):
            hosts, mail_problems = await hosts_job
            return DomainReport(
                domain=domain.display,
                ascii=name,
                exists=exists,
                mx=hosts,
                problems=mail_problems + session.problems(),
                complete=session.complete,
            )
        own = {"MX": first["mx"], "A": first["a"]}
        (hosts, mail_problems), (spf_problems, spf), dmarc, sts = await asyncio.gather(
            hosts_job,
            check_spf(session, domain.display, first["txt"], own),
            check_dmarc(session, name, first["dmarc"], first.get("org_dmarc")),
            sts_problems(self.fetcher, domain.display, name, first["sts"], within=session.remaining()),
        )
        problems = (
            mail_problems
            + spf_problems
            + _shown(dmarc, name, domain.display)
            + sts
            + tlsrpt_problems(domain.display, first["tlsrpt"])
            + dnssec_problems(session, domain.display, name, [first["mx"], first["a"], first["aaaa"]])
        )
        return DomainReport(
            domain=domain.display,
            ascii=name,
            exists=exists,
            mx=hosts,
            problems=problems + session.problems(),
            spf=spf,
            dmarc=dmarc.record,
            dmarc_domain=dmarc.domain,
            complete=session.complete,
        )

    async def _suggestions(self, name: str) -> tuple[str, ...]:
        # Their own session: a candidate that fails to resolve is no fact about the domain asked.
        quiet = LookupSession(self.resolver, self.deadline)
        return await verified(quiet.get, name)


def _shown(dmarc: DmarcFacts, name: str, display: str) -> tuple[Problem, ...]:
    """DMARC problems with the domain as the user wrote it where they are about the domain itself."""
    return tuple(
        p if p.subject != name else Problem(p.id, p.severity, display, p.value) for p in dmarc.problems
    )


def _exists(apex: Sequence[Result | None]) -> bool | None:
    """False on NXDOMAIN for the name itself; True on any other answer; None when all failed."""
    if any(isinstance(r, NxDomain) and not r.alias for r in apex):
        return False
    return True if any(r is not None for r in apex) else None
