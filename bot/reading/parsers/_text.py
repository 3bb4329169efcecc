"""Text helpers for diagnostics: folding, continuation lines, repeated multi-line reply prefixes."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from bot.reading.lazyre import lazy

# ----------------------------------------------------------------------------- text folding
_SPACES = lazy(r"\s{1,4000}")
_DIAG_TYPE = lazy(
    # smtp; X-Postfix; X-Unix; X-Yandex; unknown; ... — the diagnostic-type of RFC 3464
    r"\A\s{0,5}(?:e?smtp|lmtp|x-[a-z0-9-]{1,30}|mailer|unix|unknown|local)\s{0,5};\s{0,5}",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Collapse all whitespace (newlines included) into single spaces and trim."""
    if len(text) <= 4000:
        # str.split() splits on exactly the characters \s matches, and no run can exceed the bound.
        return " ".join(text.split())
    return _SPACES.sub(" ", text).strip()


_MULTILINE_PREFIX = lazy(r"([245](?<![\w.][245])\d\d)[ -]#?([245]\.\d{1,3}\.\d{1,3})?(?=\s)")


def drop_repeated_prefixes(text: str) -> str:
    """A multi-line reply folded into one line, without the repeated `550-5.7.1` line prefixes.

    `550-5.7.1 Our system has detected 550-5.7.1 that this message` → `550-5.7.1 Our system has
    detected that this message`: the classifier matches phrases across the joins.
    """
    first = _MULTILINE_PREFIX.search(text)
    if not first:
        return text
    code, status = first.group(1), first.group(2) or ""
    head, tail = text[: first.end()], text[first.end() :]
    if code not in tail:  # most diagnostics: a one-line reply, nothing repeats
        return text
    token = _repeated_prefix(code, status)
    return head + " " + fold(token.sub(" ", tail)) if token.search(tail) else text


@functools.lru_cache(maxsize=64)
def _repeated_prefix(code: str, status: str) -> re.Pattern[str]:
    """The prefix `550-5.7.1` as it repeats inside a reply, compiled once per code and status.

    Compiled per message it was a fifth of a pass's compiles; a few dozen pairs occur in practice.
    Not kept between runs like the fixed patterns: the pairs come from the messages, so a store of
    them would grow with every new one. Literals around one character class: linear-time.
    """
    return re.compile(r"\s" + re.escape(code) + r"[ -]" + re.escape(status) + r"(?=\s)")


def strip_diag_type(text: str) -> str:
    """A Diagnostic-Code value without its type: `smtp; 550 5.1.1 ...` → `550 5.1.1 ...`."""
    return _DIAG_TYPE.sub("", text, count=1)


def join_continuations(lines: Iterable[str]) -> list[str]:
    """Join RFC 5322-style continuation lines (starting with space/tab) onto the line before."""
    out: list[str] = []
    for line in lines:
        if out and line[:1] in (" ", "\t") and line.strip():
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


def paragraph_after(lines: list[str], start: int, *, limit: int = 12) -> list[str]:
    """Lines from `start` up to (not including) the next blank line, at most `limit` of them."""
    out: list[str] = []
    for line in lines[start : start + limit]:
        if not line.strip():
            break
        out.append(line)
    return out


def search_before(
    pattern: re.Pattern[str], text: str, tails: tuple[str, ...], *, reach: int, pos: int = 0
) -> re.Match[str] | None:
    """`pattern.search(text, pos)` for a pattern whose every match has one of `tails` at most `reach`
    characters after its start, searched only around the tails' occurrences.

    A lazy lead before a literal (`(\\S{3,320}?)\\s{0,3}へのメッセージ`) costs ~320 steps at every
    position of a plain search; here it runs only near the literal. The first match is the same:
    the earliest match starts at most `reach` before the first tail occurrence at or after it, so
    each occurrence's window is searched in turn and a match is kept only when it starts by it.
    Tails are case-less literals (Japanese), found as written; a match may run at most
    _TAIL_SPAN characters past its tail's start.
    """
    spots = sorted({q for tail in tails for q in _occurrences(text, tail, pos)})
    last = pos - 1
    for q in spots:
        m = pattern.search(text, max(last + 1, q - reach), q + reach + _TAIL_SPAN)
        if m and m.start() <= q:
            return m
        last = q
    return None


_TAIL_SPAN = 200


def earliest(*found: re.Match[str] | None) -> re.Match[str] | None:
    """The match that starts first, the earlier argument on a tie: how one `A|B|C` expression picks."""
    return min((m for m in found if m), key=lambda m: m.start(), default=None)


def _occurrences(text: str, literal: str, pos: int) -> Iterator[int]:
    q = text.find(literal, pos)
    while q >= 0:
        yield q
        q = text.find(literal, q + 1)


def entries_by_address(
    lines: Iterable[str], recipient: re.Pattern[str], *, stop: re.Pattern[str] | None = None
) -> list[tuple[str, list[str]]]:
    """(address, its lines) per recipient line, in order.

    A line `recipient` matches starts an entry (group 1: the address, group 2: the rest of the
    line); the non-blank lines after it belong to it, stripped, up to a line `stop` matches.
    """
    found: list[tuple[str, list[str]]] = []
    for line in lines:
        if stop is not None and stop.match(line):
            break
        m = recipient.match(line)
        if m:
            found.append((m.group(1), [m.group(2)] if m.group(2).strip() else []))
        elif found and line.strip():
            found[-1][1].append(line.strip())
    return found


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(index, line) pairs of text, lines right-stripped."""
    for i, line in enumerate(text.split("\n")):
        yield i, line.rstrip()
