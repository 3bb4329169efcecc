"""Compiled expressions kept between runs (bot.reading.recipes): the same patterns, stored and refused safely."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.reading import recipes
from bot.reading.lazyre import LazyPattern

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "550 5.1.1 <kenji@example.jp>: Recipient address rejected: User unknown\n"


def _module_patterns() -> list[LazyPattern]:
    """Every lazy pattern the reading code holds at module level."""
    import importlib
    import pkgutil

    import bot.reading

    found: list[LazyPattern] = []
    for info in pkgutil.walk_packages(bot.reading.__path__, "bot.reading."):
        module = importlib.import_module(info.name)
        found += [v for v in vars(module).values() if isinstance(v, LazyPattern)]
    return found


def test_a_recipe_builds_the_pattern_re_compile_builds() -> None:
    """Built from its recipe (after a pickle round trip), each pattern matches as re.compile's does."""
    texts = [SAMPLE, "Diagnostic-Code: smtp; 552 5.2.2 mailbox full\n", "From MAILER-DAEMON\nSubject: x\n\n"]
    patterns = _module_patterns()
    assert len(patterns) > 100
    for lazy in patterns:
        source, flags = lazy.__dict__["_source"]
        recipe = pickle.loads(pickle.dumps(recipes._recipe(source, int(flags))))
        built, plain = recipes._build(recipe), re.compile(source, flags)
        assert (built.pattern, built.flags, built.groups, built.groupindex) == (
            plain.pattern,
            plain.flags,
            plain.groups,
            plain.groupindex,
        )
        for text in texts:
            sample = text.encode() if isinstance(source, bytes) else text
            a, b = built.search(sample), plain.search(sample)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), source


def test_a_bad_expression_still_raises() -> None:
    """A broken pattern is re.error, as from re.compile, and is not stored."""
    with pytest.raises(re.error):
        recipes.compile_pattern("(unclosed")
    assert ("(unclosed", 0) not in recipes.KEPT.new


def _run(cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    sample = cache.parent / "tiny.txt"
    sample.write_text(SAMPLE)
    full = {k: v for k, v in os.environ.items() if not k.startswith("MXCHECK_")}
    full.update(XDG_CACHE_HOME=str(cache), MXCHECK_LANG="en", **env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "bounce", "--json", "--no-dns", str(sample)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full,
        timeout=120,
    )


def test_recipes_are_stored_at_exit_and_used_by_the_next_run(tmp_path: Path) -> None:
    """The first run stores what it compiled; a damaged file is ignored and replaced; answers never change."""
    cache = tmp_path / "cache"
    first = _run(cache)
    [stored] = (cache / "mxcheck").glob("regex-*.pickle")
    with stored.open("rb") as fh:
        recipes_kept = pickle.load(fh)["value"]["entries"]
    assert len(recipes_kept) > 20 and first.returncode == 0 and not first.stderr.strip()
    second = _run(cache)
    assert second.stdout == first.stdout and not second.stderr.strip()
    stored.write_bytes(b"not a pickle")
    third = _run(cache)
    assert third.stdout == first.stdout and not third.stderr.strip()
    with stored.open("rb") as fh:
        assert len(pickle.load(fh)["value"]["entries"]) > 20  # written again


def test_cache_off_writes_no_recipes(tmp_path: Path) -> None:
    """MXCHECK_CACHE=0: nothing is stored."""
    cache = tmp_path / "cache"
    assert _run(cache, MXCHECK_CACHE="0").returncode == 0
    assert not list(cache.rglob("regex-*"))


def test_a_recipe_for_another_pattern_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored recipe whose pattern is not the one asked (a damaged or foreign file) is ignored."""
    monkeypatch.setattr(recipes.KEPT, "stored", {(r"\s+", 0): recipes._recipe("Z", 0)})
    built = recipes.compile_pattern(r"\s+")
    assert built.pattern == r"\s+" and built.sub(" ", "a  b\tc") == "a b c"


def test_save_keeps_the_stored_recipes_and_caps_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """save() merges with what another process stored; past MAX_RECIPES it starts again from this run's."""
    from bot.reading import kcache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("MXCHECK_CACHE", raising=False)
    kept = recipes.KEPT
    monkeypatch.setattr(kept, "stored", {})
    monkeypatch.setattr(kept, "new", {("a+", 0): recipes._recipe("a+", 0)})
    kcache.store_part("regex", kept.key(), {"entries": {("b+", 0): recipes._recipe("b+", 0)}})
    kept.save()
    assert set(kcache.load_part("regex", kept.key())["entries"]) == {("a+", 0), ("b+", 0)}
    monkeypatch.setattr(kept, "limit", 1)
    monkeypatch.setattr(kept, "new", {("c+", 0): recipes._recipe("c+", 0)})
    kept.save()
    assert set(kcache.load_part("regex", kept.key())["entries"]) == {("c+", 0)}
