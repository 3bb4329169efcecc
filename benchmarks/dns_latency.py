"""Wall time and round trips of domain checks, cold and warm, against the loopback DNS server with 50 ms per answer.

    python benchmarks/dns_latency.py [--reps N] [--delay S]

Scenarios, each a whole process's view (a new Resolver, cache and checker per repetition):
- full: the full domain report of stsgood.auth.test — MX and hosts, SPF, DMARC, MTA-STS (TXT and
  the policy over HTTPS from a loopback server with a test CA), TLS-RPT, DNSSEC (DO/AD on every
  answer), DANE (TLSA of the MX hosts) — and the control query;
- suggest: tanaka-syoji.co.jp, a domain that does not exist, with its verified spelling suggestions.
Cold: every answer `--delay` late, so the time shows how many sequential round trips the check
needs; the rounds are counted by the server (waves of questions), not from the clock. Warm: the
same check again with the same checker (cache). Prints medians and PASS/FAIL for the targets:
full ≤ 3 rounds, cold < 250 ms; suggest = full-report rounds of a missing domain + 1; warm < 5 ms.
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "dns"))  # the test DNS and HTTPS servers and their zones

from dnsserver import DnsServer  # noqa: E402
from httpsserver import PolicyServer  # noqa: E402

from bot.dnscheck.checks import DomainChecker  # noqa: E402
from bot.dnscheck.policyfetch import PolicyFetcher  # noqa: E402
from bot.dnscheck.resolver import Resolver  # noqa: E402

POLICY = "version: STSv1\nmode: enforce\nmx: mx1.healthy.test\nmax_age: 86400\n"
COLD_TARGET_MS = 250.0
WARM_TARGET_MS = 5.0
FULL_ROUNDS = 3
# A missing domain: the first round (NXDOMAIN), then one concurrent round of candidates' MX, and a
# small one for the A/AAAA of candidates without MX (implicit MX).
SUGGEST_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Run:
    """One repetition's figures."""

    cold_ms: float
    warm_ms: float
    sent_cold: int
    sent_warm: int
    rounds: int


async def _one(server: DnsServer, policy: PolicyServer, domain: str) -> Run:
    server.reset_counts()
    resolver = Resolver([server.address], timeout=2.0)
    fetcher = PolicyFetcher(resolver, cafile=str(policy.cafile), port=policy.port, timeout=2.0)
    checker = DomainChecker(resolver, deadline=3.0, fetcher=fetcher)
    start = time.perf_counter()
    cold = await checker.check_one(domain)
    cold_ms = (time.perf_counter() - start) * 1000
    sent_cold, rounds = resolver.queries_sent, server.rounds()
    start = time.perf_counter()
    warm = await checker.check_one(domain)
    warm_ms = (time.perf_counter() - start) * 1000
    if not (cold.complete and warm == cold):
        raise SystemExit(f"check of {domain} incomplete or unstable: {cold.problems}")
    return Run(cold_ms, warm_ms, sent_cold, resolver.queries_sent - sent_cold, rounds)


def _report(name: str, domain: str, runs: list[Run], rounds_target: int) -> bool:
    cold = statistics.median(r.cold_ms for r in runs)
    warm = statistics.median(r.warm_ms for r in runs)
    last = runs[-1]
    ok_rounds = last.rounds <= rounds_target
    ok_cold = name != "full" or cold < COLD_TARGET_MS
    ok_warm = warm < WARM_TARGET_MS
    print(f"[{name}] {domain}")
    print("  cold ms: " + " ".join(f"{r.cold_ms:.1f}" for r in runs))
    print("  warm ms: " + " ".join(f"{r.warm_ms:.3f}" for r in runs))
    print(f"  queries sent: cold {last.sent_cold}, warm {last.sent_warm}; rounds {last.rounds}")
    print(f"  rounds {last.rounds} (target <= {rounds_target}): {'PASS' if ok_rounds else 'FAIL'}")
    if name == "full":
        print(
            f"  cold median {cold:.1f} ms (target < {COLD_TARGET_MS:.0f} ms): {'PASS' if ok_cold else 'FAIL'}"
        )
    else:
        print(f"  cold median {cold:.1f} ms")
    print(f"  warm median {warm:.3f} ms (target < {WARM_TARGET_MS:.0f} ms): {'PASS' if ok_warm else 'FAIL'}")
    return ok_rounds and ok_cold and ok_warm


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print their figures; 1 when a target is missed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added to every DNS answer")
    args = parser.parse_args(argv)
    scenarios = [
        ("full", "stsgood.auth.test", FULL_ROUNDS),
        ("suggest", "tanaka-syoji.co.jp", SUGGEST_ROUNDS),
    ]
    policy = PolicyServer({"mta-sts.stsgood.auth.test": (200, POLICY)}).start()
    ok = True
    try:
        with DnsServer.from_directory() as server:
            server.fault("delay", seconds=args.delay)
            print(f"{args.delay * 1000:.0f} ms per DNS answer, {args.reps} reps")
            for name, domain, rounds in scenarios:
                runs = [asyncio.run(_one(server, policy, domain)) for _ in range(args.reps)]
                ok = _report(name, domain, runs, rounds) and ok
    finally:
        policy.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
