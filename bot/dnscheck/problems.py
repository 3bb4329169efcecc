"""One-line detail text of a DNS problem per language, from knowledge/dns_problems.toml."""

from __future__ import annotations

from functools import cache
from typing import Any

from bot.dnscheck.dnsbl import meaning
from bot.models import Problem
from bot.reading.knowledge import load_table
from bot.vocab import Lang, ProblemId


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
    return "; ".join(
        dict.fromkeys(meaning(problem.value, c.strip(), lang) for c in problem.answer.split(","))
    )
