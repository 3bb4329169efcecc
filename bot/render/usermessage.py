"""The message for the end user, filled in for one diagnosis: the address, domain and suggestion it names.

A cause's `user_message` in knowledge/causes/ is a template. `{address}`, `{domain}` and
`{suggestion}` stand for the main failed address, its domain (or the domain checked) and the
best spelling suggestion of the DNS report. Every field sits inside an optional segment:
`[[ to {address}]]` is dropped whole when a field in it is unknown, and `[[{domain}|this domain]]`
falls back to the words after the bar. So a message never shows "{address}" or an empty quote.
Written by hand because str.format has no optional parts, and the texts are data, not code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.dnscheck.problems import user_notes
from bot.models import Diagnosis, DomainReport
from bot.reading.lazyre import lazy
from bot.vocab import Kind, Lang, Severity

FIELDS = ("address", "domain", "suggestion")
# [[text with {fields}]] or [[text with {fields}|fallback]]: no brackets inside, so one pass, linear.
_SEGMENT = lazy(r"\[\[([^\[\]|]{0,500})(?:\|([^\[\]|]{0,500}))?\]\]")
_FIELD = lazy(r"\{([a-z_]{1,30})\}")


def fill(template: str, fields: Mapping[str, str]) -> str:
    """The template with its segments kept (fields known), replaced by their fallback, or dropped."""

    def segment(m: re.Match[str]) -> str:
        body, fallback = m.group(1), m.group(2) or ""
        names = _FIELD.findall(body)
        if all(fields.get(n) for n in names):
            return _FIELD.sub(lambda f: fields[f.group(1)], body)
        return fallback

    return _SEGMENT.sub(segment, template).strip()


def fields_of(d: Diagnosis) -> dict[str, str]:
    """What a diagnosis can say about the mail concerned: address, domain and suggestion, when known."""
    found: dict[str, str] = {}
    main = d.main
    report: DomainReport | None = None
    if main is not None and "@" in main.failure.address:
        found["address"] = main.failure.address
        domain = main.failure.address.rpartition("@")[2].strip(".").lower()
        if domain:
            found["domain"] = domain
            report = next((r for r in d.domains if r.domain.lower() == domain), None)
    elif d.kind is Kind.DOMAIN and d.domains:
        report = _concerned(d)
        found["domain"] = report.domain
    if report is not None and report.suggestions:
        found["suggestion"] = report.suggestions[0]
    return found


def _concerned(d: Diagnosis) -> DomainReport:
    """The domain a domain check's answer is about: the first with a problem, else the first."""
    if d.cause is not None and d.cause.id != "domain-ok":
        for r in d.domains:
            if r.exists is not True or any(p.severity is Severity.ERROR for p in r.problems):
                return r
    return d.domains[0]


def user_message(d: Diagnosis, lang: Lang) -> str:
    """The cause's message for the end user in `lang`, naming what this diagnosis knows; '' without a cause.

    A spelling suggestion the template could not place (a cause whose text has no {suggestion},
    another domain of the bounce) is added after it, once (bot.dnscheck.problems.user_notes).
    """
    if d.cause is None:
        return ""
    fields = fields_of(d)
    text = fill(d.cause.text(lang).user_message, fields)
    said = fields.get("suggestion", "")
    notes = [n for n in user_notes(d, lang) if not (said and said in text and said in n)]
    return "\n\n".join([text, *notes]) if notes else text
