"""bot.reading.weigh: every rule that speaks is a candidate and the strongest decides (lines written for these tests)."""

from __future__ import annotations

import pytest
from test_classify import verdict

from bot.vocab import Phase, Reason

CASES = [
    # A specific fact beats a generic word that comes first in the data.
    ("554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using bl.spamcop.net;"
     " spam source", "5.7.1", Reason.BLOCKED),
    # A product name is not a verdict: "Virus" in the gateway's name says nothing of the message.
    ("550 5.7.1 Client host rejected: sender IP listed (Acme Spam & Virus Firewall)", "5.7.1", Reason.BLOCKED),
    # The remote's own words outweigh the relay's wrapper around them.
    ("host mx.example.net[192.0.2.5] refused to talk to me: 421 4.7.0 Too many concurrent"
     " connections from this IP", "4.7.0", Reason.TOOMANYCONN),
    # A 503 "need RCPT" that follows the real refusal is its consequence, not the cause.
    ("550 5.7.1 Mail from IP 192.0.2.9 refused: listed at zen.spamhaus.org 503 5.5.1 Error: need RCPT"
     " command", "5.7.1", Reason.BLOCKED),
    # A reply code's default text still speaks when nothing else does.
    ("421 4.3.2 Service not available, closing transmission channel", "4.3.2", Reason.SYSTEMERROR),
    # "Access denied" alone says little: the sender refused at MAIL FROM is rejected.
    ("Connected to 192.0.2.40 but sender was rejected. Remote host said: 553 sorry, access denied",
     None, Reason.REJECTED),
]


@pytest.mark.parametrize(("line", "status", "reason"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_the_strongest_evidence_decides(line: str, status: str | None, reason: Reason) -> None:
    """The reason comes from the most specific evidence, whatever the order of the records."""
    assert verdict(line, status=status).reason == reason


def test_the_rule_names_what_decided() -> None:
    """The verdict's rule names the winning phrase, so a desk can see why."""
    v = verdict("550 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org; spam", status="5.7.1")
    assert v.reason == Reason.BLOCKED and v.rule.startswith("phrase:specific:blocked")


def test_a_finer_cause_of_the_same_reason_still_wins() -> None:
    """Among candidates of the winning reason the data's first (finer) record names the cause."""
    v = verdict("550 5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC"
                " policy", status="5.7.26", phase=Phase.DATA)
    assert v.reason == Reason.AUTHFAILURE and v.cause_id == "auth-dmarc-fail"
