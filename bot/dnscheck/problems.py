"""The DNS side's words per language: each problem's detail line (knowledge/dns_problems.toml) and the
notes that put the DNS beside the bounce (knowledge/dns_notes.toml). The one module renderers read."""

from __future__ import annotations

from functools import cache

from bot.reading.datafiles import load_table
from bot.vocab import Lang, ProblemId

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any

    from bot.models import Diagnosis, Problem

# The tables behind the words (dnsbl, evidence) are imported by the functions that need them: a
# diagnosis made without DNS has no domain reports, and its rendering loads none of bot.dnscheck's types.


@cache
def _table() -> dict[str, Any]:
    """The wording table, checked once: every problem id worded in every language."""
    table = load_table("dns_problems")
    missing = [f"{pid}/{lang}" for pid in ProblemId for lang in Lang if lang.value not in table.get(pid, {})]
    if missing:
        raise KeyError(f"knowledge/dns_problems.toml lacks {', '.join(missing)}")
    return table


def describe(problem: Problem, lang: Lang) -> str:
    """The problem's detail line in a language, with its subject and value filled in."""
    entry = _table()[problem.id]
    worded = entry.get("values", {}).get(problem.value)
    value = worded[lang.value] if worded else problem.value
    # format() only reads the template's fields: braces inside DNS data are inserted as they are.
    return entry[lang.value].format(
        subject=problem.subject, value=value, answer=problem.answer, meaning=_meaning(problem, lang)
    )


def _meaning(problem: Problem, lang: Lang) -> str:
    """A blocklist's answer codes in words (knowledge/dns_blocklists.toml)."""
    if not problem.answer or not problem.id.startswith("dnsbl-"):
        return ""
    from bot.dnscheck.dnsbl import meaning

    return "; ".join(
        dict.fromkeys(meaning(problem.value, c.strip(), lang) for c in problem.answer.split(","))
    )


# ----------------------------------------------------------------------------- notes
@cache
def _notes() -> dict[str, Any]:
    return load_table("dns_notes")


def _names(names: tuple[str, ...], lang: Lang) -> str:
    return _notes()["joiners"][lang.value].join(names)


def evidence_notes(d: Diagnosis, lang: Lang) -> tuple[str, ...]:
    """Sentences for the staff that put today's DNS beside the bounce: where they differ, what was meant."""
    if not d.domains:  # no DNS asked: nothing to put beside the bounce
        return ()
    from bot.dnscheck.evidence import disagreements, suggested

    table = _notes()
    out = [
        table[n.note][lang.value].format(domain=n.domain, server=n.server or "?") for n in disagreements(d)
    ]
    out += [
        table["suggestion"][lang.value].format(domain=r.domain, names=_names(r.suggestions, lang))
        for r in suggested(d)
    ]
    return tuple(out)


def user_notes(d: Diagnosis, lang: Lang) -> tuple[str, ...]:
    """Sentences added to the message for the person who sent: the domain they probably meant."""
    if not d.domains:
        return ()
    from bot.dnscheck.evidence import suggested

    user = _notes()["suggestion"]["user"][lang.value]
    return tuple(user.format(domain=r.domain, names=_names(r.suggestions, lang)) for r in suggested(d))
