"""Whole-process measurements for the benchmarks: wall time, CPU time and peak memory of one child.

Each child is waited for with os.wait4, so its own resource usage is read (ru_maxrss of that
process alone, not the largest of every child so far). Medians of several runs, alternating
commands in one loop, so a machine whose load changes during the run treats each command alike.
"""

from __future__ import annotations

import compileall
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Run:
    """One child's wall seconds, CPU seconds (user + system) and peak resident memory in KiB."""

    wall: float
    cpu: float
    peak_kib: int


def run(
    command: list[str], *, stdin: Path | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Run:
    """Run a command to the end (output discarded) and measure it; raises if it exits above 2."""
    import time

    with open(stdin or os.devnull, "rb") as fin:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(command)} exited {proc.returncode}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def alternate(commands: dict[str, list[str]], runs: int, **options: object) -> dict[str, list[Run]]:
    """Each command `runs` times, taking turns, after one unmeasured warm-up run of each."""
    for command in commands.values():
        run(command, **options)  # type: ignore[arg-type]
    found: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            found[name].append(run(command, **options))  # type: ignore[arg-type]
    return found


def median(runs: list[Run]) -> Run:
    """The median wall, CPU and peak of a list of runs (each taken on its own)."""
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        int(statistics.median(r.peak_kib for r in runs)),
    )


def mxcheck_command(root: Path | None = None) -> list[str]:
    """How to start mxcheck as a user does: the installed console script, else `python -m bot.cli`.

    With `root` (another checkout, for a before/after), `python -m bot.cli` run from that folder.
    """
    if root is not None and root.resolve() != ROOT:
        return [sys.executable, "-m", "bot.cli"]
    script = Path(sys.executable).with_name("mxcheck")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bot.cli"]


def regular_install(where: Path) -> Path | None:
    """mxcheck installed as a user installs it (`pip install .`, not editable) in a new venv under `where`.

    Without its dependencies (--no-deps): the start-up commands measured import none of them, and
    a run that did would fail here instead of being measured. An editable install adds a path
    finder that every interpreter start imports (~15 ms, in `python -c pass` too). Returns the
    console script, or None when pip cannot build the package.
    """
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(ROOT)],
        capture_output=True, text=True,
    )
    script = venv / "bin" / "mxcheck"
    return script if built.returncode == 0 and script.is_file() else None


def byte_compile(root: Path = ROOT) -> None:
    """Write the .pyc files an installed package has (PYTHONDONTWRITEBYTECODE=1 would skip them).

    `root` is another checkout for a before/after: without its .pyc files it would compile every
    module on each run and look slower than it is.
    """
    compileall.compile_dir(root / "bot", quiet=1)
    compileall.compile_dir(root / "knowledge", quiet=1)


def perl_sisimai() -> str | None:
    """The perl binary when Sisimai is installed (Debian libsisimai-perl), else None."""
    perl = shutil.which("perl")
    if perl is None or subprocess.run([perl, "-MSisimai", "-e", "1"], capture_output=True).returncode != 0:
        return None
    return perl


def line(name: str, m: Run) -> str:
    """One figure line: wall and CPU in ms, peak memory in MiB."""
    return f"{name:<34} wall {m.wall * 1000:7.1f} ms   cpu {m.cpu * 1000:7.1f} ms   peak {m.peak_kib / 1024:6.1f} MiB"
