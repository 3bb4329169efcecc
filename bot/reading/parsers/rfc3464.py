"""The generic RFC 3464 decoder: any multipart/report with a message/delivery-status part.

Also reads the same fields pasted as text. Each per-recipient block (Final-Recipient or
Original-Recipient, Action, Status, Remote-MTA, Diagnostic-Code with continuation lines,
X-Actual-Recipient) is one Failure; when a block has no Diagnostic-Code the readable part's
error line for that address stands in.
"""

from __future__ import annotations

import re

from bot.limits import MAX_RECIPIENTS
from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers._common import (
    STATUS_TYPES,
    block_failure,
    bounce_of,
    dsn_fields,
    find_phase,
    readable_diagnostic,
    readable_text,
    recipient_of,
    status_text,
)

# Final-Recipient: rfc822; kijitora@example.jp   (with Status: or Action: somewhere after it)
_FIELDS = lazy(r"^\s{0,4}(?:final|original)-recipient:", re.IGNORECASE | re.MULTILINE)
_PER_RECIPIENT = lazy(r"^\s{0,4}(?:status|action):", re.IGNORECASE | re.MULTILINE)
# Status: 4.0.0 (cat.example.net: host name lookup failure)
_STATUS_COMMENT = lazy(r"\A[245]\.\d{1,3}\.\d{1,3}\s{0,5}\((.{1,300})\)")


def detect(msg: Message) -> bool:
    """A delivery-status part, or Final-/Original-Recipient fields with Status or Action in the text."""
    if any(p.content_type in STATUS_TYPES for p in msg.parts):
        return True
    text = msg.text
    return bool(_FIELDS.search(text) and _PER_RECIPIENT.search(text))


def _paragraph_of(text: str, address: str) -> str:
    """The lines from the first one naming the address to the next blank line (at most 12), as text."""
    lines = text.split("\n")
    low = address.lower()
    start = next((i for i, line in enumerate(lines) if low in line.lower()), None)
    if start is None:
        return ""
    out: list[str] = []
    for line in lines[start : start + 12]:
        if not line.strip():
            break
        out.append(line)
    return "\n".join(out)


def parse(msg: Message) -> Bounce | None:
    """One Failure per per-recipient block of the delivery-status fields."""
    per_message, blocks = dsn_fields(status_text(msg))
    readable = readable_text(msg)
    failures: list[Failure] = []
    # Each look into the readable part is a pass over it: done once per address, and not for an
    # address past the recipient limit, which finish() drops.
    said: dict[str, str] = {}
    session: dict[str, str] = {}
    names: set[str] = set()
    for block in blocks:
        addr = recipient_of(block) or ""
        if not addr or (addr.lower() not in names and len(names) >= MAX_RECIPIENTS):
            continue  # a block without a recipient is no failure (block_failure gives None)
        names.add(addr.lower())
        diag = block.get("diagnostic-code", "")
        if not diag.split(";", 1)[-1].strip():
            # No Diagnostic-Code: the readable part's line for this address, or the Status comment.
            if addr not in said:
                said[addr] = readable_diagnostic(readable, addr)
            diag = said[addr]
            comment = _STATUS_COMMENT.match(block.get("status", ""))
            if not diag and comment:
                diag = comment.group(1)
        # The readable part may show the session for this address ("<a@example.jp>: ... >>> DATA
        # <<< 550 ..."): the command it answered comes from there when the fields do not say.
        phase = find_phase(diag)
        if not phase:
            if addr not in session:
                session[addr] = _paragraph_of(readable, addr)
            phase = find_phase(session[addr])
        failure = block_failure(block, diagnostic=diag, phase=phase)
        if failure:
            failures.append(failure)
    if not failures:
        return None
    return bounce_of("rfc3464", msg, failures, per_message)
