"""The TOML files of knowledge/, each read once: the tables UI words, DNS rules and phrase lists come from.

Apart from the checked whole (bot.reading.knowledge) so that a command that only needs words (`--help`,
a usage error) loads no value types, no rulebook and no dataclass machinery.
"""

from __future__ import annotations

import os
from functools import cache

from bot.reading.kcache import cached

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from importlib.resources.abc import Traversable
    from typing import Any


@cache
def load_table(name: str) -> dict[str, Any]:
    """A TOML file of knowledge/ by name ('messages' reads knowledge/messages.toml), parsed once."""
    root = package_root()
    if not isinstance(root, str):
        return toml_text(root.joinpath(f"{name}.toml").read_text(encoding="utf-8"))
    path = os.path.join(root, f"{name}.toml")

    def build() -> dict[str, Any]:
        with open(path, encoding="utf-8") as fh:
            return toml_text(fh.read())

    # A cache file per table: a bounce without DNS reads two of the sixteen (messages, reading),
    # and loading them all from one file took 1.9 ms of every run's start-up.
    return cached(root, f"table_{name}", build)


def toml_text(text: str) -> dict[str, Any]:
    """A TOML document parsed (tomllib imported here: with a current cache, no run parses TOML)."""
    import tomllib

    return tomllib.loads(text)


@cache
def package_root() -> Traversable | str:
    """The package's knowledge/ folder as a path string (importlib.resources only when it is not a plain folder)."""
    import knowledge as package  # the data package: its __init__ is empty

    where = getattr(package, "__file__", None)
    if where and os.path.isdir(os.path.dirname(where)):
        # os.path, not pathlib or importlib.resources: they cost a one-message run 5 and 10 ms.
        return os.path.dirname(where)
    from importlib import resources

    return resources.files("knowledge")
