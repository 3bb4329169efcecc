"""A diagnosis as the contract's JSON object (shared/CONTRACT.md): these keys stay, more may come."""

from __future__ import annotations

from bot.dnscheck.problems import describe, evidence_notes
from bot.models import Cause, CodeQuery, Diagnosis, DomainReport, IpReport, Problem, RecipientResult
from bot.render.messages import error_text
from bot.render.usermessage import fill, user_message
from bot.vocab import Lang

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any


def to_dict(d: Diagnosis, lang: Lang) -> dict[str, Any]:
    """The contract's object for one analysed text, texts in `lang`."""
    main = d.main
    return {
        "source": d.source,
        "kind": str(d.kind),
        "reason": str(main.reason) if main else None,
        # The contract: those of the main failed recipient, null when there is none (a domain
        # check's side is in cause.responsible).
        "responsible": str(main.responsible) if main else None,
        "recipients": [recipient(r) for r in d.recipients],
        "cause": cause(d.cause, lang, user_text=user_message(d, lang)) if d.cause else None,
        "domains": [domain(r, lang) for r in d.domains],
        "ips": [ip(x, lang) for x in d.ips],
        "error": d.error,
        # Where today's DNS and the bounce differ, and what the user probably meant (staff's words).
        "notes": list(evidence_notes(d, lang)),
        # Additions the contract allows: the parser that read it, the error in words.
        "format": d.format,
        "error_message": error_text(d.error, lang, path=d.source, name=d.source) if d.error else None,
        # kind "none": why there was nothing to tell (the text was read and analysed).
        "note": d.note,
        "note_message": error_text(d.note, lang) if d.note else None,
        # kind "code": the codes looked up (their meaning is in cause).
        "code": code(d.code) if d.code else None,
    }


def code(q: CodeQuery) -> dict[str, Any]:
    """The codes a code lookup was asked about."""
    return {"reply_code": q.reply_code, "status": q.status, "provider_code": q.marker, "label": q.label}


def recipient(r: RecipientResult) -> dict[str, Any]:
    """One recipient's facts and verdict."""
    f = r.failure
    return {
        "address": f.address,
        "status": f.status,
        "reply_code": f.reply_code,
        "reason": str(r.reason),
        "responsible": str(r.responsible),
        "action": str(f.action) if f.action else None,
        "remote_mta": f.remote_mta,
        "diagnostic": f.diagnostic,
        "phase": str(f.phase) if f.phase else None,
        "cause_id": r.cause.id,
        "rule": r.rule,
    }


def cause(c: Cause, lang: Lang, *, user_text: str | None = None) -> dict[str, Any]:
    """A cause's id and words in one language, with its responsible side (user_text: the filled message)."""
    words = c.text(lang)
    return {
        "id": c.id,
        "title": words.title,
        "explanation": words.explanation,
        "user_message": fill(words.user_message, {}) if user_text is None else user_text,
        "admin_steps": list(words.admin_steps),
        "responsible": str(c.responsible),
        "reason": str(c.reason) if c.reason else None,
        "common_causes": list(words.common_causes),
    }


def domain(r: DomainReport, lang: Lang) -> dict[str, Any]:
    """One domain's DNS facts."""
    return {
        "domain": r.domain,
        "ascii": r.ascii,
        "exists": r.exists,
        "mx": [{"preference": m.preference, "host": m.host, "addresses": list(m.addresses)} for m in r.mx],
        "problems": [problem(p, lang) for p in r.problems],
        "suggestions": list(r.suggestions),
        "spf": r.spf,
        "dmarc": r.dmarc,
        "dmarc_domain": r.dmarc_domain,
        "complete": r.complete,
    }


def ip(x: IpReport, lang: Lang) -> dict[str, Any]:
    """An IP address the bounce names as refused, with the blocklists' answers."""
    return {"ip": x.ip, "problems": [problem(p, lang) for p in x.problems]}


def problem(p: Problem, lang: Lang) -> dict[str, Any]:
    """A DNS problem with its detail in words."""
    return {
        "id": str(p.id),
        "severity": str(p.severity),
        "subject": p.subject,
        "value": p.value,
        "detail": describe(p, lang),
    }
