"""Agreement with the reference parser's public phrase lists, each phrase read as a bare diagnostic.

    python benchmarks/phrases.py [--verbose] [--source Reason|Lhost|Rhost|SMTP]

Reads Sisimai's tables from the installed Debian package libsisimai-perl (no network; exit 2 when
it is missing), turns every phrase and every branch of every regex into an example line
(benchmarks/sisimai_phrases.py), and classifies each as one Failure through
bot.reading.classify.classify: the line as the diagnostic with no status, and again with the
reply code and status the table gives beside it, and the remote host that makes Sisimai consult
an Rhost table. Sisimai 4.25 names reasons as Sisimai 4 did; Sisimai 5 split some of them
(rate limits became ``speeding``, SPF/DKIM/DMARC ``authfailure``, missing PTR ``requireptr``,
reputation ``badreputation``, malformed messages ``notcompliantrfc``): mxcheck's Sisimai 5 name
agrees when the example's own words name that condition. Prints one line per Sisimai reason and
``phrases: reason N/M = 0.xxx``; --verbose adds every disagreement.

History (libsisimai-perl 4.25.15-1; --source Reason / Lhost / Rhost / SMTP in brackets):
    2026-12-03 first run, before issue 7 point 1:  865/1501 = 0.576
               (Reason 397/632 = 0.628, Lhost 75/185 = 0.405, Rhost 317/598 = 0.530, SMTP 87/97 = 0.897)
    2026-12-03 after issue 7 point 1 (phrases, status registry, providers' tables): 1336/1501 = 0.890
               (Reason 571/632 = 0.903, Lhost 150/185 = 0.811, Rhost 537/598 = 0.898, SMTP 89/97 = 0.918)
    Most of what still differs is deliberate: Sisimai 4's older labels where mxcheck follows the
    status (X.2.3 "message length exceeds administrative limit" is exceedlimit), TLS/DANE refusals
    read as securityerror, and a refused TCP connection as expired (see knowledge/phrases.toml).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sisimai_phrases import Item, available, items
from bot.models import Bounce, Failure
from bot.reading.classify import classify

# Sisimai 5's name for a condition Sisimai 4 filed under another reason, and words that show it.
RENAMED = {
    "authfailure": re.compile(r"spf|dkim|dmarc|authenticat|sender policy|not allowed to send|designate"),
    "requireptr": re.compile(r"ptr|reverse|rdns|hostname|host name|name lookup|dns check|resolve your"),
    "badreputation": re.compile(r"reputation|complaint|sender score|senderscore|cloudmark"),
    "speeding": re.compile(r"rate|too many|too fast|too quickly|limit|quota|volume|frequen|slow down|throttl"),
    "notcompliantrfc": re.compile(r"rfc|header|message-id|compliant|syntax|encod"),
}
FROM = {"blocked", "rejected", "securityerror", "toomanyconn", "policyviolation", "contenterror",
        "spamdetected", "systemerror", "filtered", "exceedlimit"}
SKIP = {"onhold", "undefined", "delivered", "feedback"}  # labels that name no condition


def agrees(item: Item, got: str) -> bool:
    """mxcheck's reason is Sisimai's, or Sisimai 5's name for the condition the words state."""
    if got == item.reason:
        return True
    words = RENAMED.get(got)
    return item.reason in FROM and words is not None and words.search((item.text or item.about).lower()) is not None


def cases(item: Item) -> list[tuple[str, Failure]]:
    """The example bare, and with the reply and status its table gives (when it gives them)."""
    bare = Failure(address="user@example.net", diagnostic=item.text, remote_mta=item.remote)
    out = [("bare", bare)] if item.text else []
    if item.status or item.reply:
        out.append(("coded", Failure(address=bare.address, diagnostic=item.text, status=item.status,
                                     reply_code=item.reply, remote_mta=item.remote)))
    return out


def measure(*, source: str = "", verbose: bool = False) -> tuple[int, int]:
    """Agreements and examples over every table; prints the per-reason lines."""
    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: Counter[tuple[str, str]] = Counter()
    seen: set[tuple[str, str, str | None, str | None, str | None]] = set()
    for item in items():
        if item.reason in SKIP or not item.source.startswith(source):
            continue
        for form, failure in cases(item):
            key = (item.reason, item.text.lower(), failure.status, failure.reply_code, item.remote)
            if key in seen:
                continue
            seen.add(key)
            verdict = classify(failure, Bounce(format=item.format, failures=(failure,)))
            total[item.reason] += 1
            if agrees(item, str(verdict.reason)):
                hits[item.reason] += 1
                continue
            misses[(item.reason, str(verdict.reason))] += 1
            if verbose:
                codes = " ".join(c for c in (failure.reply_code, failure.status) if c)
                print(f"{item.source} [{form}] want {item.reason} got {verdict.reason}"
                      f" [{verdict.rule}] {codes} {item.text[:120]!r}")
    for reason in sorted(total):
        print(f"  {reason:16s} {hits[reason]:4d}/{total[reason]:<4d} = {hits[reason] / total[reason]:.3f}")
    if verbose:
        for (want, got), n in misses.most_common(30):
            print(f"  {n:3d} want {want:16s} got {got}")
    return sum(hits.values()), sum(total.values())


def main() -> int:
    """Print the agreement per reason and overall."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--source", default="", help="only tables under this prefix: Reason, Lhost, Rhost, SMTP")
    args = parser.parse_args()
    if not available():
        print("phrases: libsisimai-perl is not installed (apt-get install -y libsisimai-perl)", file=sys.stderr)
        return 2
    hit, n = measure(source=args.source, verbose=args.verbose)
    print(f"phrases: reason {hit}/{n} = {hit / n:.3f}" if n else "phrases: no examples found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
