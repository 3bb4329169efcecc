"""Wrapped server replies: the innermost reply code and status of a line a relay wrapped around it.

Exchange quotes a smart host, which quotes the receiving server; SES and WorkMail append the
remote reply to their own. The status and reply code that say what happened are the innermost
ones: `5.1.0 Unknown address error 554-'5.7.1. Relay access denied'` is a relay refusal (554 5.7.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.models import Failure
from bot.reading.lazyre import lazy
from bot.reading.parsers._codes import find_reply_code, find_status

# The wrapper's own code at the start, tolerating the "554.5.0.0" people type for "554 5.0.0".
_OUTER = lazy(r"\A\s{0,5}#?([245]\d\d)(?:[ .-]{1,2}#?([245]\.\d{1,3}\.\d{1,3}))?")
# Exchange: #<exchange.contoso.com #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#
_SMTP_HASH = lazy(
    r"#<\s{0,3}[^\s#<>]{1,255}\s{1,3}#([245]\.\d{1,3}\.\d{1,3})\s{0,3}(?:smtp\s{0,2};\s{0,3})?([^\n]{0,2000}?)>\s{0,3}(?:#SMTP#|\Z)",
    re.I,
)
# Momentum-style smart hosts: a status, a description, then the remote reply in quotes.
# 5.1.0 Unknown address error 554-'5.7.1. Relay access denied.
# 5.3.0 - Other mail system problem 550-'Unknown user a@docomo.ne.jp' (delivery attempts: 0)
# 5.1.2 - Bad destination host 'DNS Hard Error looking up example.jp (MX): NXDomain' (delivery attempts: 0)
_MOMENTUM = lazy(
    r"(?<![\w.])([245]\.\d{1,3}\.\d{1,3})\s{0,3}-?\s{0,3}[A-Za-z][A-Za-z ]{2,60}?\s{0,3}(?:([245]\d\d)-?\s{0,2})?'([^\n]{0,2000})"
)
# A reply appended in angle brackets: "554 4.4.7 Message expired: ...<421 4.4.2 Connection timed out>"
_ANGLE = lazy(r"<\s{0,2}([245]\d\d)[ -]([245]\.\d{1,3}\.\d{1,3})?([^<>\n]{0,500})>")


@dataclass(frozen=True, slots=True)
class Reply:
    """The codes of the reply that counts, and whether they came from inside a wrapper."""

    reply: str | None
    status: str | None
    nested: bool


def unwrap(text: str) -> Reply:
    """The innermost reply code and status of a possibly wrapped server line.

    `#<ex.example.jp #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#` → 530, 5.7.1;
    `554.5.0.0(#5.0.0 smtp;5.1.2 - Bad destination host 'DNS Hard Error ...'` → 554, 5.1.2;
    `550 5.1.1 User unknown` → 550, 5.1.1 (not nested).
    """
    outer = _OUTER.match(text)
    outer_reply = outer.group(1) if outer else find_reply_code(text)
    outer_status = outer.group(2) if outer and outer.group(2) else find_status(text)
    m = _SMTP_HASH.search(text)
    if m:
        inner = m.group(2)
        return Reply(find_reply_code(inner) or outer_reply, find_status(inner) or m.group(1), True)
    m = _MOMENTUM.search(text)
    if m:
        inner_status = find_status(m.group(3))
        status = inner_status or m.group(1)
        if m.group(2) or status != outer_status:
            return Reply(m.group(2) or outer_reply, status, True)
    m = _ANGLE.search(text)
    if m and m.start() > 0:
        return Reply(m.group(1), m.group(2) or find_status(m.group(3)) or outer_status, True)
    return Reply(outer_reply, outer_status, False)


def with_inner_reply(failure: Failure) -> Failure:
    """The failure with the status and reply code of the innermost reply its diagnostic quotes."""
    inner = unwrap(failure.diagnostic)
    if inner.nested:
        return replace(
            failure, status=inner.status or failure.status, reply_code=inner.reply or failure.reply_code
        )
    if inner.reply and not failure.reply_code:
        return replace(failure, reply_code=inner.reply)
    return failure
