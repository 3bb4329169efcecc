"""DNS as evidence beside the bounce, on the loopback server: the verdict stays when a server of the
domain answered, an unusable resolver is said once, and the meant domain is suggested (ja and en)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from dnsserver import DnsServer
from fake_slack import BOT_USER
from slack_harness import as_slack, mention, running_app

from bot.diagnose import analyse, check_domains, diagnose
from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.health import ResolverHealth
from bot.dnscheck.problems import evidence_notes
from bot.dnscheck.resolver import Resolver
from bot.models import Diagnosis
from bot.render.json import to_dict
from bot.render.text import render
from bot.render.usermessage import user_message
from bot.vocab import Kind, Lang, ProblemId, Reason

ROOT = Path(__file__).resolve().parents[2]
# examples/bounce-postfix.txt with a recipient domain that is gone from the DNS now.
POSTFIX = (ROOT / "examples" / "bounce-postfix.txt").read_text().replace("example.net", "lapsed.co.jp")

# The seed's story: the desk's user typed "syoji" for "shoji".
SEED_JA = (
    "配信不能: 宛先のメールアドレスが見つかりませんでした\n\n"
    "suzuki@tanaka-syoji.co.jp\n"
    "Remote Server returned '554 5.0.0 smtp;5.1.2 - Bad destination host "
    "'DNS Hard Error looking up tanaka-syoji.co.jp(MX):NXDomain' (delivery attempts: 0)'\n"
)
SEED_EN = (
    "** Address not found **\n\n"
    "Your message wasn't delivered to suzuki@tanaka-syoji.co.jp because the domain tanaka-syoji.co.jp "
    "couldn't be found. Check for typos or unnecessary spaces and try again.\n\n"
    "The response was:\n\n"
    "DNS Error: 27417446 DNS type 'mx' lookup of tanaka-syoji.co.jp responded with code NXDOMAIN\n"
    "Domain name not found: tanaka-syoji.co.jp\n"
)


def run(data: str, checker: DomainChecker) -> Diagnosis:
    """diagnose() on a text with this checker."""
    return asyncio.run(diagnose(data, checker=checker))


# ----------------------------------------------------------------------------- evidence, not override
def test_a_server_that_answered_keeps_the_verdict_under_nxdomain(dns_checker: DomainChecker) -> None:
    """Postfix's 'host mx1... said: 550 5.1.1 User unknown' to a domain now NXDOMAIN: verdict unchanged, both shown."""
    pure = analyse(POSTFIX)
    d = run(POSTFIX, dns_checker)
    assert pure.main is not None and d.main is not None
    assert (d.main.reason, d.cause, d.responsible) == (pure.main.reason, pure.cause, pure.responsible)
    assert d.main.reason is Reason.USERUNKNOWN
    [report] = d.domains
    assert report.exists is False and report.problems[0].id is ProblemId.NXDOMAIN
    for lang in Lang:
        [note] = evidence_notes(d, lang)
        assert "lapsed.co.jp" in note and "mx1.lapsed.co.jp" in note
    assert (
        "NXDOMAIN" in evidence_notes(d, Lang.EN)[0]
        and "existed when the mail was sent" in evidence_notes(d, Lang.EN)[0]
    )


def test_no_dns_fact_rewrites_the_reason(dns_checker: DomainChecker) -> None:
    """A relay's 'User unknown' for a missing domain: the cause says the domain, the reason stays userunknown."""
    text = "<user@gmial.com>: 550 5.1.1 <user@gmial.com>: Recipient address rejected: User unknown\n"
    pure = analyse(text)
    d = run(text, dns_checker)
    assert pure.main is not None and d.main is not None
    assert d.main.reason is pure.main.reason is Reason.USERUNKNOWN
    assert d.main.rule == "dns:nxdomain"
    assert d.cause is not None and d.cause.id == "host-unknown-nxdomain"


def test_bounce_says_not_found_but_it_resolves_now(dns_checker: DomainChecker) -> None:
    """'Host not found' for a domain that resolves now: the verdict stays, the note says it exists now."""
    text = "<a@healthy.test>: Host or domain name not found. Name service error for name=healthy.test type=MX: Host not found\n"
    d = run(text, dns_checker)
    assert d.main is not None and d.main.reason is Reason.HOSTUNKNOWN
    assert any("resolves from here now" in n for n in evidence_notes(d, Lang.EN))


# ----------------------------------------------------------------------------- our resolver
def test_all_nxdomain_resolver_is_noticed(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """A resolver answering NXDOMAIN for everything: no verdict change, 'DNS could not be checked' once, naming it."""
    dns_server.fault("nxdomain")
    pure = analyse(POSTFIX)
    d = run(POSTFIX, dns_checker)
    assert d.main is not None and pure.main is not None
    assert (d.main.reason, d.cause, d.main.rule) == (pure.main.reason, pure.cause, pure.main.rule)
    problems = [p for r in d.domains for p in r.problems]
    assert [(p.id, p.value) for p in problems] == [(ProblemId.RESOLVER_UNUSABLE, "nxdomain")]
    host, port = dns_server.address
    assert problems[0].subject == f"{host}:{port}"
    assert d.domains[0].exists is None and evidence_notes(d, Lang.JA) == ()


def test_resolver_down_domain_check(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """A domain check through a silent resolver: the cause is our resolver (sender_org), not their DNS."""
    dns_server.fault("timeout")
    d = asyncio.run(check_domains(["healthy.test", "nullmx.test"], checker=dns_checker))
    assert d.cause is not None and d.cause.id == "dns-resolver-unusable"
    assert str(d.responsible) == "sender_org"
    said = [p for r in d.domains for p in r.problems if p.id is ProblemId.RESOLVER_UNUSABLE]
    assert len(said) == 1 and said[0].value == "timeout"  # once, not per domain


def test_refused_by_our_resolver_is_configuration(dns_server: DnsServer, dns_checker: DomainChecker) -> None:
    """Our resolver refusing us is resolver-unusable with value refused."""
    dns_server.fault("refused")
    report = asyncio.run(dns_checker.check_one("healthy.test"))
    assert [(p.id, p.value) for p in report.problems] == [(ProblemId.RESOLVER_UNUSABLE, "refused")]


def test_refused_for_one_domain_is_its_configuration(
    dns_server: DnsServer, dns_checker: DomainChecker
) -> None:
    """The resolver works but the domain's servers refuse: domain-dns-refused (recipient_org), not 'try later'."""
    dns_server.fault("refused", name="healthy.test")
    d = asyncio.run(check_domains(["healthy.test"], checker=dns_checker))
    assert d.cause is not None and d.cause.id == "domain-dns-refused"
    assert str(d.responsible) == "recipient_org"


def test_control_query_once_per_interval(dns_server: DnsServer) -> None:
    """The control query is asked once per interval, however many checks run; again after it."""
    now = [0.0]
    # A long timeout: dnspython sends a question again when half of it passes, which a loaded
    # machine could turn into a second control query.
    resolver = Resolver([dns_server.address], timeout=4.0)
    checker = DomainChecker(resolver, health=ResolverHealth(resolver, clock=lambda: now[0], interval=30))

    async def checks() -> None:
        await asyncio.gather(*(checker.check_one(n) for n in ("healthy.test", "nullmx.test", "cname.test")))

    asyncio.run(checks())
    assert dns_server.count(".", "NS") == 1
    now[0] = 29.0
    asyncio.run(checker.check_one("implicit.test"))
    assert dns_server.count(".", "NS") == 1
    now[0] = 31.0
    asyncio.run(checker.check_one("implicit.test"))
    assert dns_server.count(".", "NS") == 2


def test_resolver_back_clears_the_verdict(dns_server: DnsServer) -> None:
    """After the interval a working resolver is used again (the bad verdict is not kept)."""
    now = [0.0]
    resolver = Resolver([dns_server.address], timeout=0.3)
    checker = DomainChecker(resolver, health=ResolverHealth(resolver, clock=lambda: now[0], interval=10))
    dns_server.fault("nxdomain", name=".")
    assert asyncio.run(checker.check_one("healthy.test")).exists is None
    dns_server.clear_faults()
    now[0] = 11.0
    assert asyncio.run(checker.check_one("healthy.test")).exists is True


# ----------------------------------------------------------------------------- the seed's story
@pytest.mark.parametrize(("text", "lang"), [(SEED_JA, Lang.JA), (SEED_EN, Lang.EN)])
def test_seed_suggests_the_domain_meant(dns_checker: DomainChecker, text: str, lang: Lang) -> None:
    """tanaka-syoji.co.jp → tanaka-shoji.co.jp: in the report, the evidence, the user message, JSON and text."""
    d = run(text, dns_checker)
    report = next(r for r in d.domains if r.domain == "tanaka-syoji.co.jp")
    assert report.exists is False and report.suggestions[0] == "tanaka-shoji.co.jp"
    assert "tanaka-shoji.ne.jp" not in report.suggestions  # null MX: takes no mail
    said = {
        Lang.JA: "tanaka-shoji.co.jp の誤りではありませんか",
        Lang.EN: "Did you mean tanaka-shoji.co.jp?",
    }
    assert said[lang] in user_message(d, lang)
    obj = to_dict(d, lang)
    assert obj["domains"][0]["suggestions"][0] == "tanaka-shoji.co.jp"
    assert said[lang] in obj["cause"]["user_message"]
    assert said[lang] in render(d, lang, color=False)


def test_implicit_mx_candidate_is_offered(dns_checker: DomainChecker) -> None:
    """A candidate without MX but with an address takes mail (implicit MX): suzuki-syouji → suzuki-shouji."""
    report = asyncio.run(dns_checker.check_one("suzuki-syouji.co.jp"))
    assert report.suggestions == ("suzuki-shouji.co.jp",)


def test_suggestions_cost_one_concurrent_round(dns_server: DnsServer) -> None:
    """All candidates are asked in one wave after the NXDOMAIN, a few dozen queries at most."""
    dns_server.fault("delay", seconds=0.2)
    checker = DomainChecker(Resolver([dns_server.address], timeout=3.0), deadline=8.0)
    asyncio.run(checker.check_one("tanaka-syoji.co.jp"))
    assert dns_server.rounds() == 2
    assert dns_server.queries <= 45


def test_cli_json_and_text_name_the_suggestion(dns_server: DnsServer) -> None:
    """`mxcheck bounce` (text, ja) and `--json` (en) on the pasted seed name tanaka-shoji.co.jp."""
    from test_cli import json_lines, mxcheck

    host, port = dns_server.address
    ns = f"{host}:{port}"
    text = mxcheck("bounce", "--nameserver", ns, "--lang", "ja", "-", stdin=SEED_JA.encode())
    assert text.returncode == 0, text.stderr
    assert "tanaka-shoji.co.jp の誤りではありませんか" in text.stdout
    proc = mxcheck("bounce", "--json", "--nameserver", ns, "--lang", "en", "-", stdin=SEED_EN.encode())
    [obj] = json_lines(proc)
    assert obj["domains"][0]["suggestions"][0] == "tanaka-shoji.co.jp"
    assert "Did you mean tanaka-shoji.co.jp?" in obj["cause"]["user_message"]


@pytest.mark.parametrize(
    ("text", "locale_word"), [(SEED_JA, "誤りではありませんか"), (SEED_EN, "Did you mean")]
)
def test_slack_blocks_name_the_suggestion(dns_server: DnsServer, text: str, locale_word: str) -> None:
    """The Slack answer to a pasted seed names tanaka-shoji.co.jp in its blocks, in the user's message."""
    user = "UJA" if locale_word.startswith("誤") else "UEN"  # the fake Slack's users' locales

    async def scenario() -> None:
        async with running_app(dns_server.address, deadline=2.0) as h:
            await h.event(mention(f"<@{BOT_USER}> " + as_slack(text), ts="901.000100", user=user))
            post = (await h.fake.wait_for("chat.postMessage", timeout=10))[0].data
            blocks = json.dumps(post["blocks"], ensure_ascii=False)
            assert "tanaka-shoji.co.jp" in blocks and locale_word in blocks

    asyncio.run(scenario())


def test_domain_check_kind_has_the_suggestion(dns_checker: DomainChecker) -> None:
    """`mxcheck domain tanaka-syoji.co.jp`: domain-nxdomain with the suggestion in the user message."""
    d = asyncio.run(check_domains(["suzuki@tanaka-syoji.co.jp"], checker=dns_checker))
    assert d.kind is Kind.DOMAIN and d.cause is not None and d.cause.id == "domain-nxdomain"
    assert "tanaka-shoji.co.jp" in user_message(d, Lang.JA)


def test_sender_domain_not_found_gets_its_suggestion(dns_checker: DomainChecker) -> None:
    """'Sender address rejected: Domain not found' for tanaka-syoji.co.jp: the sender's domain is checked and the meant one named."""
    text = (
        "<user@healthy.test>: host mx1.healthy.test[192.0.32.10] said: 550 5.1.8 <yamada@tanaka-syoji.co.jp>:"
        " Sender address rejected: Domain not found (in reply to RCPT TO command)\n"
    )
    d = run(text, dns_checker)
    sender = next(r for r in d.domains if r.domain == "tanaka-syoji.co.jp")
    assert sender.exists is False and sender.suggestions[0] == "tanaka-shoji.co.jp"
    assert "tanaka-shoji.co.jp の誤りではありませんか" in user_message(d, Lang.JA)
