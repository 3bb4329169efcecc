"""Postfix bounces: "Undelivered Mail Returned to Sender" and "Delayed Mail (still being retried)".

The readable part has one paragraph per recipient, the refusing server's words with Postfix's
"host X said:" and "(in reply to ... command)"; the delivery-status part has the fields. Both
are read and merged: the paragraph is the fuller diagnostic, the fields give status and action.
"""

from __future__ import annotations

import re

from bot.limits import MAX_LINE_CHARS
from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Action

_SUBJECTS = (
    "undelivered mail returned to sender",
    "delayed mail (still being retried)",
    "mail delivery status report",
)
_MARKERS = (
    "this is the mail system at host",
    "this is the postfix program",
    "x-postfix-queue-id",
    "x-postfix-sender",
    "x-postfix;",
    "the postfix program",
    "postfix mail system",
    # Postfix's own wording around a remote reply, kept by a paste cut below the preamble:
    # <a@example.jp>: host mx.example.jp[192.0.2.1] said: 550 ... (in reply to RCPT TO command)
    "(in reply to ",
)
# <kijitora@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1 ...
# <postmaster@example.org> (expanded from <neko@example.co.jp>): host ... said: 554 ...
_PARAGRAPH = lazy(
    r"\A\s{0,4}<([^<>\s]{1,254}@[^<>\s]{1,254})>(?:\s{1,4}\(expanded from <[^<>]{0,300}>\))?:\s{0,8}(.{0,3000})\Z"
)
_DELAYED = c.gated(lazy(r"delayed mail|still being retried|will be retried|delivery is delayed", re.IGNORECASE))
_ENDS_WITH_CODE = lazy(r"(?:\b[245]\d\d|[245]\.\d{1,3}\.\d{1,3})\s{0,3}\Z")
_UNAVAILABLE = "--- delivery report unavailable ---"
_TO = lazy(r"^to:[ \t]{0,20}([^\n]{1,500})", re.IGNORECASE | re.MULTILINE)


def detect(msg: Message) -> bool:
    """Postfix's subjects, or its report's wording and X-Postfix-* fields in the text."""
    return c.subject_or_text_has(msg, _SUBJECTS, _MARKERS)


def paragraphs(text: str) -> dict[str, str]:
    """Address → the text of its `<address>: ...` paragraph (continuation lines joined)."""
    found: dict[str, str] = {}
    current: str | None = None
    lines = text.split("\n")
    skip = False
    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        if line.rstrip().endswith("(expanded from") and i + 1 < len(lines):
            # <kijitora-cat@example.jp> (expanded from
            #     <kijitora@example.jp>): temporary failure. Command output: ...
            line = line.rstrip() + " " + lines[i + 1].strip()
            skip = True
        m = _PARAGRAPH.match(line)
        if m and not (current and _wraps_reply(found[current.lower()], line)):
            current = c.clean_address(m.group(1))
            if current:
                found.setdefault(current.lower(), m.group(2))
            continue
        if current is None:
            continue
        if not line.strip() or _looks_like_field(line) or _MARKUP_LINE.match(line):
            current = None
            continue
        # Indented continuation, or a re-wrapped line a mail client broke off. A paragraph is one
        # server's reply: past a line's worth (MAX_LINE_CHARS) the rest is not read, so an address
        # repeated all over a text cannot grow a diagnostic as long as the text for every block.
        if len(found[current.lower()]) < MAX_LINE_CHARS:
            found[current.lower()] = found[current.lower()] + " " + line.strip()
    return {k: c.fold(v) for k, v in found.items()}


def _wraps_reply(so_far: str, line: str) -> bool:
    """True when an `<address>:` line goes on with the reply before it rather than starting a recipient.

    Postfix starts each recipient's paragraph at the margin and indents what wraps, so an indented
    line is a wrap; so is one after a reply cut right behind its code ("said: 550 5.1.1" then
    "<a@example.jp>: Recipient address rejected: ..."), as a re-wrapped paste shows it.
    """
    return line[:1] in " \t" or bool(_ENDS_WITH_CODE.search(so_far))


# A web mail's markup pasted after the text (<div class="footer">...): never a reply's continuation.
_MARKUP_LINE = lazy(r"\A\s{0,8}</?(?:div|p|span|br|table|tr|td|html|body|font|a)\b", re.I)


# A delivery-status or MIME field that follows a reply: not its continuation.
_FIELD_LINE = lazy(
    r"\A(?:Reporting-MTA|Final-Recipient|Original-Recipient|X-Postfix-[\w-]{1,20}|Content-[\w-]{1,30}):"
)


def _looks_like_field(line: str) -> bool:
    return bool(_FIELD_LINE.match(line))


def parse(msg: Message) -> Bounce | None:
    """The recipients of the delivery-status fields, with the readable paragraph as diagnostic."""
    readable = c.readable_text(msg)
    texts = paragraphs(readable)
    per_message, blocks = c.dsn_fields(c.status_text(msg))
    head = readable[:2000]
    delayed = bool(
        _DELAYED.search(msg.subject, c.comparable(msg.subject)) or _DELAYED.search(head, c.comparable(head))
    )
    failures: list[Failure] = []
    for block in blocks:
        addr = c.recipient_of(block)
        if not addr:
            continue
        original = c.clean_address(block.get("original-recipient", "")) or ""
        paragraph = texts.get(addr.lower()) or texts.get(original.lower(), "")
        diag = block.get("diagnostic-code", "")
        # The paragraph holds the same words plus "host X said:" and the command; keep the
        # field's text when the paragraph is only Postfix's own summary of it.
        if paragraph and (len(paragraph) >= len(diag) or not diag):
            diag = paragraph
        # The fields' Action wins; a delay warning only speaks for blocks without one.
        action = Action.DELAYED if delayed and not block.get("action") else None
        failure = c.block_failure(block, diagnostic=diag, action=action)
        if failure:
            failures.append(failure)
    # A paste without the delivery-status part, or one cut short: with more paragraphs than
    # field blocks, the paragraphs the fields do not name are recipients too (a paste may keep
    # the first block and lose the others).
    if len(texts) > len(failures):
        named = {f.address.lower() for f in failures}
        for addr, text in texts.items():
            # <kijitora@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT TO command)
            if addr not in named and (not failures or c.find_reply_code(text) or c.find_status(text)):
                failures.append(c.make_failure(addr, diagnostic=text, action=Action.DELAYED if delayed else None))
    if not failures and _UNAVAILABLE in readable.lower():
        # "--- Delivery report unavailable ---": only the attached original names the recipient.
        m = _TO.search(c.attached_headers(msg))
        addr = c.clean_address(m.group(1)) if m else None
        if addr:
            failures.append(c.make_failure(addr, diagnostic=c.fold(readable[-500:])))
    return c.bounce_of("postfix", msg, failures, per_message)
