"""Building Failures the same way in every format: status, reply code, phase and action derived alike."""

from __future__ import annotations

from collections.abc import Iterable

from bot.models import Failure
from bot.reading.lazyre import lazy
from bot.reading.parsers import _codes as codes
from bot.reading.parsers._address import clean_address
from bot.reading.parsers._text import drop_repeated_prefixes, fold, strip_diag_type
from bot.vocab import Action, Phase, Reason

# ----------------------------------------------------------------------------- building failures
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


_STATUS_FIELD = lazy(r"\A\s{0,5}([245]\.\d{1,3}\.\d{1,3})\b")


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
    diag_status = codes.find_status(diag)
    if diag_status and codes.SPECIFIC_STATUS.match(diag_status):
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
    reply = reply or codes.find_reply_code(diag)
    host = codes.clean_host(remote_mta) if remote_mta else None
    host = host or codes.find_remote_mta(diag) or (codes.find_remote_mta(context) if context else None)
    return Failure(
        address=clean_address(address) or address.strip(),
        status=final_status,
        reply_code=reply,
        action=act,
        remote_mta=host,
        diagnostic=diag,
        phase=phase or codes.find_phase(diag) or (codes.find_phase(context) if context else None),
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
