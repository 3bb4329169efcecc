"""A diagnosis packed into a Slack button value (≤ 2000 chars), so the answer can be re-rendered later.

Re-rendering in the other language needs the same facts, not a new analysis: re-running would
query DNS again (and might say something else), and a slash command's text is kept nowhere.
So the buttons carry what the answer shows: recipients, DNS facts and cause ids, as compact
JSON, zlib-compressed and base64url-encoded. Causes are looked up again by id, so the words
come from knowledge/ in whichever language is asked for. When a huge bounce does not fit,
the tail is dropped level by level (fewer recipients, shorter server lines), never the main one.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from bot.models import (
    Cause,
    CodeQuery,
    Diagnosis,
    DomainReport,
    Failure,
    IpReport,
    MxHost,
    Problem,
    RecipientResult,
)
from bot.reading.codes import lookup
from bot.reading.knowledge import knowledge
from bot.vocab import Action, Kind, Phase, ProblemId, Reason, Responsible, Severity

VALUE_LIMIT = 2000  # Slack's limit on a button's value
VERSION = "1"
_MAX_RAW = 256 * 1024  # what a 2000-char value may inflate to; more is not ours
# Each level keeps: recipients, characters of a server line, domains, MX hosts, addresses per host.
_LEVELS: tuple[tuple[int, int, int, int, int], ...] = (
    (25, 1000, 10, 10, 4),
    (10, 400, 5, 5, 2),
    (4, 200, 3, 3, 1),
    (1, 120, 1, 2, 1),
    (1, 60, 0, 0, 0),
)


class BadState(ValueError):
    """A button value that is not one of ours (or from an incompatible version)."""


def pack(d: Diagnosis, *, limit: int = VALUE_LIMIT) -> str:
    """The diagnosis as a button value of at most `limit` characters."""
    for level in _LEVELS:
        value = _encode(_tree(d, *level))
        if len(value) <= limit:
            return value
    code = [d.code.reply_code, d.code.status, d.code.marker, ""] if d.code else None
    return _encode({"k": str(d.kind), "c": d.cause.id if d.cause else None, "e": d.error, "q": code})


def unpack(value: str) -> Diagnosis:
    """The diagnosis a button value carries; BadState when it is not ours."""
    version, _, body = value.partition(":")
    if version != VERSION:
        raise BadState("unknown state version")
    try:
        raw = zlib.decompressobj().decompress(base64.urlsafe_b64decode(body.encode("ascii")), _MAX_RAW)
        tree = json.loads(raw)
        return _diagnosis(tree)
    except (ValueError, KeyError, TypeError, IndexError, zlib.error) as e:
        raise BadState(type(e).__name__) from None


def _encode(tree: dict[str, Any]) -> str:
    raw = json.dumps(tree, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return VERSION + ":" + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii")


def _tree(d: Diagnosis, recipients: int, chars: int, domains: int, hosts: int, addrs: int) -> dict[str, Any]:
    """The parts of a diagnosis an answer shows, with short keys, cut to one level's bounds."""
    return {
        "k": str(d.kind),
        "c": d.cause.id if d.cause else None,
        "r": d.responsible,
        "f": d.format,
        "e": d.error,
        "R": [_recipient(r, chars) for r in d.recipients[:recipients]],
        "D": [_domain(x, hosts, addrs) for x in d.domains[:domains]],
        "q": [d.code.reply_code, d.code.status, d.code.marker, d.code.text[:chars]] if d.code else None,
        "I": [[x.ip, [_problem(p) for p in x.problems]] for x in d.ips[:domains]],
    }


def _problem(p: Problem) -> list[Any]:
    return [p.id, p.severity, p.subject, p.value, p.answer]


def _unproblem(row: list[Any]) -> Problem:
    # Values packed before `answer` existed have four items.
    i, s, sj, v, *rest = row
    return Problem(id=ProblemId(i), severity=Severity(s), subject=sj, value=v, answer=rest[0] if rest else "")


def _recipient(r: RecipientResult, chars: int) -> list[Any]:
    f = r.failure
    return [
        f.address,
        f.status,
        f.reply_code,
        f.action,
        f.remote_mta,
        f.diagnostic[:chars],
        f.phase,
        f.reason_hint,
        r.reason,
        r.responsible,
        r.cause.id,
    ]


def _domain(x: DomainReport, hosts: int, addrs: int) -> list[Any]:
    mx = [[m.preference, m.host, list(m.addresses[:addrs])] for m in x.mx[:hosts]]
    problems = [_problem(p) for p in x.problems]
    return [
        x.domain,
        x.ascii,
        x.exists,
        mx,
        problems,
        list(x.suggestions),
        x.spf,
        x.dmarc,
        x.complete,
        x.dmarc_domain,
    ]


def _cause(cause_id: str | None, reason: Reason | None = None) -> Cause | None:
    """A cause by id; a reason's default when knowledge/ no longer has that id."""
    if cause_id is None:
        return None
    try:
        return knowledge().cause(cause_id)
    except KeyError:
        return knowledge().default_cause(reason or Reason.UNDEFINED)


def _opt(kind: type, value: Any) -> Any:
    return None if value is None else kind(value)


def _diagnosis(t: dict[str, Any]) -> Diagnosis:
    recipients = tuple(
        RecipientResult(
            failure=Failure(
                address=a,
                status=st,
                reply_code=rc,
                action=_opt(Action, ac),
                remote_mta=mta,
                diagnostic=diag or "",
                phase=_opt(Phase, ph),
                reason_hint=_opt(Reason, hint),
            ),
            reason=Reason(reason),
            responsible=Responsible(resp),
            cause=_cause(cid, Reason(reason)),
        )
        for a, st, rc, ac, mta, diag, ph, hint, reason, resp, cid in t.get("R", ())
    )
    domains = tuple(
        DomainReport(
            domain=name,
            ascii=ascii_,
            exists=exists,
            mx=tuple(MxHost(preference=p, host=h, addresses=tuple(ad)) for p, h, ad in mx),
            problems=tuple(_unproblem(row) for row in pr),
            suggestions=tuple(sug),
            spf=spf,
            dmarc=dmarc,
            complete=complete,
            dmarc_domain=more[0] if more else None,
        )
        for name, ascii_, exists, mx, pr, sug, spf, dmarc, complete, *more in t.get("D", ())
    )
    ips = tuple(IpReport(ip, tuple(_unproblem(row) for row in pr)) for ip, pr in t.get("I", ()))
    main_reason = recipients[0].reason if recipients else None
    code = CodeQuery(*t["q"]) if t.get("q") else None
    if code is not None:  # a code lookup's cause is built from the codes, not stored under an id
        return Diagnosis(kind=Kind.CODE, cause=lookup(code), code=code, responsible=_opt(Responsible, t.get("r")))
    return Diagnosis(
        kind=Kind(t["k"]),
        recipients=recipients,
        domains=domains,
        ips=ips,
        cause=_cause(t.get("c"), main_reason),
        responsible=_opt(Responsible, t.get("r")),
        format=t.get("f"),
        error=t.get("e"),
    )
