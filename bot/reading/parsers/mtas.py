"""The smaller MTAs, each a Layout: DragonFly DMA, OpenSMTPD, Lotus Notes, Domino's readable part,
IMail, MailFoundry, Apache James, fml, the unnamed X1-X3 appliances and smail.

Courier, Sun/Oracle Messaging Server, Domino, PowerMTA, SendGrid and Bigfoot write standard
delivery-status parts (rfc3464.py reads those); V5 sendmail is in sendmail.py, X4 reads as qmail.
"""

from __future__ import annotations

import re

from bot.models import Bounce, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers._layout import ADDR, Layout, detect_any, parse_any
from bot.vocab import Phase

_I = re.IGNORECASE

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        # This is the DragonFly Mail Agent v0.13 at df.example.jp.
        # There was an error delivering your mail to <kijitora@example.jp>.
        # gmail-smtp-in.l.google.com [74.125.203.27] did not like our final DATA:
        # 550-5.7.26 Unauthenticated email from example.jp is not accepted ...
        # Message headers follow.
        name="dragonfly",
        markers=("this is the dragonfly mail agent", "there was an error delivering your mail to"),
        start=lazy(r"\AThis is the DragonFly Mail Agent", _I),
        recipients=(
            lazy(r"\AThere was an error delivering your mail to <" + ADDR + r">\.?\s{0,3}\Z", _I),
        ),
        stop=lazy(r"\AMessage headers follow\.", _I),
        remote=(lazy(r"\A(\S{1,255}) \[[0-9A-Fa-f.:]{2,45}\] did not like our", _I),),
        phases=(
            (lazy(r"did not like our (?:final )?data", _I), Phase.DATA),
            (lazy(r"did not like our rcpt", _I), Phase.RCPT),
            (lazy(r"did not like our mail", _I), Phase.MAIL),
            (lazy(r"did not like our (?:ehlo|helo)", _I), Phase.HELO),
        ),
    ),
    Layout(
        # This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.
        # An error has occurred while attempting to deliver a message for   (or: A message is delayed for ...)
        # the following list of recipients:
        # kijitora@example.jp: 550 5.1.1 <kijitora@example.jp>: Recipient address rejected
        # Below is a copy of the original message:
        name="opensmtpd",
        markers=(
            "this is the mailer-daemon, please do not reply to this e-mail",
            "this is the mailer-daemon, please do not reply to this email",
            "an error has occurred while attempting to deliver a message for",
        ),
        start=lazy(r"list of recipients:", _I),
        recipients=(lazy(r"\A\s{0,2}" + ADDR + r":\s{1,3}(?P<text>.{1,2000})\Z"),),
        stop=lazy(r"\A\s{0,8}Below is a copy of the original message:", _I),
        ignore=lazy(r"\A\s{4}"),  # OpenSMTPD indents its own prose, never the recipients
        delayed=lazy(r"is delayed for more than|temporary failure report", _I),
    ),
    Layout(
        # ------- Failure Reasons  --------
        # User  not listed in public Name & Address Book      (or: ディレクトリのリストにありません)
        # kijitora@example.com
        # ------- Returned Message --------
        name="notes",
        markers=("------- failure reasons", "not listed in public name & address book"),
        start=lazy(r"\A-{3,}\s{0,3}Failure Reasons", _I),
        recipients=(lazy(r"\A\s{0,4}<?" + ADDR + r">?\s{0,3}\Z"),),
        stop=lazy(r"\A-{3,}\s{0,3}Returned Message", _I),
        reason_first=True,
        to_fallback=True,
    ),
    Layout(
        # Domino's readable part, pasted without its delivery-status part:
        # Your message / Subject: ... / was not delivered to: / a@example.jp / because: /
        # User a (a@example.jp) not listed in Domino Directory
        name="domino",
        markers=("\nwas not delivered to:",),
        start=lazy(r"\A\s{0,4}was not delivered to:\s{0,3}\Z", _I),
        recipients=(lazy(r"\A\s{0,4}<?" + ADDR + r">?\s{0,3}\Z"),),
        ignore=lazy(r"\A\s{0,4}because:\s{0,3}\Z", _I),
    ),
    Layout(
        # Unknown user: kijitora@example.com
        # undeliverable to kijitora@example.jp
        # Body of message generated response:
        # 550-REJECTED - Blacklisted URL in message. ...
        # Original message follows.
        name="imail",
        markers=("body of message generated response:", "\nundeliverable to ", "unknown user: "),
        subjects=("undeliverable mail",),
        recipients=(
            # Two words at least before the colon: "Sender: a@b" is a header, not a reason.
            lazy(
                r"\A\s{0,4}(?P<text>[A-Za-z][\w,/-]{0,40}(?: [\w,/().-]{1,40}){1,8}):\s{0,3}"
                + ADDR
                + r"\s{0,3}\Z"
            ),
            lazy(r"\A\s{0,4}undeliverable\s{1,3}to\s{1,3}<?" + ADDR + r">?\s{0,3}\Z", _I),
        ),
        stop=lazy(r"\A\s{0,4}Original message follows\.", _I),
        ignore=lazy(r"\A\s{0,4}(?:Save to the following Address Book|To|CC|Date|Subject):", _I),
        phases=(
            (lazy(r"Additional RCPT TO generated following response", _I), Phase.RCPT),
            (
                lazy(r"DATA command generated response|Body of message generated response", _I),
                Phase.DATA,
            ),
            (lazy(r"Server response to MAIL FROM", _I), Phase.MAIL),
            (lazy(r"Unexpected response to EHLO/HELO", _I), Phase.HELO),
            (lazy(r"SMTP connection failed|Unexpected connection response", _I), Phase.CONNECT),
        ),
    ),
    Layout(
        # Unable to deliver message to: <kijitora@example.org>
        # Delivery failed for the following reason:
        # Server mx22.example.org[192.0.2.222] failed with: 550 <kijitora@example.org> No such user here
        name="mailfoundry",
        markers=("delivery failed for the following reason:", "unable to deliver message to: <"),
        subjects=("message delivery has failed",),
        recipients=(lazy(r"\AUnable to deliver message to: <" + ADDR + r">\s{0,3}\Z", _I),),
        ignore=lazy(
            r"\A(?:Delivery failed for the following reason:|This has been a permanent failure)", _I
        ),
        remote=(lazy(r"\bServer (\S{1,255}?)\[[0-9A-Fa-f.:]{2,45}\] failed with", _I),),
    ),
    Layout(
        # Error: Invalid user address
        # Error message below:
        # 550 - Requested action not taken: no such user here
        # Message details:
        #   RCPT TO: 000000000000@vtext.example.com
        name="james",
        markers=("error message below:", "message details:"),
        subjects=("[bounce]",),
        recipients=(lazy(r"\A\s{0,4}RCPT TO:\s{0,3}<?" + ADDR + r">?\s{0,3}\Z", _I),),
        ignore=lazy(
            r"\A\s{0,4}(?:Error message below:|Message details:|Subject:|Sent date:|MAIL FROM:|From:|To:|CC:"
            r"|Size \(in bytes\):|Number of lines:|Content-|-{2,}|boundary=)",
            _I,
        ),
        reason_first=True,
    ),
    Layout(
        # You are not a member of this mailing list <neko-nyaan@example.org>.
        # Duplicated Message-ID in <neko@example.co.jp>.
        # Original mail as follows:
        name="fml",
        markers=(
            "original mail as follows:",
            "you are not a member of this mailing list",
            "duplicated message-id",
        ),
        recipients=(lazy(r"\A(?P<text>.{1,300}<" + ADDR + r">\.)\s{0,3}\Z"),),
        stop=lazy(r"\A\s{0,4}Original mail as follows:", _I),
        ignore=lazy(r"\A\s{0,8}(?:guide|to the address|where guide|the mail body|if you know)\b", _I),
    ),
    Layout(
        # ---The following addresses had delivery errors---
        # kijitora@example.co.jp [User unknown]
        name="x1",
        markers=("---the following addresses had delivery errors---",),
        start=lazy(r"\A-{3}The following addresses had delivery errors-{3}", _I),
        recipients=(lazy(r"\A" + ADDR + r"\s{1,4}\[(?P<text>.{1,500})\]\s{0,3}\Z"),),
        stop=lazy(r"\A(?:Received: from|Return-Path:|-{3})", _I),
        same_line=True,
    ),
    Layout(
        # Unable to deliver message to the following address(es).
        # <kijitora@example.co.jp>:
        # This user doesn't have a example.co.jp account (kijitora@example.co.jp) [-9]
        # --- Original message follows.
        name="x2",
        markers=("unable to deliver message to the following address(es).",),
        start=lazy(r"\AUnable to deliver message to the following address", _I),
        recipients=(lazy(r"\A<" + ADDR + r">:\s{0,3}(?P<text>.{0,2000})\Z"),),
        stop=lazy(r"\A-{2,3} (?:Original message follows|Below this line)", _I),
    ),
    Layout(
        # This is an automatically generated Delivery Status Notification.
        # Delivery to the following recipients failed permanently:
        #    * kijitora@example.com
        # Technical details:
        # SMTP:RCPT host 192.0.2.8: 553 5.3.0 <kijitora@example.com>... No such user here
        name="x3",
        markers=("delivery to the following recipients failed permanently:", "technical details:"),
        start=lazy(r"\ADelivery to the following recipients? failed", _I),
        recipients=(lazy(r"\A\s{1,8}\*\s{1,3}" + ADDR + r"\s{0,3}\Z"),),
        stop=lazy(r"\A(?:Content-Type:\s{0,3}message/rfc822|-{3,} ?Original message)", _I),
        ignore=lazy(r"\A\s{0,30}(?:={5,}|Technical details:|-{5,})", _I),
        remote=(lazy(r"\ASMTP:\w{2,8} host (\S{1,255}?):", _I),),
        phases=(
            (lazy(r"\ASMTP:RCPT\b", _I), Phase.RCPT),
            (lazy(r"\ASMTP:DATA\b", _I), Phase.DATA),
            (lazy(r"\ASMTP:MAIL\b", _I), Phase.MAIL),
        ),
    ),
    Layout(
        # |------------------------- Message log follows: -------------------------|
        #  no valid recipients were found for this message
        # |------------------------- Failed addresses follow: ---------------------|
        #  <paul.h@example.com> ... No matches to nameserver query
        #  userx ... unknown user                    (a local name: completed with the mail domain)
        # |------------------------- Message text follows: ------------------------|
        name="smail",
        markers=("failed addresses follow:", "message log follows:"),
        start=lazy(r"\A\s{0,4}\|-{3,} ?Failed addresses follow", _I),
        recipients=(
            lazy(r"\A\s{0,8}<?" + ADDR + r">?\s{1,8}\.{2,3}\s{0,8}(?P<text>.{1,2000})\Z"),
            lazy(r"\A\s{0,8}(?P<addr>[A-Za-z0-9._%+\-]{1,64})\s{1,8}\.{2,3}\s{0,8}(?P<text>.{1,2000})\Z"),
        ),
        stop=lazy(r"\A\s{0,4}\|-{3,} ?Message text follows", _I),
        local_names=True,
    ),
    Layout(
        # X.400 gateways (X.411 non-delivery): the O/R name, the SMTP address in brackets, then
        # Reason: Unable to transfer (1) / Diagnostic: Unrecognised O/R name (0) / Supplementary: ...
        # Recipient:       G=Andreas;S=Vogel;O=Sales;P=EXAMPLE;A=DBP;C=DE
        #                  (andreas.vogel@sales.example.de)
        name="x400",
        markers=("o/r name", "x.400", "x400"),
        recipients=(
            lazy(r"\A\s{0,4}Recipient(?:\(s\))?:\s{0,20}[^\n(]{0,300}\(" + ADDR + r"\)\s{0,3}\Z", _I),
            lazy(r"\A\s{0,40}\(" + ADDR + r"\)\s{0,3}\Z"),
        ),
        start=lazy(r"\A\s{0,4}(?:Recipient|Subject):", _I),
        stop=lazy(r"\A\s{0,4}(?:-{3,} ?Original message|Report time:)", _I),
        ignore=lazy(r"\A\s{0,4}(?:Recipient(?:\(s\))?:|Message ID:|MTS ID:|Submitted:|Subject:)", _I),
    ),
)


def detect(msg: Message) -> bool:
    """Any of the layouts' markers or subjects."""
    return detect_any(LAYOUTS, msg)


def parse(msg: Message) -> Bounce | None:
    """The first layout that finds recipients."""
    return parse_any(LAYOUTS, msg)
