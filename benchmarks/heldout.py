"""Agreement on held-out bounces (tests/samples/heldout): reason and responsible side, no DNS.

    python benchmarks/heldout.py [--verbose] [--forms]

The samples are bounces written from what real servers say today, not taken from the corpus;
their expectations live in tests/samples/heldout/expected.toml; each blind batch's first-run figure is
in benchmarks/heldout_history.md. With --batch b08/ only that batch is scored. Ends with one line:
``heldout: reason N/M = 0.xxx; responsible N/M = 0.xxx``. With --forms, first one such line per
paste form of the text samples (quoted with ">", Slack-escaped, CRLF, re-wrapped at 76 columns
as a mail client forwards plain text, flush left, under a forwarding header block).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import tomllib
from collections.abc import Callable, Iterator
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
    addresses: tuple[str, ...] | None = None  # every failed recipient named, where the batch lists them
    bounce: bool = True  # False for an ordinary mail (auto-reply, confirmation, question)

    @property
    def path(self) -> Path:
        """Where the sample lives."""
        return HELDOUT / self.file


def expected() -> Iterator[Expected]:
    """The manifest's entries, in file order."""
    table = tomllib.loads((HELDOUT / "expected.toml").read_text(encoding="utf-8"))
    for row in table["sample"]:
        if "addresses" in row:
            row["addresses"] = tuple(a.lower() for a in row["addresses"])
        yield Expected(**row)


def diagnosis(sample: Expected) -> Diagnosis:
    """The pure diagnosis (no DNS) of one held-out file, read as bytes like the CLI does."""
    return analyse(sample.path.read_bytes(), source=sample.file)


NOT_FAILURES = frozenset({"vacation", "delivered", "feedback"})  # readings of mails that are not bounces


def got(d: Diagnosis) -> tuple[str, str, str]:
    """(reason, responsible, cause id) of a diagnosis's main recipient; "-" where there is none."""
    main = d.main
    if main is None:
        return "-", "-", "-"
    if str(main.reason) in NOT_FAILURES:
        return str(main.reason), "-", main.cause.id
    return str(main.reason), str(main.responsible), main.cause.id


def failed_addresses(d: Diagnosis) -> set[str]:
    """The addresses a diagnosis names as failed (or delayed), lower case."""
    return {r.failure.address.lower() for r in d.recipients if str(r.reason) not in NOT_FAILURES}


def taken_for_bounce(d: Diagnosis) -> bool:
    """Whether an ordinary mail was read as a failure of some recipient."""
    return any(str(r.reason) not in NOT_FAILURES for r in d.recipients)


def agrees_ordinary(sample: Expected, d: Diagnosis) -> bool:
    """An ordinary mail is read right when no recipient failed and, where a reading is expected
    (an auto-reply's `vacation`, a report's `delivered`), that reading is given."""
    if taken_for_bounce(d):
        return False
    return sample.reason == "-" or got(d)[0] == sample.reason


def _rewrapped(text: str, width: int = 76) -> str:
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""])
    return "\n".join(out)


FORMS: dict[str, Callable[[str], str]] = {
    "quoted": lambda t: "\n".join("> " + line if line else ">" for line in t.split("\n")),
    "slack": lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "rewrapped": _rewrapped,
    "flush-left": lambda t: "\n".join(line.strip() for line in t.split("\n")),
    "forwarded": lambda t: (
        "From: Taro <taro@example.org>\nSent: Thursday, May 16, 2024 10:00 AM\n"
        "To: helpdesk@example.org\nSubject: FW: Undeliverable\n\n" + t
    ),
}


def _score(name: str, cases: list[tuple[Expected, bytes | str]], *, verbose: bool) -> None:
    r_hit = s_hit = 0
    found = wanted = right = 0  # failed addresses: named by us, expected, both
    ordinary = mistaken = 0
    for sample, data in cases:
        d = analyse(data, source=sample.file)
        reason, side, cause = got(d)
        if not sample.bounce and agrees_ordinary(sample, d):
            reason, side = sample.reason, sample.responsible
        r_hit += reason == sample.reason
        s_hit += side == sample.responsible
        if not sample.bounce:
            ordinary += 1
            mistaken += taken_for_bounce(d)
        if sample.addresses is not None:
            ours = failed_addresses(d)
            found, wanted = found + len(ours), wanted + len(sample.addresses)
            right += len(ours & set(sample.addresses))
            if verbose and ours != set(sample.addresses):
                print(f"{name} {sample.file}: addresses want {sorted(sample.addresses)} got {sorted(ours)}")
        if verbose and (reason, side) != (sample.reason, sample.responsible):
            rule = d.main.rule if d.main else d.error
            want = f"{sample.reason}/{sample.responsible}"
            print(f"{name} {sample.file}: want {want} got {reason}/{side} ({cause}) [{rule}]")
    n = len(cases)
    line = f"{name}: reason {r_hit}/{n} = {r_hit / n:.3f}; responsible {s_hit}/{n} = {s_hit / n:.3f}"
    if wanted:
        line += f"; address recall {right}/{wanted} = {right / wanted:.3f}"
        line += f", precision {right}/{found} = {right / max(found, 1):.3f}"
    if ordinary:
        line += f"; ordinary mails taken for bounces {mistaken}/{ordinary}"
    print(line)


def main() -> int:
    """Print the agreement line (and each miss with --verbose; each paste form first with --forms)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--forms", action="store_true")
    ap.add_argument("--batch", help="only the files whose name starts with this prefix (one blind batch)")
    args = ap.parse_args()
    samples = [s for s in expected() if not args.batch or s.file.startswith(args.batch)]
    if args.forms:
        texts = [(s, s.path.read_text(encoding="utf-8")) for s in samples if s.path.suffix == ".txt"]
        for name, form in FORMS.items():
            _score(f"heldout-{name}", [(s, form(t)) for s, t in texts], verbose=args.verbose)
    _score("heldout", [(s, s.path.read_bytes()) for s in samples], verbose=args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
