"""Reason and status agreement with Sisimai's labels, whole messages and pasted text.

    python benchmarks/accuracy.py [--verbose] [--form whole|pasted] [--by-family]

Recipients are compared in order. A label whose status is Sisimai's pseudo code (X.0.9NN) or
empty counts for the reason only. Ends with one line per form:
``<form>: reason N/M = 0.xxx; status N/M = 0.xxx``. With --by-family, first one line per format
family (the corpus file name without its number: ``lhost-postfix``, ``rhost-franceptt``), weakest
first, so weak families show.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import available, pasted_form, samples
from bot.errors import InputError
from bot.reading.analyse import read_bounce, verdicts
from bot.reading.datafiles import load_table


def _real_status(status: str) -> bool:
    return bool(status) and ".0.9" not in status


def family(name: str) -> str:
    """A corpus file's format family: its name without the number ("lhost-postfix-03.eml" → "lhost-postfix")."""
    return re.sub(r"-\d+\.eml\Z", "", name)


def measure(
    form: str, *, verbose: bool = False, families: dict[str, list[int]] | None = None
) -> tuple[int, int, int, int]:
    """Reason hits, reason total, status hits, status total for one form (per family into `families`)."""
    r_hit = r_all = s_hit = s_all = 0
    families = defaultdict(lambda: [0, 0]) if families is None else families
    misses: Counter[tuple[str, str]] = Counter()
    for sample in samples():
        data: bytes | str = sample.raw if form == "whole" else pasted_form(sample.raw)
        try:
            bounce = read_bounce(data)
        except InputError:
            bounce = None
        found = list(zip(bounce.failures, verdicts(bounce), strict=True)) if bounce else []
        for i, label in enumerate(sample.labels):
            failure, verdict = found[i] if i < len(found) else (None, None)
            got_reason = str(verdict.reason) if verdict else "-"
            r_all += 1
            tally = families.setdefault(family(sample.name), [0, 0])
            tally[1] += 1
            if got_reason == label["reason"]:
                r_hit += 1
                tally[0] += 1
            else:
                misses[(label["reason"], got_reason)] += 1
                if verbose:
                    print(
                        f"{form} {sample.name}#{i}: want {label['reason']} got {got_reason}"
                        f" [{verdict.rule if verdict else ''}] {(failure.diagnostic if failure else '')[:140]!r}"
                    )
            if _real_status(label["status"]):
                s_all += 1
                s_hit += bool(failure and failure.status == label["status"])
    recorded = {(d["ours"], d["theirs"]) for d in load_table("disagreements")["disagreement"] if d["field"] == "reason"}
    if verbose:
        for (want, got), n in misses.most_common(40):
            mark = "  (recorded disagreement)" if (got, want) in recorded else ""
            print(f"  {n:3d} want {want:16s} got {got}{mark}")
    covered = sum(n for (want, got), n in misses.items() if (got, want) in recorded)
    print(f"{form}: {covered} of {sum(misses.values())} misses are recorded disagreements (knowledge/disagreements.toml)")
    return r_hit, r_all, s_hit, s_all


def main() -> int:
    """Print the agreement for each form."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--form", choices=("whole", "pasted"))
    ap.add_argument("--by-family", action="store_true", help="agreement per format family, weakest first")
    args = ap.parse_args()
    if not available():
        print("corpus not found (set MXCHECK_CORPUS)", file=sys.stderr)
        return 2
    for form in (args.form,) if args.form else ("whole", "pasted"):
        families: dict[str, list[int]] = {}
        rh, ra, sh, sa = measure(form, verbose=args.verbose, families=families)
        if args.by_family:
            for name, (hit, n) in sorted(families.items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0])):
                print(f"{form} {name}: reason {hit}/{n} = {hit / n:.3f}")
        print(f"{form}: reason {rh}/{ra} = {rh / ra:.3f}; status {sh}/{sa} = {sh / max(sa, 1):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
