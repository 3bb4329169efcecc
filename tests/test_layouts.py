"""Layouts people forward: a report attached whole, a bounce quoted in a mail, and mails that are not bounces."""

from __future__ import annotations

from pathlib import Path

from bot.diagnose import analyse
from bot.reading.phrases import compile_phrases, fold
from bot.vocab import Action, Kind, Reason, Responsible

LAYOUTS = Path(__file__).parent / "samples" / "layouts"


def _read(name: str):
    return analyse((LAYOUTS / name).read_bytes(), source=name)


def test_a_report_attached_as_message_rfc822_is_read() -> None:
    """A user forwards the bounce as an attachment: the attached report's recipient and reason are found."""
    d = _read("forwarded_exim_attached.eml")
    assert d.kind == Kind.BOUNCE
    assert [r.failure.address for r in d.recipients] == ["m.weber@example-partner.de"]
    assert d.main.reason == Reason.USERUNKNOWN and d.main.responsible == Responsible.SENDER


def test_a_bounce_quoted_in_a_whole_mail_is_read() -> None:
    """A bounce forwarded inline with ">" quoting inside a whole message is read from the quoted lines."""
    d = _read("forwarded_quoted_postfix.eml")
    assert [r.failure.address for r in d.recipients] == ["t.yamada@example-buhin.co.jp"]
    assert d.main.reason == Reason.MAILBOXFULL


def test_a_newsletter_quoting_bounce_lines_is_not_a_bounce() -> None:
    """A list mail (List-Id, List-Unsubscribe) that quotes reply lines names no failed recipient."""
    d = _read("newsletter_list.eml")
    assert d.kind != Kind.BOUNCE and not d.recipients


def test_an_auto_reply_sent_in_bulk_is_still_an_auto_reply() -> None:
    """Precedence: bulk on an out-of-office reply does not hide it: it is read as vacation."""
    text = (
        "From: Ken Ito <k.ito@example.jp>\nTo: a@example.org\nSubject: Out of Office: schedule\n"
        "Auto-Submitted: auto-replied\nPrecedence: bulk\n\nI am out of the office until Monday.\n"
    )
    d = analyse(text.encode(), source="ooo")
    assert [r.reason for r in d.recipients] == [Reason.VACATION]


def test_a_phrase_that_begins_with_a_letter_begins_a_word() -> None:
    """'virus' is not found inside 'antivirus', but a stem may run on ('relay' in 'relaying')."""
    virus, relay = compile_phrases(["virus", "relay"])
    assert virus.find(fold("Scanned by AntiVirus gateway")) == -1
    assert virus.find(fold("554 Virus found in message")) >= 0
    assert relay.find(fold("Relaying denied")) == 0
    assert compile_phrases(["ユーザー不明"]).first_found(fold("宛先ユーザー不明です")) is not None


SMAIL = """\
From: MAILER-DAEMON@smtp.example.net (Mail Delivery Subsystem)
To: ops@example.net
Subject: mail failed, returning to sender
Date: Thu, 5 Dec 1996 08:00:00 +0000

|------------------------- Message log follows: -------------------------|
 no valid recipients were found for this message
|------------------------- Failed addresses follow: ---------------------|
 <k.tanabe@exampel.co.jp> ... No matches to nameserver query
 bob ... unknown user
|------------------------- Message text follows: ------------------------|
From: ops@example.net
To: bob, k.tanabe@exampel.co.jp
Subject: weekly report
"""
X400 = """\
This is a non-delivery report from the X.400 gateway mta.example.fr.

Recipient:   G=Marie;S=Dupont;O=Ventes;P=EXEMPLE;A=ATLAS;C=FR
             (marie.dupont@ventes.example.fr)
Reason:      Unable to transfer (1)
Diagnostic:  Unrecognized O/R name (0)
"""


def test_smail_failed_addresses_with_a_local_name() -> None:
    """smail's 'Failed addresses follow' lists addresses and bare local names; a local name gets the mail domain."""
    d = analyse(SMAIL.encode(), source="smail")
    got = {r.failure.address: r.reason for r in d.recipients}
    assert got == {"k.tanabe@exampel.co.jp": Reason.USERUNKNOWN, "bob@example.net": Reason.USERUNKNOWN}


def test_x400_gateway_report_pasted() -> None:
    """An X.400 gateway's report names the SMTP address in brackets; an unrecognized O/R name is unknown."""
    d = analyse(X400, source="x400")
    assert [r.failure.address for r in d.recipients] == ["marie.dupont@ventes.example.fr"]
    assert d.main.reason == Reason.USERUNKNOWN


def test_sendmail_reads_the_remotes_multiline_reply_over_its_own_summary() -> None:
    """A pasted transcript: the remote's `<<< 552-...` lines, joined, decide over sendmail's 'Service unavailable'."""
    d = _read("sendmail_multiline_552_paste.txt")
    assert [r.failure.address for r in d.recipients] == ["kato@example.jp"]
    assert d.main.reason == Reason.MAILBOXFULL and d.main.failure.status == "5.2.2"
    assert "please direct the recipient" in d.main.failure.diagnostic.lower()


def test_sendmail_554_at_the_greeting_is_a_refused_connection() -> None:
    """A reply before any command in the session is the greeting: a 554 there is a connection refusal."""
    d = _read("sendmail_554_greeting_paste.txt")
    assert d.main.reason == Reason.BLOCKED and str(d.main.failure.phase) == "connect"


def test_a_notice_that_names_only_a_display_name_uses_the_returned_copy() -> None:
    """'Yamada Taro on 12/3/2024' names no address: the returned copy's To: gives the one that failed."""
    d = _read("exchange_display_name_only.eml")
    assert [r.failure.address for r in d.recipients] == ["t.yamada@example-partner.co.jp"]
    assert d.main.reason == Reason.USERUNKNOWN


def test_old_sendmail_lists_bare_addresses() -> None:
    """An old Sendmail lists failed addresses without angle brackets: each is a recipient."""
    d = _read("sendmail_bare_addresses.eml")
    assert [r.failure.address for r in d.recipients] == ["kato@example.jp", "miki@example.jp"]
    assert d.main.reason == Reason.USERUNKNOWN


def test_mdaemon_session_transcript_names_the_last_error_reply() -> None:
    """MDaemon's transcript: the recipient of the RCPT it sent, the remote's last error reply, its phase."""
    d = _read("mdaemon_transient_paste.txt")
    assert [r.failure.address for r in d.recipients] == ["y.mori@example-kogyo.jp"]
    assert d.main.reason == Reason.MAILBOXFULL and str(d.main.failure.phase) == "rcpt"
    assert d.main.responsible == Responsible.TRANSIENT


def test_a_final_report_that_borrows_a_warnings_words_is_final() -> None:
    """'You do not need to resend ... recipients not listed below' above permanent errors is no warning."""
    text = (
        "The attached message had PERMANENT fatal delivery errors!\n"
        "YOU DO NOT NEED TO RESEND THE MESSAGE TO RECIPIENTS NOT LISTED BELOW.\n"
        "--- Session Transcript ---\n"
        " Mon 2025-03-03 10:00:00.000: --> RCPT To:<k.abe@example.org>\n"
        " Mon 2025-03-03 10:00:00.100: <-- 550 5.1.1 <k.abe@example.org>: user unknown\n"
    )
    d = analyse(text, source="p")
    assert d.main.failure.action != Action.DELAYED and d.main.responsible == Responsible.SENDER


def test_a_relay_refusal_by_the_recipients_own_mx_is_theirs() -> None:
    """Exchange's 5.7.54 from a host of the recipient's domain is their accepted-domain setting, not ours."""
    from test_classify import verdict

    mx = verdict("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain", status="5.7.54",
                 remote="mx.example.org", address="h.ogawa@example.org")
    own = verdict("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain", status="5.7.54",
                  remote="exch01.corp.example.com", address="h.ogawa@example.org")
    assert (mx.cause_id, own.cause_id) == ("relay-denied", "relay-denied-sender-server")
