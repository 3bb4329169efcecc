"""Microsoft Exchange 2000/2003 NDRs: "Your message ... did not reach the following recipient(s):".

The recipients are listed as `a@example.jp on <date>` with the reason on indented lines under
each, ending with Exchange's own diagnostic code (`MSEXCH:IMS:... 0 (000C05A6) Unknown
Recipient`); the code in brackets is what the classifier reads. There is no status code.
"""

from __future__ import annotations

import re

from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Action

_MARKERS = (
    "did not reach the following recipient(s)",
    "the following recipient(s) could not be reached",
    "the following recipient(s) cannot be reached",
    "msexch:",
)
_HEADERS = ("internet mail service (", "microsoft exchange server internet mail connector")

# did not reach the following recipient(s):
# The following recipient(s) could not be reached:
_HEADING = lazy(
    r"^\s{0,8}(?:did not reach the following recipient\(s\)|the following recipient\(s\) (?:could not|cannot) be reached)"
    r"\s{0,3}:?",
    re.I | re.M,
)
# kijitora@example.jp on Thu, 29 Apr 2010 00:00:00 -0000
# Kijitora Cat (SMTP=kijitora@example.jp) on Thu, 29 Apr 2010 00:00:00 -0000
_RECIPIENT = lazy(
    r"\A\s{0,12}(?:[^\n]{0,200}?SMTP=)?<?([^\s<>()@]{1,64}@[^\s<>()@]{1,255}?)>?\)?\s{1,5}on\s", re.I
)
# Yamada Taro on 12/3/2024 10:00 AM      (a display name only: the returned copy's To: has the address)
_NAMED = lazy(r"\A\s{0,12}([^\s@<>()][^@<>()\n]{0,200}?)\s{1,5}on\s{1,3}(?:\d|[A-Z][a-z]{2},)")
# The MTS-ID of the original message is: c=jp;a= ;p=neko   (and its wrapped ";l=..." tail)
_MTS_ID = lazy(r"the mts-id of the original message is|;l=", re.I)


def detect(msg: Message) -> bool:
    """Exchange 2003 mailer headers, or its recipient list and MSEXCH codes in the text."""
    if msg.header("x-ms-embedded-report", "-") != "-" or c.header_has(msg, "x-mailer", _HEADERS):
        return True
    return c.has_any(c.readable_text(msg), _MARKERS)


def parse(msg: Message) -> Bounce | None:
    """One failure per `address on date` line, with the indented reason lines below it."""
    text = c.readable_text(msg)
    head = _HEADING.search(text)
    if not head:
        return None
    entries: list[tuple[str, list[str]]] = []
    names: dict[str, str] | None = None
    for line in text[head.end() :].split("\n")[:400]:
        m = _RECIPIENT.match(line)
        named = None if m else _NAMED.match(line)
        if named and names is None:
            names = c.original_recipients(msg)
        if m:
            entries.append((m.group(1), []))
        elif named and names and c.fold(named.group(1)).lower() in names:
            entries.append((names[c.fold(named.group(1)).lower()], []))
        elif entries and line.strip() and not _MTS_ID.search(line):
            # The recipient name is not recognized
            # MSEXCH:IMS:NNN:KIJITORACAT:NEKO 0 (000C05A6) Unknown Recipient
            entries[-1][1].append(line.strip())
        elif entries and not line.strip() and entries[-1][1]:
            break
    failures: list[Failure] = [
        c.make_failure(addr, diagnostic=" ".join(lines), action=Action.FAILED) for addr, lines in entries
    ]
    failures = c.finish(failures)
    if not failures:
        return None
    return Bounce(format="exchange2003", failures=tuple(failures), sender=c.original_sender(msg))
