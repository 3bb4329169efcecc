"""Defects found after the first round, each pinned by the behaviour it fixed (bounces and knowledge)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from bot.classify import classify
from bot.diagnose import analyse
from bot.models import Bounce, Failure
from bot.normalize import normalize
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


# ----------------------------------------------------------------------------- (e) raw header bytes
_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "emails"


def _headers(raw: bytes) -> bytes:
    return b"From: MAILER-DAEMON@example.jp\nTo: a@example.jp\nDate: Mon, 13 May 2024 10:00:00 +0900\n" + raw


def test_raw_japanese_subjects_are_decoded() -> None:
    """A Subject written raw (UTF-8, Shift_JIS, ISO-2022-JP) or as RFC 2047 words decodes to its text."""
    subject = "メールエラー通知"
    for raw in (
        subject.encode("utf-8"),
        subject.encode("cp932"),
        subject.encode("iso2022_jp"),
        b"=?ISO-2022-JP?B?" + base64.b64encode(subject.encode("iso2022_jp")) + b"?=",
    ):
        msg = normalize(_headers(b"Subject: " + raw + b"\n\nbody\n"))
        assert msg.subject == subject, raw


@pytest.mark.skipif(not _CORPUS.is_dir(), reason="../shared/corpus not present")
def test_kddi_subject_has_no_replacement_characters() -> None:
    """lhost-kddi-01's Japanese Subject comes out as words, not U+FFFD."""
    msg = normalize((_CORPUS / "lhost-kddi-01.eml").read_bytes())
    assert msg.subject == "メールエラー通知"
