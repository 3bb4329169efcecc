"""Loads the data in knowledge/: tables are TOML files read once and cached."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_table(name: str) -> dict[str, Any]:
    """A TOML file of knowledge/ by name ('messages' reads knowledge/messages.toml), parsed once."""
    path = resources.files("knowledge").joinpath(f"{name}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))
