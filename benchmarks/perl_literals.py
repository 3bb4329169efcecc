"""Reads the data literals of a Perl module's source: hashes, arrays, strings and qr// patterns.

Written by hand because the only thing needed from Perl source is its data tables (the
``state $name = {...}`` and ``use constant Name => {...}`` literals of Sisimai's modules); no
Python library parses Perl, and running Perl would not expose ``state`` variables inside subs.
A value is a ``str``, an ``int``, ``None`` (undef), a ``Pattern`` (qr//), a ``list`` or a
``Hash`` (its key/value pairs in source order, keeping each key's trailing comment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPENERS = {"{": "}", "[": "]", "(": ")", "<": ">", "|": "|", "/": "/", "!": "!"}
_DECLARATION = re.compile(r"(?:state|my)\s+\$(\w+)\s*=\s*(?=[\[{]|qr)|use\s+constant\s+(\w+)\s*=>\s*(?=[\[{])")


@dataclass(frozen=True)
class Pattern:
    """A qr// literal: its source and flags."""

    source: str
    flags: str


@dataclass(frozen=True)
class Entry:
    """One key => value pair of a hash, with the comment that follows it on its line."""

    key: object
    value: object
    comment: str = ""


@dataclass(frozen=True)
class Hash:
    """A Perl hash literal as its entries in source order."""

    entries: tuple[Entry, ...]


class _Reader:
    """A cursor over Perl source that reads one literal value."""

    def __init__(self, text: str, at: int) -> None:
        self.text = text
        self.at = at

    def skip(self) -> str:
        """Skip blanks and comments; return the last comment skipped on the current line."""
        comment = ""
        while self.at < len(self.text):
            ch = self.text[self.at]
            if ch == "\n":
                comment = ""
                self.at += 1
            elif ch.isspace():
                self.at += 1
            elif ch == "#":
                end = self.text.find("\n", self.at)
                end = len(self.text) if end < 0 else end
                comment = self.text[self.at + 1 : end].strip()
                self.at = end
            else:
                break
        return comment

    def value(self) -> object:
        """The literal at the cursor."""
        self.skip()
        text, at = self.text, self.at
        ch = text[at]
        if ch == "{":
            return self._hash()
        if ch == "[":
            return self._list()
        if ch in "'\"":
            return self._quoted()
        if text.startswith("qr", at) and not text[at + 2].isalnum():
            return self._qr()
        match = re.compile(r"-?\d+|undef|\w+").match(text, at)
        if match is None:
            raise ValueError(f"unreadable Perl at {at}: {text[at:at + 40]!r}")
        self.at = match.end()
        word = match.group()
        return None if word == "undef" else int(word) if word.lstrip("-").isdigit() else word

    def _quoted(self) -> str:
        quote = self.text[self.at]
        out = []
        i = self.at + 1
        while self.text[i] != quote:
            if self.text[i] == "\\":
                nxt = self.text[i + 1]
                out.append({"n": "\n", "t": "\t"}.get(nxt, nxt) if quote == '"' or nxt in "\\'" else "\\" + nxt)
                i += 2
                continue
            out.append(self.text[i])
            i += 1
        self.at = i + 1
        return "".join(out)

    def _qr(self) -> Pattern:
        self.at += 2
        opener = self.text[self.at]
        closer = _OPENERS.get(opener, opener)
        depth, i = 1, self.at + 1
        while True:
            ch = self.text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == closer and opener != closer:
                depth -= 1
            elif ch == opener and opener != closer:
                depth += 1
            elif ch == closer:
                depth = 0
            if depth == 0:
                break
            i += 1
        source = self.text[self.at + 1 : i]
        flags = re.compile(r"[a-z]*").match(self.text, i + 1)
        assert flags is not None
        self.at = flags.end()
        return Pattern(source, flags.group())

    def _separator(self) -> str:
        """Skip a comma or fat comma after a value; return the comment closing the line, if any."""
        self.skip_inline()
        if self.text.startswith("=>", self.at):
            self.at += 2
        elif self.text.startswith(",", self.at):
            self.at += 1
        return self.trailing_comment()

    def skip_inline(self) -> None:
        """Skip spaces on the same line."""
        while self.at < len(self.text) and self.text[self.at] in " \t":
            self.at += 1

    def trailing_comment(self) -> str:
        """The comment that ends the current line, if the cursor is before it."""
        self.skip_inline()
        if self.at < len(self.text) and self.text[self.at] == "#":
            end = self.text.find("\n", self.at)
            comment = self.text[self.at + 1 : end].strip()
            self.at = end
            return comment
        return ""

    def _list(self) -> list[object]:
        self.at += 1
        items: list[object] = []
        while True:
            self.skip()
            if self.text[self.at] == "]":
                self.at += 1
                return items
            items.append(self.value())
            self._separator()

    def _hash(self) -> Hash:
        self.at += 1
        entries: list[Entry] = []
        while True:
            self.skip()
            if self.text[self.at] == "}":
                self.at += 1
                return Hash(tuple(entries))
            key = self.value()
            self._separator()
            value = self.value()
            comment = self._separator()
            entries.append(Entry(key, value, comment))


def declarations(source: str) -> dict[str, object]:
    """Every ``state $x = literal`` / ``use constant X => literal`` of a module, by name (first wins)."""
    code = source.split("\n__END__", 1)[0]
    found: dict[str, object] = {}
    for match in _DECLARATION.finditer(code):
        name = match.group(1) or match.group(2)
        try:
            value = _Reader(code, match.end()).value()
        except (ValueError, IndexError):
            continue
        found.setdefault(name, value)
    return found
