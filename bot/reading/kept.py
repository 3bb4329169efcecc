"""What one run compiled, kept for the next: loaded on first use, new entries saved at exit.

bot.reading.recipes (regular expressions) and bot.reading.classcode (dataclasses' generated
methods) each keep one such store beside the knowledge cache (bot.reading.kcache). A store is a
dict in one cache file whose name carries a key (the exact Python version, and the code that
makes the entries): an entry made otherwise is never read. At exit the entries this run added
are merged with what is stored then (another process may have added some since), capped at
`limit` (past it, old entries have piled up: the file starts again from this run's), and written
atomically. Every failure is silent and MXCHECK_CACHE=0 turns the file off: the caller then
compiles as if nothing was kept.
"""

from __future__ import annotations

import os
from _thread import allocate_lock  # threading.Lock itself, without importing threading
from collections.abc import Hashable

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any


def enabled() -> bool:
    """Whether the cache files are in use (MXCHECK_CACHE=0 turns them off)."""
    return os.environ.get("MXCHECK_CACHE") != "0"


class Kept:
    """One cache file of compiled entries, by key."""

    def __init__(self, part: str, *, maker: str, version: int, limit: int) -> None:
        """`part`: the file's name; `maker`: the path of the module making the entries (its code keys the
        file, with `version` and Python's); `limit`: entries kept at most."""
        self.part = part
        self.maker = maker
        self.version = version
        self.limit = limit
        self.stored: dict[Hashable, Any] | None = None  # loaded on the first get
        self.new: dict[Hashable, Any] = {}
        self._lock = allocate_lock()  # entries may come from several threads (the Slack app's pool)

    def get(self, name: Hashable) -> Any | None:
        """The entry stored under `name` by an earlier run, or None."""
        if self.stored is None:
            self.stored = self._load() or {}
        return self.stored.get(name)

    def add(self, name: Hashable, value: Any) -> None:
        """Keep a new entry; it is written at exit."""
        with self._lock:
            if not self.new and enabled():
                import atexit

                atexit.register(self.save)
            self.new[name] = value

    def save(self) -> None:
        """Store this run's entries with those stored now (run at exit; a failure is silent)."""
        with self._lock:
            new = dict(self.new)
            self.new.clear()
        if not new or not enabled():
            return
        try:
            from bot.reading.kcache import store_part

            merged = dict(self._load() or {})
            if len(merged) + len(new) > self.limit:
                merged = {}
            merged.update(new)
            store_part(self.part, self.key(), {"entries": merged})
            if self.stored is not None:
                self.stored.update(new)
        except BaseException:
            pass

    def key(self) -> str:
        """The interpreter's version, the maker's code and version: entries made otherwise are never read."""
        import sys
        import zlib

        try:
            with open(self.maker, "rb") as fh:
                code = fh.read()
        except OSError:  # an install without sources: the versions still key it
            code = b""
        return f"{zlib.crc32(f'{self.version}|{sys.version}'.encode() + code):08x}"

    def _load(self) -> dict[Hashable, Any] | None:
        if not enabled():
            return None
        from bot.reading.kcache import load_part

        found = load_part(self.part, self.key())
        entries = found.get("entries") if found is not None else None
        return entries if isinstance(entries, dict) else None
