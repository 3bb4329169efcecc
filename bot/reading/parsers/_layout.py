"""A small engine for the many MTAs whose report is "a recipient line, then the reason".

A Layout says how to find one MTA's report (markers, where it starts and stops), which lines
name a recipient, and which lines are boilerplate. The engine collects, per recipient, the
lines that follow it (or, for layouts that write the reason first, the lines before it); a
recipient without its own lines gets the report's shared lines. Specs live in mtas.py and
webmail.py, each with the sample lines it reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Action, Phase

_NEVER = lazy(r"(?!)")
_TO = lazy(r"^to:[ \t]{0,20}([^\n]{1,500})", re.I | re.M)  # To: someone@example.net (a fallback recipient)
# A pasted report runs on into its delivery-status fields: they are not the reason text.
_DSN_START = lazy(r"\A(?:Reporting-MTA|Final-Recipient|Original-Recipient|Received-From-MTA):", re.I)


# One address in a layout's recipient pattern, as group "addr": up to the first character that
# cannot be in it (the domain stops at a colon, semicolon or comma too).
ADDR = r"(?P<addr>[^\s<>\"'\[\]()]{1,254}@[^\s<>\"'\[\]():;,]{1,254}?)"


@dataclass(frozen=True)
class Layout:
    """How one MTA writes its report."""

    name: str
    markers: tuple[str, ...]  # lower-case strings of the report text, any one is enough
    recipients: tuple[re.Pattern[str], ...]  # group "addr", optional group "text" (reason on the line)
    subjects: tuple[str, ...] = ()  # lower-case Subject substrings that identify it alone
    start: re.Pattern[str] = _NEVER  # the report begins after this line (else at the top)
    stop: re.Pattern[str] = _NEVER  # and ends at this line
    ignore: re.Pattern[str] = _NEVER  # boilerplate lines inside the report
    reason_first: bool = False  # the reason comes before the address it is about
    remote: tuple[re.Pattern[str], ...] = ()  # group 1: the refusing host
    phases: tuple[tuple[re.Pattern[str], Phase], ...] = ()  # layout-specific command statements
    delayed: re.Pattern[str] = _NEVER  # the report is a delay warning
    to_fallback: bool = False  # no recipient line: the returned copy's To: names it
    same_line: bool = False  # the reason is on the recipient's line only; lines after it are not
    keep_empty: bool = field(default=True)  # a recipient without any reason text still counts
    local_names: bool = False  # a recipient may be a bare local name: completed with the mail domain

    def detect(self, msg: Message) -> bool:
        """Cheap test on Subject and the first part of the text."""
        return c.subject_or_text_has(msg, self.subjects, self.markers, head=30000)


def _report(layout: Layout, text: str) -> list[str]:
    lines = text.split("\n")
    start = next((i + 1 for i, line in enumerate(lines) if layout.start.search(line)), 0)
    out: list[str] = []
    for line in lines[start:]:
        if layout.stop.search(line) or _DSN_START.match(line):
            break
        out.append(line.rstrip())
    return out


def _match_recipient(layout: Layout, line: str) -> tuple[str, str] | None:
    for pattern in layout.recipients:
        m = pattern.search(line)
        if m:
            text = m.groupdict().get("text") or ""
            return m.group("addr"), text
    return None


def entries(layout: Layout, text: str) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """(recipient, its reason lines) in order, and the report's lines tied to no recipient."""
    found: list[tuple[str, list[str]]] = []
    loose: list[str] = []
    pending: list[str] = []  # reason_first: lines waiting for their address
    lines = _report(layout, text)
    skip = False
    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        if not line.strip() or layout.ignore.search(line):
            continue
        hit = _match_recipient(layout, line)
        if not hit and i + 1 < len(lines) and lines[i + 1].strip():
            # A recipient line a mail client wrapped: "There was an error delivering your mail to" / "<a@b>."
            hit = _match_recipient(layout, line.rstrip() + " " + lines[i + 1].strip())
            skip = bool(hit)
        if hit:
            addr, same_line = hit
            own = ([same_line] if same_line.strip() else []) + (pending if layout.reason_first else [])
            found.append((addr, own))
            pending = []
        elif layout.reason_first:
            pending.append(line.strip())
            loose.append(line.strip())
        elif found and not layout.same_line:
            found[-1][1].append(line.strip())
        else:
            loose.append(line.strip())
    return found, loose


def parse_layout(layout: Layout, msg: Message) -> Bounce | None:
    """The Bounce one layout reads from a message, or None when it finds no recipient."""
    text = c.readable_text(msg) or msg.text
    found, loose = entries(layout, text)
    if not found and layout.to_fallback and loose:
        m = _TO.search(c.attached_headers(msg) or text)
        if m:
            found = [(m.group(1), [])]
    delayed = bool(layout.delayed.search(msg.subject) or layout.delayed.search(text[:3000]))
    # Some of these MTAs add a delivery-status part: its Status and Action are the better facts.
    _, blocks = c.dsn_fields(c.status_text(msg))
    fields = {(c.recipient_of(b) or "").lower(): b for b in blocks}
    failures: list[Failure] = []
    for raw, own in found:
        if layout.local_names and "@" not in raw:
            raw = c.with_mail_domain(raw, msg)
        addr = c.clean_address(raw)
        if not addr:
            continue
        diag = c.fold(" ".join(own or loose))
        if not diag and not layout.keep_empty:
            continue
        block = fields.get(addr.lower(), {})
        failures.append(
            c.make_failure(
                addr,
                status=block.get("status"),
                diagnostic=diag or block.get("diagnostic-code", ""),
                remote_mta=_first(layout.remote, diag) or block.get("remote-mta"),
                phase=next((phase for pattern, phase in layout.phases if pattern.search(diag)), None),
                action=block.get("action") or (Action.DELAYED if delayed else None),
            )
        )
    if not failures:
        return None
    return c.bounce_of(layout.name, msg, failures)


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> str | None:
    for pattern in patterns:
        m = pattern.search(text)
        if m:
            return c.clean_host(m.group(1))
    return None


def detect_any(layouts: tuple[Layout, ...], msg: Message) -> bool:
    """True when any layout could read the message."""
    return any(layout.detect(msg) for layout in layouts)


def parse_any(layouts: tuple[Layout, ...], msg: Message) -> Bounce | None:
    """The first layout (in order) that detects the message and finds recipients."""
    for layout in layouts:
        if layout.detect(msg):
            bounce = parse_layout(layout, msg)
            if bounce:
                return bounce
    return None
