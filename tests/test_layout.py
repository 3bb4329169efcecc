"""The package layout: imports run only down the data path, and bot/ stays a handful of modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ("bot.models", "bot.vocab", "bot.errors", "bot.limits")

# What each layer may import of ours (besides itself and the shared value types), down the data
# path: reading → dnscheck → diagnose → render → cli / slackapp → handlers → app.
ALLOWED: dict[str, tuple[str, ...]] = {
    "bot": (),  # the package docstring and version only
    "bot.models": ("bot.vocab",),
    "bot.vocab": (),
    "bot.errors": ("bot.vocab",),
    "bot.limits": (),
    "bot.reading": (),
    "bot.dnscheck": ("bot.reading.knowledge", "bot.reading.datafiles"),
    "bot.diagnose": ("bot.reading", "bot.dnscheck"),
    "bot.render": (
        "bot.reading.knowledge", "bot.reading.datafiles", "bot.reading.codes", "bot.reading.lazyre",
        "bot.dnscheck.problems",
    ),
    "bot.cli": ("bot.reading", "bot.dnscheck", "bot.diagnose", "bot.render"),
    "bot.slackapp": ("bot.reading", "bot.dnscheck", "bot.diagnose", "bot.render", "handlers"),
    "handlers": ("bot.slackapp", "bot.render", "bot.reading", "bot.diagnose"),
    "bot.app": ("bot.slackapp",),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(name: str) -> str:
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if name == layer or (layer != "bot" and name.startswith(layer + ".")):
            return layer
    raise AssertionError(f"{name} belongs to no layer: add it to ALLOWED")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {n for n in found if n.split(".")[0] in ("bot", "handlers")}


SOURCES = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_down_the_data_path(path: Path) -> None:
    """Each module imports only its own layer, the shared value types and the layers before it."""
    me = _module_name(path)
    layer = _layer(me)
    ok = (layer, *SHARED, *ALLOWED[layer])
    wrong = sorted(
        n for n in _imports(path)
        if n not in ("bot", "bot.__version__") and not any(n == a or n.startswith(a + ".") for a in ok)
        # `from bot.render import json` names a module of an allowed package: judged by the module.
        and not any(n.rsplit(".", 1)[0] == a for a in ok)
    )
    assert not wrong, f"{me} ({layer}) imports {wrong}"


def test_bot_top_level_is_a_handful_of_modules() -> None:
    """bot/ holds at most 10 modules and no slack_-prefixed module: the rest live in packages."""
    top = sorted(p.name for p in (ROOT / "bot").glob("*.py"))
    assert len(top) <= 10, top
    assert not [n for n in top if n.startswith("slack_")]
    packages = {p.name for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    assert {"reading", "dnscheck", "render", "slackapp", "cli"} <= packages
    assert "dns" not in packages and not (ROOT / "bot" / "dns.py").exists()


@pytest.mark.parametrize("package", sorted((ROOT / "bot").glob("*/__init__.py")), ids=lambda p: p.parent.name)
def test_every_package_says_what_it_holds_and_may_import(package: Path) -> None:
    """Each package's docstring is a paragraph that names what it may import."""
    doc = ast.get_docstring(ast.parse(package.read_text(encoding="utf-8"))) or ""
    assert len(doc) > 150 and "import" in doc, package
