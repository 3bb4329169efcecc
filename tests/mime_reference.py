"""The stdlib-based reading of whole messages that mimetree replaced, kept for the differential test only.

`reference_whole(raw)` is what normalize() gave for a whole message before: the stdlib's compat32
parser (`email.message_from_bytes`) and normalize's walk over its `email.message.Message` tree,
as main e8d7625 had them. Not shipped in bot/: the bot no longer imports the email object model.
"""

from __future__ import annotations

import email
import random
from email.header import Header
from email.message import Message as EmailMessage
from email.policy import compat32
from typing import TypeVar

from bot.limits import MAX_PAYLOAD_BYTES
from bot.models import Message, Part
from bot.reading.bulk import cut_base64_runs
from bot.reading.charsets import decode_bytes, decode_header_value
from bot.reading.markup import html_to_text
from bot.reading.normalize import _bounded, _clean, _paste_parts

_MAX_FORWARDED = 3
T = TypeVar("T", str, bytes)
_REPORT_TYPES = ("multipart/report", "message/delivery-status", "message/global-delivery-status")


def reference_whole(raw: bytes) -> Message:
    """normalize() of a whole message (bytes, UTF-8 already) as the stdlib-based reader read it."""
    if b"\r\n" in raw:
        raw = cut_base64_runs(raw, keep=MAX_PAYLOAD_BYTES).replace(b"\r\n", b"\n")
    return _from_email(email.message_from_bytes(raw, policy=compat32))


def _from_email(root: EmailMessage, depth: int = 0) -> Message:
    headers = tuple((k.lower(), decode_header_value(v)) for k, v in _items(root))
    parts: list[Part] = []
    forwarded: list[EmailMessage] = []
    _walk(root, parts, forwarded, depth=depth)
    inner = tuple(_from_email(m, depth + 1) for m in forwarded[:_MAX_FORWARDED])
    return Message(headers=headers, parts=_bounded(parts), whole=True, forwarded=inner)


def _items(node: EmailMessage) -> list[tuple[str, str | Header]]:
    """`node.items()`: an ASCII value is returned as stored, so only the others go through the policy.

    compat32 turns only a value with surrogate-escaped bytes into a Header; asking it for each
    of a message's ~25 fields was a tenth of normalize's time.
    """
    policy = node.policy
    return [
        (k, v if isinstance(v, str) and v.isascii() else policy.header_fetch_parse(k, v))
        for k, v in node._headers
    ]


def _is_message(value: object) -> bool:
    """A node of the stdlib's message tree (its module is loaded once a whole message is read)."""
    return isinstance(value, EmailMessage)


def _is_report(node: EmailMessage) -> bool:
    """An attached message that is itself a delivery report (not the original a bounce returns)."""
    if node.get_content_type() in _REPORT_TYPES:
        return True
    sender = str(node.get("from", "")).lower()
    return any(s in sender for s in ("mailer-daemon", "postmaster", "mail delivery"))


def _walk(node: EmailMessage, parts: list[Part], forwarded: list[EmailMessage], depth: int) -> None:
    ctype = node.get_content_type()
    maintype = ctype.split("/")[0]  # get_content_maintype(), without reading the fields again
    if depth > 8:
        return
    if ctype in ("message/delivery-status", "message/global-delivery-status", "message/feedback-report"):
        parts.append(Part(ctype, _clean(_status_text(node))))
    elif ctype in ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers"):
        parts.append(Part(ctype, _clean(_attached_headers(node))))
        payload = node.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if _is_message(inner) and _is_report(inner):
            forwarded.append(inner)
    elif node.is_multipart():
        for sub in node.get_payload():
            if _is_message(sub):
                _walk(sub, parts, forwarded, depth + 1)
    elif maintype == "multipart":
        # A multipart whose boundary was lost (a header line wrapped without indent): its
        # body is raw MIME, read the way a pasted fragment is.
        body = decode_bytes(node.get_payload(decode=True) or b"", node.get_content_charset())
        parts.extend(_paste_parts(body.replace("\r\n", "\n")))
    elif maintype == "text" or (ctype == "application/octet-stream" and depth == 0):
        payload = node.get_payload(decode=True) or b""
        text = decode_bytes(payload, node.get_content_charset())
        if ctype == "text/html":
            text = html_to_text(text)
        parts.append(Part(ctype, _clean(text)))


def _status_text(node: EmailMessage) -> str:
    """A delivery-status part as header-block text, whatever compat32 made of it."""
    payload = node.get_payload()
    if isinstance(payload, list):
        blocks = ["\n".join(f"{k}: {decode_header_value(v)}" for k, v in _items(sub)) for sub in payload]
        return "\n\n".join(blocks)
    raw = node.get_payload(decode=True) or b""
    return decode_bytes(raw, node.get_content_charset())


def _attached_headers(node: EmailMessage) -> str:
    """Only the headers of an attached original: its body is not the bounce."""
    payload = node.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if _is_message(inner):
        return "\n".join(f"{k}: {decode_header_value(v)}" for k, v in _items(inner))
    raw = node.get_payload(decode=True) or b""
    text = decode_bytes(raw, node.get_content_charset())
    return text.split("\n\n", 1)[0] if "\n\n" in text.replace("\r\n", "\n") else text


def reference_tree(raw: bytes) -> Message:
    """The Message the stdlib-based reader made of raw read as one message (LF line ends)."""
    return _from_email(email.message_from_bytes(raw, policy=compat32))


def damage(rng: random.Random, lines: list[T], inserts: list[T], changes: int, *, cut: bool = False) -> None:
    """Drop, double or insert lines (and with cut, truncate one) in place: damaged input for the tests."""
    for _ in range(changes):
        if not lines:
            return
        i = rng.randrange(len(lines))
        change = rng.random()
        if change < 0.3:
            del lines[i]
        elif change < 0.6:
            lines.insert(i, lines[i])
        elif not cut or change < 0.8:
            lines.insert(i, rng.choice(inserts))
        else:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]  # type: ignore[index]
