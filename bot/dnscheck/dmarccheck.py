"""A domain's DMARC problems: its record or its organisational domain's, p=none, report authorisation.

The organisational domain comes from the public suffix list (the `publicsuffixlist` package ships
it offline, so no download at run time). RFC 7489 section 7.1: a report address in another
organisational domain is used only when that domain publishes
<domain>._report._dmarc.<report domain> TXT "v=DMARC1".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache

from publicsuffixlist import PublicSuffixList

from bot.dnscheck.dmarc import MULTIPLE, DmarcError, dmarc_records, parse_dmarc
from bot.dnscheck.result import Result
from bot.dnscheck.session import LookupSession
from bot.dnscheck.spfcheck import texts
from bot.models import Problem
from bot.vocab import ProblemId, Severity

MAX_REPORT_DOMAINS = 4  # external report domains asked about, per record


@dataclass(frozen=True, slots=True)
class DmarcFacts:
    """The record in force, where it was found, and its problems."""

    problems: tuple[Problem, ...]
    record: str | None
    domain: str | None  # the name whose _dmarc holds the record: the domain or its organisational domain


@cache
def _psl() -> PublicSuffixList:
    # ICANN section only: DMARC's organisational domain is a registration boundary, not a hosting one.
    return PublicSuffixList(only_icann=True)


def organisational_domain(name: str) -> str:
    """The registered domain of a name (tanaka.co.jp for mail.tanaka.co.jp); the name itself when none."""
    return _psl().privatesuffix(name.lower()) or name.lower()


async def check_dmarc(
    session: LookupSession, domain: str, own: Result | None, org: Result | None
) -> DmarcFacts:
    """DMARC facts from the _dmarc answers of the domain and (when different) its organisational domain."""
    if own is None:
        return DmarcFacts((), None, None)  # the lookup failed: the session reports it
    name, records = domain, dmarc_records(texts(own))
    org_name = organisational_domain(domain)
    if not records and org_name != domain:
        if org is None:
            return DmarcFacts((), None, None)
        name, records = org_name, dmarc_records(texts(org))
    if not records:
        return DmarcFacts((Problem(ProblemId.DMARC_MISSING, Severity.WARNING, subject=domain),), None, None)
    if len(records) > 1:
        return DmarcFacts((_invalid(name, MULTIPLE),), records[0], name)
    try:
        tags = parse_dmarc(records[0])
    except DmarcError as error:
        return DmarcFacts((_invalid(name, error.value),), records[0], name)
    problems: list[Problem] = []
    # A subdomain under its organisational domain's record follows sp= when there is one.
    policy = tags.get("sp", tags["p"]) if name != domain else tags["p"]
    if policy.lower() == "none":
        problems.append(Problem(ProblemId.DMARC_P_NONE, Severity.INFO, subject=name, value="p=none"))
    problems += await _unauthorised(session, name, tags)
    return DmarcFacts(tuple(problems), records[0], name)


def _invalid(name: str, value: str) -> Problem:
    return Problem(ProblemId.DMARC_INVALID, Severity.WARNING, subject=name, value=value)


async def _unauthorised(session: LookupSession, name: str, tags: dict[str, str]) -> list[Problem]:
    """Report addresses in other organisational domains that have not agreed to take the reports."""
    own_org = organisational_domain(name)
    outside: dict[str, str] = {}  # report domain → the first URI naming it
    for key in ("rua", "ruf"):
        for uri in tags.get(key, "").split(","):
            uri = uri.strip().partition("!")[0]
            if uri[:7].lower() != "mailto:" or "@" not in uri:
                continue
            host = uri.rpartition("@")[2].strip().rstrip(".").lower()
            if host and organisational_domain(host) != own_org:
                outside.setdefault(host, uri)
    hosts = list(outside)[:MAX_REPORT_DOMAINS]
    answers = await asyncio.gather(*(session.get(f"{name}._report._dmarc.{h}", "TXT") for h in hosts))
    return [
        Problem(ProblemId.DMARC_RUA_UNAUTHORIZED, Severity.WARNING, subject=host, value=outside[host])
        for host, answer in zip(hosts, answers, strict=True)
        # A failed lookup proves nothing; an answer without v=DMARC1 (or none at all) refuses.
        if answer is not None and not any(t.strip().startswith("v=DMARC1") for t in texts(answer))
    ]
