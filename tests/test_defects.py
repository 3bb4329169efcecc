"""Defects found after the first round, each pinned by the behaviour it fixed (bounces and knowledge)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from diagnosed import main_result, main_verdict

from bot.diagnose import analyse
from bot.models import Bounce, Failure
from bot.reading.classify import classify
from bot.reading.datafiles import load_table
from bot.reading.knowledge import knowledge
from bot.reading.normalize import normalize
from bot.vocab import Action, Lang, Reason, Responsible

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


# ----------------------------------------------------------------------------- (b) give-up notes


_QMAIL = """Hi. This is the qmail-send program at mail.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<a@example.jp>:
{said}
"""
_SENDMAIL = """   ----- The following addresses had permanent fatal errors -----
<a@example.jp>
    (reason: {said})

   ----- Transcript of session follows -----
<a@example.jp>... Deferred: {said}
Message could not be delivered for 5 days
Message will be deleted from queue
"""


def test_remote_words_beat_a_give_up_note() -> None:
    """What the remote said names the cause; the MTA's note that it gave up only decides when it did not."""
    blocklist = "450 4.7.1 Client host [203.0.113.25] blocked using bl.spamcop.net"
    assert main_verdict(_SENDMAIL.format(said=blocklist)) == (Reason.BLOCKED, Responsible.SENDER_ORG)
    ldap = "Unable to contact LDAP server. (#4.4.3)\nI'm not going to try again; this message has been in the queue too long."
    assert main_verdict(_QMAIL.format(said=ldap))[0] == Reason.SYSTEMERROR
    died = "Connected to 192.0.2.1 but connection died. (#4.4.2)\nI'm not going to try again; this message has been in the queue too long."
    assert main_verdict(_QMAIL.format(said=died)) == (Reason.EXPIRED, Responsible.RECIPIENT_ORG)
    # qmail writes "Giving up on <ip>." after any permanent refusal: it is not an expiry.
    refused = (
        "192.0.2.1 does not like recipient.\nRemote host said: 554 5.7.1 Blocked\nGiving up on 192.0.2.1."
    )
    assert main_verdict(_QMAIL.format(said=refused))[0] == Reason.BLOCKED


def test_an_expiry_is_final_whatever_its_code() -> None:
    """4.4.7 and a give-up note over a 4xx code are final: the receiving side's problem, not a retry."""
    assert main_verdict("550 4.4.7 QUEUE.Expired; message expired") == (
        Reason.EXPIRED,
        Responsible.RECIPIENT_ORG,
    )
    assert (
        main_verdict("550 5.4.316 Message expired, connection refused(Socket error code 10061)")[0]
        == Reason.EXPIRED
    )
    full = "450 4.2.2 Mailbox full\nI'm not going to try again; this message has been in the queue too long."
    assert main_verdict(_QMAIL.format(said=full)) == (Reason.MAILBOXFULL, Responsible.RECIPIENT)


_POSTFIX_DELAY = """Subject: Delayed Mail (still being retried)

This is the mail system at host mail.example.org.

<a@example.jp>: connect to mx.example.jp[192.0.2.10]:25: Connection refused
"""


def test_a_refused_connection_is_no_block_of_the_sender() -> None:
    """A TCP connection refused by the receiving host expires (still retrying: transient); a 554 reply is a block."""
    assert main_verdict(_POSTFIX_DELAY) == (Reason.EXPIRED, Responsible.TRANSIENT)
    final = _POSTFIX_DELAY.replace("Subject: Delayed Mail (still being retried)\n", "")
    final += "\nFinal-Recipient: rfc822; a@example.jp\nAction: failed\nStatus: 4.4.1\n"
    assert main_verdict(final) == (Reason.EXPIRED, Responsible.RECIPIENT_ORG)
    assert main_verdict("<a@example.jp>: host mx.example.jp[192.0.2.10] said: 554 5.7.1 Connection refused")[
        0
    ] == (Reason.BLOCKED)


# ----------------------------------------------------------------------------- held-out findings
def test_relay_refusal_quoted_by_a_mail_client_is_the_senders_server() -> None:
    """A client's send error quoting 'Relay access denied' is the sender's own server; a bounce's is the MX's."""
    client = (
        "Task 'mail.example.jp - Sending' reported error (0x800CCC79) : 'Your e-mail server rejected one of"
        " the recipients. The server responded: 554 5.7.1 <a@example.net>: Relay access denied'"
    )
    assert main_verdict(client) == (Reason.NORELAYING, Responsible.SENDER_ORG)
    bounce = (
        "<a@example.net>: host mx.example.net[192.0.2.1] said: 554 5.7.1 <a@example.net>: Relay access denied"
    )
    assert main_verdict(bounce) == (Reason.NORELAYING, Responsible.RECIPIENT_ORG)


def test_exim_sender_verification_is_about_the_sender() -> None:
    """'Unrouteable address' under Exim's sender verification is the sender's domain, not the recipient's."""
    text = (
        "  a@example.jp\n    host mx.example.jp [192.0.2.10]\n"
        "    SMTP error from remote mail server after RCPT TO:<a@example.jp>:\n"
        "    550-Verification failed for <b@shop.example>\n    550-Unrouteable address\n    550 Sender verify failed\n"
    )
    assert main_verdict(text) == (Reason.REJECTED, Responsible.SENDER_ORG)
    assert main_verdict("  a@examp1e.jp\n    Unrouteable address\n") == (
        Reason.HOSTUNKNOWN,
        Responsible.SENDER,
    )


# ----------------------------------------------------------------------------- (g) parentheses
def _ui_texts(lang: Lang) -> list[str]:
    """Every UI text of a language in knowledge/: cause records, messages, Slack words, DNS problems."""
    texts: list[str] = []
    for cause in knowledge().causes.values():
        t = cause.text(lang)
        texts += [t.title, t.explanation, t.user_message, *t.admin_steps]
    for table in ("messages", "slack_messages", "dns_problems"):
        texts += [e[lang.value] for e in load_table(table).values() if isinstance(e.get(lang.value), str)]
    return texts


def test_japanese_texts_use_full_width_parentheses() -> None:
    """Japanese sentences use （）, English ones (): never the other width."""
    ja, en = _ui_texts(Lang.JA), _ui_texts(Lang.EN)
    assert len(ja) > 100 and len(en) > 100
    assert [t for t in ja if "(" in t or ")" in t] == []
    assert [t for t in en if "（" in t or "）" in t] == []


# ----------------------------------------------------------------------------- fourth batch findings
def test_a_format_hint_is_refined_only_by_words_of_its_own_reason() -> None:
    """Google Groups' refusal (hint rejected) in any language is the group's setting; other words do not override."""
    for text in (
        "Sie haben nicht die erforderlichen Berechtigungen. Hilfe: https://groups.google.com/support/.",
        "您沒有在此群組張貼留言的權限。https://groups.google.com/support/",
    ):
        failure = Failure(
            address="g@example.com", action=Action.FAILED, diagnostic=text, reason_hint=Reason.REJECTED
        )
        v = classify(failure, Bounce(format="gmail", failures=(failure,)))
        assert (v.reason, v.cause_id) == (Reason.REJECTED, "group-post-refused")
    feedback = Failure(
        address="a@example.com", diagnostic="550 5.1.1 user unknown", reason_hint=Reason.FEEDBACK
    )
    assert classify(feedback, Bounce(format="arf", failures=(feedback,))).reason == Reason.FEEDBACK


def test_domino_and_courier_readable_parts_pasted_alone() -> None:
    """Domino's and Courier's readable reports pasted alone name the recipient and the refusal."""
    # Courier's "The original message was received on ..." preamble is no attached original.
    domino = (
        "Your message\n\n  Subject: minutes\n\nwas not delivered to:\n\n  a@example.jp\n\n"
        "because:\n\n  User a (a@example.jp) not listed in Domino Directory\n"
    )
    assert main_result(domino).failure.address == "a@example.jp"
    assert main_verdict(domino) == (Reason.USERUNKNOWN, Responsible.SENDER)
    courier = (
        "The original message was received on Thu, 16 May 2024 10:11:12 +0900\nfrom localhost [::1]\n\n"
        "Your message to the following recipients cannot be delivered:\n\n<b@example.ne.jp>:\n"
        "    mx.example.ne.jp [192.0.2.140]:\n>>> RCPT TO:<b@example.ne.jp>\n<<< 550 5.1.1 <b@example.ne.jp>... User unknown\n"
    )
    assert main_result(courier).failure.address == "b@example.ne.jp"
    assert main_verdict(courier) == (Reason.USERUNKNOWN, Responsible.SENDER)


# ----------------------------------------------------------------------------- fifth batch findings
def test_relays_refused_by_the_senders_own_service() -> None:
    """Exchange's 5.7.54 and 5.7.64 and SES's unverified identity are the sender's own relay setup."""
    for text in (
        "SMTP error: 550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain",
        "<a@example.net>: host contoso-com.mail.protection.outlook.com[52.101.40.2] said: 550 5.7.64"
        " TenantAttribution; Relay Access Denied (in reply to RCPT TO command)",
        "(554, b'Message rejected: Email address is not verified. The following identities failed the check"
        " in region AP-NORTHEAST-1: noreply@app.example.com')",
    ):
        assert main_verdict(text) == (Reason.NORELAYING, Responsible.SENDER_ORG), text


# ----------------------------------------------------------------------------- sixth batch findings
def test_one_microsoft_code_two_meanings_told_by_the_words() -> None:
    """5.7.520 is a refused external forward at Exchange Online and a spam verdict at Outlook.com."""
    forward = "550 5.7.520 Access denied, Your organization does not allow external forwarding. AS(7555)"
    spam = "550 5.7.520 Message blocked because it contains content identified as spam. AS(4810)"
    assert _classified(forward, status="5.7.520", fmt="m365") == (
        Reason.POLICYVIOLATION,
        "forwarding-blocked-sender-org",
    )
    assert _classified(spam, status="5.7.520", fmt="m365")[0] == Reason.SPAMDETECTED


def test_server_storage_shortage_while_retried_is_transient() -> None:
    """452 4.3.1 in a delay warning: the receiving server's space may free up; nobody acts yet."""
    text = (
        "Subject: Delayed Mail (still being retried)\n\n"
        "<a@example.jp>: host mx.example.jp[192.0.2.1] said: 452 4.3.1 Insufficient system storage\n"
    )
    assert main_verdict(text) == (Reason.SYSTEMFULL, Responsible.TRANSIENT)
