"""The generic RFC 3464 decoder: any multipart/report with a message/delivery-status part.

Also reads the same fields pasted as text. Each per-recipient block (Final-Recipient or
Original-Recipient, Action, Status, Remote-MTA, Diagnostic-Code with continuation lines,
X-Actual-Recipient) is one Failure; when a block has no Diagnostic-Code the readable part's
error line for that address stands in.
"""

from __future__ import annotations

import re

from bot.models import Bounce, Failure, Message
from bot.parsers._common import (
    STATUS_TYPES,
    block_failure,
    clean_host,
    dsn_fields,
    finish,
    original_sender,
    readable_diagnostic,
    readable_text,
    recipient_of,
    status_text,
)

# Final-Recipient: rfc822; kijitora@example.jp   (with Status: or Action: somewhere after it)
_FIELDS = re.compile(r"^\s{0,4}(?:final|original)-recipient:", re.IGNORECASE | re.MULTILINE)
_PER_RECIPIENT = re.compile(r"^\s{0,4}(?:status|action):", re.IGNORECASE | re.MULTILINE)
# Status: 4.0.0 (cat.example.net: host name lookup failure)
_STATUS_COMMENT = re.compile(r"\A[245]\.\d{1,3}\.\d{1,3}\s{0,5}\((.{1,300})\)")


def detect(msg: Message) -> bool:
    """A delivery-status part, or Final-/Original-Recipient fields with Status or Action in the text."""
    if any(p.content_type in STATUS_TYPES for p in msg.parts):
        return True
    text = msg.text
    return bool(_FIELDS.search(text) and _PER_RECIPIENT.search(text))


def parse(msg: Message) -> Bounce | None:
    """One Failure per per-recipient block of the delivery-status fields."""
    per_message, blocks = dsn_fields(status_text(msg))
    readable = readable_text(msg)
    failures: list[Failure] = []
    for block in blocks:
        addr = recipient_of(block) or ""
        diag = block.get("diagnostic-code", "")
        if not diag.split(";", 1)[-1].strip():
            # No Diagnostic-Code: the readable part's line for this address, or the Status comment.
            diag = readable_diagnostic(readable, addr)
            comment = _STATUS_COMMENT.match(block.get("status", ""))
            if not diag and comment:
                diag = comment.group(1)
        failure = block_failure(block, diagnostic=diag)
        if failure:
            failures.append(failure)
    if not failures:
        return None
    reporting = per_message.get("reporting-mta")
    return Bounce(
        format="rfc3464",
        failures=tuple(finish(failures)),
        reporting_mta=clean_host(reporting) if reporting else None,
        sender=original_sender(msg),
    )
