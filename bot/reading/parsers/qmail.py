"""qmail bounces ("failure notice"): qmail-send, netqmail, qmail-ldap, vpopmail and their kin.

Each failed address is a `<a@example.jp>:` line followed by qmail's account of the attempt
("192.0.2.1 does not like recipient.", "Remote host said: 550 ...", "Giving up on 192.0.2.1.")
up to the next address or "--- Below this line is a copy of the message.".
"""

from __future__ import annotations

import re

from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers._common import (
    bounce_of,
    clean_address,
    clean_host,
    comparable,
    entries_by_address,
    fold,
    gated,
    has_any,
    make_failure,
    readable_text,
)
from bot.vocab import Action

_MARKERS = (
    "hi. this is the qmail",
    "qmail-send",
    "以下のアドレスへメッセージを配送できませんでした",  # qmail's Japanese template
    "this is the qmail-send program",
    "--- below this line is a copy of the message",
    "i'm afraid i wasn't able to deliver your message to the following addresses",
    "i'm not going to try again; this message has been in the queue too long",
)
_START = lazy(
    r"\A\s{0,4}(?:Hi\. This is the qmail|I'm afraid I wasn't able to deliver|こんにちは。こちらは|申し訳ありませんが)",
    re.IGNORECASE,
)
# --- Below this line is a copy of the message.   /   --- 以下はメッセージのコピーです。
_STOP = lazy(
    r"\A\s{0,4}--- ?(?:Below this line is a copy of the message|Enclosed is a copy|以下は)", re.IGNORECASE
)
# <kijitora@example.jp>:      /   To: <kijitora@example.jp>:
_ENTRY = lazy(r"\A\s{0,4}(?:To\s{0,3}:\s{0,3})?<([^<>\s]{1,254}@[^<>\s]{1,254})>:\s{0,3}(.{0,2000})\Z")
# Remote host said: 550 ...  /  remote host 192.0.2.32 said:  /  Connected to 192.0.2.1 but ...
# 192.0.2.25 does not like recipient.  /  Giving up on 192.0.2.25.
_HOSTS = (
    lazy(r"remote host ([\w.:-]{1,255}[\w]) said:", re.IGNORECASE),
    lazy(r"Connected to ([\w.:-]{1,255}[\w]) but", re.IGNORECASE),
    lazy(
        r"(?:^|\s)([\w.:-]{1,255}[\w]) (?:does not like recipient|failed (?:after|on))", re.IGNORECASE
    ),
    lazy(r"Giving up on ([\w.:-]{1,255}[\w])\.?", re.IGNORECASE),
)
# Received: (qmail 12345 invoked for bounce); 1 Jan 2020 ...
_INVOKED = lazy(r"\(qmail \d{1,12} invoked (?:for bounce|from network)")
_DELAYED = gated(lazy(r"will (?:keep|try again)|not (?:yet )?been delivered|temporary failure", re.IGNORECASE))


def detect(msg: Message) -> bool:
    """qmail's "failure notice" subject, its Received line, or its wording in the text."""
    if msg.subject.strip().lower() == "failure notice":
        return True
    if any(
        k == "received" and _INVOKED.search(v)
        for k, v in msg.headers
    ):
        return True
    return has_any(msg.text[:20000], _MARKERS)


def _entries(text: str) -> list[tuple[str, list[str]]]:
    """(address, the lines about it) in order."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if _START.match(line)), 0)
    return entries_by_address(lines[start:], _ENTRY, stop=_STOP)


def _remote(text: str) -> str | None:
    for pattern in _HOSTS:
        m = pattern.search(text)
        if m:
            return clean_host(m.group(1))
    return None


def parse(msg: Message) -> Bounce | None:
    """One Failure per `<address>:` paragraph."""
    text = readable_text(msg) or msg.text
    head = text[:2000]
    delayed = bool(_DELAYED.search(head, comparable(head))) and "permanent error" not in head.lower()
    failures: list[Failure] = []
    for raw, lines in _entries(text):
        addr = clean_address(raw)
        if not addr:
            continue
        # 192.0.2.25 does not like recipient.
        # Remote host said: 550 5.1.1 <a@example.jp>: Recipient address rejected: User unknown
        # Giving up on 192.0.2.25.
        diag = fold(" ".join(lines))
        failures.append(
            make_failure(
                addr,
                diagnostic=diag,
                remote_mta=_remote(diag),
                action=Action.DELAYED if delayed else None,
            )
        )
    return bounce_of("qmail", msg, failures)
