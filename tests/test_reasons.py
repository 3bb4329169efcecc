"""One typical, realistic bounce per reason (all 34), through the whole pure pipeline.

Most are Postfix delivery status notifications built from what real servers answer; feedback
is an ARF report, vacation an RFC 3834 auto-reply, delivered a success DSN. Each must come out
of bot.diagnose.analyse with its reason and with a cause record of that reason.
"""

from __future__ import annotations

import pytest

from bot.diagnose import analyse
from bot.reading.knowledge import knowledge
from bot.vocab import Kind, Lang, Reason

RCPT = "RCPT TO"
DATA = "end of DATA"
MAIL = "MAIL FROM"


def postfix_dsn(
    *,
    status: str,
    diagnostic: str,
    command: str | None,
    action: str = "failed",
    rcpt: str = "taro@example.net",
) -> str:
    """A Postfix bounce for one recipient, as the MAILER-DAEMON sends it."""
    said = f" (in reply to {command} command)" if command else ""
    human = (
        f"<{rcpt}>: host mx.example.net[192.0.2.25] said: {diagnostic}{said}"
        if command
        else f"<{rcpt}>: {diagnostic}"
    )
    kind = "smtp" if command else "X-Postfix"
    return f"""From: MAILER-DAEMON@mail.example.org (Mail Delivery System)
To: hanako@example.org
Subject: Undelivered Mail Returned to Sender
Date: Mon, 13 May 2024 10:00:00 +0900
Message-ID: <20240513010000.1A2B3C4D5E@mail.example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

{human}

--BOUNDARY
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.org
X-Postfix-Queue-ID: 1A2B3C4D5E
X-Postfix-Sender: rfc822; hanako@example.org
Arrival-Date: Mon, 13 May 2024 09:59:58 +0900

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.example.net
Diagnostic-Code: {kind}; {diagnostic}

--BOUNDARY
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: hanako@example.org
To: {rcpt}
Subject: Meeting notes
Message-ID: <notes-1@example.org>

--BOUNDARY--
"""


ARF = """From: staff@hotmail.example.com
To: abuse@example.org
Subject: complaint about message from 192.0.2.1
Date: Mon, 13 May 2024 10:00:00 +0900
Message-ID: <arf-1@hotmail.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"

--ARF
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received from IP 192.0.2.1 on Mon, 13 May 2024.

--ARF
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <hanako@example.org>
Original-Rcpt-To: <taro@example.net>
Arrival-Date: Mon, 13 May 2024 09:00:00 +0900
Source-IP: 192.0.2.1

--ARF
Content-Type: message/rfc822

From: hanako@example.org
To: taro@example.net
Subject: Spring sale

Buy now.
--ARF--
"""

VACATION = """From: taro@example.net
To: hanako@example.org
Subject: Out of Office: Meeting notes
Date: Mon, 13 May 2024 10:00:00 +0900
Message-ID: <ooo-1@example.net>
Auto-Submitted: auto-replied
Precedence: bulk
Content-Type: text/plain; charset=us-ascii

I am out of the office until May 20 with limited access to email.
For urgent matters please contact jiro@example.net.
"""

CASES = [
    (
        Reason.AUTHFAILURE,
        "5.7.26",
        "550 5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy",
        DATA,
    ),
    (
        Reason.BADREPUTATION,
        "5.7.1",
        "550 5.7.1 Our system has detected that this message is likely suspicious due to the very low reputation of the sending IP address",
        DATA,
    ),
    (
        Reason.BLOCKED,
        "5.7.1",
        "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
        RCPT,
    ),
    (Reason.CONTENTERROR, "5.6.0", "550 5.6.0 Improper use of 8-bit data in message header", DATA),
    (Reason.EXCEEDLIMIT, "5.2.3", "552 5.2.3 Message length exceeds administrative limit", DATA),
    (Reason.EXPIRED, "4.4.1", "connect to mx.example.net[192.0.2.25]:25: Connection timed out", None),
    (Reason.FILTERED, "5.2.0", "550 5.2.0 Message rejected due to user rules", DATA),
    (Reason.HASMOVED, "5.1.6", "550 5.1.6 recipient no longer on server: taro@example.net", RCPT),
    (
        Reason.HOSTUNKNOWN,
        "5.1.2",
        "550 5.1.2 <taro@example.net>: Recipient address rejected: Domain not found",
        RCPT,
    ),
    (Reason.MAILBOXFULL, "5.2.2", "552 5.2.2 <taro@example.net>: Mailbox full", RCPT),
    (Reason.MAILERERROR, "5.3.0", 'Command died with status 1: "/usr/local/bin/procmail"', None),
    (
        Reason.MESGTOOBIG,
        "5.3.4",
        "552 5.3.4 Message size exceeds fixed maximum message size (10485760)",
        DATA,
    ),
    (Reason.NETWORKERROR, "5.4.6", "554 5.4.6 Hop count exceeded - possible mail loop", DATA),
    (Reason.NORELAYING, "5.7.1", "554 5.7.1 <taro@example.net>: Relay access denied", RCPT),
    (Reason.NOTACCEPT, "5.1.10", "556 5.1.10 <taro@example.net>: Recipient address has null MX", RCPT),
    (
        Reason.NOTCOMPLIANTRFC,
        "5.7.1",
        "550 5.7.1 This message is not RFC 5322 compliant. There are multiple Subject headers",
        DATA,
    ),
    (Reason.ONHOLD, "5.0.0", "550 Transaction could not be completed", DATA),
    (Reason.POLICYVIOLATION, "5.7.1", "550 5.7.1 Message rejected due to local policy", DATA),
    (
        Reason.REJECTED,
        "5.1.8",
        "553 5.1.8 <hanako@example.org>: Sender address rejected: Domain not found",
        MAIL,
    ),
    (
        Reason.REQUIREPTR,
        "5.7.25",
        "550 5.7.25 The IP address sending this message does not have a PTR record setup",
        DATA,
    ),
    (Reason.SECURITYERROR, "5.7.0", "530 5.7.0 Must issue a STARTTLS command first", MAIL),
    (Reason.SPAMDETECTED, "5.7.1", "550 5.7.1 Message content rejected, UBE, id=12345-01", DATA),
    (
        Reason.SPEEDING,
        "4.7.1",
        "450 4.7.1 <taro@example.net>: Recipient address rejected: Please try again slower",
        RCPT,
    ),
    (Reason.SUSPEND, "5.2.1", "550 5.2.1 The email account that you tried to reach is disabled", RCPT),
    (Reason.SYNTAXERROR, "5.5.2", "501 5.5.2 Syntax error in parameters or arguments", MAIL),
    (Reason.SYSTEMERROR, "5.3.5", "554 5.3.5 Local configuration error", DATA),
    (Reason.SYSTEMFULL, "4.3.1", "452 4.3.1 Insufficient system storage", MAIL),
    (
        Reason.TOOMANYCONN,
        "4.7.0",
        "421 4.7.0 Too many concurrent SMTP connections from this IP address; please try again later",
        RCPT,
    ),
    (
        Reason.USERUNKNOWN,
        "5.1.1",
        "550 5.1.1 <taro@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
        RCPT,
    ),
    (Reason.VIRUSDETECTED, "5.7.1", "554 5.7.1 Rejected: Virus found (Eicar-Test-Signature)", DATA),
]


@pytest.mark.parametrize(("reason", "status", "diagnostic", "command"), CASES, ids=[str(c[0]) for c in CASES])
def test_postfix_bounce_per_reason(reason: Reason, status: str, diagnostic: str, command: str | None) -> None:
    """A typical Postfix bounce of this reason is read as this reason, with a cause of it."""
    diagnosis = analyse(postfix_dsn(status=status, diagnostic=diagnostic, command=command).encode())
    assert diagnosis.kind == Kind.BOUNCE
    main = diagnosis.main
    assert main is not None
    assert main.failure.address == "taro@example.net"
    assert main.reason == reason, main.rule
    assert main.cause.reason == reason
    assert main.cause.text(Lang.JA).user_message and main.cause.text(Lang.EN).admin_steps


def test_undefined_when_nothing_is_said() -> None:
    """A report with a recipient but no status code or text is undefined."""
    text = postfix_dsn(status="5.0.0", diagnostic="", command=None).replace(
        "Diagnostic-Code: X-Postfix; \n", ""
    )
    text = text.replace("<taro@example.net>: \n", "<taro@example.net>\n")
    main = analyse(text.encode()).main
    assert main is not None
    assert main.reason == Reason.UNDEFINED


def test_delivered_report() -> None:
    """A success DSN (Action: delivered, 2.0.0) is delivered."""
    text = postfix_dsn(
        status="2.0.0", diagnostic="250 2.0.0 Ok: queued as 4Vabc", command=DATA, action="delivered"
    )
    text = text.replace("Undelivered Mail Returned to Sender", "Successful Mail Delivery Report")
    main = analyse(text.encode()).main
    assert main is not None
    assert main.reason == Reason.DELIVERED


def test_feedback_report() -> None:
    """An ARF abuse report is feedback, blamed on nobody's mistake but the recipient's complaint."""
    main = analyse(ARF.encode()).main
    assert main is not None
    assert main.reason == Reason.FEEDBACK


def test_vacation_reply() -> None:
    """An out-of-office auto-reply is vacation."""
    main = analyse(VACATION.encode()).main
    assert main is not None
    assert main.reason == Reason.VACATION


def test_every_reason_is_covered() -> None:
    """The cases above name all 34 reasons of the contract."""
    covered = {c[0] for c in CASES} | {Reason.UNDEFINED, Reason.DELIVERED, Reason.FEEDBACK, Reason.VACATION}
    assert covered == set(Reason)
    assert all(knowledge().default_cause(r) for r in covered)
