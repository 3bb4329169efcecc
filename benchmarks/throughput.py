"""Decoding speed over the whole corpus, side by side with Sisimai (Perl) in the same run.

    python benchmarks/throughput.py [--repeat N] [--runs N] [--go-sisimai BINARY] [--before CHECKOUT]

Whole processes first, as a user runs them, taking turns, median of --runs (default 7) after
one unmeasured run of each: `mxcheck bounce --json --no-dns DIR` against `perl -MSisimai -e
'print Sisimai->dump(DIR)'` (both read every file and print JSON), and go-sisimai when a binary
is given (none is packaged for Debian, so without --go-sisimai the line says it was not run;
benchmarks/go_sisimai/main.go is such a binary, built against a go-sisimai checkout).
Peak memory is each child's own ru_maxrss (os.wait4). Ends that part with
``whole process: mxcheck <t> s, Sisimai <t> s: ratio <r>; at least 2x: yes|no``.

Then the warm passes in one process:

mxcheck: normalize + parse + classify + cause lookup (bot.diagnose.analyse, no DNS) of every
corpus file, file reading included, in this process. Sisimai: `Sisimai->make($dir)` over the same
directory in one Perl process, file reading included. Both report a cold pass (the first, with
lazy loading: Python's regex compiles, Perl's per-format `require`s) and the best of N warm
passes; interpreter start-up and `import`/`use` are measured apart and included in neither.
The verdict compares the warm passes. Ends with:
``mxcheck <n> msg/s, Sisimai <m> msg/s: ratio <r> (Sisimai time / mxcheck time); at least as fast: yes|no``.

With --before CHECKOUT (another checkout of mxcheck, e.g. `git worktree add /tmp/before COMMIT`),
its `bounce --json --no-dns DIR` takes turns with the others and its warm passes run in a child
process, for a before/after in the same run. The figures of each change are kept in
benchmarks/throughput_history.md (2026-12-03, issue 11: whole process 0.662 s before, 0.479 s after,
Sisimai 0.676 s, same run).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import CORPUS, available
from benchmarks.proc import alternate, byte_compile, line, median, mxcheck_command, perl_sisimai

_PERL_DUMP = "print Sisimai->dump($ARGV[0])"

_PERL_PASSES = r"""
use strict; use Time::HiRes qw(time);
my ($dir, $n) = @ARGV;
for my $i (0 .. $n) {
    my $t = time; my $v = Sisimai->make($dir) || [];
    printf "%d %.6f\n", scalar(@$v), time - $t;
}
"""


def _mxcheck(files: list[Path], repeat: int) -> tuple[float, float, float, int]:
    """Import time, cold pass, best warm pass (seconds) and recipients found."""
    started = time.perf_counter()
    from bot.diagnose import analyse
    from bot.reading.knowledge import knowledge

    knowledge()
    imported = time.perf_counter() - started
    passes: list[float] = []
    found = 0
    for _ in range(repeat + 1):
        started = time.perf_counter()
        found = sum(len(analyse(path.read_bytes(), source=path.name).recipients) for path in files)
        passes.append(time.perf_counter() - started)
    return imported, passes[0], min(passes[1:]), found


# Runs another checkout's CLI: its folder first on sys.path, then bot.cli as `python -m` would.
_FROM_CHECKOUT = (
    "import runpy, sys; sys.path.insert(0, sys.argv[1]); sys.argv = ['mxcheck', *sys.argv[2:]]; "
    "runpy.run_module('bot.cli', run_name='__main__', alter_sys=True)"
)
_WARM_CHILD = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
started = time.perf_counter()
from bot.diagnose import analyse
from bot.reading.knowledge import knowledge
knowledge()
imported = time.perf_counter() - started
files = sorted(p for p in Path(sys.argv[2]).iterdir() if p.is_file())
passes = []
for _ in range(int(sys.argv[3]) + 1):
    started = time.perf_counter()
    found = sum(len(analyse(path.read_bytes(), source=path.name).recipients) for path in files)
    passes.append(time.perf_counter() - started)
print(imported, passes[0], min(passes[1:]), found)
"""


def _warm_elsewhere(root: Path, directory: Path, repeat: int) -> tuple[float, float, float, int]:
    """The warm passes of `_mxcheck` with another checkout's code, in a child process."""
    out = subprocess.run([sys.executable, "-c", _WARM_CHILD, str(root), str(directory), str(repeat)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2]), int(out[3])


def _best_of(command: list[str], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best


def _sisimai(directory: Path, repeat: int) -> tuple[float, float, float, int] | None:
    """Start-up (perl -MSisimai -e 1), cold pass, best warm pass and results, or None without Perl."""
    perl = perl_sisimai()
    if perl is None:
        return None
    startup = _best_of([perl, "-MSisimai", "-e", "1"])
    out = subprocess.run(
        [perl, "-MSisimai", "-e", _PERL_PASSES, str(directory), str(repeat)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    counts, times = [int(c) for c in out[0::2]], [float(t) for t in out[1::2]]
    return startup, times[0], min(times[1:]), counts[0]


def _whole(directory: Path, n: int, runs: int, go: str | None, before: Path | None) -> None:
    """Whole processes, alternating, median of `runs`: mxcheck, Sisimai (Perl), go-sisimai if given."""
    byte_compile()
    if before:
        byte_compile(before)
    commands = {"mxcheck bounce --json --no-dns": [*mxcheck_command(), "bounce", "--json", "--no-dns", str(directory)]}
    if before:
        commands["mxcheck before (--before)"] = [sys.executable, "-c", _FROM_CHECKOUT, str(before), "bounce",
                                                 "--json", "--no-dns", str(directory)]
    perl = perl_sisimai()
    if perl:
        commands["Sisimai (Perl) dump"] = [perl, "-MSisimai", "-e", _PERL_DUMP, str(directory)]
    if go:
        commands["go-sisimai"] = [go, str(directory)]
    found = {name: median(r) for name, r in alternate(commands, runs).items()}
    print(f"whole processes over {n} files, median of {runs} alternating runs:")
    for name, m in found.items():
        print(line(name, m) + f"   {n / m.wall:5.0f} msg/s")
    if not go:
        print("go-sisimai: not run (no binary here; pass --go-sisimai PATH to compare)")
    if perl:
        mx, pl = found["mxcheck bounce --json --no-dns"].wall, found["Sisimai (Perl) dump"].wall
        ratio = pl / mx
        print(
            f"whole process: mxcheck {mx:.3f} s, Sisimai {pl:.3f} s: ratio {ratio:.2f} "
            f"(Sisimai time / mxcheck time); at least 2x: {'yes' if ratio >= 2 else 'no'}"
        )
        if go:
            g = found["go-sisimai"].wall
            print(f"go-sisimai {g:.3f} s: mxcheck no slower: {'yes' if mx <= g else 'no'}")


def main() -> int:
    """Time both decoders and print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="warm passes after the cold one (default 3)")
    ap.add_argument("--runs", type=int, default=7, help="whole-process runs of each command (default 7)")
    ap.add_argument("--go-sisimai", metavar="BINARY", help="a go-sisimai binary taking a directory")
    ap.add_argument("--before", metavar="CHECKOUT", type=Path, help="another mxcheck checkout to compare with")
    args = ap.parse_args()
    if not available():
        print("corpus not found (set MXCHECK_CORPUS)", file=sys.stderr)
        return 2
    directory = CORPUS / "emails"
    files = sorted(p for p in directory.iterdir() if p.is_file())
    n = len(files)
    _whole(directory, n, max(args.runs, 1), args.go_sisimai, args.before)
    repeat = max(args.repeat, 1)
    imported, cold, warm, found = _mxcheck(files, repeat)
    print(f"corpus: {n} files in {directory}")
    print(
        f"mxcheck: import+knowledge {imported:.3f}s (excluded); cold pass {cold:.3f}s; "
        f"best warm pass {warm:.3f}s = {n / warm:.0f} msg/s; {found} recipients"
    )
    if args.before:
        _i, b_cold, b_warm, b_found = _warm_elsewhere(args.before, directory, repeat)
        print(f"mxcheck before: cold pass {b_cold:.3f}s; best warm pass {b_warm:.3f}s = {n / b_warm:.0f} msg/s; "
              f"{b_found} recipients; warm ratio {b_warm / warm:.2f} (before / now)")
    sisimai = _sisimai(directory, repeat)
    if sisimai is None:
        print("Sisimai: perl -MSisimai not available; no comparison")
        return 0
    startup, s_cold, s_warm, results = sisimai
    print(
        f"Sisimai: perl start-up {startup:.3f}s (excluded); cold pass {s_cold:.3f}s; "
        f"best warm pass {s_warm:.3f}s = {n / s_warm:.0f} msg/s; {results} results"
    )
    print(f"cold passes: ratio {s_cold / cold:.2f} (Sisimai time / mxcheck time)")
    verdict = "yes" if warm <= s_warm else "no"
    print(
        f"mxcheck {n / warm:.0f} msg/s, Sisimai {n / s_warm:.0f} msg/s: ratio {s_warm / warm:.2f} "
        f"(Sisimai time / mxcheck time); at least as fast: {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
