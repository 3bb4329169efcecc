"""SPF, DMARC and TLS-RPT in depth against the loopback DNS server: each fault gives its problem id."""

from __future__ import annotations

import asyncio

import pytest
from dnsserver import DnsServer

from bot.diagnose import check_domains
from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.problems import describe
from bot.dnscheck.resolver import Resolver
from bot.models import DomainReport, Problem
from bot.vocab import Lang, ProblemId, Severity


def _check(checker: DomainChecker, name: str) -> DomainReport:
    return asyncio.run(checker.check_one(name))


def _problems(report: DomainReport) -> list[tuple[str, str, str, str]]:
    return [(p.id.value, p.severity.value, p.subject, p.value) for p in report.problems]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("passall.auth.test", ("spf-pass-all", "warning", "passall.auth.test", "+all")),
        ("neutralall.auth.test", ("spf-pass-all", "warning", "neutralall.auth.test", "?all")),
        ("voidspf.auth.test", ("spf-void-lookups", "warning", "voidspf.auth.test", "3")),
        (
            "redirloop.auth.test",
            ("spf-redirect-loop", "warning", "redirloop2.auth.test", "redirect=redirloop.auth.test"),
        ),
        (
            "includenx.auth.test",
            ("spf-include-nxdomain", "warning", "includenx.auth.test", "include:nothing-here.auth.test"),
        ),
        ("pnone.auth.test", ("dmarc-p-none", "info", "pnone.auth.test", "p=none")),
        ("twodmarc.auth.test", ("dmarc-invalid", "warning", "twodmarc.auth.test", "multiple")),
        (
            "ruaext.auth.test",
            (
                "dmarc-rua-unauthorized",
                "warning",
                "reports.healthy.test",
                "mailto:dmarc@reports.healthy.test",
            ),
        ),
        (
            "tlsrptbad.auth.test",
            (
                "tlsrpt-invalid",
                "warning",
                "_smtp._tls.tlsrptbad.auth.test",
                "rua=ftp://reports.healthy.test/",
            ),
        ),
        ("stsbadtxt.auth.test", ("mta-sts-invalid", "warning", "stsbadtxt.auth.test", "id=not-allowed!")),
    ],
)
def test_each_fault_is_its_problem_and_nothing_else(
    dns_checker: DomainChecker, name: str, expected: tuple[str, str, str, str]
) -> None:
    """A domain with one fault reports exactly that problem, with its subject and measured value."""
    report = _check(dns_checker, name)
    assert _problems(report) == [expected]
    assert report.complete


@pytest.mark.parametrize("name", ["twovoid.auth.test", "ruaok.auth.test", "includespf.auth.test"])
def test_within_the_rules_no_problem(dns_checker: DomainChecker, name: str) -> None:
    """Two void lookups, an authorised external report address, includes under 10: no problem."""
    assert _check(dns_checker, name).problems == ()


def test_dmarc_found_at_the_organisational_domain(dns_checker: DomainChecker) -> None:
    """A subdomain without _dmarc uses its organisational domain's record, named in dmarc_domain."""
    report = _check(dns_checker, "mail.orgdmarc.test")
    assert report.problems == ()
    assert report.dmarc == "v=DMARC1; p=reject; sp=quarantine"
    assert report.dmarc_domain == "orgdmarc.test"


def test_organisational_sp_none_is_monitoring_for_the_subdomain(dns_checker: DomainChecker) -> None:
    """The organisational record's sp=none applies to its subdomains: dmarc-p-none about the record's domain."""
    report = _check(dns_checker, "news.laxorg.test")
    assert _problems(report) == [("dmarc-p-none", "info", "laxorg.test", "p=none")]
    assert report.dmarc_domain == "laxorg.test"


def test_no_dmarc_anywhere_is_missing(dns_checker: DomainChecker) -> None:
    """Neither the domain nor its organisational domain has DMARC: dmarc-missing about the domain."""
    report = _check(dns_checker, "nodmarc.auth.test")
    assert _problems(report) == [("dmarc-missing", "warning", "nodmarc.auth.test", "")]
    assert report.dmarc is None and report.dmarc_domain is None


def test_void_lookups_are_asked_with_the_includes(dns_checker: DomainChecker, dns_server: DnsServer) -> None:
    """The a:/mx: targets counted as void were really asked, once each."""
    _check(DomainChecker(Resolver([dns_server.address], timeout=4.0)), "voidspf.auth.test")
    assert dns_server.count("gone1.auth.test", "A") == 1
    assert dns_server.count("ns1.auth.test", "MX") == 1


def test_every_problem_is_worded_in_both_languages() -> None:
    """Every problem id has a detail line in ja and en that names its subject."""
    for pid in ProblemId:
        for lang in Lang:
            assert "x.test" in describe(Problem(pid, Severity.INFO, subject="x.test", value="1"), lang)


@pytest.mark.parametrize(
    ("name", "cause_id"),
    [
        ("voidspf.auth.test", "domain-auth-setup"),
        ("stsbadtxt.auth.test", "domain-auth-setup"),
        ("pnone.auth.test", "domain-ok"),  # monitoring only is a fact, not a fault
        ("healthy.test", "domain-ok"),
    ],
)
def test_domain_check_cause_of_sending_setup(dns_checker: DomainChecker, name: str, cause_id: str) -> None:
    """A domain that takes mail but has broken SPF/DMARC/MTA-STS is not 'no problem found'."""
    d = asyncio.run(check_domains([name], checker=dns_checker))
    assert d.cause is not None and d.cause.id == cause_id
