"""Regular expressions compiled on first use: a run reads one message with a few formats, and
compiling every format's ~300 patterns at import took most of a one-message run's start-up.

``lazy(pattern, flags)`` stands where ``re.compile`` did at module level. Its first attribute
access (``.search``, ``.match``, ``.pattern``...) compiles the pattern and copies the compiled
pattern's methods onto the instance, so every later call goes straight to the compiled
method with no lookup through this class. Written by hand: the re module has no lazy form. The
compiling itself goes through bot.reading.recipes, which builds a pattern seen in an earlier run
from the compiler's stored output.
"""

from __future__ import annotations

import re

from bot.reading.recipes import compile_pattern

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any

_COPIED = ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer", "scanner",
           "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """A re.Pattern compiled when first used; afterwards its methods are the compiled ones."""

    def __init__(self, pattern: str, flags: int | re.RegexFlag = 0) -> None:
        self.__dict__["_source"] = (pattern, flags)

    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if it was not yet)."""
        found = self.__dict__.get("_compiled")
        if found is None:
            found = compile_pattern(*self.__dict__["_source"])
            self.__dict__["_compiled"] = found
            for name in _COPIED:
                self.__dict__[name] = getattr(found, name)
        return found

    def __getattr__(self, name: str) -> Any:
        # Called only for names not yet in the instance's dict: the first use.
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"lazy({self.__dict__['_source'][0]!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyPattern, self.__dict__["_source"])


def source_of(pattern: re.Pattern[Any] | LazyPattern) -> tuple[Any, int]:
    """An expression's text and flags, without compiling it when it is lazy."""
    lazy_source = getattr(pattern, "__dict__", {}).get("_source")
    return lazy_source if lazy_source is not None else (pattern.pattern, int(pattern.flags))


def lazy(pattern: str, flags: int | re.RegexFlag = 0) -> LazyPattern:
    """A pattern to compile on first use, in place of a module-level re.compile."""
    return LazyPattern(pattern, flags)
