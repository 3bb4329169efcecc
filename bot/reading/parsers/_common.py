"""Helpers every format module shares; import this module (``from bot.reading.parsers import _common as c``).

The helpers live by concept and are re-exported here, so one import serves a format module:
- _address: ADDRESS, clean_address, find_addresses
- _codes: find_status, find_reply_code, SPECIFIC_STATUS, status_class, find_phase, find_remote_mta, clean_host
- _text: fold, strip_diag_type, drop_repeated_prefixes, join_continuations, paragraph_after, iter_lines,
  search_before, earliest, entries_by_address
- _failure: make_failure (build every Failure with it), finish (order, dedupe, drop delivered), parse_action
- _dsn: dsn_fields, recipient_of, block_failure, dsn_failures, merge_dsn (text failures + DSN fields)
- _literals: Gated, gated, comparable, lowered (literal gates before regex searches, cached lower-casing)
- _wrapped: Reply, unwrap, with_inner_reply (the innermost reply of a line a relay wrapped)
This module itself: the parts of a message (readable, status, attached headers), markers,
the original sender, the Bounce of a format, and a readable part's error line.

Everything is linear-time: expressions have bounded repetitions and no nested quantifiers over
overlapping classes; input lines are already cut by normalize.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers._address import ADDRESS, clean_address, find_addresses
from bot.reading.parsers._codes import (
    SPECIFIC_STATUS,
    clean_host,
    find_phase,
    find_remote_mta,
    find_reply_code,
    find_status,
    status_class,
)
from bot.reading.parsers._dsn import (
    PER_MESSAGE_FIELDS,
    PER_RECIPIENT_FIELDS,
    block_failure,
    dsn_failures,
    dsn_fields,
    merge_dsn,
    recipient_of,
)
from bot.reading.parsers._failure import finish, make_failure, parse_action
from bot.reading.parsers._literals import Gated, comparable, gated, lowered
from bot.reading.parsers._text import (
    drop_repeated_prefixes,
    earliest,
    entries_by_address,
    fold,
    iter_lines,
    join_continuations,
    paragraph_after,
    search_before,
    strip_diag_type,
)
from bot.reading.parsers._wrapped import Reply, unwrap, with_inner_reply

__all__ = [
    "ADDRESS",
    "HEADER_TYPES",
    "PER_MESSAGE_FIELDS",
    "PER_RECIPIENT_FIELDS",
    "SPECIFIC_STATUS",
    "STATUS_TYPES",
    "Gated",
    "Reply",
    "attached_headers",
    "block_failure",
    "bounce_of",
    "clean_address",
    "clean_host",
    "comparable",
    "drop_repeated_prefixes",
    "dsn_failures",
    "dsn_fields",
    "earliest",
    "entries_by_address",
    "find_addresses",
    "find_phase",
    "find_remote_mta",
    "find_reply_code",
    "find_status",
    "finish",
    "fold",
    "gated",
    "has_any",
    "header_has",
    "iter_lines",
    "join_continuations",
    "lowered",
    "make_failure",
    "merge_dsn",
    "original_sender",
    "paragraph_after",
    "parse_action",
    "readable_diagnostic",
    "readable_text",
    "recipient_of",
    "search_before",
    "status_class",
    "status_text",
    "strip_diag_type",
    "subject_or_text_has",
    "unwrap",
    "with_inner_reply",
]

# ----------------------------------------------------------------------------- parts of a message
STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")
# Who sends bounces, and the subjects they give them: a message with neither is a person's or a
# robot's ordinary mail (an auto-reply, a newsletter) unless its body proves otherwise.
BOUNCE_SENDERS = ("mailer-daemon", "postmaster@", "root@", "mail delivery")
BOUNCE_SUBJECTS = ("undeliver", "delivery status", "returned mail", "failure notice", "mail failure", "配信不能")
HEADER_TYPES = ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers")


def readable_text(msg: Message) -> str:
    """The human-readable parts (not the delivery-status part, not the attached original)."""
    return msg.derived("readable", _readable)


def status_text(msg: Message) -> str:
    """The message/delivery-status parts' text; for a paste, the whole text (fields are inline)."""
    return msg.derived("status", _status)


def attached_headers(msg: Message) -> str:
    """The headers of the attached original message, when the bounce carries them."""
    return msg.derived("attached", _attached)


def _readable(msg: Message) -> str:
    return "\n".join(p.text for p in msg.parts if p.content_type not in STATUS_TYPES + HEADER_TYPES)


def _status(msg: Message) -> str:
    found = [p.text for p in msg.parts if p.content_type in STATUS_TYPES]
    return "\n\n".join(found) if found else readable_text(msg)


def _attached(msg: Message) -> str:
    return "\n".join(p.text for p in msg.parts if p.content_type in HEADER_TYPES)


def has_any(text: str, markers: Iterable[str]) -> bool:
    """True when any marker occurs in text, case-insensitively (markers given in lower case)."""
    low = lowered(text)
    for marker in markers:  # a loop, not any(): every format's detect asks, ~20 times per message
        if marker in low:
            return True
    return False


def subject_or_text_has(
    msg: Message, subjects: Iterable[str], markers: Iterable[str], *, head: int = 20000
) -> bool:
    """True when the Subject holds a subject marker or the text's first `head` characters a marker."""
    return has_any(msg.subject, subjects) or has_any(msg.text[:head], markers)


def header_has(msg: Message, name: str, markers: Iterable[str]) -> bool:
    """True when a header of the bounce itself contains any marker (lower-case markers)."""
    return has_any(msg.header(name), markers)


# Where a bounce quotes the returned message inside its own text (Exim, qmail, sendmail V5, DMA, GMX...).
_INLINE_COPY = gated(
    lazy(
        r"^[ \t]{0,8}-{0,6}[ \t]{0,2}(?:This is a copy of (?:the|your) message|Below this line is a copy of the message"
        r"|Unsent message follows|Original message follows|Message headers follow|The header of the original message"
        r"|Original mail as follows|Below is a copy of the original message|Returned Message"
        r"|\|-{3,} ?Message text follows)",
        re.I | re.M,
    )
)


# The returned copy's sender fields, in the order they are trusted.
_SENDER_FIELDS = tuple(
    lazy(r"^[ \t]{0,4}" + name + r":[ \t]{0,20}([^\n]{1,500})", re.I | re.M)
    for name in ("return-path", "from", "sender")
)


def original_sender(msg: Message) -> str | None:
    """The original message's sender: X-Postfix-Sender, else Return-Path/From/Sender of the returned copy
    (attached, or quoted in the bounce's text after a line like "This is a copy of the message")."""
    per_message, _ = dsn_fields(status_text(msg))
    if per_message.get("x-postfix-sender"):
        return clean_address(per_message["x-postfix-sender"])
    headers = attached_headers(msg)
    if not headers:
        text = readable_text(msg)
        m = _INLINE_COPY.search(text, comparable(text))
        headers = text[m.end() : m.end() + 8000] if m else ""
    for field in _SENDER_FIELDS:
        m = field.search(headers)
        if m:
            addr = clean_address(m.group(1))
            if addr:
                return addr
    return None


_RECIPIENT_FIELDS = tuple(
    lazy(r"^[ \t]{0,4}" + name + r":[ \t]{0,20}([^\n]{1,4000})", re.I | re.M)  # values come unfolded
    for name in ("to", "cc")
)
_NAMED_ADDRESS = lazy(r"\s{0,3}\"?([^\"<>,]{1,200}?)\"?\s{0,3}<([^<>\s]{1,254}@[^<>\s]{1,254})>")


def original_recipients(msg: Message) -> dict[str, str]:
    """Display name (folded, lower case) → address of the returned copy's To: and Cc: recipients.

    A notice that names only "Yamada Taro on 12/3/2024" is read through the copy it returns:
    To: Yamada Taro <t.yamada@example.jp>.
    """
    headers = attached_headers(msg)
    found: dict[str, str] = {}
    for field in _RECIPIENT_FIELDS:
        for value in field.findall(headers):
            for name, addr in _NAMED_ADDRESS.findall(value):
                found.setdefault(fold(name).lower(), addr)
    return found


def with_mail_domain(local: str, msg: Message) -> str:
    """A bare local name ("userx") as an address of the domain that reported it.

    The reporting host is named by the bounce's own sender (MAILER-DAEMON@mail.example.org);
    when the original sender's domain contains that host (example.org), the user is that
    domain's: a local name is a local user, and hosts live inside their mail domain.
    """
    host = (clean_address(msg.header("from")) or "").rpartition("@")[2]
    sender = (original_sender(msg) or "").rpartition("@")[2]
    if sender and (host == sender or host.endswith("." + sender)):
        host = sender
    return f"{local}@{host}" if host else local


def bounce_of(
    fmt: str, msg: Message, failures: Iterable[Failure], per_message: dict[str, str] | None = None
) -> Bounce:
    """The Bounce a format returns: failures finished (ordered, deduplicated), Reporting-MTA, sender."""
    reporting = (per_message or {}).get("reporting-mta")
    return Bounce(
        format=fmt,
        failures=tuple(finish(failures)),
        reporting_mta=clean_host(reporting) if reporting else None,
        sender=original_sender(msg),
    )


# ----------------------------------------------------------------------------- readable text
_REPLY_LINE = lazy(r"\A\s{0,8}[45]\d\d[ -]")


def readable_diagnostic(text: str, address: str = "") -> str:
    """The error line(s) of a readable part for one address, when the fields give none.

    Prefers a line that starts with the address (`<a@example.jp>: ...`, `<a@example.jp>... Deferred`),
    else the first line that starts with a reply code (`554 5.0.0 Service unavailable`); indented
    or re-wrapped lines that follow, up to the next blank line, belong to it.
    """
    lines = text.split("\n")
    starts: list[int] = []
    if address:
        low = address.lower()
        starts = [i for i, line in enumerate(lines) if line.lstrip(" <\"'").lower().startswith(low)]
        # Only lines that say more than the address itself.
        starts = [i for i in starts if len(lines[i].strip()) > len(address) + 4 or _continues(lines, i)]
    if not starts:
        starts = [i for i, line in enumerate(lines) if _REPLY_LINE.match(line)][:1]
    if not starts:
        return ""
    i = starts[0]
    out = [lines[i].strip()]
    for line in lines[i + 1 : i + 8]:
        if not line.strip() or (not line[:1].isspace() and _REPLY_LINE.match(line) is None):
            break
        out.append(line.strip())
    return fold(" ".join(out))


def _continues(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and lines[i + 1][:1] in (" ", "\t") and bool(lines[i + 1].strip())
