"""The blocklist a bounce names, asked about the IP it names (lists as zones of the loopback server),
and the sender's domain found in the refusing line."""

from __future__ import annotations

import asyncio

import pytest
from dnsserver import DnsServer

from bot.diagnose import diagnose
from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.dnsbl import named_lists, refused_ips
from bot.dnscheck.leads import sender_in_line
from bot.dnscheck.problems import describe
from bot.models import Diagnosis
from bot.render.blocks import metadata
from bot.render.json import to_dict
from bot.vocab import Lang, ProblemId

POSTFIX_BLOCKED = (
    "This is the mail system at host mail.healthy.test.\n\n"
    "<user@healthy.test>: host mx1.healthy.test[192.0.32.10] said: 554 5.7.1 Service\n"
    "    unavailable; Client host [{ip}] blocked using {zone}; {why} (in reply to RCPT TO command)\n"
)


def run(text: str, checker: DomainChecker) -> Diagnosis:
    """diagnose() with the loopback checker."""
    return asyncio.run(diagnose(text, checker=checker))


def _ip_problems(d: Diagnosis) -> list[tuple[str, str, str, str]]:
    return [(p.id.value, p.subject, p.value, p.answer) for x in d.ips for p in x.problems]


def test_listed_ip_is_explained(dns_checker: DomainChecker) -> None:
    """Spamhaus answers 127.0.0.4 and .11 for the refused IP: dnsbl-listed with XBL and PBL in words."""
    text = POSTFIX_BLOCKED.format(
        ip="192.0.2.99", zone="zen.spamhaus.org", why="https://www.spamhaus.org/query/ip/192.0.2.99"
    )
    d = run(text, dns_checker)
    assert _ip_problems(d) == [("dnsbl-listed", "192.0.2.99", "zen.spamhaus.org", "127.0.0.4, 127.0.0.11")]
    problem = d.ips[0].problems[0]
    assert "XBL" in describe(problem, Lang.EN) and "PBL" in describe(problem, Lang.JA)
    assert to_dict(d, Lang.EN)["ips"][0]["ip"] == "192.0.2.99"
    assert "dnsbl-listed" in metadata(d, Lang.EN)["event_payload"]["problems"]
    assert d.main is not None and d.main.failure.remote_mta  # the receiving server's own IP was left out
    assert all(x.ip != "192.0.32.10" for x in d.ips)


def test_refused_query_is_not_a_listing(dns_checker: DomainChecker) -> None:
    """127.255.255.254 means the list refused the query: dnsbl-refused, worded as 'not a listing'."""
    text = POSTFIX_BLOCKED.format(ip="192.0.2.98", zone="zen.spamhaus.org", why="see spamhaus")
    d = run(text, dns_checker)
    assert _ip_problems(d) == [("dnsbl-refused", "192.0.2.98", "zen.spamhaus.org", "127.255.255.254")]
    assert "does not mean the address is listed" in describe(d.ips[0].problems[0], Lang.EN)


def test_not_listed(dns_checker: DomainChecker) -> None:
    """An IP the named list does not hold: dnsbl-not-listed (info)."""
    text = POSTFIX_BLOCKED.format(ip="192.0.2.7", zone="bl.spamcop.net", why="see spamcop")
    assert _ip_problems(run(text, dns_checker)) == [("dnsbl-not-listed", "192.0.2.7", "bl.spamcop.net", "")]


def test_block_without_a_named_list_asks_the_default_lists(dns_checker: DomainChecker) -> None:
    """A reputation refusal naming no list: the IP is asked of every default list at once."""
    text = (
        "<user@healthy.test>: host mx1.healthy.test[192.0.32.10] said: 550 5.7.1 Mail from\n"
        "    192.0.2.99 refused: IP has a poor reputation (in reply to RCPT TO command)\n"
    )
    d = run(text, dns_checker)
    assert d.main is not None and str(d.main.reason) == "badreputation"
    found = {(pid, zone) for pid, _ip, zone, _a in _ip_problems(d)}
    assert ("dnsbl-listed", "zen.spamhaus.org") in found and ("dnsbl-listed", "bl.spamcop.net") in found
    assert ("dnsbl-not-listed", "b.barracudacentral.org") in found


def test_user_unknown_asks_no_list(dns_checker: DomainChecker, dns_server: DnsServer) -> None:
    """A refusal about the recipient names no IP worth asking: no blocklist query."""
    run("<gone@healthy.test>: host mx1.healthy.test[192.0.32.10] said: 550 5.1.1 User unknown\n", dns_checker)
    assert not any(zone in a.name for a in dns_server.arrivals() for zone in ("spamhaus", "spamcop"))


@pytest.mark.parametrize(
    ("text", "ips", "zones"),
    [
        ("Client host [203.0.113.5] blocked using zen.spamhaus.org", ("203.0.113.5",), ("zen.spamhaus.org",)),
        (
            "host mx.x.test[192.0.2.1] said: 554 blocked by SpamCop 198.51.100.9",
            ("198.51.100.9",),
            ("bl.spamcop.net",),
        ),
        ("554 rejected: 999.1.1.1 barracuda", (), ("b.barracudacentral.org",)),
    ],
)
def test_ips_and_lists_in_a_line(text: str, ips: tuple[str, ...], zones: tuple[str, ...]) -> None:
    """The refused IPs (the receiving host's own left out, non-addresses dropped) and the lists named."""
    assert refused_ips(text) == ips
    assert tuple(bl.zone for bl in named_lists(text)) == zones


def test_sender_domain_from_the_refusing_line(dns_checker: DomainChecker) -> None:
    """'<yamada@nospf.auth.test>: Sender address rejected': that domain is checked with SPF and DMARC."""
    text = (
        "<user@healthy.test>: host mx1.healthy.test[192.0.32.10] said: 550 5.7.1\n"
        "    <yamada@nospf.auth.test>: Sender address rejected: Access denied (in reply to RCPT TO command)\n"
    )
    d = run(text, dns_checker)
    sender = next(r for r in d.domains if r.domain == "nospf.auth.test")
    assert ProblemId.SPF_MISSING in {p.id for p in sender.problems}
    assert sender_in_line(d.recipients) == "nospf.auth.test"


def test_unusable_resolver_is_said_once_not_per_ip(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """With our resolver answering NXDOMAIN for everything, no 'not listed' is claimed, and it is said once."""
    dns_server.fault("nxdomain")
    text = POSTFIX_BLOCKED.format(ip="192.0.2.99", zone="zen.spamhaus.org", why="see spamhaus")
    d = run(text, dns_checker)
    assert _ip_problems(d) == []
    said = [p for r in d.domains for p in r.problems if p.id is ProblemId.RESOLVER_UNUSABLE]
    assert len(said) == 1


def test_a_list_that_does_not_answer_is_said(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """SpamCop's zone times out: dns-failure about that list, and no claim either way."""
    dns_server.fault("timeout", name="99.2.0.192.bl.spamcop.net")
    text = POSTFIX_BLOCKED.format(ip="192.0.2.99", zone="bl.spamcop.net", why="see spamcop")
    assert _ip_problems(run(text, dns_checker)) == [("dns-failure", "bl.spamcop.net", "timeout", "")]


def test_language_button_keeps_the_dns_evidence(dns_checker: DomainChecker) -> None:
    """The Slack button's packed diagnosis carries the IPs with their codes, for the other language."""
    from bot.render.buttons import pack, unpack

    text = POSTFIX_BLOCKED.format(ip="192.0.2.99", zone="zen.spamhaus.org", why="see spamhaus")
    d = run(text, dns_checker)
    again = unpack(pack(d))
    assert again.ips == d.ips and again.domains == d.domains
    assert "XBL" in describe(again.ips[0].problems[0], Lang.JA)
