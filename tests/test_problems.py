"""DNS problem detail lines: every id worded in both languages, placeholders filled."""

from __future__ import annotations

import re

import pytest

from bot.dnscheck.problems import describe
from bot.models import Problem
from bot.vocab import Lang, ProblemId, Severity

_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize("pid", list(ProblemId))
@pytest.mark.parametrize("lang", list(Lang))
def test_every_problem_is_worded(pid: ProblemId, lang: Lang) -> None:
    """One line, subject filled in, no placeholder left, Japanese text for ja."""
    text = describe(Problem(pid, Severity.WARNING, subject="example.jp", value="v"), lang)
    assert "\n" not in text and "{" not in text
    assert "example.jp" in text or pid is ProblemId.MX_TARGET_IP_LITERAL
    assert bool(_JAPANESE.search(text)) is (lang is Lang.JA)


def test_value_codes_are_worded() -> None:
    """A failure kind is shown in words, not as its code."""
    problem = Problem(ProblemId.DNS_FAILURE, Severity.WARNING, subject="example.jp", value="timeout")
    assert "タイムアウト" in describe(problem, Lang.JA)
    assert "timeout" in describe(problem, Lang.EN) and "(timeout)" in describe(problem, Lang.EN)
    dmarc = Problem(ProblemId.DMARC_INVALID, Severity.WARNING, subject="example.jp", value="multiple")
    assert "複数" in describe(dmarc, Lang.JA)


def test_values_from_dns_are_shown_verbatim() -> None:
    """Record text with braces is inserted as it is, never interpreted."""
    problem = Problem(ProblemId.SPF_SYNTAX, Severity.WARNING, subject="example.jp", value="exists:%{z}{0}")
    assert "exists:%{z}{0}" in describe(problem, Lang.EN)
