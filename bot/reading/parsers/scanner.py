"""The last resort: pasted one-liners and fragments no format claimed.

It needs evidence that the text reports a failure (an SMTP reply line, an enhanced status code,
or a failure phrase), then finds the recipients (addresses in recipient phrases, `<a>:` lines,
reply lines; else any address near the evidence; else the attached original's To:) and gives
each the error line(s) that concern it. A text that only names an address is no bounce.
"""

from __future__ import annotations

import bisect
import re

from bot.limits import MAX_RECIPIENTS
from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers._common import (
    ADDRESS,
    attached_headers,
    clean_address,
    find_reply_code,
    find_status,
    finish,
    fold,
    make_failure,
    paragraph_after,
    readable_text,
)
from bot.reading.parsers._refusal import names_a_cause, says_failure, server_said

# A reply line: "550 5.1.1 <a@example.jp>: Recipient address rejected", "550-5.7.1 ...",
# "host mx.example.jp[192.0.2.1] said: 550 ...", "smtp; 550 ...", "Remote host said: 554 ..."
_REPLY_LINE = lazy(r"(?:\A|said:|\bsmtp;|\]:|\):|:)\s{0,8}[45][0-5]\d(?:[ -]|\Z)", re.IGNORECASE)
_STATUS_ANY = lazy(r"[45](?<![\w.][45])\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)")
# Addresses after these phrases are recipients (after Sisimai's fallback list).
_RECIPIENT_CUE = lazy(
    r"(?:\brecipient(?: address)?:|\baddress:|\baddressed to|could not be delivered to:?|\bdelivered to\b"
    r"|delivery failed:|did not reach the following recipient:?|error-for:|failed recipient:|failed to deliver to"
    r"|intended recipient:|mailbox is full:|\brcpt to:|rejected recipient|returned permanent errors:"
    r"|following message to|unknown user:|undeliverable to|undeliverable address:|you sent mail to"
    r"|your message to|wasn't delivered to|was not delivered to|delivering your message to|\bto:"
    r"|宛先(?:アドレス)?[:：]?|受信者[:：]?)"
    r"\s{0,5}[\"'<(]{0,2}\s{0,2}$",
    re.IGNORECASE,
)
# Addresses after these phrases are the sender's, not a recipient's.
_SENDER_CUE = lazy(
    r"(?:\bfrom:?|\bsender(?: address)?:?|mail from:|return-path:|reply-to:|envelope-from|sender address|"
    r"domain of sender address|smtp\.mailfrom=|header\.from=)\s{0,5}[\"'<(]{0,2}\s{0,2}$",
    re.IGNORECASE,
)
# Where the attached original begins: nothing after it is the bounce's own text.
_STOP = lazy(
    r"\A\s{0,4}(?:-{2,}\s{0,3})?(?:original message|forwarded message|the original message(?! was received)|headers of"
    r"|original message follows|below (?:this line )?is a copy of|a copy of the original message"
    r"|content-type:\s{0,3}(?:message/rfc822|text/rfc822-headers)|here is a copy of the first part"
    r"|元のメッセージ|オリジナルメッセージ)",
    re.IGNORECASE,
)
# An unindented line that begins a statement of its own: a field, a rule line, a reply code.
_NEW_STATEMENT = lazy(r"\A(?:[A-Z][\w-]{1,30}:\s|-{2,}|\*{2,}|={2,}|#{2,}|[45]\d\d[ -])")
# A markup line: a tag name (letters, digits, '-') then a space, '/' or '>'. "<localhost.localdomain>:
# Helo command rejected" is a server's reply quoting a host name, not markup.
_HTML_LINE = lazy(r"\A\s{0,40}</?[A-Za-z!][A-Za-z0-9-]{0,30}(?:[\s/>]|\Z)[^@\n]{0,2000}\Z")
_LEAD_ADDRESS = lazy(
    r"\A\s{0,8}[<\"']{0,2}([^\s<>\"']{1,254}@[^\s<>\"']{1,254}?)[>\"']{0,2}\s{0,3}(?::|\.\.\.|\s-\s|\()"
)
# The header lines a mail client shows above a message it forwards or displays (en and ja Outlook).
_CLIENT_HEADER = lazy(
    r"\A\s{0,4}(?:From|To|Cc|Sent|Date|Subject|差出人|送信者|送信日時|日付|宛先|件名|CC)\s{0,3}[:：]",
    re.IGNORECASE,
)
_TO = lazy(r"^to:[ \t]{0,20}([^\n]{1,500})", re.IGNORECASE | re.MULTILINE)
_SKIP_LOCAL = ("mailer-daemon", "postmaster-noreply", "no-reply", "noreply")


def detect(msg: Message) -> bool:
    """Any text with a reply line, an enhanced status code or a failure phrase."""
    text = msg.text[:200000]
    return bool(
        _STATUS_ANY.search(text)
        or _reply_lines(text.split("\n"))
        or says_failure(text[:20000])
        or server_said(text[:20000])
    )


def _reply_lines(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if _REPLY_LINE.search(line)]


def _body_lines(msg: Message) -> list[str]:
    """The bounce's own lines: up to the attached original, without HTML markup lines."""
    out: list[str] = []
    for line in (readable_text(msg) or msg.text).split("\n"):
        if _STOP.match(line):
            break
        if _HTML_LINE.match(line) and "@" not in line:
            continue
        out.append(line.rstrip())
    return out


def _evidence(line: str) -> bool:
    return bool(
        _REPLY_LINE.search(line)
        or _STATUS_ANY.search(line)
        or says_failure(line)
        or server_said(line)
    )


def _bounce_parties(msg: Message, lines: list[str]) -> set[str]:
    """Addresses of the bounce's own sender and recipient: never a failed recipient.

    Those of its headers (From, To, Return-Path...), and those of the header block a mail client
    shows above a forwarded or pasted bounce ("差出人: ... / 宛先: ... / 件名: ...", "From: / To: / Subject:").
    """
    found: set[str] = set()
    for name in ("from", "to", "return-path", "reply-to", "sender"):
        for m in ADDRESS.finditer(msg.header(name)):
            found.add(m.group(1).lower())
    block: list[str] = []
    for line in lines[:40]:
        if not line.strip():
            if block:
                break
            continue
        if not _CLIENT_HEADER.match(line) and not (block and line[:1] in " \t"):
            break
        block.append(line)
    if sum(1 for line in block if _CLIENT_HEADER.match(line)) >= 3:
        found.update(m.group(1).lower() for line in block for m in ADDRESS.finditer(line))
    return found


def _candidates(lines: list[str], skip: set[str]) -> list[tuple[str, int, int]]:
    """(address, line index, rank) for every address, ranked: 0 recipient cue, 1 reply line, 2 other."""
    found: list[tuple[str, int, int]] = []
    for i, line in enumerate(lines):
        for m in ADDRESS.finditer(line):
            addr = clean_address(m.group(1))
            if not addr or addr.lower() in skip or addr.split("@")[0].lower() in _SKIP_LOCAL:
                continue
            before = line[max(0, m.start() - 60) : m.start()]
            if _SENDER_CUE.search(before):
                continue
            if _RECIPIENT_CUE.search(before) or (_LEAD_ADDRESS.match(line) and m.start() < 10):
                rank = 0
            elif _evidence(line):
                rank = 1
            else:
                rank = 2
            found.append((addr, i, rank))
    return found


def _diagnostic_for(lines: list[str], index: int, evidence: list[int]) -> str:
    """The error text for an address found on line `index`."""
    line = lines[index]
    lead = _LEAD_ADDRESS.match(line)
    own = ""
    if _evidence(line) or (lead and line[lead.end() :].strip()):
        # <a@example.jp>: host mx.example.jp[192.0.2.1] said: 550 5.1.1 ...  (plus wrapped lines)
        own = fold(_wrapped_before(lines, index) + " " + _with_continuation(lines, index))
        if _has_code(own):
            return own
    # 次の宛先へのメールは配信できませんでした: a@example.jp   then, on its own line:  550 5.1.1 User unknown
    # Evidence a few lines below (sorted: bisect, not a pass over all of it for each address).
    below = evidence[bisect.bisect_right(evidence, index) : bisect.bisect_right(evidence, index + 12)]
    after = [i for i in below if _same_paragraph_or_next(lines, index, i)]
    coded = [i for i in after if _has_code(lines[i])]
    if coded:
        return fold(own + " " + _with_continuation(lines, coded[0]))
    if own:
        return own
    if after:
        return _with_continuation(lines, after[0])
    return _with_continuation(lines, evidence[0]) if evidence else ""


def _near(evidence: list[int], index: int, distance: int) -> bool:
    """Whether a sorted list of line numbers has one within `distance` lines of `index`."""
    at = bisect.bisect_left(evidence, index - distance)
    return at < len(evidence) and evidence[at] <= index + distance


def _wrapped_before(lines: list[str], index: int) -> str:
    """The start of a statement a wrap cut right before the address line, when the line above ends with a code."""
    # "... The server responded: 554 5.7.1" / "<a@example.jp>: Relay access denied'"
    if index == 0 or not _ENDS_WITH_CODE.search(lines[index - 1]):
        return ""
    start = index - 1
    while start > max(0, index - 6) and lines[start - 1].strip() and not _LEAD_ADDRESS.match(lines[start]):
        start -= 1
    return " ".join(line.strip() for line in lines[start:index])


def _has_code(text: str) -> bool:
    return bool(find_status(text) or find_reply_code(text))


def _same_paragraph_or_next(lines: list[str], start: int, end: int) -> bool:
    blanks = sum(1 for line in lines[start:end] if not line.strip())
    return blanks <= 2 and end - start <= 12


_ENDS_WITH_CODE = lazy(r"(?:\b[245]\d\d|[245]\.\d{1,3}\.\d{1,3})\s{0,3}\Z")


def _with_continuation(lines: list[str], index: int) -> str:
    """A line and the lines that continue it (indented, or wrapped without a blank line), at most 8."""
    out = [lines[index].strip()]
    for line in lines[index + 1 : index + 9]:
        if not line.strip() or (line[:1] not in " \t" and _starts_new(line)):
            break
        # "... said: 550 5.1.1" then "<a@example.jp>: Recipient address rejected": a wrap, not a new entry.
        if _LEAD_ADDRESS.match(line) and not _ENDS_WITH_CODE.search(out[-1]):
            break
        out.append(line.strip())
    return fold(" ".join(out))


def _starts_new(line: str) -> bool:
    """An unindented line that begins a new statement rather than continuing the one before."""
    return bool(_NEW_STATEMENT.match(line))


def _asks(lines: list[str]) -> bool:
    """The text asks a question (a person's message, not a server's report)."""
    return any("?" in line or "？" in line for line in lines)


def _coded(line: str) -> bool:
    """A line with a reply code, an enhanced status or a refusing server's own words."""
    return bool(_REPLY_LINE.search(line) or _STATUS_ANY.search(line) or server_said(line))


def parse(msg: Message) -> Bounce | None:
    """Failures found by addresses and error lines anywhere in the text."""
    lines = _body_lines(msg)
    evidence = [i for i, line in enumerate(lines) if _evidence(line)]
    if not evidence:
        return None
    found = _candidates(lines, _bounce_parties(msg, lines))
    best = min((rank for _, _, rank in found), default=None)
    if best == 2:
        # Plain addresses only count when they sit near an error line.
        found = [c for c in found if _near(evidence, c[1], 6)]
    if found and _asks(lines) and not any(_coded(lines[i]) for i in evidence):
        # A question that only mentions words of a failure ("前に「User unknown」で戻ってきたので、
        # x@example.jp に送れるか見てもらえますか？") reports none: the words must be about the address.
        on_evidence = set(evidence)
        found = [c for c in found if c[1] in on_evidence]
    chosen = [c for c in found if c[2] == best] if best is not None and best < 2 else found
    failures: list[Failure] = []
    # The failure depends on the address and its line only: an address repeated on one line, or
    # one past the recipient limit, would cost a diagnostic that finish() then drops.
    done: set[tuple[str, int]] = set()
    names: set[str] = set()
    for addr, index, _ in chosen:
        key = addr.lower()
        if (key, index) in done or (key not in names and len(names) >= MAX_RECIPIENTS):
            continue
        done.add((key, index))
        names.add(key)
        diag = _diagnostic_for(lines, index, evidence)
        # The lines from the address on show the session ("mx [ip]:", ">>> RCPT TO:<a>", "<<< 550 ...").
        context = "\n".join(paragraph_after(lines, index, limit=10)) + "\n" + diag
        failures.append(make_failure(addr, diagnostic=diag, context=context))
    if not failures:
        # Nothing names a recipient: the attached original's To: does, when the error is clear.
        m = _TO.search(attached_headers(msg))
        addr = clean_address(m.group(1)) if m else None
        # A reply line that says more than a number: an enhanced status, failure words or words
        # that name a cause with it ("550 Invalid Recipient - <url>"); or a reply quoted inside a
        # sentence, an enhanced status with such words (「エラーは『552 5.2.2 Mailbox full』です」).
        coded = [
            i
            for i in evidence
            if (
                _REPLY_LINE.search(lines[i])
                and (find_status(lines[i]) or says_failure(lines[i]))
            )
            or (find_status(lines[i]) and names_a_cause(lines[i]))
        ]
        said = [i for i in evidence if server_said(lines[i])]
        if addr and any(_has_code(lines[i]) for i in evidence):
            failures.append(make_failure(addr, diagnostic=_with_continuation(lines, evidence[0])))
        elif (coded or said) and not found:
            # A server's reply pasted without any address ("550 5.1.2 <受信者のメールアドレス>: ...
            # Domain not found"), or only its words ("Sender address rejected: Domain not found"):
            # still a failure to explain, for a recipient nobody named. A page quoting several
            # refusals gets one unnamed recipient per refusal (by status), not one merged.
            return Bounce(format="scanner", failures=_unnamed(lines, coded or said))
    if not failures:
        return None
    return Bounce(format="scanner", failures=tuple(finish(failures)))


def _unnamed(lines: list[str], indexes: list[int], *, limit: int = 5) -> tuple[Failure, ...]:
    """Failures without an address, one per distinct refusal (its status, else its words)."""
    seen: set[str] = set()
    out: list[Failure] = []
    for i in indexes:
        diag = _with_continuation(lines, i)
        key = find_status(diag) or diag
        if key not in seen and len(out) < limit:
            seen.add(key)
            out.append(make_failure("", diagnostic=diag))
    return tuple(out)
