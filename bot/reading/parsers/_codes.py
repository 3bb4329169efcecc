"""Codes and facts inside a server's reply: enhanced status, SMTP reply code, SMTP phase, remote host.

Every expression is linear-time (bounded repetitions, no nested quantifiers over overlapping
classes); normalize has already cut lines to MAX_LINE_CHARS.
"""

from __future__ import annotations

import functools
import re

from bot.reading.lazyre import lazy
from bot.reading.parsers._literals import comparable, gated
from bot.vocab import Phase

# ----------------------------------------------------------------------------- codes
# A lookbehind that guards the first character is written after it, "[245](?<![\w.][245])" for
# "(?<![\w.])[245]": the same matches, but the re module can then skip to the candidate
# characters instead of trying the lookbehind at every position (3x faster over a bounce).
# RFC 3463 enhanced status: class.subject.detail, not part of an IP address or a version number.
_STATUS = lazy(r"([245])(?<![\w.][245])\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)")
# The same after a reply code ("550 5.1.1", "550-5.1.1", "550 #5.1.1"), Sisimai's first choice.
_STATUS_AFTER_REPLY = lazy(r"[245](?<![\w.][245])\d\d[ -]#?([45]\.\d{1,3}\.\d{1,3})(?![\w]|\.\d)")
# "(#5.1.1)" as qmail and some gateways write it.
_STATUS_HASH = lazy(r"\(#([45]\.\d{1,3}\.\d{1,3})\)")
_IPV4 = lazy(r"\d(?<![\d.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\d.])")
_IPV4_HINT = lazy(r"\d\.\d")  # in every IPv4 address: a text without it has none to mask
_REPLY = lazy(
    r"([45](?<![\w.:/@=+-][45])[0-5]\d|2(?<![\w.:/@=+-]2)[0-5]\d)(?=[ \-]|\)|\]|,|;|\Z|$)(?!-?\d{1,3}\.\d)", re.MULTILINE
)
_REPLY_LENIENT = lazy(r"([45](?<![\w.:/@=+-][45])[0-5]\d)(?![\w.:/@])")
# "ERROR_CODE :550", "ResponseCode 421", "Status code: 550" — a label, then the code.
_CODE_LABEL = lazy(
    r"\b(?:error_code|response ?code|status code|smtp code|reply code)\s{0,3}[:=]?\s{0,3}", re.I
)
SPECIFIC_STATUS = lazy(r"\A[45]\.[1-9]\.[1-9]\Z")


def find_status(text: str) -> str | None:
    """The enhanced status code in text (RFC 3463), preferring 4/5 classes; None if none.

    `550 5.1.1 <a@example.jp>: User unknown` → `5.1.1`; `192.0.2.1` and `Postfix 2.10.1` → None.
    Order follows Sisimai: `(#5.1.1)`, then a code right after a reply code, then any 4/5 code,
    then a 2.X.X code.
    """
    if not text:
        return None
    masked = _masked(text)
    for pattern in (_STATUS_HASH, _STATUS_AFTER_REPLY):
        m = pattern.search(masked)
        if m:
            return m.group(1)
    first_two: str | None = None
    for m in _STATUS.finditer(masked):
        if m.group(1) in "45":
            return m.group(0)
        if first_two is None and len(m.group(2)) == 1 and m.group(2) <= "7":
            first_two = m.group(0)
    return first_two


def find_reply_code(text: str) -> str | None:
    """The SMTP reply code in text (4XX/5XX, else 2XX), not an octet or a port; None if none.

    `host mx[192.0.2.1] said: 550 5.1.1 ...` → `550`.
    """
    if not text:
        return None
    masked = _masked(text)
    # Every label names a "code"; no other letters match c, o, d, e under IGNORECASE.
    if "code" in masked.lower():
        masked = _CODE_LABEL.sub(" ", masked)
    codes = [m.group(1) for m in _REPLY.finditer(masked)]
    for code in codes:
        if code[0] in "45":
            return code
    m = _REPLY_LENIENT.search(masked)
    if m:
        return m.group(1)
    return codes[0] if codes else None


@functools.lru_cache(maxsize=8)
def _masked(text: str) -> str:
    """text with IPv4 addresses blanked out (kept for find_status and find_reply_code of one text)."""
    return _IPV4.sub(" ", text) if _IPV4_HINT.search(text) else text


def status_class(status: str | None) -> str | None:
    """The first digit of a status or reply code, None when absent."""
    return status[0] if status else None


# ----------------------------------------------------------------------------- SMTP phase
# Explicit statements of the command a reply answered (case-insensitive), first match wins.
_PHASE_WORDS: tuple[tuple[str, Phase], ...] = (
    # Postfix: "(in reply to RCPT TO command)", "(in reply to end of DATA command)"
    (r"in reply to (?:the )?(?:end of )?data\b", Phase.DATA),
    (r"in reply to (?:the )?rcpt\b", Phase.RCPT),
    (r"in reply to (?:the )?mail\b", Phase.MAIL),
    (r"in reply to (?:the )?(?:helo|ehlo|lhlo)\b", Phase.HELO),
    (r"in reply to (?:the )?(?:initial )?(?:greeting|banner|connect)", Phase.CONNECT),
    # Exim: "SMTP error from remote mail server after RCPT TO:<a@example.jp>:",
    # "... after end of data:", "... after MAIL FROM:<s@example.org> SIZE=1234:", "after initial connection"
    (r"\bafter (?:end of data|data\b|sending data|the data)", Phase.DATA),
    (r"\bafter (?:rcpt|recipient)\b", Phase.RCPT),
    (r"\bafter mail(?: from)?\b", Phase.MAIL),
    (r"\bafter (?:helo|ehlo|lhlo)\b", Phase.HELO),
    (r"\bafter (?:initial connection|connect|the greeting|banner)", Phase.CONNECT),
    # qmail: "192.0.2.25 does not like recipient.", "Connected to 192.0.2.1 but sender was rejected.",
    # "... but greeting failed.", "... but my name was rejected.", "... failed on DATA command.",
    # "Sorry, no SMTP connection got far enough; most progress was RCPT TO response"
    (r"does not like recipient|most progress was rcpt", Phase.RCPT),
    (r"but sender was rejected|most progress was mail", Phase.MAIL),
    (r"failed on data command|failed after i sent the message|most progress was data", Phase.DATA),
    (r"but my name was rejected", Phase.HELO),
    (r"but greeting failed", Phase.CONNECT),
    # Postfix: "lost connection with mx[192.0.2.1] while sending end of data", "conversation with ...
    # timed out while sending RCPT TO", "... while receiving the initial server greeting",
    # "... while performing the EHLO handshake", "connect to mx.example.jp[192.0.2.1]:25: Connection refused"
    (r"while sending (?:end of data|message body|data)", Phase.DATA),
    (r"while sending rcpt", Phase.RCPT),
    (r"while sending mail from", Phase.MAIL),
    (r"while performing the (?:ehlo|helo|lhlo) handshake", Phase.HELO),
    (r"initial server greeting|\bconnect to \S{1,255}\[[0-9A-Fa-f.:]{2,45}\]", Phase.CONNECT),
    # Postfix smtpd's RCPT restrictions: "Recipient address rejected: User unknown in local recipient table"
    (r"recipient address rejected", Phase.RCPT),
    # Courier and others tag the command: "[RCPT_TO]", "[DATA]"
    (r"\[(?:rcpt_to|rcpt to)\]", Phase.RCPT),
    (r"\[(?:mail_from|mail from)\]", Phase.MAIL),
    (r"\[data\]", Phase.DATA),
    # DragonFly DMA / OpenSMTPD: "RCPT TO failed", "DATA command failed"
    (r"\brcpt(?: to)? (?:command )?(?:failed|rejected)", Phase.RCPT),
    (r"\bdata (?:command )?(?:failed|rejected)", Phase.DATA),
    (r"\bmail(?: from)? (?:command )?(?:failed|rejected)", Phase.MAIL),
)
_PHASE_PHRASES = tuple((lazy(words, re.I), phase) for words, phase in _PHASE_WORDS)
# Each searched only when one of the literals it requires is in the text (phase phrases mostly find nothing).
_PHASE_GATED = tuple((gated(pattern), phase) for pattern, phase in _PHASE_PHRASES)
# Echoed transcripts: sendmail ">>> RCPT To:<a@example.jp>", ">>> DATA"; the last one counts.
_ECHO = lazy(r"^\s{0,8}>>>\s{0,3}(rcpt|mail|data|\.|helo|ehlo|quit)\b", re.I | re.M)
_RCPT_ECHO = gated(lazy(r"\brcpt to:\s{0,3}<", re.I))
_ECHO_PHASE = {
    "rcpt": Phase.RCPT,
    "mail": Phase.MAIL,
    "data": Phase.DATA,
    ".": Phase.DATA,
    "helo": Phase.HELO,
    "ehlo": Phase.HELO,
}


def find_phase(text: str) -> Phase | None:
    """The SMTP command a refusal answered, from the phrases bounces use; None when not stated.

    `(in reply to RCPT TO command)` → RCPT; exim `after end of data` → DATA; sendmail's
    `>>> DATA` transcript → DATA; a bare `RCPT TO:<a@example.jp>` echo → RCPT.
    """
    if not text:
        return None
    lowered = comparable(text)
    for pattern, phase in _PHASE_GATED:
        if pattern.search(text, lowered):
            return phase
    echoes = [m.group(1).lower() for m in _ECHO.finditer(text)] if ">>>" in text else []
    echoes = [e for e in echoes if e != "quit"]
    if echoes:
        return _ECHO_PHASE.get(echoes[-1])
    if _RCPT_ECHO.search(text, lowered):
        return Phase.RCPT
    return None


# ----------------------------------------------------------------------------- remote MTA
_HOSTNAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){0,10}[A-Za-z0-9-]{0,62}\.?"
_REMOTE_PATTERNS = (
    # Postfix: "host mx.example.jp[192.0.2.1] said:", "connect to mx.example.jp[192.0.2.1]:25:"
    lazy(r"\bhost (" + _HOSTNAME + r")\s{0,2}\[[0-9A-Fa-f.:]{2,45}\]"),
    lazy(r"\bconnect to (" + _HOSTNAME + r")\[[0-9A-Fa-f.:]{2,45}\]"),
    # sendmail: "... while talking to mx.example.jp.:"
    lazy(r"\bwhile talking to (" + _HOSTNAME + r"):"),
    # Exim: "host mx.example.jp [192.0.2.1]:"; RFC 3464: "Remote-MTA: dns; mx.example.jp"
    lazy(
        r"^\s{0,4}remote-mta:\s{0,5}(?:dns|smtp|x-[\w-]{1,20})?\s{0,3};?\s{0,5}\[?(" + _HOSTNAME + r")",
        re.I | re.M,
    ),
    # "Remote host: mx.example.jp", "Remote Server: mx.example.jp"
    lazy(
        r"\bremote (?:host|server|system|mta)(?: name)?:\s{0,5}(?:dns\s{0,3};\s{0,3})?\[?("
        + _HOSTNAME
        + r")",
        re.I,
    ),
)


_REMOTE_GATED = tuple(gated(p) for p in _REMOTE_PATTERNS)


def find_remote_mta(text: str) -> str | None:
    """The refusing server's name as the bounce names it (lower case, no trailing dot); None if none.

    `host mx.example.jp[192.0.2.1] said: ...` → `mx.example.jp`; `Remote-MTA: dns; mx.example.jp`
    → `mx.example.jp`; an IP literal alone is kept as the address.
    """
    if not text:
        return None
    lowered = comparable(text)
    for pattern in _REMOTE_GATED:
        m = pattern.search(text, lowered)
        if m:
            host = clean_host(m.group(1))
            if host:
                return host
    return None


def clean_host(value: str) -> str | None:
    """A host field value as a bare name: `dns; [192.0.2.1]` → `192.0.2.1`, `MX.Example.JP.` → `mx.example.jp`."""
    value = value.strip()
    if ";" in value:
        value = value.split(";", 1)[1]
    value = value.strip().strip("[]()<> ").split(" ", 1)[0].strip("[]()")
    value = value.rstrip(".").lower()
    if not value or ("." not in value and ":" not in value):
        return None
    return value
