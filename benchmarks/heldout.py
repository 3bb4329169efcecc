"""Agreement on held-out bounces (tests/samples/heldout): reason and responsible side, no DNS.

    python benchmarks/heldout.py [--verbose]

The samples are bounces written from what real servers say today, not taken from the corpus;
their expectations live in tests/samples/heldout/expected.toml. Ends with one line:
``heldout: reason N/M = 0.xxx; responsible N/M = 0.xxx``.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.diagnose import analyse
from bot.models import Diagnosis

HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "samples" / "heldout"


@dataclass(frozen=True, slots=True)
class Expected:
    """One held-out file and what it should be diagnosed as."""

    file: str
    reason: str
    responsible: str
    cause: str | None = None
    note: str | None = None

    @property
    def path(self) -> Path:
        """Where the sample lives."""
        return HELDOUT / self.file


def expected() -> Iterator[Expected]:
    """The manifest's entries, in file order."""
    table = tomllib.loads((HELDOUT / "expected.toml").read_text(encoding="utf-8"))
    for row in table["sample"]:
        yield Expected(**row)


def diagnosis(sample: Expected) -> Diagnosis:
    """The pure diagnosis (no DNS) of one held-out file, read as bytes like the CLI does."""
    return analyse(sample.path.read_bytes(), source=sample.file)


def got(d: Diagnosis) -> tuple[str, str, str]:
    """(reason, responsible, cause id) of a diagnosis's main recipient; "-" where there is none."""
    main = d.main
    if main is None:
        return "-", "-", "-"
    return str(main.reason), str(main.responsible), main.cause.id


def main() -> int:
    """Print the agreement line (and each miss with --verbose)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    r_hit = s_hit = total = 0
    for sample in expected():
        d = diagnosis(sample)
        reason, side, cause = got(d)
        total += 1
        r_hit += reason == sample.reason
        s_hit += side == sample.responsible
        if args.verbose and (reason, side) != (sample.reason, sample.responsible):
            rule = d.main.rule if d.main else d.error
            print(
                f"{sample.file}: want {sample.reason}/{sample.responsible} got {reason}/{side} ({cause}) [{rule}]"
            )
    print(
        f"heldout: reason {r_hit}/{total} = {r_hit / total:.3f}; responsible {s_hit}/{total} = {s_hit / total:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
