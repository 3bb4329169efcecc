"""Defects found after the first round, each pinned by the behaviour it fixed (bounces and knowledge)."""

from __future__ import annotations

from pathlib import Path

from bot.classify import classify
from bot.diagnose import analyse
from bot.models import Bounce, Failure
from bot.vocab import Action, Reason, Responsible

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _classified(diagnostic: str, *, status: str | None, fmt: str) -> tuple[Reason, str]:
    failure = Failure(address="a@example.net", status=status, action=Action.FAILED, diagnostic=diagnostic)
    v = classify(failure, Bounce(format=fmt, failures=(failure,)))
    return v.reason, v.cause_id


# ----------------------------------------------------------------------------- (c) Microsoft formats
def test_microsoft_rules_apply_to_every_microsoft_format() -> None:
    """Exchange's own meaning of 5.2.1 holds in the classic, the newer M365 and the 2003 layouts alike."""
    for fmt in ("exchange", "m365", "exchange2003"):
        assert (
            _classified("550 5.2.1 Mailbox cannot be accessed", status="5.2.1", fmt=fmt)[0] == Reason.SUSPEND
        )
    # Another MTA writing the same words is not Microsoft: the generic table answers.
    assert (
        _classified("550 5.2.1 Mailbox cannot be accessed", status="5.2.1", fmt="postfix")[0]
        == Reason.FILTERED
    )


# ----------------------------------------------------------------------------- (f) 5.4.310
def test_exchange_dns_domain_does_not_exist_is_the_senders_typo_without_dns() -> None:
    """examples/bounce-ja.eml (550 5.4.310 DNS domain ... does not exist) is hostunknown, sender, with --no-dns."""
    d = analyse((EXAMPLES / "bounce-ja.eml").read_bytes())
    assert d.main is not None
    assert (d.main.reason, d.main.responsible) == (Reason.HOSTUNKNOWN, Responsible.SENDER)
    assert d.main.cause.id == "host-unknown-nxdomain"


def test_exchange_dns_query_failed_stays_a_network_error() -> None:
    """5.4.312 'DNS query failed' says the lookup failed, not that the domain is missing."""
    text = "550 5.4.312 Message expired, DNS query failed(InfoNoRecords)"
    assert _classified(text, status="5.4.312", fmt="exchange")[0] == Reason.NETWORKERROR


# ----------------------------------------------------------------------------- (d) Postfix wraps
_WRAPPED = """This is the mail system at host mail.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<taro@example.net>: host mx.example.net[192.0.2.25] said: 550 5.1.1
    <taro@example.net>: Recipient address rejected: User unknown in local
    recipient table (in reply to RCPT TO command)

<hanako@example.net>: host mx.example.net[192.0.2.25] said: 552 5.2.2
<hanako@example.net>: Recipient address rejected: Mailbox full (in reply to
RCPT TO command)
"""


def test_postfix_keeps_every_line_of_a_wrapped_reply() -> None:
    """A reply wrapped over three lines, its middle line starting '<address>:', keeps all three lines."""
    d = analyse(_WRAPPED)
    by_address = {r.failure.address: r for r in d.recipients}
    assert set(by_address) == {"taro@example.net", "hanako@example.net"}
    taro = by_address["taro@example.net"].failure.diagnostic
    assert (
        "recipient address rejected: user unknown in local recipient table (in reply to rcpt to command)"
        in (taro.lower())
    )
    # Re-wrapped without indentation: the line after a bare code still continues the reply.
    hanako = by_address["hanako@example.net"]
    assert "mailbox full" in hanako.failure.diagnostic.lower()
    assert hanako.reason == Reason.MAILBOXFULL
