"""RFC 3464 delivery-status fields: per-message and per-recipient blocks, and their Failures."""

from __future__ import annotations

import functools

from bot.models import Failure
from bot.reading.lazyre import lazy
from bot.reading.parsers._address import clean_address
from bot.reading.parsers._codes import SPECIFIC_STATUS, find_reply_code, find_status
from bot.reading.parsers._failure import finish, make_failure
from bot.reading.parsers._text import fold

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
_KNOWN_FIELDS = PER_MESSAGE_FIELDS | PER_RECIPIENT_FIELDS
_FIELD = lazy(r"\A([A-Za-z][A-Za-z0-9-]{1,40}):[ \t]{0,20}(.{0,4000})\Z")


def dsn_fields(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Per-message fields and per-recipient field dicts (lower-case names, folded values) of DSN text.

    A new recipient starts at a blank line after recipient fields, or when Final-Recipient (or
    Original-Recipient) repeats without one, so pastes that lost blank lines still split. Indented
    lines continue the field before, and so does an unindented line that is not a known field
    (mail clients re-wrap long lines). Text that is not a field is ignored.
    """
    # A format's parse and original_sender read the same status text: the reading is kept for
    # the last few texts, and every caller gets its own dicts.
    per_message, recipients = _dsn_fields(text)
    return dict(per_message), [dict(r) for r in recipients]


@functools.lru_cache(maxsize=8)
def _dsn_fields(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """dsn_fields' reading, cached (its dicts are never handed out)."""
    per_message: dict[str, str] = {}
    recipients: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last: str | None = None
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            if current:
                recipients.append(current)
                current = {}
            last = None
            continue
        if line[:1] in (" ", "\t") and last:
            _continue(current if last in current else per_message, last, line)
            continue
        m = _FIELD.match(stripped) if ":" in stripped else None  # most lines of a report are not fields
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
        elif last and (not m or name not in _KNOWN_FIELDS):
            # A line a mail client broke off the field before ("Final-Recipient: RFC822;" then the address).
            _continue(current if last in current else per_message, last, line)
        else:
            last = None
    if current:
        recipients.append(current)
    return per_message, [
        r
        for r in recipients
        if "final-recipient" in r or "original-recipient" in r or "x-actual-recipient" in r
    ]


def _continue(fields: dict[str, str], name: str, line: str) -> None:
    """Append a continuation line to a folded value: folding only the new line keeps long runs linear."""
    fields[name] = " ".join(v for v in (fields.get(name, ""), fold(line)) if v)


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
