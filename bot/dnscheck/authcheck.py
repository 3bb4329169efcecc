"""SPF and DMARC problems of a domain: record selection, syntax, and SPF's lookups counted through includes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.dnscheck.dmarc import MULTIPLE, DmarcError, dmarc_records, parse_dmarc
from bot.dnscheck.result import Answer, Result
from bot.dnscheck.session import LookupSession
from bot.dnscheck.spf import MAX_LOOKUPS, SpfError, SpfRecord, parse_spf, spf_records
from bot.models import Problem
from bot.vocab import ProblemId, Severity

MAX_DEPTH = 12  # include levels followed; a loop exceeds MAX_LOOKUPS well before this


@dataclass(frozen=True, slots=True)
class AuthFacts:
    """What the SPF and DMARC checks found."""

    problems: tuple[Problem, ...]
    spf: str | None
    dmarc: str | None


def _warning(pid: ProblemId, subject: str, value: str = "") -> Problem:
    return Problem(pid, Severity.WARNING, subject=subject, value=value)


async def check_auth(
    session: LookupSession, domain: str, name: str, txt: Result | None, dmarc_txt: Result | None
) -> AuthFacts:
    """SPF (from the apex TXT answer) and DMARC (from the _dmarc TXT answer) problems of a domain."""
    spf_problems, spf = await _check_spf(session, domain, txt)
    dmarc_problems, dmarc = _check_dmarc(domain, dmarc_txt)
    return AuthFacts(spf_problems + dmarc_problems, spf, dmarc)


def _texts(result: Result | None) -> tuple[str, ...]:
    return result.texts() if isinstance(result, Answer) else ()


async def _check_spf(
    session: LookupSession, domain: str, txt: Result | None
) -> tuple[tuple[Problem, ...], str | None]:
    if txt is None:
        return (), None  # the lookup failed: the session reports it
    records = spf_records(_texts(txt))
    if not records:
        return (_warning(ProblemId.SPF_MISSING, domain),), None
    if len(records) > 1:
        return (_warning(ProblemId.SPF_MULTIPLE, domain, str(len(records))),), records[0]
    try:
        record = parse_spf(records[0])
    except SpfError as error:
        return (_warning(ProblemId.SPF_SYNTAX, domain, error.term),), records[0]
    return await _count_lookups(session, domain, record), records[0]


async def _count_lookups(session: LookupSession, domain: str, record: SpfRecord) -> tuple[Problem, ...]:
    """Follow include/redirect level by level (each level's TXT lookups at once) while under the limit."""
    total = record.lookups
    frontier = _targets(domain, record)
    for _ in range(MAX_DEPTH):
        if not frontier or total > MAX_LOOKUPS:
            break
        results = await asyncio.gather(*(session.get(target, "TXT") for _owner, _term, target in frontier))
        following: list[tuple[str, str, str]] = []
        for (owner, term, target), result in zip(frontier, results, strict=True):
            if result is None:
                continue  # failed: counted as unknown, reported by the session
            records = spf_records(_texts(result))
            if len(records) != 1:
                # RFC 7208 sections 5.2 and 6.1: an include or redirect without one SPF record is a permerror.
                return (_warning(ProblemId.SPF_SYNTAX, owner, term),)
            try:
                included = parse_spf(records[0])
            except SpfError as error:
                return (_warning(ProblemId.SPF_SYNTAX, target, error.term),)
            total += included.lookups
            following.extend(_targets(target, included))
        frontier = following
    if total > MAX_LOOKUPS:
        return (_warning(ProblemId.SPF_TOO_MANY_LOOKUPS, domain, str(total)),)
    return ()


def _targets(owner: str, record: SpfRecord) -> list[tuple[str, str, str]]:
    """(owner, term, target) for each include and the redirect of a parsed record."""
    out = [(owner, f"include:{t}", t) for t in record.includes]
    if record.redirect:
        out.append((owner, f"redirect={record.redirect}", record.redirect))
    return out


def _check_dmarc(domain: str, result: Result | None) -> tuple[tuple[Problem, ...], str | None]:
    if result is None:
        return (), None
    # NXDOMAIN and NODATA at _dmarc are the usual "no DMARC"; only the exact name is asked
    # (no organizational-domain fallback: that needs the public suffix list).
    records = dmarc_records(_texts(result))
    if not records:
        return (_warning(ProblemId.DMARC_MISSING, domain),), None
    if len(records) > 1:
        return (_warning(ProblemId.DMARC_INVALID, domain, MULTIPLE),), records[0]
    try:
        parse_dmarc(records[0])
    except DmarcError as error:
        return (_warning(ProblemId.DMARC_INVALID, domain, error.value),), records[0]
    return (), records[0]
