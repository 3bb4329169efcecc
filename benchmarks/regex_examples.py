"""Concrete example sentences for a regular expression: one per branch of every alternation.

Written by hand on Python's own regex parser (``re._parser``) because what is wanted is the
opposite of matching: a text each branch would match, with plausible words where the pattern
says "any token" (``[^ ]+`` → an address, a host or a word, by what stands around it). A sequence
of alternations is walked in step (example k takes branch k of each), so every branch appears
once without the cross product.
"""

from __future__ import annotations

import re

try:
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

_TOKEN = "\x00"  # stands for "any token" until its neighbours are known
_HOSTISH = ("domain", "host", "server", "from", "for", "to", "of", "at", "in", "on", "by", "ip")


def perl_to_python(source: str) -> str:
    """A Perl pattern's source in Python's dialect (\\z, POSIX classes, possessive quirks)."""
    out = source.replace("\\z", "\\Z").replace("[[:alpha:]]", "[a-z]").replace("[:alpha:]", "a-z")
    out = out.replace("[[:digit:]]", "[0-9]").replace("[:digit:]", "0-9")
    return re.sub(r"\[-\[ \]\]", "[- ]", out)


def examples(source: str, *, verbose_mode: bool = False, limit: int = 400) -> list[str]:
    """Example texts for a pattern (Perl or Python source), one per alternation branch."""
    flags = re.VERBOSE if verbose_mode else 0
    tree = P.parse(perl_to_python(source), flags)
    texts = _seq(list(tree))[:limit]
    return [_fill(t) for t in texts]


def _seq(items: list[tuple[object, object]]) -> list[str]:
    parts = [_item(op, arg) for op, arg in items]
    parts = [p for p in parts if p]
    width = max((len(p) for p in parts), default=1)
    return ["".join(p[k % len(p)] for p in parts) for k in range(width)] if parts else [""]


def _item(op: object, arg: object) -> list[str]:
    if op == C.LITERAL:
        return [chr(arg)]  # type: ignore[arg-type]
    if op == C.NOT_LITERAL:
        return ["x" if chr(arg) != "x" else "y"]  # type: ignore[arg-type]
    if op == C.ANY:
        return ["x"]
    if op == C.IN:
        return [_one_of(arg)]  # type: ignore[arg-type]
    if op in (C.AT, C.ASSERT_NOT, C.ASSERT, C.GROUPREF):
        return [""]
    if op == C.SUBPATTERN:
        return _seq(list(arg[-1]))  # type: ignore[index]
    if op == getattr(C, "ATOMIC_GROUP", None):
        return _seq(list(arg))  # type: ignore[arg-type]
    if op == C.BRANCH:
        out: list[str] = []
        for branch in arg[1]:  # type: ignore[index]
            out += _seq(list(branch))
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, high, body = arg  # type: ignore[misc]
        body = list(body)
        if _any_token(body):
            return [_TOKEN]
        times = 1 if (low, high) == (0, 1) else low  # an optional piece is shown: "doesn['’]?t"
        return [t * times for t in _seq(body)] if times else [""]
    if op == C.CATEGORY:
        return [_category(arg)]
    return [""]


def _any_token(body: list[tuple[object, object]]) -> bool:
    """A repeated negated class or dot: "some token" (``[^ ]+``, ``.+``, ``[^>]+``)."""
    if len(body) != 1:
        return False
    op, arg = body[0]
    if op in (C.ANY, C.NOT_LITERAL):
        return True
    return op == C.IN and any(o == C.NEGATE for o, _ in arg)  # type: ignore[union-attr]


def _one_of(items: list[tuple[object, object]]) -> str:
    if any(o == C.NEGATE for o, _ in items):
        return "x"
    for o, a in items:
        if o == C.LITERAL:
            return chr(a)  # type: ignore[arg-type]
        if o == C.RANGE:
            return chr(a[0])  # type: ignore[index]
        if o == C.CATEGORY:
            return _category(a)
    return "x"


def _category(cat: object) -> str:
    name = str(cat)
    if "DIGIT" in name:
        return "1"
    if "SPACE" in name:
        return " "
    return "a"


def _fill(text: str) -> str:
    """Replace each "any token" mark by a word that fits its neighbours."""
    while _TOKEN in text:
        at = text.index(_TOKEN)
        before, after = text[:at], text[at + 1 :]
        if before.endswith("<") or after.startswith(">"):
            word = "user@example.net" if "@" not in after[:2] and not before.endswith("@") else "user"
        elif after.startswith("@"):
            word = "user"
        elif before.endswith("@"):
            word = "example.net"
        elif before.rstrip().rsplit(" ", 1)[-1] in _HOSTISH:
            word = "mx.example.net"
        else:
            word = "alice"
        if before[-1:].isalnum():  # ``.+`` between two words written without spaces
            word = " " + word
        if after[:1].isalnum():
            word += " "
        text = before + word + after
    return text
