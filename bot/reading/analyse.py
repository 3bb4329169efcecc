"""The pure half of the pipeline: text → Message → Bounce → a verdict per failed recipient."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.models import Bounce, Message, Verdict
from bot.reading import parsers
from bot.reading.classify import classify
from bot.reading.lazyre import lazy
from bot.reading.normalize import normalize


def read(data: bytes | str) -> tuple[Message, Bounce | None]:
    """Normalize and parse a text: the message, and its bounce (None when it holds none).

    A message that holds no bounce of its own may carry one: attached whole (a bounce forwarded
    as message/rfc822), or quoted in its body (forwarded inline, ">"-quoted). Then that one is read.
    """
    msg = normalize(data)
    bounce = parsers.parse(msg)
    if bounce is None:
        for inner in _enclosed(msg):
            found = parsers.parse(inner)
            if found is not None:
                return inner, found
    return msg, bounce


def _enclosed(msg: Message) -> Iterator[Message]:
    """Messages inside a whole message: attached reports, then its body read as a paste."""
    yield from msg.forwarded
    if msg.whole and not parsers.is_ordinary(msg):
        body = "\n".join(p.text for p in msg.parts if p.content_type.startswith("text/plain"))
        if body.strip() and _FORWARD_MARK.search(body):
            yield normalize(body)


# A body that holds another message: ">"-quoted lines, or a forwarding header block.
# > 550 5.1.1 <a@example.jp>: User unknown     ---------- Forwarded message ---------
# -----Original Message-----                    差出人: Mail Delivery System
_FORWARD_MARK = lazy(
    r"^(?:[ \t]{0,3}>|-{2,12} ?(?:forwarded message|original message|転送メッセージ|元のメッセージ)"
    r"|(?:from|差出人|送信者) ?[:：])",
    re.IGNORECASE | re.MULTILINE,
)


def read_bounce(data: bytes | str) -> Bounce | None:
    """Normalize and parse a text; None when it holds no bounce."""
    return read(data)[1]


def verdicts(bounce: Bounce) -> tuple[Verdict, ...]:
    """The classifier's verdict for each failure of a bounce, in order."""
    return tuple(classify(f, bounce) for f in bounce.failures)
