"""Japanese carriers' and ISPs' own bounces: au/EZweb, au one net (KDDI, dion), BIGLOBE.

Layouts handled (each branch carries the lines it reads):
- au (EZweb, au.com) "Mail System Error - Returned Mail": 「次のあて先へのメッセージはエラーのため
  送信できませんでした。」, then `Recipient: <a@ezweb.ne.jp>` with the `>>> RCPT TO` / `<<< 550 ...`
  transcript, or "Your message was not delivered within N days and N hours." (expiry), or a bare
  `<a@ezweb.ne.jp>` before "Each of the following recipients was rejected by a remote mail server.";
- au one net (KDDI): 「送信先のメールボックスが一杯のため、送信できませんでした。」 and
  "Your mail sent on: ... Could not be delivered to: <a@dion.ne.jp> As their mailbox is full.";
- BIGLOBE: "----- The following addresses had delivery problems -----" / "----- Non-delivered
  information -----".

Mail to docomo, SoftBank and most ISPs is refused during the SMTP session, so those bounces
come from the sender's own MTA (postfix, sendmail, ...) and are parsed there; the classifier
reads the carrier's reply. au's X-SPASIGN: NG header marks its own spam/domain filter: the one
fact a header alone states, passed as reason_hint filtered.
"""

from __future__ import annotations

import re

from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Action, Reason

_SENDERS = ("ezweb.ne.jp", "@au.com", ".dion.ne.jp", "auone-net.jp", "postmaster@biglobe.ne.jp")
_MARKERS = (
    "each of the following recipients was rejected by a remote",
    "次のあて先へのメッセージはエラーのため送信できませんでした",
    "could not be delivered to: <",
    "送信先のメールボックスが一杯のため",
    "----- non-delivered information -----",
    "the following recipients did not receive this message",
)
# Recipient: <a@ezweb.ne.jp>    /   <a@ezweb.ne.jp>    /   Could not be delivered to: <a@dion.ne.jp>
_RECIPIENT = lazy(
    r"\A\s{0,8}(?:recipient:\s{0,3}|could not be delivered to:\s{0,3})?<([^\s<>]{3,320})>\s{0,3}:?\s{0,3}\Z",
    re.I,
)
# <<< 550 <a@ezweb.ne.jp>: User unknown
_REPLY = lazy(r"\A\s{0,8}<<<\s{0,3}(.{1,2000})\Z")
# >>> RCPT TO:<a@ezweb.ne.jp>
_SENT = lazy(r"\A\s{0,8}>>>\s{0,3}(.{1,2000})\Z")
# Lines that belong to the carrier's own explanation of the failure (English, under the Japanese).
_EXPLAIN = lazy(
    r"\A\s{0,8}(?:your message was not delivered within|remote host is not responding|as their mailbox is full"
    r"|due to the following smtp relay error|as the remote domain doesnt exist|the user\(s\) account"
    r"|each of the following recipients was rejected|the number of messages in recipient's mailbox"
    r"|mail delivery failed)",
    re.I,
)
_BIGLOBE_RCPT = lazy(
    r"^\s{0,4}-{3,10} the following addresses had delivery problems -{3,10}", re.I | re.M
)
_BIGLOBE_INFO = lazy(r"^\s{0,4}-{3,10} non-delivered information -{3,10}", re.I | re.M)
# The Japanese first paragraph: what a user reads first, kept when nothing else explains.
_JA_PREFACE = lazy(r"^[^\n]{0,40}(?:送信できませんでした|一杯のため)[^\n]{0,100}$", re.M)


def detect(msg: Message) -> bool:
    """Carrier senders, au's subject, or the carriers' sentences in the text."""
    if c.header_has(msg, "from", _SENDERS) or msg.subject.strip() == "Mail System Error - Returned Mail":
        return True
    return c.has_any(c.readable_text(msg), _MARKERS)


def parse(msg: Message) -> Bounce | None:
    """One failure per recipient line, with the transcript reply or the carrier's explanation."""
    text = c.readable_text(msg)
    hint = Reason.FILTERED if msg.header("x-spasign").strip().upper() == "NG" else None
    failures = _biglobe(text) if _BIGLOBE_RCPT.search(text) else _au(text)
    preface = _JA_PREFACE.search(text)
    if not failures and preface:
        # Only the Japanese notice was pasted: 次のあて先へのメッセージはエラーのため送信できませんでした。
        lines = text[preface.start() :].split("\n")
        found = c.find_addresses(text, limit=1)
        failures = [
            (found[0] if found else "", "", c.fold(" ".join(c.paragraph_after(lines, 0, limit=6))), "")
        ]
    out: list[Failure] = []
    for addr, reply, explain, sent in failures:
        diagnostic = reply or explain or (preface.group(0).strip() if preface else "")
        out.append(
            c.make_failure(
                addr,
                diagnostic=diagnostic,
                phase=c.find_phase(f">>> {sent}") if sent else None,
                action=Action.FAILED,
                reason_hint=hint,
                context=text,
            )
        )
    out = c.finish(out)
    if not out:
        return None
    return Bounce(format="jpcarriers", failures=tuple(out), sender=c.original_sender(msg))


def _au(text: str) -> list[tuple[str, str, str, str]]:
    """(address, server reply, explanation, command sent) per recipient of an au / au one net bounce."""
    entries: list[list[str]] = []  # [address, reply, explanation, transcript]
    shared: list[str] = []  # explanation lines before any recipient (they apply to all)
    for line in text.split("\n")[:400]:
        m = _RECIPIENT.match(line)
        if m:
            # Recipient: <a@ezweb.ne.jp>  /  Could not be delivered to: <a@dion.ne.jp>
            entries.append([m.group(1), "", "", ""])
            continue
        reply, sent = _REPLY.match(line), _SENT.match(line)
        if reply and entries:
            # <<< 550 <a@ezweb.ne.jp>: User unknown
            entries[-1][1] = reply.group(1).strip()
        elif sent and entries:
            # >>> RCPT TO:<a@ezweb.ne.jp>
            entries[-1][3] = sent.group(1).strip()
        elif _EXPLAIN.match(line):
            # Your message was not delivered within 0 days and 1 hours. / As their mailbox is full.
            target = entries[-1] if entries else None
            if target is not None:
                target[2] = c.fold(f"{target[2]} {line}")
            else:
                shared.append(line.strip())
    return [
        (addr, reply, explain or c.fold(" ".join(shared)), sent) for addr, reply, explain, sent in entries
    ]


def _biglobe(text: str) -> list[tuple[str, str, str, str]]:
    """(address, "", explanation, "") per recipient listed under BIGLOBE's dashed headings."""
    head = _BIGLOBE_RCPT.search(text)
    info = _BIGLOBE_INFO.search(text)
    if not head:
        return []
    listing = text[head.end() : info.start() if info and info.start() > head.end() else len(text)]
    explanation = ""
    if info:
        # The number of messages in recipient's mailbox exceeded the local limit.
        lines = text[info.end() :].split("\n")
        start = next((i for i, line in enumerate(lines) if line.strip()), 0)
        explanation = c.fold(" ".join(c.paragraph_after(lines, start, limit=6)))
    return [(addr, "", explanation, "") for addr in c.find_addresses(listing)]
