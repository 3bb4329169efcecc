"""A compiled form of knowledge/ kept between runs: parsing ten TOML files and validating every
cause and rule took about a third of a one-message run's start-up; a pickle loads in a few ms.

The file lives in $XDG_CACHE_HOME/mxcheck (else ~/.cache/mxcheck), named by a checksum of every
knowledge file's bytes and of the code whose types it holds, so any edit of knowledge/ or of that
code builds it again. It is written atomically (a temporary file renamed over), and a file that
cannot be read or unpickled, or holds something else, is ignored and rebuilt. MXCHECK_CACHE=0
turns it off. Written by hand: pickle, zlib and os.replace are all it needs. Paths are os.path
strings (a root may be any path-like): pathlib and the urllib.parse and ipaddress it imports
cost every run 4-6 ms.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
import zlib
from collections.abc import Callable
from functools import cache

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any

_FORMAT = 1  # bump when what the file holds changes shape
# The modules whose classes the pickle holds: a change in them must not meet an old pickle.
_CODE = ("bot/models.py", "bot/vocab.py", "bot/reading/knowledge.py", "bot/reading/rulebook.py",
         "bot/reading/phrases.py", "bot/reading/kcache.py")
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
Root = str | os.PathLike[str]


def cache_dir(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """Where the compiled knowledge is kept: $XDG_CACHE_HOME/mxcheck, else ~/.cache/mxcheck."""
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mxcheck")


def knowledge_files(root: Root) -> list[str]:
    """Every data file of a knowledge directory (paths relative to it, "/"-separated), in a stable order."""
    top = os.fspath(root)
    found = []
    for here, dirs, files in os.walk(top):
        dirs.sort()
        rel = os.path.relpath(here, top)
        found += [name if rel == "." else f"{rel}/{name}" for name in files if name.endswith((".toml", ".tsv"))]
    return sorted(found)


@cache
def _fingerprint(root: str) -> str:
    return fingerprint(root)


def fingerprint(root: Root) -> str:
    """A checksum of the knowledge files' names and bytes, the code that reads them, and the Python version.

    CRC-32 and Adler-32 side by side (64 bits) and the length: the key guards against edits, not
    against an attacker, and zlib is loaded already where hashlib's OpenSSL took 4 ms to import.
    """
    data = [f"{_FORMAT}|{sys.version}".encode()]
    for name in knowledge_files(root):
        data.append(name.encode() + b"\0" + _read(os.path.join(root, name)))
    for name in _CODE:
        try:
            data.append(name.encode() + b"\0" + _read(os.path.join(_ROOT, name)))
        except OSError:  # an install without sources: the version still keys it
            data.append(name.encode())
    whole = b"\0\0".join(data)
    return f"{zlib.crc32(whole):08x}{zlib.adler32(whole):08x}{len(whole):x}"


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def cached(root: Root, part: str, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """One part of the compiled knowledge of `root`: from the cache when current, else built and stored.

    A build that raises (broken knowledge) stores nothing.
    """
    if os.environ.get("MXCHECK_CACHE") == "0":
        return build()
    try:
        key = _fingerprint(os.fspath(root))
    except OSError:
        return build()
    path = os.path.join(cache_dir(), f"{part}-{key}.pickle")
    found = _load(path, key)
    if found is not None:
        return found
    value = build()
    _store(path, key, value)
    return value


def load_part(part: str, key: str) -> dict[str, Any] | None:
    """A part stored under `key` by store_part (None when missing, stale or unreadable)."""
    return _load(os.path.join(cache_dir(), f"{part}-{key}.pickle"), key)


def store_part(part: str, key: str, value: dict[str, Any]) -> None:
    """Store a part under `key`, atomically (nothing happens when the cache cannot be written)."""
    _store(os.path.join(cache_dir(), f"{part}-{key}.pickle"), key, value)


def _load(path: str, key: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            stored = pickle.load(fh)
    except Exception:  # missing, unreadable, truncated, from another version: rebuild
        return None
    if not isinstance(stored, dict) or stored.get("key") != key or not isinstance(stored.get("value"), dict):
        return None
    _touch(path)
    return stored["value"]


def _touch(path: str) -> None:
    """Mark a file in use (at most once a day): _forget_old removes files unused for a week."""
    try:
        if os.stat(path).st_mtime < time.time() - 86400:
            os.utime(path)
    except OSError:
        pass


def _store(path: str, key: str, value: dict[str, Any]) -> None:
    import tempfile  # only when the cache is written

    folder, stem = os.path.dirname(path), os.path.basename(path).removesuffix(".pickle")
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{stem}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump({"key": key, "value": value}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # readers see the old file or the whole new one, never half
        except BaseException:
            os.unlink(tmp)
            raise
        _forget_old(path)
    except (OSError, pickle.PicklingError):
        pass  # a read-only home or full disk: run without the cache


# Parts no version writes any more (all tables in one file, before each had its own): their files
# are forgotten like a part's old keys.
RETIRED = ("tables",)


def _forget_old(kept: str, *, days: float = 7) -> None:
    """Remove this part's files of other keys, and retired parts' files, not used for a week
    (another checkout may still use one)."""
    folder, name = os.path.split(kept)
    parts = (name.split("-", 1)[0], *RETIRED)
    cutoff = time.time() - days * 86400
    for entry in os.scandir(folder):
        if entry.name.split("-", 1)[0] in parts and entry.name.endswith(".pickle") and entry.name != name:
            if entry.stat().st_mtime < cutoff:
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    pass
