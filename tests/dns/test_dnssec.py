"""DNSSEC and DANE through a real validating resolver (unbound) in front of knotd serving zones signed
at test time: AD means secure, a SERVFAIL that clears with CD is a validation failure."""

from __future__ import annotations

import asyncio

import pytest

from bot.diagnose import check_domains
from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.resolver import Resolver
from bot.dnscheck.result import Answer, DnsFailure, FailureKind
from bot.models import DomainReport


def _report(address: tuple[str, int], name: str) -> DomainReport:
    checker = DomainChecker(Resolver([address], timeout=2.0), deadline=5.0)
    return asyncio.run(checker.check_one(name))


def _facts(report: DomainReport) -> set[tuple[str, str, str, str]]:
    return {(p.id.value, p.severity.value, p.subject, p.value) for p in report.problems}


def test_signed_zone_is_secure_with_dane(validating_resolver: tuple[str, int]) -> None:
    """signed.test: dnssec-secure, and its MX host's TLSA is dane-tlsa (info): nothing else."""
    report = _report(validating_resolver, "signed.test")
    assert _facts(report) == {
        ("dnssec-secure", "info", "signed.test", ""),
        ("dane-tlsa", "info", "mx.signed.test", "3 1 1"),
    }
    assert report.complete and report.mx[0].addresses == ("192.0.32.12",)


def test_broken_signature_is_bogus(validating_resolver: tuple[str, int]) -> None:
    """bogus.test: the apex address fails validation (SERVFAIL, answered with CD): dnssec-bogus, not 'try later'."""
    report = _report(validating_resolver, "bogus.test")
    facts = _facts(report)
    assert ("dnssec-bogus", "error", "bogus.test", "bogus.test") in facts
    assert ("dns-failure", "warning", "bogus.test", "validation") in facts
    assert not any(f[0] == "dnssec-secure" for f in facts)


def test_bogus_domain_check_cause(validating_resolver: tuple[str, int]) -> None:
    """A domain check of bogus.test names the validation failure (recipient_org), not a DNS delay."""
    checker = DomainChecker(Resolver([validating_resolver], timeout=2.0), deadline=5.0)
    d = asyncio.run(check_domains(["bogus.test"], checker=checker))
    assert d.cause is not None and d.cause.id == "domain-dnssec-bogus"
    assert str(d.responsible) == "recipient_org"


def test_tlsa_without_dnssec_is_ignored_by_senders(validating_resolver: tuple[str, int]) -> None:
    """insecure.test (unsigned) publishes TLSA: dane-without-dnssec (warning), no dnssec-secure."""
    report = _report(validating_resolver, "insecure.test")
    assert ("dane-without-dnssec", "warning", "mx.insecure.test", "3 1 1") in _facts(report)
    assert not any(f[0] in ("dnssec-secure", "dane-tlsa") for f in _facts(report))


def test_resolver_reads_ad_and_tells_validation_from_servfail(validating_resolver: tuple[str, int]) -> None:
    """The AD bit becomes Answer.secure; bogus data raises DnsFailure(validation) after the CD retry."""
    resolver = Resolver([validating_resolver], timeout=2.0)

    async def both() -> tuple[object, BaseException | None]:
        mx = await resolver.lookup("signed.test", "MX")
        try:
            await resolver.lookup("bogus.test", "A")
        except DnsFailure as failure:
            return mx, failure
        return mx, None

    mx, failure = asyncio.run(both())
    assert isinstance(mx, Answer) and mx.secure
    assert isinstance(failure, DnsFailure) and failure.kind is FailureKind.VALIDATION


def test_non_validating_server_never_says_secure(dns_checker: DomainChecker) -> None:
    """The plain authority sets no AD: no dnssec-secure for healthy.test."""
    report = asyncio.run(dns_checker.check_one("healthy.test"))
    assert report.problems == ()


@pytest.mark.parametrize("name", ["signed.test", "insecure.test"])
def test_control_query_passes_through_the_validating_resolver(
    validating_resolver: tuple[str, int], name: str
) -> None:
    """The root's NS answers through unbound: the resolver is usable, the domain exists."""
    report = _report(validating_resolver, name)
    assert report.exists is True and "resolver-unusable" not in {p.id.value for p in report.problems}


def test_bounce_to_a_bogus_domain_names_the_validation_failure(validating_resolver: tuple[str, int]) -> None:
    """'Host not found' for bogus.test through a validating resolver: the cause is DNSSEC, the reason stays."""
    from bot.diagnose import diagnose
    from bot.vocab import Reason

    text = (
        "<user@bogus.test>: Host or domain name not found. Name service error for\n"
        "    name=bogus.test type=A: Host not found\n"
    )
    checker = DomainChecker(Resolver([validating_resolver], timeout=2.0), deadline=5.0)
    d = asyncio.run(diagnose(text, checker=checker))
    assert d.main is not None and d.main.reason is Reason.HOSTUNKNOWN
    assert d.cause is not None and d.cause.id == "domain-dnssec-bogus"
    assert d.main.rule == "dns:dnssec-bogus"
