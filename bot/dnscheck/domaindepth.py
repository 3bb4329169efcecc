"""The checks mail admins run beyond delivery: MTA-STS, TLS-RPT and DNSSEC, as problems of a domain."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dnscheck.mtasts import RecordError, check_sts_record, check_tlsrpt, parse_policy
from bot.dnscheck.policyfetch import PolicyFetcher
from bot.dnscheck.result import FailureKind, Result
from bot.dnscheck.session import LookupSession
from bot.dnscheck.spfcheck import texts
from bot.models import Problem
from bot.vocab import ProblemId, Severity


async def sts_problems(
    fetcher: PolicyFetcher, display: str, name: str, txt: Result | None, *, within: float | None = None
) -> tuple[Problem, ...]:
    """A malformed _mta-sts record, or a policy that cannot be fetched or read; nothing without a record."""
    try:
        sts_id = check_sts_record(texts(txt))
    except RecordError as error:
        return (Problem(ProblemId.MTA_STS_INVALID, Severity.WARNING, subject=display, value=str(error)),)
    if sts_id is None:
        return ()
    fetched = await fetcher.fetch(name, sts_id, within=within)
    why = fetched.failure
    if fetched.body is not None:
        try:
            parse_policy(fetched.body)
        except RecordError as error:
            why = f"invalid: {error}"
    if not why:
        return ()
    subject = f"mta-sts.{display}"
    return (Problem(ProblemId.MTA_STS_POLICY_UNREACHABLE, Severity.WARNING, subject=subject, value=why),)


def tlsrpt_problems(display: str, txt: Result | None) -> tuple[Problem, ...]:
    """A TLS-RPT record (_smtp._tls) that receivers cannot use."""
    wrong = check_tlsrpt(texts(txt))
    if wrong is None:
        return ()
    return (
        Problem(ProblemId.TLSRPT_INVALID, Severity.WARNING, subject=f"_smtp._tls.{display}", value=wrong),
    )


def dnssec_problems(
    session: LookupSession, display: str, name: str, apex: Sequence[Result | None]
) -> tuple[Problem, ...]:
    """Secure when a validating resolver set AD on the domain's own answers; bogus when validation failed."""
    bogus = [n for n in session.failed(FailureKind.VALIDATION) if n == name or n.endswith("." + name)]
    if bogus:
        return (Problem(ProblemId.DNSSEC_BOGUS, Severity.ERROR, subject=display, value=bogus[0]),)
    if any(r is not None and r.secure for r in apex):
        return (Problem(ProblemId.DNSSEC_SECURE, Severity.INFO, subject=display),)
    return ()
