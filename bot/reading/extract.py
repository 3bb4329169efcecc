"""Domains and the domains of addresses named in a text that holds no bounce ("example.co.jp に送れません").

One bounded, linear-time scan: each candidate is a run of dot-separated labels; words glued to
Japanese text are cut at the script change, and words that are not mail domains (file names,
version numbers, URL paths, unknown top-level domains) are dropped. Only domains are kept, never
the local part of an address.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from bot.limits import MAX_DOMAINS, MAX_LINE_CHARS
from bot.reading.datafiles import load_table
from bot.reading.lazyre import lazy

MAX_SCAN_CHARS = 100_000  # a question with a domain in it is short; a long text is cut, not refused

# Labels are runs of letters, digits, '_' and '-' (Unicode, so IDN and glued Japanese text match
# too, then get cut); each repetition ends with a literal dot, so matching stays linear.
# A candidate never starts inside an ASCII word, so a long run of letters costs one step a
# character; it may start inside a Japanese run, which has no spaces to start after.
_CANDIDATE = lazy(r"(?<![A-Za-z0-9_-])(?:[^\W_][\w-]{0,62}\.){1,10}[^\W_][\w-]{0,62}")
_ASCII_LABEL = lazy(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ASCII_HEAD = lazy(r"[A-Za-z0-9-]{1,63}")
_ASCII_TAIL = lazy(r"[A-Za-z0-9-]{1,63}\Z")


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """The loaded word lists of knowledge/extract.toml."""

    tlds: frozenset[str]
    file_extensions: frozenset[str]
    ignore: frozenset[str]


@cache
def _vocabulary() -> _Vocabulary:
    table = load_table("extract")
    return _Vocabulary(
        tlds=frozenset(t.lower() for t in (*table["tlds"], *table["extra_tlds"])),
        file_extensions=frozenset(table["file_extensions"]),
        ignore=frozenset(table["ignore"]),
    )


def find_domains(text: str, *, limit: int = MAX_DOMAINS) -> tuple[str, ...]:
    """The mail domains a text names, in order, deduplicated: those of addresses, else bare domains."""
    text = unicodedata.normalize("NFKC", text[:MAX_SCAN_CHARS])
    of_addresses: dict[str, None] = {}
    bare: dict[str, None] = {}
    for line in text.splitlines():
        for match in _CANDIDATE.finditer(line[:MAX_LINE_CHARS]):
            _consider(line, match, of_addresses, bare)
        if len(of_addresses) >= limit:
            break
    # An address says which domain the user means; bare names beside it are usually its hosts.
    chosen = of_addresses or bare
    return tuple(chosen)[:limit]


def _consider(line: str, match: re.Match[str], of_addresses: dict[str, None], bare: dict[str, None]) -> None:
    start, end = match.span()
    after = line[end : end + 1]
    # A local part with dots, code (os.path(), or a word cut at the 63-character label bound.
    if after in ("@", "(", "-", "_") or (after.isascii() and after.isalnum()):
        return
    labels = match.group(0).split(".")
    before = line[start - 1 : start] if start else ""
    # Japanese glued to either end: "宛先example.co.jpに" → example.co.jp.
    first_cut = _cut_first(labels[0])
    last_cut = _cut_last(labels[-1])
    if first_cut is None or last_cut is None:
        return
    if first_cut != labels[0]:
        before = ""
    labels[0], labels[-1] = first_cut, last_cut
    in_address = before == "@"
    if before in ("/", "\\", "-") and not in_address:  # a path, a URL's host, a word-with-hyphen
        return
    name = ".".join(labels).lower()
    if _acceptable(labels, name, in_address=in_address):
        (of_addresses if in_address else bare).setdefault(name, None)


def _cut_first(label: str) -> str | None:
    """The first label, without text glued before it; None when nothing domain-like is left."""
    if label.isascii() or not any(c.isascii() for c in label):
        return label
    tail = _ASCII_TAIL.search(label)
    return tail.group(0) if tail else None


def _cut_last(label: str) -> str | None:
    """The last label, without text glued after it."""
    if label.isascii() or not any(c.isascii() for c in label):
        return label
    head = _ASCII_HEAD.match(label)
    return head.group(0) if head else None


def _acceptable(labels: list[str], name: str, *, in_address: bool) -> bool:
    """True when a dotted word is worth a DNS check."""
    vocab = _vocabulary()
    tld = labels[-1].lower()
    if len(labels) < 2 or len(name) > 253 or tld not in vocab.tlds or name in vocab.ignore:
        return False
    if not in_address and len(labels) == 2 and tld in vocab.file_extensions:
        return False
    for label in labels:
        if label.isascii():
            if not _ASCII_LABEL.fullmatch(label.lower()):
                return False
        # An IDN label is all non-ASCII here; a mixed one is a sentence glued to a name.
        elif "_" in label or len(label) > 63 or any(c.isascii() for c in label):
            return False
    return True


def domain_of(address: str) -> str:
    """The domain of an address (the text after the last '@'), lower-cased, without a final dot."""
    return address.rpartition("@")[2].strip().strip("<>").rstrip(".").lower()
