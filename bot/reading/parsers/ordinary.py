"""Ordinary mails that are not bounces: newsletters, list digests, bulk notices.

A newsletter that teaches how to read bounces quotes their lines ("550 5.1.1 <user@example.jp>:
User unknown"), and the scanner would take it for one. A whole message sent to a list (RFC 2369
``List-Unsubscribe``, RFC 2919 ``List-Id``, ``Precedence: bulk``) by someone who is not a mail
system, with no delivery-status part and no bounce subject, is an ordinary mail: nothing failed.
Unlike the other formats this module only says "not a bounce": ``parsers.parse`` checks it first
and stops when it speaks. Auto-replies are not this module's: they are read as ``vacation``.
"""

from __future__ import annotations

from bot.models import Bounce, Message
from bot.reading.parsers import _common as c
from bot.reading.parsers import autoreply

# List-Unsubscribe: <https://news.example.jp/u?id=1>, <mailto:unsubscribe@news.example.jp>
# List-Id: Example News <news.example.jp>
# Precedence: bulk
_LIST_HEADERS = ("list-unsubscribe", "list-id", "list-post")
_BULK = ("bulk", "list")


def detect(msg: Message) -> bool:
    """A whole list or bulk mail from someone who is not a mail system, with no report in it."""
    if not msg.whole or msg.forwarded:
        return False
    listed = any(msg.header(h) for h in _LIST_HEADERS) or msg.header("precedence").lower() in _BULK
    if not listed:
        return False
    if any(p.content_type in c.STATUS_TYPES for p in msg.parts) or autoreply.detect(msg):
        return False  # a report, or an auto-reply (read as one: Precedence: bulk is common there)
    return not (c.header_has(msg, "from", c.BOUNCE_SENDERS) or c.has_any(msg.subject, c.BOUNCE_SUBJECTS))


def parse(msg: Message) -> Bounce | None:
    """Never a bounce: an ordinary mail has no failed recipient."""
    return None
