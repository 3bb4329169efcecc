"""bot.reading.classify: each kind of rule, and the precedence between them (hand-built failures)."""

from __future__ import annotations

import pytest

from bot.models import Bounce, Failure, Verdict
from bot.reading.classify import classify
from bot.reading.knowledge import knowledge
from bot.vocab import Action, Phase, Reason, Responsible


def verdict(
    diagnostic: str = "",
    *,
    status: str | None = None,
    reply: str | None = None,
    phase: Phase | None = None,
    action: Action | None = Action.FAILED,
    remote: str | None = None,
    reporter: str | None = None,
    fmt: str = "postfix",
    hint: Reason | None = None,
    address: str = "user@example.net",
) -> Verdict:
    """Classify one hand-built failure."""
    failure = Failure(
        address=address,
        status=status,
        reply_code=reply,
        action=action,
        remote_mta=remote,
        diagnostic=diagnostic,
        phase=phase,
        reason_hint=hint,
    )
    return classify(failure, Bounce(format=fmt, failures=(failure,), reporting_mta=reporter))


def responsible(v: Verdict) -> Responsible:
    """The responsible side of a verdict's cause."""
    return knowledge().cause(v.cause_id).responsible


# ----------------------------------------------------------------------------- precedence
def test_reason_hint_wins_over_everything() -> None:
    """A format's reason_hint is taken even when the text says otherwise."""
    v = verdict("550 5.1.1 user unknown", status="5.1.1", hint=Reason.FEEDBACK)
    assert (v.reason, v.cause_id, v.rule) == (Reason.FEEDBACK, "feedback", "hint")


def test_delivered_recipient() -> None:
    """Action: delivered is delivered, whatever else is there."""
    assert verdict("250 2.0.0 OK", status="2.0.0", action=Action.DELIVERED).reason == Reason.DELIVERED


def test_provider_rule_beats_specific_status() -> None:
    """Exchange's 5.2.2 submission quota is the sender's sending limit, not a full mailbox."""
    text = "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceededException"
    v = verdict(text, status="5.2.2", reply="554", remote="mail.protection.outlook.com")
    assert (v.reason, v.cause_id) == (Reason.SPEEDING, "speeding-sender-quota")
    assert responsible(v) == Responsible.SENDER_ORG
    assert v.rule.startswith("provider:microsoft")


def test_same_status_elsewhere_is_a_full_mailbox() -> None:
    """Without Microsoft's words or hosts, 5.2.2 is a full mailbox: the recipient's side."""
    v = verdict(
        "552 5.2.2 <a@example.net>: Mailbox full", status="5.2.2", reply="552", remote="mx.example.net"
    )
    assert (v.reason, v.cause_id) == (Reason.MAILBOXFULL, "mailbox-full")
    assert responsible(v) == Responsible.RECIPIENT


def test_specific_phrase_beats_specific_status() -> None:
    """Words naming one condition win over a status that names another."""
    v = verdict("550 5.1.1 <a@example.net>... Mailbox Full", status="5.1.1", reply="550", phase=Phase.RCPT)
    assert v.reason == Reason.MAILBOXFULL


def test_specific_status_beats_generic_phrase() -> None:
    """5.7.26 names authentication; Postfix's generic 'Recipient address rejected' does not."""
    text = "550 5.7.26 <a@example.net>: Recipient address rejected: Multiple authentication checks failed"
    v = verdict(text, status="5.7.26", reply="550", phase=Phase.RCPT)
    assert (v.reason, v.rule) == (Reason.AUTHFAILURE, "status:X.7.26")


def test_generic_phrase_beats_generic_status() -> None:
    """'blocked' says more than the catch-all 5.7.1."""
    v = verdict("550 5.7.1 Message blocked", status="5.7.1", reply="550")
    assert v.reason == Reason.BLOCKED


def test_generic_status_beats_reply_code() -> None:
    """5.7.1 with nothing else is a security refusal, whatever the reply code says."""
    v = verdict("550 5.7.1 Go elsewhere please", status="5.7.1", reply="550", phase=Phase.RCPT)
    assert (v.reason, v.rule) == (Reason.SECURITYERROR, "status:X.7.1")


@pytest.mark.parametrize(
    ("phase", "reason"),
    [(Phase.RCPT, Reason.USERUNKNOWN), (Phase.MAIL, Reason.REJECTED), (Phase.CONNECT, Reason.BLOCKED)],
)
def test_reply_code_by_phase(phase: Phase, reason: Reason) -> None:
    """A bare 550 means another thing at RCPT, MAIL FROM and connection."""
    assert verdict("550 Not today", reply="550", phase=phase).reason == reason


def test_phase_alone_as_last_evidence() -> None:
    """A refusal of MAIL FROM with no code or known words is about the sender."""
    v = verdict("Nope.", phase=Phase.MAIL)
    assert (v.reason, v.rule) == (Reason.REJECTED, "phase:mail")


def test_fallbacks() -> None:
    """Delayed → expired; some text → onhold; nothing → undefined."""
    assert verdict("", action=Action.DELAYED).reason == Reason.EXPIRED
    assert verdict("Something odd happened").reason == Reason.ONHOLD
    assert verdict("").reason == Reason.UNDEFINED


# ----------------------------------------------------------------------------- phase and provider
def test_unknown_user_after_data_is_a_filter() -> None:
    """'User unknown' after DATA (the recipient was accepted) is a reception filter."""
    assert verdict("550 User unknown", reply="550", phase=Phase.DATA).reason == Reason.FILTERED
    assert verdict("550 User unknown", reply="550", phase=Phase.RCPT).reason == Reason.USERUNKNOWN


def test_status_5_1_1_keeps_unknown_user_after_data() -> None:
    """With 5.1.1 the address is unknown even when the reply came after DATA."""
    v = verdict("550 5.1.1 <a@example.net>... User Unknown", status="5.1.1", reply="550", phase=Phase.DATA)
    assert v.reason == Reason.USERUNKNOWN


def test_unknown_user_under_a_policy_status_is_a_filter() -> None:
    """'User Unknown' answered with 5.7.1 comes from a filter, not from the directory."""
    assert (
        verdict("550 5.7.1 User Unknown: a@example.net", status="5.7.1", reply="550").reason
        == Reason.FILTERED
    )


def test_phase_read_from_the_diagnostic() -> None:
    """Postfix's '(in reply to end of DATA command)' gives the phase when the parser did not."""
    v = verdict("host mx[192.0.2.1] said: 550 User unknown (in reply to end of DATA command)", reply="550")
    assert v.reason == Reason.FILTERED


def test_docomo_filter_depends_on_phase() -> None:
    """docomo's 'Unknown user' after DATA is its reception filter; at RCPT the address is wrong."""
    text = "550 Unknown user someone@docomo.ne.jp"
    data = verdict(text, reply="550", phase=Phase.DATA, remote="mfsmax.docomo.ne.jp")
    rcpt = verdict(text, reply="550", phase=Phase.RCPT, remote="mfsmax.docomo.ne.jp")
    assert (data.cause_id, responsible(data)) == ("carrier-reception-filter", Responsible.RECIPIENT)
    assert rcpt.reason == Reason.USERUNKNOWN


def test_yahoo_deferral_depends_on_who_said_it() -> None:
    """TSS04 from Yahoo's own MX is 'rejected'; the same words quoted elsewhere read as reputation."""
    text = "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints"
    assert (
        verdict(text, status="4.7.0", reply="421", remote="mta6.am0.yahoodns.net").reason == Reason.REJECTED
    )
    assert verdict(text, status="4.7.0", reply="421").reason == Reason.BADREPUTATION


def test_google_unauthenticated() -> None:
    """Gmail's 5.7.26 is an authentication failure of the sender's domain."""
    text = (
        "550-5.7.26 This mail is unauthenticated, which poses a security risk to the sender and Gmail users"
    )
    v = verdict(text, status="5.7.26", reply="550", remote="gmail-smtp-in.l.google.com")
    assert (v.reason, responsible(v)) == (Reason.AUTHFAILURE, Responsible.SENDER_ORG)


# ----------------------------------------------------------------------------- finer causes
def test_relay_denied_side_by_evidence() -> None:
    """A remote MX's relay refusal is the recipient side's; one asking for authentication is ours."""
    remote = verdict("554 5.7.1 <a@example.net>: Relay access denied", status="5.7.1", reply="554")
    ours = verdict("550 5.7.1 Relaying denied. Proper authentication required.", status="5.7.1", reply="550")
    assert (remote.cause_id, responsible(remote)) == ("relay-denied", Responsible.RECIPIENT_ORG)
    assert (ours.cause_id, responsible(ours)) == ("relay-denied-sender-server", Responsible.SENDER_ORG)


def test_recipient_server_requiring_authentication() -> None:
    """530 5.7.1 Client was not authenticated: the recipient's server refuses internet mail."""
    v = verdict("530 5.7.1 Client was not authenticated", status="5.7.1", reply="530")
    assert (v.reason, v.cause_id, responsible(v)) == (
        Reason.SECURITYERROR,
        "recipient-requires-auth",
        Responsible.RECIPIENT_ORG,
    )


def test_office365_submission_without_login_is_the_senders() -> None:
    """5.7.57 from smtp.office365.com is the sending device not logging in."""
    text = "530 5.7.57 Client not authenticated to send mail. [TYAPR01CA0001.jpnprd01.prod.outlook.com]"
    v = verdict(text, status="5.7.57", reply="530")
    assert (v.cause_id, responsible(v)) == ("submission-auth-required", Responsible.SENDER_ORG)


@pytest.mark.parametrize(
    ("text", "status", "reply", "reason", "cause", "side"),
    [
        ("5.1.1 550 (unknown user)", "5.1.1", "550", Reason.USERUNKNOWN, "user-unknown", Responsible.SENDER),
        (
            "550 SPF MAIL FROM check failed (PermError)",
            "5.0.0",
            "550",
            Reason.AUTHFAILURE,
            "auth-spf-fail",
            Responsible.SENDER_ORG,
        ),
        (
            "451 4.1.8 Cannot resolve your domain {mx101}",
            "4.1.8",
            "451",
            Reason.REJECTED,
            "sender-domain-not-found",
            Responsible.SENDER_ORG,
        ),
        (
            "Sender address rejected: Domain not found",
            None,
            None,
            Reason.REJECTED,
            "sender-domain-not-found",
            Responsible.SENDER_ORG,
        ),
        (
            "550 5.1.8 <s@example.org>: Sender address rejected: Domain not found",
            "5.1.8",
            "550",
            Reason.REJECTED,
            "sender-domain-not-found",
            Responsible.SENDER_ORG,
        ),
        (
            "550 5.1.2 <r@example.net>: Recipient address rejected: Domain not found",
            "5.1.2",
            "550",
            Reason.HOSTUNKNOWN,
            "host-unknown",
            Responsible.SENDER,
        ),
        (
            "DNS Hard Error looking up example.invalid(MX):NXDomain",
            "5.1.2",
            "554",
            Reason.HOSTUNKNOWN,
            "host-unknown-nxdomain",
            Responsible.SENDER,
        ),
        (
            "552 5.7.1 Message rejected: your IP 192.0.2.1 is listed at zen.spamhaus.org",
            "5.7.1",
            "552",
            Reason.BLOCKED,
            "blocked-blocklist",
            Responsible.SENDER_ORG,
        ),
        (
            "450 4.2.0 <r@example.net>: Recipient address rejected: Greylisted, see http://postgrey",
            "4.2.0",
            "450",
            Reason.BLOCKED,
            "greylisting",
            Responsible.TRANSIENT,
        ),
        (
            "550 5.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]",
            "5.7.1",
            "550",
            Reason.REQUIREPTR,
            "require-ptr",
            Responsible.SENDER_ORG,
        ),
        (
            "550 5.7.1 Email rejected per DMARC policy for example.org",
            "5.7.1",
            "550",
            Reason.AUTHFAILURE,
            "auth-dmarc-fail",
            Responsible.SENDER_ORG,
        ),
        (
            "552 5.3.4 Message size exceeds fixed maximum message size",
            "5.3.4",
            "552",
            Reason.MESGTOOBIG,
            "message-too-big",
            Responsible.SENDER,
        ),
        (
            "550 5.2.3 RESOLVER.RST.SendSizeLimit.Org; message too large for this organization",
            "5.2.3",
            "550",
            Reason.MESGTOOBIG,
            "message-too-big-sender-server",
            Responsible.SENDER_ORG,
        ),
        (
            "550 5.7.1 Delivery not authorized, message refused",
            "5.7.1",
            "550",
            Reason.REJECTED,
            "recipient-restricted-senders",
            Responsible.RECIPIENT_ORG,
        ),
    ],
)
def test_finer_causes(
    text: str, status: str | None, reply: str | None, reason: Reason, cause: str, side: Responsible
) -> None:
    """Each finer cause is picked from the words that show it, with its own responsible side."""
    v = verdict(text, status=status, reply=reply)
    assert (v.reason, v.cause_id, responsible(v)) == (reason, cause, side)


def test_temporary_failure_tells_the_temporary_variant() -> None:
    """A full mailbox still being retried is transient; the final bounce is the recipient's."""
    text = "452 4.2.2 <a@example.net>: Mailbox full"
    later = verdict(text, status="4.2.2", reply="452", action=Action.DELAYED)
    final = verdict("552 5.2.2 <a@example.net>: Mailbox full", status="5.2.2", reply="552")
    assert (later.cause_id, responsible(later)) == ("mailbox-full-temporary", Responsible.TRANSIENT)
    assert responsible(final) == Responsible.RECIPIENT


def test_failed_report_over_a_4xx_code_is_final() -> None:
    """A report that gave up retrying (Action: failed) over 452 4.2.2 is the recipient's, not transient."""
    v = verdict("452 4.2.2 <a@example.net>: Mailbox full", status="4.2.2", reply="452", action=Action.FAILED)
    assert (v.cause_id, responsible(v)) == ("mailbox-full", Responsible.RECIPIENT)
    pasted = verdict("452 4.2.2 <a@example.net>: Mailbox full", status="4.2.2", reply="452", action=None)
    assert pasted.cause_id == "mailbox-full-temporary"


def test_temporary_without_variant_keeps_its_cause() -> None:
    """A temporary refusal whose cause has no temporary variant keeps that cause."""
    v = verdict("451 4.1.8 Cannot resolve your domain", status="4.1.8", reply="451", action=None)
    assert v.cause_id == "sender-domain-not-found"


def test_japanese_carrier_text() -> None:
    """A carrier address refused by its reception settings: the carrier's filter, the recipient's to fix."""
    v = verdict("指定受信の設定により受信拒否されました", address="taro@docomo.ne.jp")
    assert (v.reason, v.cause_id, responsible(v)) == (
        Reason.FILTERED,
        "carrier-reception-filter",
        Responsible.RECIPIENT,
    )
    elsewhere = verdict("受信拒否されました", address="taro@example.co.jp")
    assert (elsewhere.reason, elsewhere.cause_id) == (Reason.FILTERED, "filtered")


def test_japanese_wording() -> None:
    """Japanese NDR wording is read: unknown address, unknown domain, full mailbox."""
    assert verdict("宛先のメールアドレスが見つかりませんでした").reason == Reason.USERUNKNOWN
    assert verdict("宛先のドメインが見つかりません").reason == Reason.HOSTUNKNOWN
    assert verdict("メールボックスの容量を超えているため配信できませんでした").reason == Reason.MAILBOXFULL
