"""Whether the bounce and the DNS tell the same story: what a bounce proves about the recipient's domain.

A bounce in which a server of the domain answered (a remote MTA named: Postfix's "host X said",
a DSN's Remote-MTA) proves the domain existed and took connections when the mail was sent. The DNS of today cannot
overrule that; when it now says the domain is gone, both facts are shown and the verdict stays.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.dnscheck.rules import rules
from bot.models import Diagnosis, DomainReport, RecipientResult
from bot.vocab import ProblemId, Severity

_GONE = frozenset({ProblemId.NXDOMAIN})
_NO_HOST = frozenset({ProblemId.NULL_MX, ProblemId.NO_MAIL_HOST})


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A note that the bounce and the DNS differ: which note, about which domain, and the server named."""

    note: str  # a key of knowledge/dns_notes.toml
    domain: str
    server: str = ""


def server_answered(result: RecipientResult) -> bool:
    """True when the bounce shows a server of the recipient's domain answering about this recipient."""
    if result.reason in rules().unanswered_reasons:
        return False  # the bounce itself says no server of the domain was reached
    # A reply to RCPT alone is not enough: the sender's own relay refuses recipients too
    # ("Recipient address rejected: Domain not found"), with no remote server named.
    return bool(result.failure.remote_mta)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").rstrip(".").lower()


def _reports(d: Diagnosis) -> dict[str, DomainReport]:
    out: dict[str, DomainReport] = {}
    for report in d.domains:
        out.setdefault(report.domain.lower(), report)
        out.setdefault(report.ascii.lower(), report)
    return out


def disagreements(d: Diagnosis) -> Iterator[Disagreement]:
    """Where the DNS of now says something else than the bounce did, once per domain."""
    reports, seen = _reports(d), set()
    for result in d.recipients:
        domain = _domain(result.failure.address)
        report = reports.get(domain)
        if report is None or domain in seen:
            continue
        ids = {p.id for p in report.problems}
        server = result.failure.remote_mta or ""
        if server_answered(result) and ids & _GONE:
            seen.add(domain)
            yield Disagreement("gone-since", report.domain, server)
        elif server_answered(result) and ids & _NO_HOST:
            seen.add(domain)
            yield Disagreement("no-mail-host-since", report.domain, server)
        elif result.reason in rules().unanswered_reasons and _takes_mail(report):
            seen.add(domain)
            yield Disagreement("exists-now", report.domain)


def _takes_mail(report: DomainReport) -> bool:
    """The domain exists with a usable mail host and nothing in its DNS that stops mail."""
    return (
        report.exists is True
        and report.complete
        and any(m.addresses for m in report.mx)
        and not any(p.severity is Severity.ERROR for p in report.problems)
    )


def suggested(d: Diagnosis) -> Iterator[DomainReport]:
    """The reports of missing domains that come with suggestions, recipients' first."""
    yield from (r for r in d.domains if r.exists is False and r.suggestions)
