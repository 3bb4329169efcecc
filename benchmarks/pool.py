"""Where the offline process pool starts to pay: `bounce --no-dns` of N corpus messages, one process or two.

    python benchmarks/pool.py [--runs N] [--sizes 16,32,...]

For each batch size N (messages spread over the whole corpus, so every format shows), a fresh
interpreter imports mxcheck, then times bot.cli.offline.printed over the N files with JSON output
to a string, once with workers=1 (decoded here, one after another) and once with workers=2 (this
process and one forked worker), taking turns, median of --runs. POOL_OVER is set to 0 in the
child so the pool runs at every size; what is timed starts after the imports (the same in both)
and includes the fork, the workers' cold caches and the pipes. Ends with
``pool pays from about N messages (POOL_OVER = M)``.

History (2 cores, shared machine): benchmarks/throughput_history.md. 2026-12-03, os.fork pool
(this process and one worker sharing chunks of 8), --runs 5: two processes lose below 64
messages (ratio 0.84-0.88 at 16-48) and win from 64 (1.26) to 417 (1.43).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import CORPUS, available

_CHILD = r"""
import io, sys, time
from bot.cli import offline
from bot.cli.inputs import sources
from bot.cli.output import Options, Output
from bot.vocab import Lang
offline.POOL_OVER = 0
out = Output(Options(lang=Lang.EN, json=True, dns=False), total=0, out=io.StringIO(), err=io.StringIO())
started = time.perf_counter()
offline.printed(sources([sys.argv[1]], stdin=io.BytesIO()), out, workers=int(sys.argv[2]))
print(f"{time.perf_counter() - started:.6f}")
"""


def _time(directory: Path, workers: int) -> float:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", _CHILD, str(directory), str(workers)], check=True,
                          capture_output=True, text=True, cwd=root)
    return float(done.stdout.split()[-1])


def main() -> int:
    """Print one line per batch size and the size from which two processes beat one."""
    from bot.cli.offline import POOL_OVER

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--sizes", default="16,32,48,64,96,128,192,256,417")
    args = ap.parse_args()
    if not available():
        print("corpus not found (set MXCHECK_CORPUS)", file=sys.stderr)
        return 2
    files = sorted(p for p in (CORPUS / "emails").iterdir() if p.is_file())
    pays = None
    for n in (int(s) for s in args.sizes.split(",")):
        n = min(n, len(files))
        spread = [files[i * len(files) // n] for i in range(n)]
        with tempfile.TemporaryDirectory() as tmp:
            for i, f in enumerate(spread):
                (Path(tmp) / f"{i:04d}-{f.name}").symlink_to(f)
            one, two = [], []
            for _ in range(max(args.runs, 1)):
                one.append(_time(Path(tmp), 1))
                two.append(_time(Path(tmp), 2))
        a, b = statistics.median(one), statistics.median(two)
        print(f"{n:4d} messages: one process {a * 1000:7.1f} ms, two {b * 1000:7.1f} ms: ratio {a / b:.2f}")
        if b < a and pays is None:
            pays = n
        elif b >= a:
            pays = None
    print(f"pool pays from about {pays} messages (POOL_OVER = {POOL_OVER})" if pays else "pool never paid here")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
