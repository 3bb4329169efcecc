"""RFC 3834 auto-replies: vacation and out-of-office answers, English and Japanese.

An auto-reply is not a delivery failure: the message arrived and a robot answered. The format
says so outright (Auto-Submitted: auto-replied, "Automatic reply:", 「自動応答」), so the one
failure carries reason_hint vacation; its address is the person who is away (From:), or ""
when a paste does not show it.

This module runs before the bounce formats, and bounces often carry Auto-Submitted too, so
anything that looks like a bounce (a delivery-status part, a mailer-daemon sender, bounce
wording or status codes in the text) is left to them.
"""

from __future__ import annotations

import re
from functools import cache

from bot.models import Bounce, Message
from bot.reading.datafiles import load_table
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.reading.phrases import PhraseSet, compile_phrases, fold
from bot.vocab import Reason

# Headers that mark an auto-reply (lower-cased values).
_AUTO_HEADERS = (
    ("auto-submitted", lazy(r"\Aauto-(?:replied|generated|notified)")),
    ("x-autoreply", lazy(r"\A(?:yes|true)")),
    ("x-autorespond", lazy(r".")),
    ("x-apple-action", lazy(r"\Avacation\Z")),
    ("precedence", lazy(r"\Aauto_reply\Z")),
    ("x-auto-response-suppress", lazy(r"oof|autoreply")),
)
# Automatic reply: Nyaan / Auto: / Out of Office: / 自動応答: / 自動返信: / 不在通知:
_SUBJECT = lazy(
    r"\A\s{0,5}(?:auto(?:matic)?[ -]?(?:reply|response)|auto\s{0,2}:|autorespons|out of (?:the )?office"
    r"|自動応答|自動返信|不在(?:通知|のお知らせ)?\s{0,2}[:：])",
    re.I,
)
# Bounce wording that an auto-reply never has.
_BOUNCE_WORDS = (
    "diagnostic-code:",
    "final-recipient:",
    "delivery has failed",
    "could not be delivered",
    "couldn't be delivered",
    "was not delivered",
    "wasn't delivered",
    "undeliverable",
    "delivery to the following",
    "remote server returned",
    "permanent error",
    "mail delivery",
    "配信できませんでした",
    "配信に失敗",
    "送信できませんでした",
)
_STATUS_CODE = lazy(r"(?<![\w.])[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b")
_FROM_LINE = lazy(r"^\s{0,4}(?:from|差出人|送信者)\s{0,3}[:：]\s{0,5}([^\n]{1,300})$", re.I | re.M)


@cache
def _vacation_words() -> PhraseSet:
    """Words of a vacation message, for pastes that have lost the headers (knowledge/reading.toml)."""
    return compile_phrases(load_table("reading")["vacation"]["phrases"])


def detect(msg: Message) -> bool:
    """Auto-reply headers or subject on a whole message; vacation wording in a short paste."""
    if _looks_like_bounce(msg):
        return False
    if msg.whole:
        return any(
            rx.search(msg.header(name).lower()) for name, rx in _AUTO_HEADERS if msg.header(name)
        ) or bool(_SUBJECT.match(msg.subject))
    text = msg.text
    return len(text) < 4000 and _vacation_words().first_found(fold(text)) is not None


def parse(msg: Message) -> Bounce | None:
    """One vacation failure: the replier's address and the first lines of the reply."""
    if msg.whole:
        address = c.clean_address(msg.header("from")) or c.clean_address(msg.header("return-path")) or ""
    else:
        m = _FROM_LINE.search(msg.text)
        address = (c.find_addresses(m.group(1), limit=1) or [""])[0] if m else ""
    body = [line.strip() for line in c.readable_text(msg).split("\n") if line.strip()]
    # I am currently away returning to the office on May 5th. I will have limited access to email ...
    diagnostic = " ".join(body[:5]) or msg.subject
    failure = c.make_failure(address, diagnostic=diagnostic, reason_hint=Reason.VACATION)
    return Bounce(format="autoreply", failures=(failure,))


def _looks_like_bounce(msg: Message) -> bool:
    if any(p.content_type in c.STATUS_TYPES for p in msg.parts):
        return True
    if c.header_has(msg, "from", c.BOUNCE_SENDERS) or c.has_any(msg.subject, c.BOUNCE_SUBJECTS):
        return True
    text = c.readable_text(msg)
    return c.has_any(text, _BOUNCE_WORDS) or bool(_STATUS_CODE.search(text))
