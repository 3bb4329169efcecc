"""The join (bot.diagnose): bad input as errors, domain checks, main recipient, DNS overrides on a real server."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest
from dnsserver import DnsServer

from bot.diagnose import analyse, check_domains, diagnose
from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.memo import MemoChecker
from bot.dnscheck.rules import rules
from bot.reading.knowledge import knowledge
from bot.vocab import Kind, Reason, Responsible


def dsn(
    *recipients: tuple[str, str, str, str],
    sender: str = "yamada@healthy.test",
) -> bytes:
    """A whole RFC 3464 bounce to `sender` with (address, action, status, diagnostic) per recipient."""
    blocks = "\n".join(
        f"Final-Recipient: rfc822; {addr}\nAction: {action}\nStatus: {status}\n"
        f"Diagnostic-Code: smtp; {diag}\n"
        for addr, action, status, diag in recipients
    )
    text = (
        "From: MAILER-DAEMON@mail.healthy.test\n"
        f"To: {sender}\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Date: Mon, 10 Nov 2025 10:12:03 +0900\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"\n'
        "\n--BOUNDARY\nContent-Type: text/plain\n\n"
        "Your message could not be delivered to one or more recipients.\n"
        "\n--BOUNDARY\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mail.healthy.test\n\n"
        f"{blocks}\n--BOUNDARY--\n"
    )
    return text.encode()


T = TypeVar("T")
NOT_FOUND = "550 5.1.2 Host or domain name not found. Name service error for name={d} type=MX: Host not found"


def host_not_found(domain: str) -> bytes:
    """A bounce to user@domain saying the domain's mail host could not be found."""
    return dsn((f"user@{domain}", "failed", "5.1.2", NOT_FOUND.format(d=domain)))


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end."""
    return asyncio.run(coro)


# ----------------------------------------------------------------------------- pure half
def test_a_text_with_nothing_to_tell_is_analysed_with_a_note() -> None:
    """A text with no bounce, no domain and no code: kind none, no error, the note not-a-bounce."""
    for d in (analyse("just saying hi"), run(diagnose("just saying hi", checker=None, source="x"))):
        assert (d.kind, d.error, d.note) == (Kind.NONE, None, "not-a-bounce")


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"", "empty-input"), (b"\x00\x01\x02" * 500, "binary-input")],
)
def test_bad_input_is_an_error_not_an_exception(data: bytes | str, error: str) -> None:
    """analyse and diagnose return kind none with the error id for bad input."""
    assert analyse(data).error == error
    d = run(diagnose(data, checker=None, source="x"))
    assert (d.kind, d.error, d.source) == (Kind.NONE, error, "x")


def test_plain_text_with_an_address_is_a_domain_check_without_dns() -> None:
    """No bounce but an address: kind domain naming its domain, nothing asked."""
    d = run(diagnose("user@example.jp に送れません", checker=None))
    assert d.kind is Kind.DOMAIN
    assert [r.domain for r in d.domains] == ["example.jp"]
    assert d.domains[0].exists is None and d.cause is None


def test_main_recipient_is_the_first_failed_one() -> None:
    """A delayed recipient listed first does not become the main one."""
    data = dsn(
        ("slow@healthy.test", "delayed", "4.4.7", "451 4.4.7 queue time exceeded"),
        ("gone@healthy.test", "failed", "5.1.1", "550 5.1.1 <gone@healthy.test>: User unknown"),
    )
    d = analyse(data)
    assert d.kind is Kind.BOUNCE
    assert d.main is not None and d.main.failure.address == "gone@healthy.test"
    assert [r.failure.address for r in d.recipients] == ["gone@healthy.test", "slow@healthy.test"]
    assert d.cause == d.main.cause and d.responsible == d.main.responsible


def test_no_dns_means_no_domains() -> None:
    """Without a checker (or through analyse) a bounce carries no DNS reports."""
    assert run(diagnose(host_not_found("gmial.com"), checker=None)).domains == ()
    assert analyse(host_not_found("gmial.com")).domains == ()


def test_rules_table_names_known_causes_and_problems() -> None:
    """Every cause id of knowledge/dns_rules.toml exists in knowledge/."""
    table = rules()
    ids = {r.cause for r in (*table.recipient, *table.sender, *table.domain)} | {
        table.domain_ok,
        table.domain_unknown,
    }
    for cause_id in ids:
        knowledge().cause(cause_id)


# ----------------------------------------------------------------------------- DNS overrides
def test_nxdomain_blames_the_sender_typo(dns_checker: DomainChecker) -> None:
    """A recipient domain that does not exist: host-unknown-nxdomain, the sender's to fix."""
    d = run(diagnose(host_not_found("gmial.com"), checker=dns_checker))
    assert d.cause is not None and d.cause.id == "host-unknown-nxdomain"
    assert d.responsible is Responsible.SENDER
    assert d.main is not None and d.main.reason is Reason.HOSTUNKNOWN and d.main.rule == "dns:nxdomain"
    [report] = d.domains
    assert report.domain == "gmial.com" and report.exists is False


@pytest.mark.parametrize(
    ("domain", "cause_id"),
    [
        ("nomail.test", "domain-no-mail-host"),
        ("nullmx.test", "domain-null-mx"),
        ("dangling.test", "mx-broken"),
    ],
)
def test_broken_recipient_domains_override(dns_checker: DomainChecker, domain: str, cause_id: str) -> None:
    """No mail host, null MX and dangling MX hosts replace the classifier's cause."""
    d = run(diagnose(host_not_found(domain), checker=dns_checker))
    assert d.cause is not None and d.cause.id == cause_id
    assert d.responsible is knowledge().cause(cause_id).responsible


def test_mx_broken_keeps_a_fitting_reason(dns_checker: DomainChecker) -> None:
    """mx-broken keeps hostunknown/networkerror as the reason."""
    d = run(diagnose(host_not_found("dangling.test"), checker=dns_checker))
    assert d.main is not None and d.main.reason in (Reason.HOSTUNKNOWN, Reason.NETWORKERROR)


def test_one_dangling_backup_mx_changes_nothing(dns_checker: DomainChecker) -> None:
    """A usable primary MX beside a dangling backup is evidence, not the cause."""
    pure = analyse(host_not_found("backup.test"))
    d = run(diagnose(host_not_found("backup.test"), checker=dns_checker))
    assert d.cause == pure.cause
    assert d.domains and d.domains[0].problems


def test_user_unknown_at_a_missing_domain_is_the_typo(dns_checker: DomainChecker) -> None:
    """'User unknown' for a domain that does not exist came from a relay: the domain is the cause."""
    data = dsn(
        (
            "user@gmial.com",
            "failed",
            "5.1.1",
            "550 5.1.1 <user@gmial.com>: Recipient address rejected: User unknown",
        )
    )
    d = run(diagnose(data, checker=dns_checker))
    assert d.cause is not None and d.cause.id == "host-unknown-nxdomain"
    assert d.domains[0].suggestions == ("gmail.com",)


def test_a_full_mailbox_is_not_explained_by_dns(dns_checker: DomainChecker) -> None:
    """Reasons that prove a server answered are never overridden, even for a missing domain."""
    data = dsn(("user@gmial.com", "failed", "5.2.2", "552 5.2.2 <user@gmial.com>: Mailbox full, over quota"))
    pure = analyse(data)
    d = run(diagnose(data, checker=dns_checker))
    assert d.main is not None and d.main.reason == pure.main.reason
    assert d.cause == pure.cause and d.domains[0].exists is False


def test_sender_domain_checked_with_auth_when_sender_is_blamed(dns_checker: DomainChecker) -> None:
    """A refusal of the sender: its domain is checked with SPF; a missing SPF makes it auth-failure."""
    data = dsn(
        (
            "user@healthy.test",
            "failed",
            "5.7.1",
            "550 5.7.1 <yamada@nospf.auth.test>: Sender address rejected: Access denied",
        ),
        sender="yamada@nospf.auth.test",
    )
    pure = analyse(data)
    assert pure.main is not None and rules().blames_sender(pure.main.reason, pure.main.responsible)
    d = run(diagnose(data, checker=dns_checker))
    names = [r.domain for r in d.domains]
    assert names == ["healthy.test", "nospf.auth.test"]
    sender = d.domains[1]
    assert any(p.id == "spf-missing" for p in sender.problems)
    if pure.main.reason in rules().sender[0].reasons:
        assert d.cause is not None and d.cause.id == "auth-failure"


def test_sender_domain_not_checked_for_a_recipient_problem(
    dns_checker: DomainChecker, dns_server: DnsServer
) -> None:
    """A user-unknown bounce checks only the recipient's domain."""
    data = dsn(("gone@healthy.test", "failed", "5.1.1", "550 5.1.1 User unknown"), sender="a@nospf.auth.test")
    d = run(diagnose(data, checker=dns_checker))
    assert [r.domain for r in d.domains] == ["healthy.test"]
    assert dns_server.count("nospf.auth.test", "MX") == 0


# ----------------------------------------------------------------------------- domain checks
@pytest.mark.parametrize(
    ("name", "cause_id"),
    [
        ("healthy.test", "domain-ok"),
        ("user@gmial.com", "domain-nxdomain"),
        ("nomail.test", "domain-no-mail-host"),
        ("nullmx.test", "domain-null-mx"),
        ("dangling.test", "domain-mx-broken"),
        ("日本語.test", "domain-ok"),
    ],
)
def test_domain_check_causes(dns_checker: DomainChecker, name: str, cause_id: str) -> None:
    """Each kind of domain gets its domain-* cause and that cause's responsible side."""
    d = run(check_domains([name], checker=dns_checker, source=name))
    assert d.kind is Kind.DOMAIN and d.error is None
    assert d.cause is not None and d.cause.id == cause_id
    assert d.responsible is d.cause.responsible


def test_domain_check_dns_failure(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """A server that never answers gives domain-dns-failure, not a verdict on the domain."""
    dns_server.fault("timeout", name="healthy.test")
    d = run(check_domains(["healthy.test"], checker=dns_checker))
    assert d.cause is not None and d.cause.id == "domain-dns-failure"


def test_text_naming_a_domain_is_checked(dns_checker: DomainChecker) -> None:
    """Plain text naming a domain, with DNS: the domain check's cause."""
    d = run(diagnose("nullmx.test にメールが送れません", checker=dns_checker))
    assert d.kind is Kind.DOMAIN and d.cause is not None and d.cause.id == "domain-null-mx"


def test_invalid_domain_is_an_error(dns_checker: DomainChecker) -> None:
    """A name that cannot be a domain comes back as error invalid-domain."""
    d = run(check_domains(["exa mple..test"], checker=dns_checker))
    assert (d.kind, d.error) == (Kind.NONE, "invalid-domain")


def test_batch_asks_each_domain_once(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """Through MemoChecker, bounces to the same domain share one check."""
    memo = MemoChecker(dns_checker)

    async def both() -> None:
        await asyncio.gather(*(diagnose(host_not_found("nullmx.test"), checker=memo) for _ in range(3)))

    run(both())
    assert dns_server.count("nullmx.test", "MX") == 1
