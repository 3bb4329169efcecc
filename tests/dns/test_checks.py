"""DomainChecker against the loopback DNS server: every problem id, concurrency, deadline, names."""

from __future__ import annotations

import asyncio

import pytest
from dnsserver import DnsServer

from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.resolver import Resolver
from bot.errors import InvalidDomain
from bot.models import DomainReport, Problem
from bot.vocab import ProblemId, Severity


def _check(checker: DomainChecker, name: str, *, auth: bool = False) -> DomainReport:
    return asyncio.run(checker.check_one(name, auth=auth))


def _ids(report: DomainReport) -> set[str]:
    return {p.id.value for p in report.problems}


def _only(report: DomainReport, pid: ProblemId) -> Problem:
    found = [p for p in report.problems if p.id is pid]
    assert len(found) == 1, report.problems
    return found[0]


# ---------------------------------------------------------------------------- mail routing
def test_healthy_domain(dns_checker: DomainChecker) -> None:
    """Two MX in preference order with their addresses, SPF and DMARC, and no problem."""
    report = _check(dns_checker, "healthy.test", auth=True)
    assert report.exists is True and report.complete
    assert [(m.preference, m.host) for m in report.mx] == [(10, "mx1.healthy.test"), (20, "mx2.healthy.test")]
    assert report.mx[0].addresses == ("192.0.32.10", "2620:0:2d0:200::10")  # A then AAAA
    assert report.problems == ()
    assert report.spf == "v=spf1 mx -all"
    assert report.dmarc is not None and report.dmarc.startswith("v=DMARC1")


def test_nxdomain_with_suggestion(dns_checker: DomainChecker) -> None:
    """A mistyped domain that does not exist: nxdomain error and the well-known domain meant."""
    report = _check(dns_checker, "user@gmial.com", auth=True)
    assert report.exists is False
    assert _only(report, ProblemId.NXDOMAIN).severity is Severity.ERROR
    assert _ids(report) == {"nxdomain"}  # no SPF/DMARC noise for a name that does not exist
    assert report.suggestions == ("gmail.com",)


def test_no_mail_host(dns_checker: DomainChecker) -> None:
    """Exists without MX or A/AAAA: no-mail-host error."""
    report = _check(dns_checker, "nomail.test")
    assert report.exists is True and report.mx == ()
    assert _only(report, ProblemId.NO_MAIL_HOST).severity is Severity.ERROR


def test_null_mx(dns_checker: DomainChecker) -> None:
    """MX 0 . : null-mx error, the record shown as host '.'."""
    report = _check(dns_checker, "nullmx.test")
    assert _only(report, ProblemId.NULL_MX).severity is Severity.ERROR
    assert [(m.preference, m.host) for m in report.mx] == [(0, ".")]


def test_implicit_mx(dns_checker: DomainChecker) -> None:
    """No MX but A/AAAA: implicit-mx info, the domain itself as the mail host."""
    report = _check(dns_checker, "implicit.test")
    problem = _only(report, ProblemId.IMPLICIT_MX)
    assert problem.severity is Severity.INFO and "192.0.32.81" in problem.value
    assert [(m.preference, m.host) for m in report.mx] == [(0, "implicit.test")]
    assert _ids(report) == {"implicit-mx"}


def test_unresolvable_targets_all_broken(dns_checker: DomainChecker) -> None:
    """Every MX host without address (NXDOMAIN and NODATA): errors, one per host."""
    report = _check(dns_checker, "dangling.test")
    problems = [p for p in report.problems if p.id is ProblemId.MX_TARGET_UNRESOLVABLE]
    assert {p.subject for p in problems} == {"gone.dangling.test", "noaddr.dangling.test"}
    assert all(p.severity is Severity.ERROR for p in problems)


def test_unresolvable_backup_is_a_warning(dns_checker: DomainChecker) -> None:
    """A dangling backup beside a working primary: mail flows, so only a warning."""
    problem = _only(_check(dns_checker, "backup.test"), ProblemId.MX_TARGET_UNRESOLVABLE)
    assert problem.subject == "old-backup.backup.test" and problem.severity is Severity.WARNING


def test_cname_target(dns_checker: DomainChecker) -> None:
    """An MX host that is an alias: warning naming the canonical host; addresses still found."""
    report = _check(dns_checker, "cname.test")
    problem = _only(report, ProblemId.MX_TARGET_CNAME)
    assert (problem.subject, problem.value, problem.severity) == (
        "mail.cname.test",
        "mx1.healthy.test",
        Severity.WARNING,
    )
    assert report.mx[0].addresses == ("192.0.32.10", "2620:0:2d0:200::10")


def test_ip_literal_target_is_not_queried(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """An MX written as an IP address: error, and no A/AAAA question for it."""
    report = _check(dns_checker, "ipliteral.test")
    problem = _only(report, ProblemId.MX_TARGET_IP_LITERAL)
    assert problem.subject == "192.0.32.25" and problem.severity is Severity.ERROR
    assert dns_server.count("192.0.32.25", "A") == 0


def test_private_targets(dns_checker: DomainChecker) -> None:
    """RFC 1918, loopback, documentation and link-local targets are all flagged, as errors."""
    report = _check(dns_checker, "private.test")
    flagged = {p.subject: p.value for p in report.problems if p.id is ProblemId.MX_TARGET_PRIVATE}
    assert flagged == {
        "lan.private.test": "10.0.0.25",
        "loop.private.test": "127.0.0.1, ::1",
        "doc.private.test": "192.0.2.25, 2001:db8::25",
        "link.private.test": "169.254.0.25, fe80::25",
    }
    assert all(p.severity is Severity.ERROR for p in report.problems)


def test_private_target_beside_public_is_a_warning(dns_checker: DomainChecker) -> None:
    """One LAN-only MX with a public one beside it: warning."""
    problem = _only(_check(dns_checker, "mixedprivate.test"), ProblemId.MX_TARGET_PRIVATE)
    assert (problem.value, problem.severity) == ("172.16.0.25", Severity.WARNING)


# ---------------------------------------------------------------------------- SPF and DMARC
@pytest.mark.parametrize(
    ("name", "pid", "subject", "value"),
    [
        ("nospf.auth.test", ProblemId.SPF_MISSING, "nospf.auth.test", ""),
        ("twospf.auth.test", ProblemId.SPF_MULTIPLE, "twospf.auth.test", "2"),
        ("badspf.auth.test", ProblemId.SPF_SYNTAX, "badspf.auth.test", "ipv4:192.0.32.0/24"),
        (
            "brokeninclude.auth.test",
            ProblemId.SPF_INCLUDE_NXDOMAIN,
            "brokeninclude.auth.test",
            "include:nospf.auth.test",
        ),
        ("deepspf.auth.test", ProblemId.SPF_TOO_MANY_LOOKUPS, "deepspf.auth.test", "12"),
        ("loopspf.auth.test", ProblemId.SPF_TOO_MANY_LOOKUPS, "loopspf.auth.test", "11"),
        ("nodmarc.auth.test", ProblemId.DMARC_MISSING, "nodmarc.auth.test", ""),
        ("baddmarc.auth.test", ProblemId.DMARC_INVALID, "baddmarc.auth.test", "p=maybe"),
    ],
)
def test_auth_problems(
    dns_checker: DomainChecker, name: str, pid: ProblemId, subject: str, value: str
) -> None:
    """Each SPF/DMARC fault gives exactly its problem, as a warning, and nothing else."""
    report = _check(dns_checker, name, auth=True)
    problem = _only(report, pid)
    assert (problem.subject, problem.value, problem.severity) == (subject, value, Severity.WARNING)
    assert len(report.problems) == 1 and report.complete


def test_includes_within_limit(dns_checker: DomainChecker) -> None:
    """Includes and a redirect adding up to 5 lookups: no problem."""
    assert _check(dns_checker, "includespf.auth.test", auth=True).problems == ()


def test_auth_left_out_on_request(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """With auth=False (mail hosts only) no TXT is asked and no SPF/DMARC problem appears."""
    report = asyncio.run(dns_checker.check_one("nospf.auth.test", auth=False))
    assert report.problems == () and report.spf is None
    assert dns_server.count(rdtype="TXT") == 0


# ---------------------------------------------------------------------------- concurrency and failures
def _patient_checker(dns_server: DnsServer) -> DomainChecker:
    # Round counting needs every question of a wave sent before the first reply leaves: the
    # delay must outlast a wave even on a loaded CI machine, and the timeouts the delay.
    dns_server.fault("delay", seconds=0.3)
    return DomainChecker(Resolver([dns_server.address], timeout=3.0), deadline=8.0)


def test_two_round_trips(dns_server: DnsServer) -> None:
    """Every question about the domain (and the control query) goes out together, then every MX host's."""
    report = _check(_patient_checker(dns_server), "healthy.test", auth=True)
    assert report.complete and report.problems == ()
    assert dns_server.queries == 15  # 9 + 2 hosts x (A, AAAA, TLSA)
    assert dns_server.rounds() == 2
    assert all(a.answered_before > 0 for a in dns_server.arrivals() if "mx" in a.name)
    first = {(a.name, a.rdtype) for a in dns_server.arrivals() if a.answered_before == 0}
    assert first == {
        (".", "NS"),
        ("healthy.test", "MX"),
        ("healthy.test", "A"),
        ("healthy.test", "AAAA"),
        ("healthy.test", "TXT"),
        ("_dmarc.healthy.test", "TXT"),
        ("_mta-sts.healthy.test", "TXT"),
        ("_smtp._tls.healthy.test", "TXT"),
        ("mta-sts.healthy.test", "A"),
    }


def test_many_domains_at_once(dns_server: DnsServer) -> None:
    """check() runs every name concurrently: still two rounds for three domains."""
    checker = _patient_checker(dns_server)
    reports = asyncio.run(checker.check(["healthy.test", "cname.test", "日本語.test"]))
    assert [r.domain for r in reports] == ["healthy.test", "cname.test", "日本語.test"]
    # Every domain's first questions left before any answer came back: the names ran side by
    # side. (Their second waves may each start as soon as their own answers are in.)
    first = {a.name for a in dns_server.arrivals() if a.answered_before == 0}
    assert {"healthy.test", "cname.test", "xn--wgv71a119e.test"} <= first
    assert all(a.answered_before > 0 for a in dns_server.arrivals() if "mx" in a.name or "mail." in a.name)
    assert dns_server.count(".", "NS") == 1  # one control query for the three checks


def test_warm_check_sends_nothing(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """A second check of the same domain is answered from the cache."""
    _check(dns_checker, "healthy.test", auth=True)
    sent = dns_checker.resolver.queries_sent
    again = _check(dns_checker, "healthy.test", auth=True)
    assert again.problems == () and dns_checker.resolver.queries_sent == sent
    assert dns_server.queries == sent


def test_timeout_gives_dns_failure_and_partial_report(
    dns_server: DnsServer, dns_checker: DomainChecker
) -> None:
    """MX never answered: dns-failure(timeout) for the domain, existence still known from A."""
    dns_server.fault("timeout", name="healthy.test", rdtype="MX")
    report = _check(dns_checker, "healthy.test")
    problem = _only(report, ProblemId.DNS_FAILURE)
    assert (problem.subject, problem.value, problem.severity) == ("healthy.test", "timeout", Severity.WARNING)
    assert report.exists is True and report.mx == () and not report.complete


def test_servfail_gives_dns_failure(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """Every apex question SERVFAILs: existence unknown, dns-failure(servfail), no guesses."""
    dns_server.fault("servfail", name="healthy.test")
    report = _check(dns_checker, "healthy.test")
    assert report.exists is None and _ids(report) == {"dns-failure"}
    assert _only(report, ProblemId.DNS_FAILURE).value == "servfail"


def test_failed_target_lookup_is_not_called_broken(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """A target whose A/AAAA lookups fail is unknown, not unresolvable."""
    dns_server.fault("servfail", name="mx1.healthy.test")
    report = _check(dns_checker, "healthy.test")
    assert _ids(report) == {"dns-failure"}
    assert _only(report, ProblemId.DNS_FAILURE).subject == "mx1.healthy.test"


def test_deadline_returns_partial_results(dns_server: DnsServer) -> None:
    """Slow MX targets past the overall deadline: MX known, report incomplete with a timeout."""
    dns_server.fault("delay", name="mx1.healthy.test", seconds=1.0)
    checker = DomainChecker(Resolver([dns_server.address], timeout=2.0), deadline=0.3)
    report = _check(checker, "healthy.test")
    assert [m.host for m in report.mx] == ["mx1.healthy.test", "mx2.healthy.test"]
    assert report.mx[1].addresses == ("192.0.32.11",)
    assert not report.complete
    problem = _only(report, ProblemId.DNS_FAILURE)
    assert (problem.subject, problem.value) == ("mx1.healthy.test", "timeout")


def test_truncation_handled_in_a_check(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """Every UDP answer truncated: the check still completes over TCP."""
    dns_server.fault("truncate")
    report = _check(dns_checker, "healthy.test", auth=True)
    assert report.complete and report.problems == ()
    assert dns_server.count(transport="tcp") == dns_server.count(transport="udp") == 15


# ---------------------------------------------------------------------------- names
def test_idn_domain(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """A Unicode domain is queried as its A-label and reported as written."""
    report = _check(dns_checker, "日本語.test", auth=True)
    assert (report.domain, report.ascii) == ("日本語.test", "xn--wgv71a119e.test")
    assert report.problems == () and report.mx[0].host == "mx.xn--wgv71a119e.test"
    assert dns_server.count("xn--wgv71a119e.test", "MX") == 1


def test_fullwidth_and_address_forms(dns_checker: DomainChecker) -> None:
    """Full-width letters, an ideographic full stop and an address all reach the same domain."""
    for text in ("ＨＥＡＬＴＨＹ．ｔｅｓｔ", "healthy。test", "<User@Healthy.Test>", "healthy.test."):
        assert _check(dns_checker, text).ascii == "healthy.test"


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "localhost",
        "a..b.test",
        "-a.test",
        "a-.test",
        "x" * 64 + ".test",
        ("a" * 60 + ".") * 5 + "test",
        "192.0.2.1",
        "[192.0.2.1]",
        "2001:db8::1",
        "foo.123",
        "exa mple.jp",
        "user@",
        "a.b/c",
    ],
)
def test_invalid_names_rejected_before_any_query(
    dns_server: DnsServer, dns_checker: DomainChecker, name: str
) -> None:
    """A name that cannot be a mail domain raises InvalidDomain and sends nothing."""
    with pytest.raises(InvalidDomain):
        asyncio.run(dns_checker.check(["healthy.test", name]))
    assert dns_server.queries == 0
