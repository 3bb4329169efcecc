"""Mail gateways' and filters' own bounces: Trend Micro InterScan, m-FILTER, Mimecast, SurfControl,
McAfee, amavisd-new, Symantec MessageLabs, Active!hunter, and Verizon's MMS gateway.

Each product writes its own readable text; several add RFC 3464 fields, which fill what the
text lacks (c.merge_dsn). Each reader below carries the lines it handles. A failure's address
is "" when a paste shows none.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Action

# ----------------------------------------------------------------------------- Trend Micro InterScan
# Sent <<< RCPT TO:<kijitora@example.co.jp>
# Received >>> 550 5.1.1 <kijitora@example.co.jp>... user unknown
# Reason:  Unable to deliver message to <kijitora@example.jp> (and other recipients in the same domain).
_IS_SENT = lazy(r"^\s{0,4}sent\s{1,3}<<<\s{0,3}([^\n]{1,500})$", re.I | re.M)
_IS_RECEIVED = lazy(r"^\s{0,4}received\s{1,3}>>>\s{0,3}([^\n]{1,2000})$", re.I | re.M)
_IS_UNABLE = lazy(
    r"^\s{0,4}(?:reason:\s{1,5})?(unable to deliver message to <([^\s<>]{3,320})>[^\n]{0,300})$", re.I | re.M
)


def _interscan(text: str) -> list[Failure]:
    sent, received, unable = _IS_SENT.search(text), _IS_RECEIVED.search(text), _IS_UNABLE.search(text)
    if sent and received:
        addr = c.find_addresses(sent.group(1), limit=1)
        phase = c.find_phase(f">>> {sent.group(1)}")
        return [c.make_failure(addr[0] if addr else "", diagnostic=received.group(1), phase=phase)]
    if unable:
        return [c.make_failure(unable.group(2), diagnostic=unable.group(1), action=Action.FAILED)]
    return []


# ----------------------------------------------------------------------------- m-FILTER (Digital Arts)
# 以下のメールアドレスへの送信に失敗しました。
# kijitora@example.com
# -------server message
# 550 unknown user <kijitora@example.com>
# -------SMTP command
# DATA
_MF_RCPT = lazy(r"以下のメールアドレスへの送信に失敗しました。?\s{0,5}\n([^\n]{1,400})")
_MF_SECTION = lazy(r"^-{3,10}\s{0,2}(server message|smtp command)\s{0,3}\n([^\n]{0,2000})", re.I | re.M)


def _mfilter(text: str) -> list[Failure]:
    rcpt = _MF_RCPT.search(text)
    sections = {m.group(1).lower(): m.group(2).strip() for m in _MF_SECTION.finditer(text)}
    addr = c.find_addresses(rcpt.group(1), limit=1) if rcpt else []
    if not addr and not sections:
        return []
    command = sections.get("smtp command", "")
    return [
        c.make_failure(
            addr[0] if addr else "",
            diagnostic=sections.get("server message", ""),
            phase=c.find_phase(f">>> {command}") if command else None,
            action=Action.FAILED,
        )
    ]


# ----------------------------------------------------------------------------- Mimecast
# An email that you attempted to send to the following address could not be delivered:
# -- sabineko@example.org
# The problem appears to be :
# -- Recipient email address is possibly incorrect
# Additional information follows :
# -- 5.4.1 Recipient address rejected: Access denied. [AB1CD2.prod.outlook.com ...]
_MC_ITEM = lazy(
    r"^[^\n]{0,120}?(could not be delivered|the problem appears to be|additional information follows)\s{0,3}:\s{0,3}\n"
    r"\s{0,4}--\s{1,3}([^\n]{1,2000})",
    re.I | re.M,
)


def _mimecast(text: str) -> list[Failure]:
    items = {}
    for m in _MC_ITEM.finditer(text):
        items[m.group(1).lower()] = m.group(2).strip()
    addr = c.find_addresses(items.get("could not be delivered", ""), limit=1)
    if not addr and not items:
        return []
    detail = items.get("additional information follows", "")
    problem = items.get("the problem appears to be", "")
    diagnostic = f"{detail} ({problem})" if detail and problem else detail or problem
    return [c.make_failure(addr[0] if addr else "", diagnostic=diagnostic, action=Action.FAILED)]


# ----------------------------------------------------------------------------- SurfControl
# Addressed To: kijitora@example.com
# Failed to send to identified host,
# kijitora@example.com: [192.0.2.5], 550 kijitora@example.com... No such user
_SC_LINE = lazy(
    r"^\s{0,4}([^\s:]{3,320}@[^\s:]{1,255}):\s{0,3}\[([0-9A-Fa-f.:]{2,45})\],\s{0,3}([^\n]{1,2000})$", re.M
)


def _surfcontrol(text: str) -> list[Failure]:
    return [
        c.make_failure(m.group(1), diagnostic=m.group(3), remote_mta=m.group(2))
        for m in _SC_LINE.finditer(text)
    ]


# ----------------------------------------------------------------------------- McAfee, MessageLabs, amavis
# McAfee:      <kijitora@example.or.jp>   (5.1.1 <kijitora@example.or.jp>... User unknown)
# MessageLabs: Reason: 542 kijitora@example.com Rejected
# amavis:        <neko@example.co.jp>: [127.0.0.1] said:\n   550 5.1.1 Failed, id=..., from MTA(...): 550 5.1.1 ...
# McAfee's heading has three dashes each side; sendmail's "----- ... -----" is not McAfee.
_MCAFEE = c.gated(lazy(r"(?<!-)--- the following addresses had delivery problems ---(?!-)", re.I))
_MA_LINE = lazy(r"^\s{0,4}<([^\s<>]{3,320})>\s{1,10}\(([^\n]{1,2000})\)\s{0,3}$", re.M)
_ML_REASON = lazy(r"^\s{0,4}reason:\s{1,5}([245]\d\d[^\n]{0,2000})$", re.I | re.M)
_AV_SAID = lazy(
    r"^\s{0,4}<([^\s<>]{3,320})>:\s{0,3}\[?([^\]\s]{1,255})\]?\s{1,3}said:\s{0,3}\n\s{0,8}([^\n]{1,2000})",
    re.I | re.M,
)


def _listed(text: str) -> list[Failure]:
    out = [c.make_failure(m.group(1), diagnostic=m.group(2)) for m in _MA_LINE.finditer(text)]
    out += [
        c.make_failure(m.group(1), diagnostic=m.group(3), remote_mta=m.group(2))
        for m in _AV_SAID.finditer(text)
    ]
    reason = _ML_REASON.search(text)
    if reason and not out:
        addr = c.find_addresses(reason.group(1), limit=1)
        out.append(c.make_failure(addr[0] if addr else "", diagnostic=reason.group(1)))
    return out


# ----------------------------------------------------------------------------- Active!hunter
# >>> kijitora@example.org <kijitora@example.org>
#   ----- Transcript of session follows -----
# 550 sorry, no mailbox here by that name (#5.1.1 - chkusr)
_AH_RCPT = lazy(r"^>{3}\s{1,3}[^\n<]{0,320}<([^\s<>]{3,320})>\s{0,3}$", re.M)
_AH_REPLY = lazy(r"transcript of session follows -{3,10}\s{0,5}\n\s{0,5}([^\n]{1,2000})", re.I)


def _activehunter(text: str) -> list[Failure]:
    reply = _AH_REPLY.search(text)
    diagnostic = reply.group(1) if reply else ""
    return [c.make_failure(m.group(1), diagnostic=diagnostic) for m in _AH_RCPT.finditer(text)]


# ----------------------------------------------------------------------------- Verizon MMS gateway
# Message could not be delivered to mobile.
# Error: No valid recipients for this MM
# Original Message: ... To: 0000000000@vzwpix.com
_VZ_ERROR = lazy(r"^\s{0,4}error:\s{0,3}([^\n]{1,500})$", re.I | re.M)
_VZ_TO = lazy(r"^\s{0,4}to:\s{0,3}([^\n]{1,500})$", re.I | re.M)


def _verizon(text: str) -> list[Failure]:
    error, to = _VZ_ERROR.search(text), _VZ_TO.search(text)
    addr = c.find_addresses(to.group(1), limit=1) if to else []
    diagnostic = f"Message could not be delivered to mobile. {error.group(1)}" if error else ""
    return [c.make_failure(addr[0] if addr else "", diagnostic=diagnostic, action=Action.FAILED)]


# ----------------------------------------------------------------------------- the table
# (name, header markers (header name, lower-case values), text markers, reader)
_Reader = Callable[[str], list[Failure]]
_Marker = str | c.Gated
_PRODUCTS: tuple[tuple[str, tuple[tuple[str, str], ...], tuple[_Marker, ...], _Reader], ...] = (
    (
        "interscan",
        (
            ("from", '"interscan'),
            ("subject", "メッセージを配信できません"),
            ("subject", "メール配信に失敗しました"),
        ),
        ("message from interscan messaging security suite", "received >>> ", "sent <<< rcpt to"),
        _interscan,
    ),
    (
        "mfilter",
        (("x-mailer", "m-filter"),),
        ("「m-filter」", "-------server message", "以下のメールアドレスへの送信に失敗しました"),
        _mfilter,
    ),
    (
        "mimecast",
        (("from", "mimecast"),),
        ("an email that you attempted to send to the following address could not be delivered",),
        _mimecast,
    ),
    ("surfcontrol", (("x-mailer", "surfcontrol"),), ("failed to send to identified host",), _surfcontrol),
    (
        "listed",
        (("x-nai-header", "mcafee"), ("from", "content-filter at"), ("from", "messagelabs.com")),
        (
            _MCAFEE,
            "this nondelivery report was generated by the program amavisd-new",
            "was considered unsolicited bulk e-mail",
            "this is the mail delivery agent at symantec email security.cloud",
            "this is the mail delivery agent at messagelabs.com",
        ),
        _listed,
    ),
    ("activehunter", (("x-ahmailid", ""), ("content-type", "active!hunter")), (), _activehunter),
    (
        "verizon",
        (("from", "vzwpix.com"),),
        ("message could not be delivered to mobile",),
        _verizon,
    ),
)


# Every product's headers and markers at once (sentences before expressions): most messages
# hold none, and one pass over them all then answers for the ~13 products (the loop below still
# decides which product comes first).
_ALL_HEADERS = tuple(pair for _, headers, _, _ in _PRODUCTS for pair in headers)
_ALL_MARKERS = tuple(
    sorted((m for _, _, markers, _ in _PRODUCTS for m in markers), key=lambda m: not isinstance(m, str))
)


def _any_product(msg: Message, text: str) -> bool:
    """Whether any product's header or sentence is there (the loop in _product says which)."""
    return _has(text, _ALL_MARKERS) or any(_header(msg, h, value) for h, value in _ALL_HEADERS)


def _product(msg: Message, text: str) -> tuple[str, _Reader] | None:
    if not _any_product(msg, text):
        return None
    for name, headers, markers, reader in _PRODUCTS:
        if any(_header(msg, h, value) for h, value in headers) or _has(text, markers):
            return name, reader
    return None


def _header(msg: Message, name: str, value: str) -> bool:
    """The header is present and contains value ("" matches any present header)."""
    found = msg.header(name, "\x00")
    return found != "\x00" and value in found.lower()


def _has(text: str, markers: tuple[_Marker, ...]) -> bool:
    low = c.lowered(text)
    return any(m in low if isinstance(m, str) else m.search(text, c.comparable(text)) for m in markers)


def _found(msg: Message) -> tuple[str, _Reader] | None:
    # Kept on the message: detect and parse ask the same ~13 products' headers and sentences.
    return msg.derived("gateways.product", lambda m: _product(m, c.readable_text(m)))


def detect(msg: Message) -> bool:
    """A gateway's header or one of its sentences in the text."""
    return _found(msg) is not None


def parse(msg: Message) -> Bounce | None:
    """The product's own lines, completed by RFC 3464 fields when it sends them."""
    text = c.readable_text(msg)
    found = _found(msg)
    if not found:
        return None
    _, reader = found
    _, dsn = c.dsn_failures(c.status_text(msg))
    failures = c.merge_dsn(c.finish(reader(text)), dsn)
    if not failures:
        return None
    return Bounce(format="gateways", failures=tuple(failures), sender=c.original_sender(msg))
