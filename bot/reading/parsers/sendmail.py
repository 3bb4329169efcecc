"""Sendmail bounces, V8 ("Returned mail: see transcript for details") and V5 ("Returned mail: ...").

V8 lists the failed addresses, then a transcript of the SMTP session, then a delivery-status
part. V5 has only the transcript: one `554 <a@example.jp>... reason` line per recipient, after
the `While talking to host:` / `>>> command` / `<<< reply` lines of its session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.limits import MAX_RECIPIENTS
from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Action, Phase

_SUBJECTS = ("see transcript for details", "returned mail:", "warning: could not send message for past")
_MARKERS = (
    "----- transcript of session follows -----",
    "----- the following addresses had permanent fatal errors -----",
    "----- the following addresses had transient non-fatal errors -----",
    "----- the following addresses had delivery problems -----",
    "----- unsent message follows -----",
    "... while talking to ",
)
# The dash runs are possessive: backtracking into them cost ~20 s on a line of 4000 dashes and a letter.
_SECTION = lazy(r"\A\s{0,8}-{3,}+\s{0,3}(.{1,80}?)\s{0,3}-{3,}+\s{0,3}\Z")
# <kijitora@example.jp>            then    (reason: 550 5.1.1 <kijitora@example.jp>... User Unknown)
# >>> kijitora@example.org <kijitora@example.org>      (appliances built on sendmail)
# kijitora@example.jp                                       (old sendmail: the bare address)
_LISTED = lazy(
    r"\A\s{0,4}(?:>>>\s{0,3})?(?:(?:[^<>\s]{1,254}@[^<>\s]{1,254}\s{1,3})?<([^<>\s]{1,254}@[^<>\s]{1,254})>"
    r"|([^<>\s(]{1,254}@[^<>\s()]{1,254}))\s{0,3}(?:\((?!reason)[^()]{0,200}\))?\s{0,3}\Z"
)
_REASON = lazy(r"\A\s{0,12}\(reason:\s{0,3}(.{1,2000}?)\)?\s{0,3}\Z", re.IGNORECASE)
# ... while talking to mx.example.jp.:     /  While talking to example.edu:   (V5)
_TALKING = lazy(
    r"\A\s{0,4}(?:\.{3}\s{0,3})?while talking to\s{1,3}(\S{1,255}?)\.?:\s{0,3}\Z", re.IGNORECASE
)
_SENT = lazy(r"\A\s{0,4}>>>\s{0,3}(.{1,1000})\Z")
_RECEIVED = lazy(r"\A\s{0,4}<<<\s{0,3}(.{1,2000})\Z")
# 554 <kijitora@example.ed.jp>... 550 Host unknown      /   <kijitora@example.jp>... Deferred: ...
# kijitora... Deferred: Connection refused by [127.0.0.1]      (a local recipient)
# 550 5.1.1 <kijitora@example.jp>... User unknown
_ADDRESS_ERROR = lazy(
    r"\A\s{0,4}(?:([245]\d\d)\s{1,3}(?:[245]\.\d{1,3}\.\d{1,3}\s{1,3})?)?<?([^<>\s.][^<>\s]{0,254}?)>?\.{3}"
    r"\s{0,3}(.{0,2000})\Z"
)
_HOST_STATUS = lazy(r"\A\s{0,4}[245]\d\d\s{1,3}(\S{1,255}) \((?:e?smtp|local)\)\.{3}")
# Warning: message still undelivered after 4 hours / Will keep trying until message is 8 hours old
# Message could not be delivered for 5 days / Message will be deleted from queue
_QUEUE_NOTE = lazy(
    r"\A\s{0,4}(?:Warning: message still undelivered|Will keep trying until|Message could not be delivered for"
    r"|Message will be deleted from queue|Cannot send message for)",
    re.IGNORECASE,
)
# 550 5.1.1 <kijitora@example.jp>... User unknown   /   421 example.com (smtp)... Deferred: ...
_CODE_LINE = lazy(r"\A\s{0,4}[45]\d\d[ -].{1,2000}\Z")
_MDA_LINE = lazy(
    r"\A\s{0,4}(?:mail\.local|procmail|maildrop|vdelivermail|vdeliver|dovecot):\s", re.IGNORECASE
)
_TO = lazy(r"^to:[ \t]{0,20}([^\n]{1,500})", re.IGNORECASE | re.MULTILINE)
_DELAYED_SECTION = lazy(r"transient non-fatal|warning: could not send|delivery problems", re.IGNORECASE)


@dataclass
class _Transcript:
    """What the session transcript says: per-address lines, replies, other error lines."""

    by_address: dict[str, str] = field(default_factory=dict)
    replies: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    hosts: dict[str, str] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    last_host: str = ""
    text: str = ""

    def about(self, addr: str) -> str:
        """The transcript's line for an address (or its local part), with sendmail's queue notes."""
        own = self.by_address.get(addr) or self.by_address.get(addr.split("@")[0], "")
        return c.fold(" ".join([own, *self.notes])) if own else ""


def detect(msg: Message) -> bool:
    """Sendmail's subjects, or its section lines in the text."""
    return c.subject_or_text_has(msg, _SUBJECTS, _MARKERS)


def _sections(text: str) -> dict[str, list[str]]:
    """Lines under each `----- title -----` heading, by lower-case title ("" before the first)."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in text.split("\n"):
        m = _SECTION.match(line)
        if m:
            current = m.group(1).lower()
            sections.setdefault(current, [])
            continue
        sections[current].append(line.rstrip())
    return sections


def _transcript(lines: list[str]) -> _Transcript:
    """Read the session transcript in order, tying each reply to the address line that follows it."""
    t = _Transcript(text="\n".join(lines))
    host = ""
    command = ""
    pending: list[str] = []  # replies since the last address line
    for line in lines:
        talking = _TALKING.match(line)
        sent = _SENT.match(line)
        received = _RECEIVED.match(line)
        addr_error = _ADDRESS_ERROR.match(line)
        if talking:
            host, command, pending = c.clean_host(talking.group(1)) or "", "", []
            t.last_host = t.last_host or host
        elif sent:
            # >>> RCPT To:<kijitora@example.jp>
            if not sent.group(1).upper().startswith("QUIT"):
                command = sent.group(1)
        elif received:
            # <<< 550 5.1.1 <kijitora@example.jp>... User Unknown
            reply = received.group(1).strip()
            if reply not in t.replies:
                t.replies.append(reply)
            pending.append(reply)
        elif addr_error:
            # 554 <kijitora@example.edu>... Remote protocol error   (V5: add the reply that caused it)
            addr = (c.clean_address(addr_error.group(2)) or addr_error.group(2)).lower()
            own = line.strip()
            text = own + (": " + pending[-1] if pending and pending[-1] not in own else "")
            if addr and addr not in t.by_address:
                t.by_address[addr] = text
                t.hosts[addr] = host
                t.commands[addr] = command
            pending = []
        elif (status := _HOST_STATUS.match(line)) and c.clean_host(status.group(1)) != host:
            # 550 example.or.jp (smtp)... 550 Host unknown   — V5 moved on to another host: the
            # session lines above are not about the addresses that follow.
            host, command, pending = "", "", []
            t.errors.append(line.strip())
        elif _QUEUE_NOTE.match(line):
            t.notes.append(line.strip())
        elif _MDA_LINE.match(line) or _CODE_LINE.match(line):
            # maildrop: maildir over quota.     /   550 5.0.0 <kijitora@example.or.jp>... Insufficient permission
            t.errors.append(line.strip())
    return t


def _listed(lines: list[str]) -> dict[str, str]:
    """Address → its `(reason: ...)` text from the list of failed addresses."""
    found: dict[str, str] = {}
    current = ""
    wrapped = False  # the reason's closing parenthesis is still to come
    for line in lines:
        m = _LISTED.match(line)
        reason = _REASON.match(line)
        if m:
            current = c.clean_address(m.group(1) or m.group(2)) or ""
            if current:
                found.setdefault(current, "")
            wrapped = False
        elif reason and current:
            found[current] = reason.group(1)
            wrapped = not line.rstrip().endswith(")")
        elif wrapped and line.strip():
            # "(reason: 450 4.7.1 Service" / "unavailable; Client host ... blocked)": a client wrapped it.
            found[current] += " " + line.strip().removesuffix(")")
            wrapped = not line.rstrip().endswith(")")
        else:
            wrapped = False
    return found


def parse(msg: Message) -> Bounce | None:
    """Failures from the delivery-status fields, the address list, or the V5 transcript lines."""
    readable = c.readable_text(msg)
    sections = _sections(readable)
    transcript = _transcript(sections.get("transcript of session follows", []))
    listed: dict[str, str] = {}
    delayed = False
    for title, lines in sections.items():
        if title.startswith("the following addresses had"):
            listed.update(_listed(lines))
            delayed = delayed or bool(_DELAYED_SECTION.search(title))
    delayed = delayed or bool(_DELAYED_SECTION.search(msg.subject))
    per_message, blocks = c.dsn_fields(c.status_text(msg))
    joined = _remote_words(transcript)
    everything = " ".join(transcript.errors + transcript.notes)
    failures: list[Failure] = []
    # What the transcript says of an address is a pass over it: read once per address, and not
    # for a block without a recipient (no failure) or an address past the recipient limit
    # (finish() drops it).
    said: dict[str, tuple[str, str, Phase | None]] = {}
    for block in blocks:
        addr = (c.recipient_of(block) or "").lower()
        if not addr or (addr not in said and len(said) >= MAX_RECIPIENTS):
            continue
        if addr not in said:
            own = c.fold(" ".join(r for r in transcript.replies if addr in r.lower()))
            said[addr] = (transcript.about(addr), own, _phase(transcript, addr))
        about, own, phase = said[addr]
        diag = block.get("diagnostic-code", "")
        body = diag.split(";", 1)[-1].strip()
        if not body or body.isdigit():
            # Diagnostic-Code: X-Unix; 77  — the transcript says what went wrong.
            diag = about or listed.get(addr) or everything
        else:
            # The server's own replies say more than the summary: those naming this address,
            # or all of them when the bounce is about one recipient.
            longer = own or (joined if len(blocks) == 1 else "")
            diag = longer if len(longer) > len(body) else diag
        host = None if block.get("remote-mta") else transcript.hosts.get(addr) or transcript.last_host
        failure = c.block_failure(block, diagnostic=diag, phase=phase, remote_mta=host)
        if failure:
            failures.append(failure)
    if not failures:
        failures = _without_fields(msg, readable, transcript, listed, joined)
    action = Action.DELAYED if delayed else None
    if action:
        failures = [f if f.action else _with_action(f, action) for f in failures]
    return c.bounce_of("sendmail", msg, failures, per_message)


_SENT_ANY = lazy(r"^\s{0,4}>>>", re.MULTILINE)
_NEED_RCPT = lazy(r"\A503\b|need rcpt|no valid recipients|rcpt commands were rejected", re.IGNORECASE)


def _phase(transcript: _Transcript, addr: str) -> Phase | None:
    """The command the refusal answered; with PIPELINING, a `503 need RCPT` after DATA means RCPT."""
    if addr in transcript.commands:
        # The transcript's own line for this address: the command sent in its session, if any.
        command = transcript.commands[addr]
        phase = c.find_phase(">>> " + command) if command else None
    else:
        phase = c.find_phase(transcript.text)
    if phase is None and transcript.replies and not _SENT_ANY.search(transcript.text):
        # ... while talking to mx.example.jp.: / <<< 554 5.7.1 mx.example.jp ESMTP not accepting
        # connections: a reply before any command is the greeting, a refused connection.
        return Phase.CONNECT
    if phase is Phase.DATA and any(_NEED_RCPT.search(r) for r in transcript.replies):
        # >>> DATA / <<< 550 5.1.1 <a@example.jp>... User Unknown / <<< 503 5.0.0 Need RCPT (recipient)
        return Phase.RCPT
    return phase


def _with_action(f: Failure, action: Action) -> Failure:
    return c.make_failure(
        f.address,
        status=f.status,
        diagnostic=f.diagnostic,
        reply_code=f.reply_code,
        action=action,
        remote_mta=f.remote_mta,
        phase=f.phase,
    )


def _joined(about: str, reason: str) -> str:
    """The transcript's line for an address, with the listed reason when it says more (a line cut by a wrap)."""
    if not about or not reason or c.fold(reason) in c.fold(about):
        return about or reason
    return about + " " + reason


def _remote_words(transcript: _Transcript) -> str:
    """The remote server's replies in the transcript, a multi-line reply joined (552-... 552 ...).

    A `503 need RCPT` that follows a refusal is its consequence: left out when other replies speak.
    """
    replies = [r for r in transcript.replies if r[:1] in "45"]
    causes = [r for r in replies if not _NEED_RCPT.search(r)]
    return c.fold(" ".join(causes or replies))


def _without_fields(
    msg: Message, readable: str, transcript: _Transcript, listed: dict[str, str], remote: str
) -> list[Failure]:
    """No delivery-status part (V5, or a paste without it): the list, then the transcript lines.

    Sendmail's own summary ("(reason: 554 5.0.0 Service unavailable)") says less than the remote's
    `<<<` replies it summarises: with one recipient, or replies that name it, those are its words.
    """
    failures: list[Failure] = []
    addresses = list(listed) or [a for a in transcript.by_address if "@" in a]
    for addr in addresses:
        low = addr.lower()
        diag = _joined(transcript.about(low), listed.get(addr, "")) or " ".join(
            transcript.errors + transcript.notes
        )
        own = c.fold(" ".join(r for r in transcript.replies if low in r.lower()))
        longer = own or (remote if len(addresses) == 1 else "")
        if len(longer) > len(diag) and not transcript.by_address.get(low):
            diag = longer
        failures.append(
            c.make_failure(
                addr,
                diagnostic=diag,
                remote_mta=transcript.hosts.get(low) or None,
                phase=_phase(transcript, low),
            )
        )
    if not failures and transcript.errors:
        # 421 example.com (smtp)... Deferred: Connection timed out   — only the returned copy names the recipient.
        unsent = readable.lower().find("unsent message follows")
        m = _TO.search(readable[unsent:] if unsent >= 0 else "") or _TO.search(
            "\n".join(p.text for p in msg.parts if p.content_type.startswith(("message/", "text/rfc822")))
        )
        addr = c.clean_address(m.group(1)) if m else None
        if addr:
            failures.append(c.make_failure(addr, diagnostic=" ".join(transcript.errors)))
    return failures
