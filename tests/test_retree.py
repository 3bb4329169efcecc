"""Facts read off expressions' parse trees (bot.reading.retree): right when read, the same when kept."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.reading import retree

ROOT = Path(__file__).resolve().parents[1]
# A Postfix refusal and a Japanese one: the gated lists and the phrase index both read them.
SAMPLE = (
    "550 5.1.1 <kenji@example.jp>: Recipient address rejected: User unknown in virtual mailbox table\n"
    "554 5.7.1 宛先のメールボックスは存在しません (mailbox unavailable)\n"
)


@pytest.mark.parametrize(
    ("source", "flags", "needles"),
    [
        (r"user (?:unknown|not found)", 0, ("unknown", "not found")),  # the rarer choice of the two
        (r"(?:mailbox|account) (?:is )?disabled", 0, ("disabled",)),  # an optional group breaks a run
        (r"\bquota\b.{0,40}exceeded", re.IGNORECASE, ("exceeded",)),
        (r"(?:no such user|unknown user)", 0, ("no such user", "unknown user")),
        (r"[0-9]{3} .*", 0, (" ",)),
        (r"[0-9]{3}.*", 0, ()),
    ],
)
def test_required_literals_are_in_every_match(source: str, flags: int, needles: tuple[str, ...]) -> None:
    """Each required choice is what every match must hold (as written, not case-folded)."""
    assert retree.required(source, flags) == needles


def test_required_cased_is_empty_where_case_is_ignored() -> None:
    """The literals as the text must hold them: none for an expression that ignores case."""
    assert retree.required_cased(r"user (?:unknown|not found)", 0) == ("unknown", "not found")
    assert retree.required_cased(r"user unknown", re.IGNORECASE) == ()
    assert retree.required_cased(r"(?i)user unknown", 0) == ()


@pytest.mark.parametrize(
    ("source", "flags", "lead"),
    [
        (r"\bsender score\b", 0, (True, "sender score")),
        (r"(?<!smtp )protocol violation", 0, (False, "protocol violation")),
        (r"(?i)ABC", 0, (False, "")),  # ignores case inline: no literal start
        (r"abc", re.IGNORECASE, (False, "")),
        (r"(?:user|box) \d", 0, (False, "")),
    ],
)
def test_leading_literal_and_word_start(source: str, flags: int, lead: tuple[bool, str]) -> None:
    """How every match begins: at a word boundary or not, and its literal start."""
    assert retree.leading(source, flags) == lead


def test_a_kept_answer_is_the_one_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    """An answer comes back from the store as it was computed, and is asked of the store first."""
    monkeypatch.setattr(retree.KEPT, "stored", {})
    monkeypatch.setattr(retree.KEPT, "new", {})
    first = retree.required(r"mailbox (?:full|over quota)", 0)
    assert retree.KEPT.new == {("required", r"mailbox (?:full|over quota)", 0): first}
    retree.KEPT.stored = {("required", "x", 0): ("from the store",)}
    assert retree.required("x", 0) == ("from the store",)


def _run(cache: Path, sample: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "bounce", "--json", "--no-dns", str(sample)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache), "MXCHECK_LANG": "en"},
    )


def test_facts_are_stored_at_exit_and_read_by_the_next_run(tmp_path: Path) -> None:
    """The first run stores the facts it read; the next run reads them and answers the same."""
    sample = tmp_path / "paste.txt"
    sample.write_text(SAMPLE, encoding="utf-8")
    cache = tmp_path / "cache"
    first = _run(cache, sample)
    assert first.returncode == 0, first.stderr
    [stored] = (cache / "mxcheck").glob("retree-*.pickle")
    with stored.open("rb") as fh:
        entries = pickle.load(fh)["value"]["entries"]
    assert {kind for kind, _source, _flags in entries} == {"required", "required_cased", "leading"}
    for (kind, source, flags), answer in entries.items():
        fresh = retree._leading if kind == "leading" else retree._required
        if kind != "required" and (flags | re.compile(source).flags) & re.IGNORECASE:
            assert answer == ((False, "") if kind == "leading" else ())
        else:
            from re import _parser

            assert answer == fresh(list(_parser.parse(source, flags)))
    second = _run(cache, sample)
    assert second.stdout == first.stdout and second.returncode == 0
