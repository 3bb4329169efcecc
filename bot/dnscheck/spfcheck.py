"""A domain's SPF problems: record selection and syntax, then includes and redirects followed level by level.

Each level's questions (the include/redirect targets' TXT and the a/mx/exists terms' lookups) go
out at once, so a chain of includes costs one round trip per level, whatever its width.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from bot.dnscheck.result import Answer, NoData, NxDomain, Result
from bot.dnscheck.session import LookupSession
from bot.dnscheck.spf import MAX_LOOKUPS, SpfError, SpfRecord, parse_spf, spf_records
from bot.models import Problem
from bot.vocab import ProblemId, Severity

MAX_DEPTH = 12  # include levels followed; a loop exceeds MAX_LOOKUPS well before this
MAX_VOID = 2  # RFC 7208 section 4.6.4: more void lookups than this is a permerror
MAX_PROBES = 20  # a/mx/exists lookups asked for void counting, per domain


@dataclass(frozen=True, slots=True)
class _Record:
    """A record being followed: where it lives and the redirect names that led to it."""

    owner: str
    record: SpfRecord
    redirects: tuple[str, ...]  # names reached by redirect= on the way here, the owner included


def texts(result: Result | None) -> tuple[str, ...]:
    """A TXT answer's strings; none for anything else."""
    return result.texts() if isinstance(result, Answer) else ()


def _warning(pid: ProblemId, subject: str, value: str = "") -> Problem:
    return Problem(pid, Severity.WARNING, subject=subject, value=value)


async def check_spf(
    session: LookupSession, domain: str, txt: Result | None, own: Mapping[str, Result | None]
) -> tuple[tuple[Problem, ...], str | None]:
    """SPF problems of a domain from its TXT answer; `own` holds its MX/A answers (for a and mx terms)."""
    if txt is None:
        return (), None  # the lookup failed: the session reports it
    records = spf_records(texts(txt))
    if not records:
        return (_warning(ProblemId.SPF_MISSING, domain),), None
    if len(records) > 1:
        return (_warning(ProblemId.SPF_MULTIPLE, domain, str(len(records))),), records[0]
    try:
        record = parse_spf(records[0])
    except SpfError as error:
        return (_warning(ProblemId.SPF_SYNTAX, domain, error.term),), records[0]
    problems: list[Problem] = []
    if record.all in ("+", "?"):
        problems.append(_warning(ProblemId.SPF_PASS_ALL, domain, f"{record.all}all"))
    problems += await _walk(session, domain, _Record(domain, record, (domain,)), own)
    return tuple(problems), records[0]


async def _walk(
    session: LookupSession, domain: str, top: _Record, own: Mapping[str, Result | None]
) -> list[Problem]:
    """Lookups and void lookups counted through includes and redirects; the first permerror found."""
    total, void, probes = top.record.lookups, 0, 0
    void += sum(_void(own.get(rdtype)) for rdtype, target in top.record.probes if not target)
    level = [top]
    for _ in range(MAX_DEPTH):
        if not level or total > MAX_LOOKUPS:
            break
        follow = [(item, term, target) for item in level for term, target in _targets(item.record)]
        asked = [
            (rdtype, target or item.owner)
            for item in level
            for rdtype, target in item.record.probes
            if item is not top or target
        ][: max(0, MAX_PROBES - probes)]
        probes += len(asked)
        results = await asyncio.gather(
            *(session.get(target, "TXT") for _i, _t, target in follow),
            *(session.get(name, rdtype) for rdtype, name in asked),
        )
        void += sum(_void(r) for r in results[len(follow) :])
        following: list[_Record] = []
        for (item, term, target), result in zip(follow, results, strict=False):
            if term.startswith("redirect=") and target in item.redirects:
                return [_warning(ProblemId.SPF_REDIRECT_LOOP, item.owner, term)]
            if result is None:
                continue  # failed: counted as unknown, reported by the session
            found = spf_records(texts(result))
            if not found:
                # RFC 7208 sections 5.2 and 6.1: an include or redirect without SPF is a permerror.
                return [_warning(ProblemId.SPF_INCLUDE_NXDOMAIN, item.owner, term)]
            if len(found) > 1:
                return [_warning(ProblemId.SPF_SYNTAX, item.owner, term)]
            try:
                included = parse_spf(found[0])
            except SpfError as error:
                return [_warning(ProblemId.SPF_SYNTAX, target, error.term)]
            total += included.lookups
            chain = (*item.redirects, target) if term.startswith("redirect=") else (target,)
            following.append(_Record(target, included, chain))
        level = following
    problems = []
    if total > MAX_LOOKUPS:
        problems.append(_warning(ProblemId.SPF_TOO_MANY_LOOKUPS, domain, str(total)))
    if void > MAX_VOID:
        problems.append(_warning(ProblemId.SPF_VOID_LOOKUPS, domain, str(void)))
    return problems


def _void(result: Result | None) -> int:
    """1 for a lookup that found nothing (NXDOMAIN or NODATA); a failure proves nothing."""
    return 1 if isinstance(result, NxDomain | NoData) else 0


def _targets(record: SpfRecord) -> list[tuple[str, str]]:
    """(term, target) for each include and the redirect of a parsed record."""
    out = [(f"include:{t}", t) for t in record.includes]
    if record.redirect:
        out.append((f"redirect={record.redirect}", record.redirect))
    return out
