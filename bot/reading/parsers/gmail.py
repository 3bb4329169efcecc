"""Gmail and Google Workspace bounces, English and Japanese, whole or pasted; Google Groups refusals.

Layouts handled (each branch carries the lines it reads):
- current Gmail: a `** Address not found **` / `** アドレスが見つかりませんでした **` headline, a sentence
  naming the recipient ("Your message wasn't delivered to a@b ..." / 「a@b にメールを配信できません
  でした。」), then "The response from the remote server was:" / 「リモート サーバーから次の応答が
  ありました:」 (or "The response was:" / 「応答:」) and the server's reply; whole messages add
  RFC 3464 fields, which give status and remote host;
- older Gmail: "Delivery to the following recipient failed permanently:" with the address indented,
  then "Technical details of permanent failure:" and "The error that the other server returned was:";
- Google Groups: "the group you tried to contact (name) may not exist, or you may not have
  permission to post"; the group's address comes from X-Failed-Recipients or the attached headers.
  The notice states the refusal itself, in any of Google's languages: reason_hint rejected.

A failure's address is "" when a paste shows none.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Action, Reason

_MARKERS = (
    "** address not found **",
    "** message not delivered **",
    "** message blocked **",
    "** delivery incomplete **",
    "** domain not found **",
    "** recipient inbox full **",
    "the response from the remote server was:",
    "technical details of permanent failure",
    "technical details of temporary failure",
    "google tried to deliver your message",
    "delivery to the following recipient failed permanently",
    "delivery to the following recipient has been delayed",
    "the group you tried to contact",
    "アドレスが見つかりませんでした",
    "メールは送信されませんでした",
    "にメールを配信できませんでした",
    "へのメール配信で問題が発生しました",
    "リモート サーバーから次の応答がありました",
    "ドメインが見つかりませんでした",
    "メッセージがブロックされました",
    "配信未完了",
    "受信トレイがいっぱいです",
)
_SENDERS = ("mailer-daemon@googlemail.com", "mailer-daemon@google.com", "@googlegroups.com")

# Where the server's own reply starts (the reply follows on the next non-blank lines).
_RESPONSE = lazy(
    r"^\s{0,4}(?:the response from the remote server was|the response was|the error that the other server returned was"
    r"|technical details of (?:permanent|temporary) failure|リモート ?サーバーから次の応答がありました"
    r"|次のエラーが返されました|エラーの詳細|応答)\s{0,3}[:：]",
    re.I | re.M,
)
# Sentences that name the recipient.
# Your message wasn't delivered to a@example.jp because the address couldn't be found ...
# There was a problem delivering your message to a@example.jp. See the technical details below ...
# a@example.jp にメールを配信できませんでした。 / a@example.jp へのメール配信で問題が発生しました。
# The English form wins when both start at the same place.
_HEADLINE_EN = lazy(
    r"(?:wasn't delivered to|delivering your message to|your message to|message to)\s{1,3}(\S{3,320})", re.I
)
_HEADLINE_JA_TAILS = ("にメールを配信できませんでした", "へのメール", "へのメッセージ", "宛のメール", "宛てのメール")
_HEADLINE_JA = lazy(
    r"(\S{3,320}?)\s{0,3}(?:にメールを配信できませんでした|へのメール(?:の)?配信|へのメッセージ|宛て?のメール)"
)
# Delivery to the following recipient failed permanently:\n\n     a@example.jp
_OLD_LIST = lazy(
    r"^\s{0,4}delivery to the following recipients? (?:failed permanently|has been delayed)", re.I | re.M
)
# ... rejected by the server for the recipient domain example.jp by mx.example.jp. [192.0.2.153].
_BY_SERVER = lazy(r"\bby\s{1,3}([A-Za-z0-9][A-Za-z0-9.-]{0,253}?)\.?\s{1,3}\[[0-9A-Fa-f.:]{2,45}\]")
# [(0) mx.example.jp. [192.0.2.222]:25: socket error]   /   [example.org 192.0.2.153: socket error]
_SOCKET = lazy(
    r"\[(?:\(\d{1,3}\)\s{1,3})?([A-Za-z0-9][A-Za-z0-9.-]{0,253}?)\.?\s{1,3}\[?[0-9A-Fa-f.:]{2,45}\]?(?::\d{1,5})?:\s{0,3}[^\]\n]{0,80}\]"
)
_INLINE = lazy(
    r"(?:the error that the other server returned was|the response from the remote server was)\s{0,3}:", re.I
)
# The HTML twin pasted after the plain text, from "<html>" on.
# Gated: most texts have no "html" at all, and the lowered text serves detect's markers next.
_HTML = c.gated(lazy(r"^\s{0,4}<(?:html|!doctype)", re.I | re.M))
_DELAYED = (
    "has been delayed",
    "delivery incomplete",
    "temporary failure",
    "temporary problem",
    "配信未完了",
    "一時的な問題",
)
# Google Groups: "the group you tried to contact (libsisimai) may not exist ..."
_GROUP = lazy(r"the group you tried to contact \(([^()\s]{1,64})\)", re.I)
# The same in any language: Google Groups' help link, and the group's name in brackets.
_GROUP_SIGN = ("groups.google.com/support", "google groups")
_GROUP_NAME = lazy(r"[(「]([A-Za-z0-9][A-Za-z0-9._+-]{0,63})[)」]")


def detect(msg: Message) -> bool:
    """Google's sender address or a Gmail headline in the text."""
    if c.header_has(msg, "from", _SENDERS):
        return True
    text = _plain(msg)
    # A forwarded paste keeps the notice's From: line in its text ("From: Mail Delivery Subsystem
    # <mailer-daemon@googlemail.com>"), above a Gmail text without its usual heading.
    return c.has_any(text, _MARKERS) or c.has_any(text, _GROUP_SIGN[:1]) or c.has_any(text[:4000], _SENDERS[:2])


def parse(msg: Message) -> Bounce | None:
    """The recipient from the DSN fields or the headline, the reply from the response block."""
    text = _plain(msg)
    _, dsn = c.dsn_failures(c.status_text(msg))
    group = _GROUP.search(text) or (_GROUP_NAME.search(text) if c.has_any(text, _GROUP_SIGN) else None)
    if group:
        failures = [_group_failure(msg, text, group.group(1))]
    else:
        failures = _text_failures(text, msg)
    failures = c.merge_dsn(failures, dsn)
    if not failures:
        return None
    return Bounce(format="gmail", failures=tuple(failures), sender=c.original_sender(msg))


def _plain(msg: Message) -> str:
    """The readable text without the HTML twin of the plain part (Gmail sends both)."""
    return msg.derived("gmail-plain", _plain_text)


def _plain_text(msg: Message) -> str:
    parts = [p for p in msg.parts if p.content_type not in c.STATUS_TYPES + c.HEADER_TYPES]
    if any(p.content_type == "text/plain" for p in parts):
        parts = [p for p in parts if p.content_type != "text/html"]
    text = "\n".join(p.text for p in parts)
    # The attached original after "----- Original message -----" is not the bounce.
    text = text.split("----- Original message -----", 1)[0]
    html = _HTML.search(text, c.comparable(text))
    return text[: html.start()] if html else text


def _text_failures(text: str, msg: Message) -> list[Failure]:
    """One failure per recipient named in the text, all sharing the response block."""
    lines = text.split("\n")
    response = _response(lines)
    addresses = _old_list(lines) or _headline_addresses(text)
    if not addresses:
        failed = msg.header("x-failed-recipients")
        addresses = c.find_addresses(failed) if failed else []
    if not addresses and not response:
        return []
    response = response or _headline_sentence(text)
    host = _remote_host(text)
    delayed = c.has_any(text, _DELAYED)
    out = []
    for addr in addresses or [""]:
        f = c.make_failure(addr, diagnostic=response, remote_mta=host, context=text)
        if delayed and (f.status or "4")[0] == "4":
            f = replace(f, action=Action.DELAYED)
        elif not delayed and f.action is None:
            # Every Gmail headline but "Delivery incomplete" reports a final failure.
            f = replace(f, action=Action.FAILED)
        out.append(f)
    return out


def _response(lines: list[str]) -> str:
    """The server's reply under the response heading: the first paragraph after it.

    "Technical details of permanent failure:" is a weak heading: Gmail's own sentence follows,
    and the server's reply comes under "The error that the other server returned was:", on a
    later line or inside the same paragraph.
    """
    weak = ""
    for i, line in enumerate(lines):
        m = _RESPONSE.match(line)
        if not m:
            continue
        start = i + 1
        while start < len(lines) and not lines[start].strip():
            start += 1
        # The response from the remote server was:\n550 5.1.1 <a@example.jp>: User unknown
        # The error that the other server returned was: 550 5.1.1 <a@example.jp>... User unknown
        body = c.fold(" ".join([line[m.end() :], *c.paragraph_after(lines, start, limit=8)]))
        inline = _INLINE.search(body)
        if inline:
            return body[inline.end() :].strip()
        if not m.group(0).lower().lstrip().startswith("technical"):
            return body
        weak = weak or body
    return weak


def _old_list(lines: list[str]) -> list[str]:
    """Delivery to the following recipient failed permanently:  (then the indented addresses)."""
    for i, line in enumerate(lines):
        if _OLD_LIST.match(line):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            return [
                a for row in c.paragraph_after(lines, j, limit=50) for a in c.find_addresses(row, limit=1)
            ]
    return []


def _headline(text: str, pos: int = 0) -> re.Match[str] | None:
    """The first headline sentence from pos (the Japanese one searched near its literals)."""
    return c.earliest(
        _HEADLINE_EN.search(text, pos),
        c.search_before(_HEADLINE_JA, text, _HEADLINE_JA_TAILS, reach=323, pos=pos),
    )


def _headline_addresses(text: str) -> list[str]:
    out: list[str] = []
    m = _headline(text)
    while m:
        for addr in c.find_addresses(m.group(1), limit=1):
            if addr.lower() not in (a.lower() for a in out):
                out.append(addr)
        m = _headline(text, m.end())
    return out


def _headline_sentence(text: str) -> str:
    """Gmail's own sentence naming the recipient, when no server reply is shown."""
    m = _headline(text)
    if not m:
        return ""
    start = text.rfind("\n", 0, m.start()) + 1
    end = text.find("\n", m.end())
    return c.fold(text[start : end if end > 0 else len(text)])


def _remote_host(text: str) -> str | None:
    m = _BY_SERVER.search(text) or _SOCKET.search(text)
    return c.clean_host(m.group(1)) if m else None


def _group_failure(msg: Message, text: str, name: str) -> Failure:
    """A Google Groups refusal: the group's address, the explanation and its bullet points."""
    address = ""
    failed = msg.header("x-failed-recipients")
    candidates = c.find_addresses(failed) if failed else []
    candidates += c.find_addresses(c.attached_headers(msg) + "\n" + msg.text)
    for addr in candidates:
        if addr.lower().startswith(name.lower() + "@"):
            address = addr
            break
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if name in line), 0)
    # We're writing to let you know that the group you tried to contact (name) may not exist, ...
    #  * You might have spelled or formatted the group name incorrectly.
    body = [line for line in lines[start : start + 12] if line.strip()][:7]
    # The notice itself says the group refused the post ("may not exist, or you may not have
    # permission to post"), in whichever of Google's ~40 languages: a format-level statement the
    # classifier's phrases could not read, so it is passed as the hint.
    return c.make_failure(
        address, diagnostic=" ".join(body), action=Action.FAILED, reason_hint=Reason.REJECTED
    )
