"""MDaemon's delivery failure notices: a session transcript with timestamps and arrows.

    The attached message had PERMANENT fatal delivery errors!
    --- Session Transcript ---
     Tue 2025-02-04 14:03:12.596: --> RCPT To:<keiri@example.org>
     Tue 2025-02-04 14:03:15.288: <-- 554 5.7.1 Message rejected: virus found in attachment
    --- End Transcript ---

The failed recipient is in X-Failed-Recipients (or the RCPT TO the session sent); the reason is
the remote's last error reply (`<--` with a 4xx or 5xx code), its phase the command before it.
"""

from __future__ import annotations

import re

from bot.models import Bounce, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Action

_MARKERS = ("--- session transcript ---", "had permanent fatal delivery errors", "had transient delivery errors")
# Tue 2025-02-04 14:03:15.288: <-- 554 5.7.1 Message rejected: virus found
_REPLY = lazy(r"^[^\n]{0,60}?<--\s{1,3}([45]\d\d[ -][^\n]{0,2000})$", re.M)
# Tue 2025-02-04 14:03:12.596: --> RCPT To:<keiri@example.org>
_SENT = lazy(r"^[^\n]{0,60}?-->\s{1,3}([^\n]{1,1000})$", re.M)
_RCPT = lazy(r"\ARCPT TO:\s{0,3}<([^<>\s]{1,254}@[^<>\s]{1,254})>", re.I)


def detect(msg: Message) -> bool:
    """MDaemon's X-MDDSN-Message header, or its transcript markers in the text."""
    return bool(msg.header("x-mddsn-message")) or c.has_any(msg.text[:20000], _MARKERS)


def parse(msg: Message) -> Bounce | None:
    """The failed recipients and the last error reply of the session, with the command it answered."""
    text = c.readable_text(msg) or msg.text
    replies = list(_REPLY.finditer(text))
    if not replies:
        return None
    last = replies[-1]
    sent = [m for m in _SENT.finditer(text, 0, last.start())]
    command = sent[-1].group(1) if sent else ""
    failed = msg.header("x-failed-recipients")
    addresses = c.find_addresses(failed) if failed else []
    if not addresses:
        addresses = [m.group(1) for s in sent if (m := _RCPT.match(s.group(1)))]
    temporary = "transient delivery errors" in text.lower()
    failures = [
        c.make_failure(
            addr,
            diagnostic=c.fold(last.group(1)),
            phase=c.find_phase(">>> " + command) if command else None,
            action=Action.DELAYED if temporary else Action.FAILED,
        )
        for addr in dict.fromkeys(addresses)
    ]
    return c.bounce_of("mdaemon", msg, failures) if failures else None
