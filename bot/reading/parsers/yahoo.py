"""Yahoo! Mail bounces: "Sorry, we were unable to deliver your message to the following address."

    <kijitora@example.jp>:
    Remote host said: 550 5.2.2 <kijitora@example.jp>... Mailbox Full [RCPT_TO]

    --- Below this line is a copy of the message.

The bracketed tag names the SMTP command the reply answered ([RCPT_TO], [MAIL_FROM], [DATA]).
"""

from __future__ import annotations

import re

from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Action

_MARKERS = ("sorry, we were unable to deliver your message to the following address",)
_HEADING = lazy(
    r"^\s{0,4}sorry, we were unable to deliver your message to the following address", re.I | re.M
)
_END = lazy(r"^\s{0,4}--- below this line is a copy of the message", re.I | re.M)
# <kijitora@example.jp>:
_RECIPIENT = lazy(r"\A\s{0,4}<([^\s<>]{3,320})>\s{0,3}:\s{0,3}(.{0,2000})\Z")
_SAID = lazy(r"\A\s{0,4}remote host said\s{0,2}:\s{0,3}", re.I)
# 550: 5.2.2 <a@example.jp>... Mailbox Full   (Yahoo puts a colon after the reply code)
_COLON_REPLY = lazy(r"\A([245]\d\d):\s")
_TAG = lazy(r"\s{0,3}\[(?:RCPT_TO|MAIL_FROM|DATA|CONNECT|HELO|EHLO)\]", re.I)


def detect(msg: Message) -> bool:
    """Yahoo's sender or its opening sentence."""
    return c.header_has(msg, "from", ("@yahoo", "yahoo-inc.com")) or c.has_any(msg.text, _MARKERS)


def parse(msg: Message) -> Bounce | None:
    """One failure per `<address>:` line, its reply on the lines below."""
    text = c.readable_text(msg)
    head = _HEADING.search(text)
    if not head:
        return None
    body = _END.split(text[head.end() :], maxsplit=1)[0]
    # <kijitora@example.jp>:   then its lines:
    # Remote host said: 550 5.2.2 <kijitora@example.jp>... Mailbox Full [RCPT_TO]
    # No mx record found for domain=libsisimai.org
    entries = c.entries_by_address(body.split("\n")[:400], _RECIPIENT)
    failures: list[Failure] = []
    for addr, lines in entries:
        said = _SAID.sub("", " ".join(lines))
        reply = _COLON_REPLY.match(said)
        failures.append(
            c.make_failure(
                addr,
                diagnostic=_TAG.sub("", said),
                reply_code=reply.group(1) if reply else None,
                phase=c.find_phase(said),
                action=Action.FAILED,  # the notice is final: "we were unable to deliver"
            )
        )
    failures = c.finish(failures)
    if not failures:
        return None
    return Bounce(format="yahoo", failures=tuple(failures), sender=c.original_sender(msg))
