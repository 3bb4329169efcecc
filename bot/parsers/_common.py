"""Helpers every format module shares: addresses, codes, folding, phases, DSN blocks, Failures.

Everything here is linear-time: expressions have bounded repetitions and no nested
quantifiers over overlapping classes; input lines are already cut by normalize. Format
modules read fields with these helpers and build each Failure with ``make_failure`` so
that status, reply code and phase are derived the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from bot.models import Failure, Message
from bot.vocab import Action, Phase, Reason

# ----------------------------------------------------------------------------- parts of a message
STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")
HEADER_TYPES = ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers")


def readable_text(msg: Message) -> str:
    """The human-readable parts (not the delivery-status part, not the attached original)."""
    return "\n".join(p.text for p in msg.parts if p.content_type not in STATUS_TYPES + HEADER_TYPES)


def status_text(msg: Message) -> str:
    """The message/delivery-status parts' text; for a paste, the whole text (fields are inline)."""
    found = [p.text for p in msg.parts if p.content_type in STATUS_TYPES]
    return "\n\n".join(found) if found else readable_text(msg)


def attached_headers(msg: Message) -> str:
    """The headers of the attached original message, when the bounce carries them."""
    return "\n".join(p.text for p in msg.parts if p.content_type in HEADER_TYPES)


def has_any(text: str, markers: Iterable[str]) -> bool:
    """True when any marker occurs in text, case-insensitively (markers given in lower case)."""
    low = text.lower()
    return any(m in low for m in markers)


def header_has(msg: Message, name: str, markers: Iterable[str]) -> bool:
    """True when a header of the bounce itself contains any marker (lower-case markers)."""
    return has_any(msg.header(name), markers)


# ----------------------------------------------------------------------------- addresses
# One address: a dot-atom-ish local part (quoted local parts are rare in bounces) and a domain.
_LOCAL = r"(?:\"[^\"\n@<>]{1,64}\"|[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64})"
_DOMAIN = r"(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?\.){1,10}[A-Za-z][A-Za-z0-9-]{0,62}|\[[0-9.]{7,15}\])"
# One address. Local parts keep the dots real mail carries (docomo's `taro..x.@`) and quotes.
ADDRESS = re.compile(r"(?<![\w.+=%/!#$&'*^`{|}~-])(" + _LOCAL + "@" + _DOMAIN + ")")
_ADDR_PREFIX = re.compile(r"\A\s{0,10}(?:rfc822|x-unix|unknown|utf-8)\s{0,5};\s{0,10}", re.IGNORECASE)
_MAILTO = re.compile(r"\Amailto:", re.IGNORECASE)
_UTF8_ADDR = re.compile(r"\A[^\s@<>]{1,200}@[^\s@<>]{1,255}\Z")


def clean_address(text: str) -> str | None:
    """One address from a field value: drops `rfc822;`, mailto:, <>, quotes, trailing dots; None if none.

    `RFC822; <kijitora@example.jp>` → `kijitora@example.jp`; the domain is lower-cased, the
    local part kept as written. UTF-8 addresses (RFC 6531) are kept when no ASCII one fits.
    """
    value = _ADDR_PREFIX.sub("", text.strip())
    value = _MAILTO.sub("", value).strip()
    if len(value) > 2 and value[0] == value[-1] and value[0] in "\"'" and value.count(value[0]) == 2:
        value = value[1:-1].strip()  # 'a@example.jp' or "a@example.jp" as a whole
    found = ADDRESS.search(value)
    if found:
        addr = found.group(1)
    else:
        value = value.strip("<>()[] ").rstrip(".,;:")
        if not _UTF8_ADDR.match(value):
            return None
        addr = value
    addr = addr.rstrip(".")
    local, _, domain = addr.rpartition("@")
    local = local if local.startswith('"') else local.lstrip(".")
    if not local or not domain:
        return None
    return f"{local}@{domain.lower()}"


def find_addresses(text: str, *, limit: int = 200) -> list[str]:
    """Every distinct address in text, in order of first appearance (cleaned)."""
    seen: dict[str, None] = {}
    for m in ADDRESS.finditer(text):
        addr = clean_address(m.group(1))
        if addr and addr.lower() not in {a.lower() for a in seen}:
            seen[addr] = None
            if len(seen) >= limit:
                break
    return list(seen)


# ----------------------------------------------------------------------------- codes
# RFC 3463 enhanced status: class.subject.detail, not part of an IP address or a version number.
_STATUS = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)")
# The same after a reply code ("550 5.1.1", "550-5.1.1", "550 #5.1.1"), Sisimai's first choice.
_STATUS_AFTER_REPLY = re.compile(r"(?<![\w.])[245]\d\d[ -]#?([45]\.\d{1,3}\.\d{1,3})(?![\w]|\.\d)")
# "(#5.1.1)" as qmail and some gateways write it.
_STATUS_HASH = re.compile(r"\(#([45]\.\d{1,3}\.\d{1,3})\)")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_REPLY = re.compile(
    r"(?<![\w.:/@=+-])([45][0-5]\d|2[0-5]\d)(?=[ \-]|\)|\]|,|;|\Z|$)(?!-?\d{1,3}\.\d)", re.MULTILINE
)
_REPLY_LENIENT = re.compile(r"(?<![\w.:/@=+-])([45][0-5]\d)(?![\w.:/@])")
# "ERROR_CODE :550", "ResponseCode 421", "Status code: 550" — a label, then the code.
_CODE_LABEL = re.compile(
    r"\b(?:error_code|response ?code|status code|smtp code|reply code)\s{0,3}[:=]?\s{0,3}", re.I
)
SPECIFIC_STATUS = re.compile(r"\A[45]\.[1-9]\.[1-9]\Z")


def find_status(text: str) -> str | None:
    """The enhanced status code in text (RFC 3463), preferring 4/5 classes; None if none.

    `550 5.1.1 <a@example.jp>: User unknown` → `5.1.1`; `192.0.2.1` and `Postfix 2.10.1` → None.
    Order follows Sisimai: `(#5.1.1)`, then a code right after a reply code, then any 4/5 code,
    then a 2.X.X code.
    """
    if not text:
        return None
    masked = _IPV4.sub(" ", text)
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
    masked = _CODE_LABEL.sub(" ", _IPV4.sub(" ", text))
    codes = [m.group(1) for m in _REPLY.finditer(masked)]
    for code in codes:
        if code[0] in "45":
            return code
    m = _REPLY_LENIENT.search(masked)
    if m:
        return m.group(1)
    return codes[0] if codes else None


def status_class(status: str | None) -> str | None:
    """The first digit of a status or reply code, None when absent."""
    return status[0] if status else None


# ----------------------------------------------------------------------------- text folding
_SPACES = re.compile(r"\s{1,4000}")
_DIAG_TYPE = re.compile(
    r"\A\s{0,5}(?:smtp|x-unix|x-postfix|x-local|x-qmail|mailer|x-notes|x-exim|unix)\s{0,5};\s{0,5}",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Collapse all whitespace (newlines included) into single spaces and trim."""
    return _SPACES.sub(" ", text).strip()


_MULTILINE_PREFIX = re.compile(r"(?<![\w.])([245]\d\d)[ -]#?([245]\.\d{1,3}\.\d{1,3})?(?=\s)")


def drop_repeated_prefixes(text: str) -> str:
    """A multi-line reply folded into one line, without the repeated `550-5.7.1` line prefixes.

    `550-5.7.1 Our system has detected 550-5.7.1 that this message` → `550-5.7.1 Our system has
    detected that this message`: the classifier matches phrases across the joins.
    """
    first = _MULTILINE_PREFIX.search(text)
    if not first:
        return text
    token = re.compile(
        r"\s"
        + re.escape(first.group(1))
        + r"[ -]"
        + (re.escape(first.group(2)) if first.group(2) else "")
        + r"(?=\s)"
    )
    head, tail = text[: first.end()], text[first.end() :]
    return head + " " + fold(token.sub(" ", tail)) if token.search(tail) else text


def strip_diag_type(text: str) -> str:
    """A Diagnostic-Code value without its type: `smtp; 550 5.1.1 ...` → `550 5.1.1 ...`."""
    return _DIAG_TYPE.sub("", text, count=1)


def join_continuations(lines: Iterable[str]) -> list[str]:
    """Join RFC 5322-style continuation lines (starting with space/tab) onto the line before."""
    out: list[str] = []
    for line in lines:
        if out and line[:1] in (" ", "\t") and line.strip():
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


def paragraph_after(lines: list[str], start: int, *, limit: int = 12) -> list[str]:
    """Lines from `start` up to (not including) the next blank line, at most `limit` of them."""
    out: list[str] = []
    for line in lines[start : start + limit]:
        if not line.strip():
            break
        out.append(line)
    return out


# ----------------------------------------------------------------------------- SMTP phase
# Explicit statements of the command a reply answered, first match wins.
_PHASE_PHRASES: tuple[tuple[re.Pattern[str], Phase], ...] = (
    # Postfix: "(in reply to RCPT TO command)", "(in reply to end of DATA command)"
    (re.compile(r"in reply to (?:the )?(?:end of )?data\b", re.I), Phase.DATA),
    (re.compile(r"in reply to (?:the )?rcpt\b", re.I), Phase.RCPT),
    (re.compile(r"in reply to (?:the )?mail\b", re.I), Phase.MAIL),
    (re.compile(r"in reply to (?:the )?(?:helo|ehlo|lhlo)\b", re.I), Phase.HELO),
    (re.compile(r"in reply to (?:the )?(?:initial )?(?:greeting|banner|connect)", re.I), Phase.CONNECT),
    # Exim: "SMTP error from remote mail server after RCPT TO:<a@example.jp>:",
    # "... after end of data:", "... after MAIL FROM:<s@example.org> SIZE=1234:", "after initial connection"
    (re.compile(r"\bafter (?:end of data|data\b|sending data|the data)", re.I), Phase.DATA),
    (re.compile(r"\bafter (?:rcpt|recipient)\b", re.I), Phase.RCPT),
    (re.compile(r"\bafter mail(?: from)?\b", re.I), Phase.MAIL),
    (re.compile(r"\bafter (?:helo|ehlo|lhlo)\b", re.I), Phase.HELO),
    (re.compile(r"\bafter (?:initial connection|connect|the greeting|banner)", re.I), Phase.CONNECT),
    # qmail: "192.0.2.25 does not like recipient.", "Connected to 192.0.2.1 but sender was rejected.",
    # "... but greeting failed.", "... but my name was rejected.", "... failed on DATA command.",
    # "Sorry, no SMTP connection got far enough; most progress was RCPT TO response"
    (re.compile(r"does not like recipient|most progress was rcpt", re.I), Phase.RCPT),
    (re.compile(r"but sender was rejected|most progress was mail", re.I), Phase.MAIL),
    (
        re.compile(r"failed on data command|failed after i sent the message|most progress was data", re.I),
        Phase.DATA,
    ),
    (re.compile(r"but my name was rejected", re.I), Phase.HELO),
    (re.compile(r"but greeting failed", re.I), Phase.CONNECT),
    # Postfix smtpd's RCPT restrictions: "Recipient address rejected: User unknown in local recipient table"
    (re.compile(r"recipient address rejected", re.I), Phase.RCPT),
    # Courier and others tag the command: "[RCPT_TO]", "[DATA]"
    (re.compile(r"\[(?:rcpt_to|rcpt to)\]", re.I), Phase.RCPT),
    (re.compile(r"\[(?:mail_from|mail from)\]", re.I), Phase.MAIL),
    (re.compile(r"\[data\]", re.I), Phase.DATA),
    # DragonFly DMA / OpenSMTPD: "RCPT TO failed", "DATA command failed"
    (re.compile(r"\brcpt(?: to)? (?:command )?(?:failed|rejected)", re.I), Phase.RCPT),
    (re.compile(r"\bdata (?:command )?(?:failed|rejected)", re.I), Phase.DATA),
    (re.compile(r"\bmail(?: from)? (?:command )?(?:failed|rejected)", re.I), Phase.MAIL),
)
# Echoed transcripts: sendmail ">>> RCPT To:<a@example.jp>", ">>> DATA"; the last one counts.
_ECHO = re.compile(r"^\s{0,8}>>>\s{0,3}(rcpt|mail|data|\.|helo|ehlo|quit)\b", re.I | re.M)
_RCPT_ECHO = re.compile(r"\brcpt to:\s{0,3}<", re.I)
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
    for pattern, phase in _PHASE_PHRASES:
        if pattern.search(text):
            return phase
    echoes = [m.group(1).lower() for m in _ECHO.finditer(text)]
    echoes = [e for e in echoes if e != "quit"]
    if echoes:
        return _ECHO_PHASE.get(echoes[-1])
    if _RCPT_ECHO.search(text):
        return Phase.RCPT
    return None


# ----------------------------------------------------------------------------- remote MTA
_HOSTNAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){0,10}[A-Za-z0-9-]{0,62}\.?"
_REMOTE_PATTERNS = (
    # Postfix: "host mx.example.jp[192.0.2.1] said:", "connect to mx.example.jp[192.0.2.1]:25:"
    re.compile(r"\bhost (" + _HOSTNAME + r")\s{0,2}\[[0-9A-Fa-f.:]{2,45}\]"),
    re.compile(r"\bconnect to (" + _HOSTNAME + r")\[[0-9A-Fa-f.:]{2,45}\]"),
    # sendmail: "... while talking to mx.example.jp.:"
    re.compile(r"\bwhile talking to (" + _HOSTNAME + r"):"),
    # Exim: "host mx.example.jp [192.0.2.1]:"; RFC 3464: "Remote-MTA: dns; mx.example.jp"
    re.compile(
        r"^\s{0,4}remote-mta:\s{0,5}(?:dns|smtp|x-[\w-]{1,20})?\s{0,3};?\s{0,5}\[?(" + _HOSTNAME + r")",
        re.I | re.M,
    ),
    # "Remote host: mx.example.jp", "Remote Server: mx.example.jp"
    re.compile(r"\bremote (?:host|server|system|mta)(?: name)?:\s{0,5}\[?(" + _HOSTNAME + r")", re.I),
)


def find_remote_mta(text: str) -> str | None:
    """The refusing server's name as the bounce names it (lower case, no trailing dot); None if none.

    `host mx.example.jp[192.0.2.1] said: ...` → `mx.example.jp`; `Remote-MTA: dns; mx.example.jp`
    → `mx.example.jp`; an IP literal alone is kept as the address.
    """
    if not text:
        return None
    for pattern in _REMOTE_PATTERNS:
        m = pattern.search(text)
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


# ----------------------------------------------------------------------------- delivery-status blocks
PER_MESSAGE_FIELDS = frozenset(
    {
        "reporting-mta",
        "received-from-mta",
        "arrival-date",
        "original-envelope-id",
        "dsn-gateway",
        "x-postfix-queue-id",
        "x-postfix-sender",
        "x-original-message-id",
        "x-sender",
    }
)
PER_RECIPIENT_FIELDS = frozenset(
    {
        "original-recipient",
        "final-recipient",
        "action",
        "status",
        "remote-mta",
        "diagnostic-code",
        "last-attempt-date",
        "will-retry-until",
        "final-log-id",
        "x-actual-recipient",
        "x-supplementary-info",
        "x-display-name",
    }
)
_FIELD = re.compile(r"\A([A-Za-z][A-Za-z0-9-]{1,40}):[ \t]{0,20}(.{0,4000})\Z")


def dsn_fields(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Per-message fields and per-recipient field dicts (lower-case names, folded values) of DSN text.

    A new recipient starts at a blank line after recipient fields, or when Final-Recipient (or
    Original-Recipient) repeats without one, so pastes that lost blank lines still split. Indented
    lines continue the field before; an unindented non-field line right after Diagnostic-Code
    also continues it (mail clients re-wrap long lines). Text that is not a field is ignored.
    """
    per_message: dict[str, str] = {}
    recipients: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last: str | None = None
    for line in text.split("\n"):
        if not line.strip():
            if current:
                recipients.append(current)
                current = {}
            last = None
            continue
        if line[:1] in (" ", "\t") and last:
            target = current if last in current else per_message
            target[last] = fold(target.get(last, "") + " " + line)
            continue
        m = _FIELD.match(line.strip())
        name = m.group(1).lower() if m else ""
        if m and name in PER_RECIPIENT_FIELDS:
            # Postfix writes Final- before Original-Recipient, RFC 3464 the other way round.
            done = "status" in current or "action" in current
            starts_new = (name == "final-recipient" and ("final-recipient" in current or done)) or (
                name == "original-recipient" and ("original-recipient" in current or done)
            )
            if starts_new:
                recipients.append(current)
                current = {}
            current[name] = fold(m.group(2))
            last = name
        elif m and (name in PER_MESSAGE_FIELDS or (not current and name.startswith("x-"))):
            per_message.setdefault(name, fold(m.group(2)))
            last = name
        elif last == "diagnostic-code" and not m:
            current[last] = fold(current[last] + " " + line)
        else:
            last = None
    if current:
        recipients.append(current)
    return per_message, [
        r
        for r in recipients
        if "final-recipient" in r or "original-recipient" in r or "x-actual-recipient" in r
    ]


_ACTION_FIX = {"deliverable": "delivered", "expired": "delayed", "failure": "failed"}


def parse_action(value: str | None) -> Action | None:
    """An Action field value as the vocabulary's Action (Sisimai's corrections: expired → delayed)."""
    if not value:
        return None
    word = value.strip().split(" ", 1)[0].strip("();,").lower()
    word = _ACTION_FIX.get(word, word)
    try:
        return Action(word)
    except ValueError:
        return None


def recipient_of(block: dict[str, str]) -> str | None:
    """The recipient of a DSN block: Final-Recipient, else X-Actual-Recipient, else Original-Recipient."""
    for name in ("final-recipient", "x-actual-recipient", "original-recipient"):
        addr = clean_address(block.get(name, ""))
        if addr:
            return addr
    return None


def block_failure(
    block: dict[str, str], *, diagnostic: str | None = None, **options: object
) -> Failure | None:
    """The Failure of one DSN block (None without a recipient); `diagnostic` replaces Diagnostic-Code.

    Extra keyword options go to make_failure and override the block's fields (e.g. action=).
    """
    addr = recipient_of(block)
    if not addr:
        return None
    fields: dict[str, object] = {
        "status": block.get("status"),
        "action": block.get("action"),
        "remote_mta": block.get("remote-mta"),
        "diagnostic": block.get("diagnostic-code", "") if diagnostic is None else diagnostic,
    }
    fields.update({k: v for k, v in options.items() if v is not None})
    return make_failure(addr, **fields)  # type: ignore[arg-type]


def dsn_failures(text: str, *, keep_delivered: bool = False) -> tuple[dict[str, str], list[Failure]]:
    """Failures from DSN text (per-recipient blocks), with the per-message fields.

    Delivered/relayed/expanded recipients are dropped when any other recipient is present
    (a bounce is about the failures), unless keep_delivered.
    """
    per_message, blocks = dsn_fields(text)
    failures = [f for f in (block_failure(b) for b in blocks) if f]
    return per_message, finish(failures, keep_delivered=keep_delivered)


# ----------------------------------------------------------------------------- building failures
_STATUS_FIELD = re.compile(r"\A\s{0,5}([245]\.\d{1,3}\.\d{1,3})\b")


def make_failure(
    address: str,
    *,
    status: str | None = None,
    diagnostic: str = "",
    reply_code: str | None = None,
    action: Action | str | None = None,
    remote_mta: str | None = None,
    phase: Phase | None = None,
    reason_hint: Reason | None = None,
    context: str = "",
) -> Failure:
    """One Failure built the same way by every format.

    - diagnostic: folded, its `smtp;` type removed.
    - status: like Sisimai, a specific code (`[45].[1-9].[1-9]`) found in the diagnostic wins
      over the given one (a block's `Status: 5.0.0` says less than the server's `550 5.1.1`);
      otherwise the given status (when it is a status), else any code in the diagnostic.
    - reply_code: the given one, else the one in the diagnostic.
    - phase: the given one, else stated in the diagnostic, else in `context` (e.g. the paragraph
      around it); remote_mta likewise from the diagnostic or context when not given.
    - action: the given one (RFC 3464 spelling or Action), else `failed` for a 5.X.X status.
    """
    diag = drop_repeated_prefixes(fold(strip_diag_type(diagnostic)))
    given = _STATUS_FIELD.match(status or "")
    given_status = given.group(1) if given else None
    diag_status = find_status(diag)
    if diag_status and SPECIFIC_STATUS.match(diag_status):
        final_status = diag_status
    elif (
        diag_status
        and (not given_status or given_status.endswith(".0.0"))
        and not diag_status.endswith(".0.0")
    ):
        # Status: 5.0.0 with the server's "554 5.6.0": the server's code says more.
        final_status = diag_status
    else:
        final_status = given_status or diag_status
    act = action if isinstance(action, Action) else parse_action(action)
    if act is None and final_status and final_status[0] == "5":
        act = Action.FAILED
    reply = reply_code if reply_code and reply_code[:1] in "2345" else None
    reply = reply or find_reply_code(diag)
    host = clean_host(remote_mta) if remote_mta else None
    host = host or find_remote_mta(diag) or (find_remote_mta(context) if context else None)
    return Failure(
        address=clean_address(address) or address.strip(),
        status=final_status,
        reply_code=reply,
        action=act,
        remote_mta=host,
        diagnostic=diag,
        phase=phase or find_phase(diag) or (find_phase(context) if context else None),
        reason_hint=reason_hint,
    )


def _delivered(f: Failure) -> bool:
    return f.action in (Action.DELIVERED, Action.RELAYED, Action.EXPANDED) or (
        f.action is None and bool(f.status) and f.status[0] == "2"
    )


def finish(failures: Iterable[Failure], *, keep_delivered: bool = False, limit: int = 200) -> list[Failure]:
    """Failures in order, one per recipient (the first wins, later ones fill its empty fields).

    Delivered/relayed/expanded entries are dropped when a real failure is present.
    """
    merged: dict[str, Failure] = {}
    for f in failures:
        key = f.address.lower()
        if key in merged:
            merged[key] = _fill(merged[key], f)
        elif len(merged) < limit:
            merged[key] = f
    out = list(merged.values())
    if not keep_delivered and any(not _delivered(f) for f in out):
        out = [f for f in out if not _delivered(f)]
    return out


def _fill(a: Failure, b: Failure) -> Failure:
    """a with its empty fields taken from b."""
    return Failure(
        address=a.address,
        status=a.status or b.status,
        reply_code=a.reply_code or b.reply_code,
        action=a.action or b.action,
        remote_mta=a.remote_mta or b.remote_mta,
        diagnostic=a.diagnostic or b.diagnostic,
        phase=a.phase or b.phase,
        reason_hint=a.reason_hint or b.reason_hint,
    )


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(index, line) pairs of text, lines right-stripped."""
    for i, line in enumerate(text.split("\n")):
        yield i, line.rstrip()


def original_sender(msg: Message) -> str | None:
    """The original message's sender: X-Postfix-Sender, the attached headers' From/Return-Path."""
    per_message, _ = dsn_fields("\n".join(p.text for p in msg.parts if p.content_type in STATUS_TYPES))
    if per_message.get("x-postfix-sender"):
        return clean_address(per_message["x-postfix-sender"])
    headers = attached_headers(msg)
    for name in ("return-path", "from", "sender"):
        m = re.search(r"^" + name + r":[ \t]{0,20}([^\n]{1,500})", headers, re.I | re.M)
        if m:
            addr = clean_address(m.group(1))
            if addr:
                return addr
    return None


# ----------------------------------------------------------------------------- readable text
_REPLY_LINE = re.compile(r"\A\s{0,8}[45]\d\d[ -]")


def readable_diagnostic(text: str, address: str = "") -> str:
    """The error line(s) of a readable part for one address, when the fields give none.

    Prefers a line that starts with the address (`<a@example.jp>: ...`, `<a@example.jp>... Deferred`),
    else the first line that starts with a reply code (`554 5.0.0 Service unavailable`); indented
    or re-wrapped lines that follow, up to the next blank line, belong to it.
    """
    lines = text.split("\n")
    starts: list[int] = []
    if address:
        low = address.lower()
        starts = [i for i, line in enumerate(lines) if line.lstrip(" <\"'").lower().startswith(low)]
        # Only lines that say more than the address itself.
        starts = [i for i in starts if len(lines[i].strip()) > len(address) + 4 or _continues(lines, i)]
    if not starts:
        starts = [i for i, line in enumerate(lines) if _REPLY_LINE.match(line)][:1]
    if not starts:
        return ""
    i = starts[0]
    out = [lines[i].strip()]
    for line in lines[i + 1 : i + 8]:
        if not line.strip() or (not line[:1].isspace() and _REPLY_LINE.match(line) is None):
            break
        out.append(line.strip())
    return fold(" ".join(out))


def _continues(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and lines[i + 1][:1] in (" ", "\t") and bool(lines[i + 1].strip())


# --- provider helpers ---
# The innermost server reply inside a line that a relay or a mail server wrapped around it.
# Exchange quotes a smart host, which quotes the receiving server; SES and WorkMail append the
# remote reply to their own. The status and reply code that say what happened are the innermost
# ones: `5.1.0 Unknown address error 554-'5.7.1. Relay access denied'` is a relay refusal (554 5.7.1).

# The wrapper's own code at the start, tolerating the "554.5.0.0" people type for "554 5.0.0".
_OUTER = re.compile(r"\A\s{0,5}#?([245]\d\d)(?:[ .-]{1,2}#?([245]\.\d{1,3}\.\d{1,3}))?")
# Exchange: #<exchange.contoso.com #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#
_SMTP_HASH = re.compile(
    r"#<\s{0,3}[^\s#<>]{1,255}\s{1,3}#([245]\.\d{1,3}\.\d{1,3})\s{0,3}(?:smtp\s{0,2};\s{0,3})?([^\n]{0,2000}?)>\s{0,3}(?:#SMTP#|\Z)",
    re.I,
)
# Momentum-style smart hosts: a status, a description, then the remote reply in quotes.
# 5.1.0 Unknown address error 554-'5.7.1. Relay access denied.
# 5.3.0 - Other mail system problem 550-'Unknown user a@docomo.ne.jp' (delivery attempts: 0)
# 5.1.2 - Bad destination host 'DNS Hard Error looking up example.jp (MX): NXDomain' (delivery attempts: 0)
_MOMENTUM = re.compile(
    r"(?<![\w.])([245]\.\d{1,3}\.\d{1,3})\s{0,3}-?\s{0,3}[A-Za-z][A-Za-z ]{2,60}?\s{0,3}(?:([245]\d\d)-?\s{0,2})?'([^\n]{0,2000})"
)
# A reply appended in angle brackets: "554 4.4.7 Message expired: ...<421 4.4.2 Connection timed out>"
_ANGLE = re.compile(r"<\s{0,2}([245]\d\d)[ -]([245]\.\d{1,3}\.\d{1,3})?([^<>\n]{0,500})>")


@dataclass(frozen=True, slots=True)
class Reply:
    """The codes of the reply that counts, and whether they came from inside a wrapper."""

    reply: str | None
    status: str | None
    nested: bool


def unwrap(text: str) -> Reply:
    """The innermost reply code and status of a possibly wrapped server line.

    `#<ex.example.jp #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#` → 530, 5.7.1;
    `554.5.0.0(#5.0.0 smtp;5.1.2 - Bad destination host 'DNS Hard Error ...'` → 554, 5.1.2;
    `550 5.1.1 User unknown` → 550, 5.1.1 (not nested).
    """
    outer = _OUTER.match(text)
    outer_reply = outer.group(1) if outer else find_reply_code(text)
    outer_status = outer.group(2) if outer and outer.group(2) else find_status(text)
    m = _SMTP_HASH.search(text)
    if m:
        inner = m.group(2)
        return Reply(find_reply_code(inner) or outer_reply, find_status(inner) or m.group(1), True)
    m = _MOMENTUM.search(text)
    if m:
        inner_status = find_status(m.group(3))
        status = inner_status or m.group(1)
        if m.group(2) or status != outer_status:
            return Reply(m.group(2) or outer_reply, status, True)
    m = _ANGLE.search(text)
    if m and m.start() > 0:
        return Reply(m.group(1), m.group(2) or find_status(m.group(3)) or outer_status, True)
    return Reply(outer_reply, outer_status, False)


def merge_dsn(found: list[Failure], dsn: list[Failure]) -> list[Failure]:
    """Failures read from a bounce's text, completed by its RFC 3464 fields for the same recipient.

    The text names the refusing server's words and host; the fields add what the text lacks.
    A specific status in the text wins over a generic one in the fields; a text diagnostic that
    is only the bounce's explanation (no code in it) gives way to the fields' Diagnostic-Code.
    A text failure without an address takes the only DSN recipient; recipients only the fields
    name are kept after those of the text.
    """
    if not found:
        return dsn
    by_addr = {f.address.lower(): f for f in dsn}
    out = []
    for f in found:
        d = by_addr.get(f.address.lower()) or (dsn[0] if not f.address and len(dsn) == 1 else None)
        if d:
            coded = bool(find_reply_code(f.diagnostic) or find_status(f.diagnostic))
            generic = not f.status or not SPECIFIC_STATUS.match(f.status)
            f = Failure(
                address=f.address or d.address,
                status=d.status if generic and d.status else f.status,
                reply_code=f.reply_code or d.reply_code,
                action=d.action or f.action,
                remote_mta=f.remote_mta or d.remote_mta,
                diagnostic=f.diagnostic if coded or not d.diagnostic else d.diagnostic,
                phase=f.phase or d.phase,
                reason_hint=f.reason_hint or d.reason_hint,
            )
        out.append(f)
    known = {f.address.lower() for f in out}
    return finish(out + [d for d in dsn if d.address.lower() not in known])


def with_inner_reply(failure: Failure) -> Failure:
    """The failure with the status and reply code of the innermost reply its diagnostic quotes."""
    inner = unwrap(failure.diagnostic)
    if inner.nested:
        return replace(
            failure, status=inner.status or failure.status, reply_code=inner.reply or failure.reply_code
        )
    if inner.reply and not failure.reply_code:
        return replace(failure, reply_code=inner.reply)
    return failure
