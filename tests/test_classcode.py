"""Dataclasses' generated methods kept compiled between runs (bot.reading.classcode): same classes, stored safely."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from bot.reading import classcode

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "550 5.1.1 <kenji@example.jp>: Recipient address rejected: User unknown\n"

# A frozen, slotted dataclass like the pipeline's, defined in a fresh namespace by each side.
_CLASS = """
from dataclasses import dataclass, field
@dataclass(frozen=True, slots=True)
class Rec:
    name: str
    code: str | None = None
    tags: tuple[str, ...] = ()
    seen: list[int] = field(default_factory=list, compare=False)
"""
_METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")


def _methods(ns: dict[str, object]) -> dict[str, tuple[object, ...]]:
    cls = ns["Rec"]
    out = {}
    for name in _METHODS:
        code = getattr(cls, name).__code__
        out[name] = (
            code.co_code,
            code.co_consts,
            code.co_names,
            code.co_varnames,
            code.co_freevars,
            code.co_flags,
        )
    return out


def test_kept_code_makes_the_methods_exec_makes() -> None:
    """A class built through the kept code has byte-for-byte the methods of one built by exec, and behaves so."""
    import builtins
    import dataclasses

    plain: dict[str, object] = {}
    exec(_CLASS, plain)
    shimmed: dict[str, object] = {}
    try:
        dataclasses.exec = classcode._exec  # type: ignore[attr-defined]
        exec(_CLASS, shimmed)
        exec(_CLASS, again := {})  # the second time from the code kept in this process
    finally:
        del dataclasses.exec  # type: ignore[attr-defined]
    assert _methods(shimmed) == _methods(plain) == _methods(again)
    rec = shimmed["Rec"]("a", "5.1.1")  # type: ignore[operator]
    assert repr(rec) == "Rec(name='a', code='5.1.1', tags=(), seen=[])"
    assert rec == shimmed["Rec"]("a", "5.1.1", seen=[1]) and hash(rec) == hash(shimmed["Rec"]("a", "5.1.1"))  # type: ignore[operator]
    try:
        rec.name = "b"
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a frozen class took an assignment")
    assert vars(dataclasses).get("exec", builtins.exec) is builtins.exec


def _run(cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`mxcheck bounce --json --no-dns` on a tiny file, then how many methods this run compiled anew."""
    sample = cache.parent / "tiny.txt"
    sample.write_text(SAMPLE)
    code = (
        "import sys\nfrom bot.cli.main import main\nfrom bot.reading import classcode\n"
        "main(sys.argv[1:])\nsys.stderr.write(f'NEW {len(classcode.KEPT.new)}\\n')\n"
    )
    full = {k: v for k, v in os.environ.items() if not k.startswith("MXCHECK_")}
    full.update(XDG_CACHE_HOME=str(cache), MXCHECK_LANG="en", **env)
    return subprocess.run(
        [sys.executable, "-c", code, "bounce", "--json", "--no-dns", str(sample)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full,
        timeout=120,
    )


def _new(proc: subprocess.CompletedProcess[str]) -> int:
    return int(next(x for x in proc.stderr.splitlines() if x.startswith("NEW ")).split()[1])


def test_methods_are_stored_at_exit_and_the_next_run_compiles_none(tmp_path: Path) -> None:
    """The first run compiles and stores; the second compiles nothing; a damaged file is replaced; answers never change."""
    cache = tmp_path / "cache"
    first = _run(cache)
    assert first.returncode == 0 and _new(first) > 50
    [stored] = (cache / "mxcheck").glob("classcode-*.pickle")
    with stored.open("rb") as fh:
        assert len(pickle.load(fh)["value"]["entries"]) == _new(first)
    second = _run(cache)
    assert second.stdout == first.stdout and _new(second) == 0
    stored.write_bytes(b"not a pickle")
    third = _run(cache)
    assert third.stdout == first.stdout and _new(third) == _new(first)


def test_a_damaged_entry_is_compiled_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry that does not unmarshal to code is ignored: the source is compiled as exec would."""
    source = "def __create_fn__():\n def f(x):\n  return x + 1\n return f"
    monkeypatch.setattr(classcode.KEPT, "stored", {source: b"\x00garbage"})
    monkeypatch.setattr(classcode.KEPT, "new", {})
    ns: dict[str, object] = {}
    classcode._exec(source, {}, ns)
    assert ns["__create_fn__"]()(1) == 2  # type: ignore[operator]
    assert source in classcode.KEPT.new


def test_cache_off_keeps_no_methods(tmp_path: Path) -> None:
    """MXCHECK_CACHE=0: nothing is stored."""
    cache = tmp_path / "cache"
    assert _run(cache, MXCHECK_CACHE="0").returncode == 0
    assert not list(cache.rglob("classcode-*"))
