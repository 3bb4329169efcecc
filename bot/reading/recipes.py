"""Compiled regular expressions kept between runs, as the re module's own compiler output.

A run of a few hundred bounces compiles ~600 patterns, 60-70 ms of a process's time (each pool
worker again), and a one-message run ~100 of them. ``re.compile`` is a parse and a code
generator written in Python, then ``_sre.compile`` (C) builds the pattern from the code; the
code is a list of integers, which pickles. Here each pattern compiled once is remembered as its
"recipe" (the arguments of ``_sre.compile``) and later runs build it from the recipe directly.

The recipes live beside the knowledge cache ($XDG_CACHE_HOME/mxcheck, bot.reading.kcache), in a
file keyed by the exact Python version (the code format is the interpreter's private business)
and written at exit, atomically, only when the run compiled something new (bot.reading.kept). A recipe that does not
build (another interpreter, a damaged file) falls back to ``re.compile``; MXCHECK_CACHE=0 turns
the file off. Written by hand: no library keeps compiled expressions across processes.
"""

from __future__ import annotations

import re
import sys

from bot.reading.kept import Kept

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any

    Recipe = tuple[Any, int, bytes | list[int], int, dict[str, int], tuple[str | None, ...]]

_FORMAT = 3  # 2: kept through bot.reading.kept; 3: opcodes as 32-bit words
_NATIVE_WORD = memoryview(b"\0" * 8).cast("I").itemsize  # the opcodes' 32 bits, as memoryview reads them
MAX_RECIPES = 3000  # the code and knowledge/ hold ~700 patterns; more means old ones piled up


def compile_pattern(pattern: str | bytes, flags: int = 0) -> re.Pattern[Any]:
    """re.compile(pattern, flags), from a stored recipe when there is one; new ones are kept for the next run."""
    flags = int(flags)
    key = (pattern, flags)
    recipe = KEPT.get(key)
    # A recipe is used only for its own pattern, with at least the flags asked (the parse adds inline ones).
    if recipe is not None and recipe[0] == pattern and recipe[1] & flags == flags:
        try:
            return _build(recipe)
        except Exception:
            pass
    try:
        recipe = _recipe(pattern, flags)
        built = _build(recipe)
    except re.error:
        raise
    except Exception:
        return re.compile(pattern, flags)
    KEPT.add(key, recipe)
    return built


def _recipe(pattern: str | bytes, flags: int) -> Recipe:
    """What re._compiler.compile hands _sre.compile (Python 3.11-3.13 alike)."""
    from re import _compiler, _parser

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    # The opcodes are named int subclasses, which do not pickle; kept as one array of 32-bit
    # words, the pickle holds one bytes object per pattern, not an int object per opcode (the
    # store loaded 3x faster: 3 ms of each process's first message).
    opcodes: bytes | list[int] = [int(op) for op in code]
    if _NATIVE_WORD == 4:
        opcodes = b"".join(op.to_bytes(4, sys.byteorder) for op in opcodes)
    return (
        pattern,
        int(flags | parsed.state.flags),
        opcodes,
        parsed.state.groups - 1,
        groupindex,
        tuple(indexgroup),
    )


def _build(recipe: Recipe) -> re.Pattern[Any]:
    import _sre

    pattern, flags, opcodes, groups, groupindex, indexgroup = recipe
    if isinstance(opcodes, bytes):
        opcodes = memoryview(opcodes).cast("I").tolist()
    return _sre.compile(pattern, flags, opcodes, groups, groupindex, indexgroup)


# The opcodes' byte order keys the file too: a cache folder shared with another kind of machine.
KEPT = Kept("regex", maker=__file__, version=_FORMAT * 2 + (sys.byteorder == "big"), limit=MAX_RECIPES)
