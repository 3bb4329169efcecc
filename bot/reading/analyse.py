"""The pure half of the pipeline: text → Message → Bounce → a verdict per failed recipient."""

from __future__ import annotations

from bot.models import Bounce, Message, Verdict
from bot.reading import parsers
from bot.reading.classify import classify
from bot.reading.normalize import normalize


def read(data: bytes | str) -> tuple[Message, Bounce | None]:
    """Normalize and parse a text: the message, and its bounce (None when it holds none)."""
    msg = normalize(data)
    return msg, parsers.parse(msg)


def read_bounce(data: bytes | str) -> Bounce | None:
    """Normalize and parse a text; None when it holds no bounce."""
    return read(data)[1]


def verdicts(bounce: Bounce) -> tuple[Verdict, ...]:
    """The classifier's verdict for each failure of a bounce, in order."""
    return tuple(classify(f, bounce) for f in bounce.failures)
