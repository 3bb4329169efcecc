"""Standard modules that a command run imports for what it never uses, imported when first touched.

`dataclasses` imports `inspect` (and with it ast, dis, tokenize, linecache) for one call: the
signature it writes as the docstring of a class that has none. Every dataclass here has one, so
a run never reaches that call, and the imports were ~7% of a one-message run's instructions
(23 M of 351 M under callgrind). ``defer`` puts a stand-in into sys.modules: `import inspect`
finds it, and the first attribute asked of it imports the real module, which answers that and
every later question. Written by hand: importlib.util.LazyLoader's module loads itself as soon
as another `import` of it looks at its ``__spec__``, which dataclasses' import does at once.
Only the command line defers, at its start, one thread running; a module already imported is
left alone.
"""

from __future__ import annotations

import sys
import types
from _thread import allocate_lock

DEFERRED = ("inspect",)


_LOCK = allocate_lock()  # two threads asking at once import the module once


class _Deferred(types.ModuleType):
    """Stands for a module not yet imported; the first attribute asked of it imports the module."""

    def __getattr__(self, name: str) -> object:
        # Called only for names not in this stand-in's own dict: everything but __name__ and __spec__
        # until the module is imported, then only for names the module lacks too.
        with _LOCK:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
                __import__(self.__name__)  # not importlib.import_module: importlib costs an import
                # Modules that imported the stand-in (dataclasses, asyncio) then read the module's
                # own names from its dict, without coming here again.
                self.__dict__.update(vars(sys.modules[self.__name__]))
        return getattr(sys.modules[self.__name__], name)


def defer(names: tuple[str, ...] = DEFERRED) -> None:
    """Stand-ins for the modules named that are not imported yet."""
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = _Deferred(name)
