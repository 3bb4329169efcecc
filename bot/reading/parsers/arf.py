"""RFC 5965 abuse feedback reports (ARF, RFC 6591 auth-failure reports) and Hotmail's JMRP complaints.

A feedback report is not a bounce: a recipient (or a filter) complained about a message. The
format says so outright, so every failure carries reason_hint feedback. The complaining
recipient is Original-Rcpt-To (or a Redacted-Address with an @, or X-HmXmrOriginalRecipient in
Microsoft's report), else the To: of the attached original; "" when the report hides it.
"""

from __future__ import annotations

import re

from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Reason

_REPORT_TYPE = "message/feedback-report"
# From: staff@hotmail.com / complaints@email-abuse.amazonses.com, Subject: complaint about message from 192.0.2.1
_COMPLAINT_SENDERS = ("staff@hotmail.com", "complaints@email-abuse.amazonses.com")
# This is an email abuse report for an email message received from IP 192.0.2.1 on ...
# This is a spf/dkim authentication-failure report for an email message received from IP ...
_SUMMARY = lazy(
    r"^\s{0,4}this is an? [^\n]{0,80}?(?:abuse report|authentication[ -]failure report|abuse complaint"
    r"|report for an? (?:e-?mail )?message)[^\n]{0,300}",
    re.I | re.M,
)
_FIELD = lazy(r"^\s{0,4}([A-Za-z][A-Za-z-]{1,40})\s{0,3}:[ \t]{0,20}([^\n]{0,500})$", re.M)
_TO = lazy(r"^(?:to|x-hmxmroriginalrecipient)\s{0,3}:\s{0,10}([^\n]{1,500})$", re.I | re.M)


def detect(msg: Message) -> bool:
    """A feedback-report part or report-type, Microsoft/SES complaint mail, or pasted ARF fields."""
    if "feedback-report" in msg.header("content-type").lower():
        return True
    if any(p.content_type == _REPORT_TYPE for p in msg.parts):
        return True
    if (
        c.header_has(msg, "from", _COMPLAINT_SENDERS)
        and "complaint about message from" in msg.subject.lower()
    ):
        return True
    if msg.whole:
        return False
    fields = {m.group(1).lower() for m in _FIELD.finditer(msg.text)}
    return "feedback-type" in fields and bool(
        fields & {"user-agent", "version", "original-mail-from", "source-ip"}
    )


def parse(msg: Message) -> Bounce | None:
    """One feedback failure per reported recipient (one with "" when none is shown)."""
    report = "\n".join(p.text for p in msg.parts if p.content_type == _REPORT_TYPE) or c.readable_text(msg)
    fields = [(m.group(1).lower(), m.group(2).strip()) for m in _FIELD.finditer(report)]
    recipients = [a for name, value in fields if name == "original-rcpt-to" for a in _address(value)]
    # Redacted-Address: redacted@   (a local part hidden, the @ kept: counted, address unknown)
    redacted = [value for name, value in fields if name == "redacted-address" and "@" in value]
    if not recipients:
        recipients = _attached_to(msg) or ["" for _ in redacted[:1]] or [""]
    kind = next((value for name, value in fields if name == "feedback-type"), "")
    diagnostic = _summary(c.readable_text(msg)) or f"Feedback-Type: {kind or 'abuse'}"
    if kind and kind.lower() not in diagnostic.lower():
        diagnostic += f" (Feedback-Type: {kind})"
    failures: list[Failure] = [
        c.make_failure(addr, diagnostic=diagnostic, reason_hint=Reason.FEEDBACK) for addr in recipients
    ]
    sender = next(
        (a for name, value in fields if name == "original-mail-from" for a in _address(value)), None
    )
    return Bounce(
        format="arf",
        failures=tuple(c.finish(failures)),
        sender=sender or c.original_sender(msg),
    )


def _summary(text: str) -> str:
    """The report's own first sentence(s): the paragraph that starts "This is an ... report"."""
    m = _SUMMARY.search(text)
    if not m:
        return ""
    lines = text[m.start() :].split("\n")
    return c.fold(" ".join(c.paragraph_after(lines, 0, limit=3)))


def _address(value: str) -> list[str]:
    addr = c.clean_address(value)
    return [addr] if addr else []


def _attached_to(msg: Message) -> list[str]:
    """The attached original's To: (or Microsoft's X-HmXmrOriginalRecipient), first one only."""
    headers = c.attached_headers(msg)
    m = _TO.search(headers)
    if not m:
        return []
    return c.find_addresses(m.group(1), limit=1)
