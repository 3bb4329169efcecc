"""The code of dataclasses' generated methods, compiled once and kept between runs.

For every class, dataclasses writes its methods (__init__, __repr__, __eq__, __hash__, and
__setattr__/__delattr__ for a frozen one) as Python source and compiles each with ``exec``:
about half a millisecond a class. The ~40 frozen dataclasses of a bounce's path spent that way
about 40 % of the CPU of importing the decoding stack (bot.cli.output and bot.diagnose: 72 ms
median without this, 39 ms with it, 10 fresh processes each), in every run and before anything
is read. ``install`` points the name ``exec`` inside the dataclasses module at ``_exec``, which
compiles each source text once and keeps the code object (marshal) in a bot.reading.kept store;
later runs execute the kept code. compile() of the same text with dataclasses' own compiler
flags (none: it has no __future__ imports) makes the same code, so the classes are the same.

Keyed by the exact Python version (marshal's format and the bytecode are the interpreter's own)
and this module's code; an entry that does not load is compiled again; MXCHECK_CACHE=0 turns the
file off. Installed by the command line (bot.cli.main) only: a long-running Slack app pays this
once. Written by hand: no library keeps dataclasses' generated code across processes.
"""

from __future__ import annotations

import builtins
import marshal
from types import CodeType

from bot.reading.kept import Kept

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any

_FORMAT = 1
MAX_SOURCES = 1000  # ~220 methods for `bounce --no-dns`, ~350 with DNS; more means old classes piled up


def install() -> None:
    """Have dataclasses compile each generated method's source once, then reuse it (here and in later runs)."""
    import dataclasses

    if vars(dataclasses).get("exec", builtins.exec) is builtins.exec:  # nobody else's shim is there
        dataclasses.exec = _exec  # type: ignore[attr-defined]


def _exec(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /, **kwargs: Any) -> None:
    """builtins.exec, with a source text's code compiled once."""
    if isinstance(source, str) and not kwargs:
        source = code_of(source)
    builtins.exec(source, globals, locals, **kwargs)


def code_of(source: str) -> CodeType:
    """What exec compiles `source` to from a module without __future__ imports: kept, or compiled and kept."""
    stored = KEPT.get(source)
    if isinstance(stored, bytes):
        try:
            code = marshal.loads(stored)
            if isinstance(code, CodeType):
                return code
        except (EOFError, ValueError, TypeError):
            pass
    code = compile(source, "<string>", "exec", dont_inherit=True)
    KEPT.add(source, marshal.dumps(code))
    return code


KEPT = Kept("classcode", maker=__file__, version=_FORMAT, limit=MAX_SOURCES)
