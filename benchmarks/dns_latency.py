"""Wall time of one domain check, cold and warm, against the loopback DNS server with 50 ms per answer.

    python benchmarks/dns_latency.py [--reps N] [--delay S] [--domain NAME] [--no-auth]

Each repetition builds a new Resolver (empty cache) and DomainChecker, checks the domain once
(cold: every answer 50 ms late, so the figure shows how many round trips the check needs) and
again with the same checker (warm: from the cache). Prints the medians in ms, the queries sent
and received, the rounds the server saw, and PASS/FAIL for the targets: cold < 200 ms, warm < 5 ms.
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "dns"))  # the test DNS server and its zones

from dnsserver import DnsServer  # noqa: E402

from bot.dnscheck.checks import DomainChecker  # noqa: E402
from bot.dnscheck.resolver import Resolver  # noqa: E402

COLD_TARGET_MS = 200.0
WARM_TARGET_MS = 5.0


async def _one(server: DnsServer, domain: str, auth: bool) -> tuple[float, float, int, int, int, int]:
    """Cold ms, warm ms, queries sent cold, queries sent warm, questions received, server rounds."""
    server.reset_counts()
    checker = DomainChecker(Resolver([server.address], timeout=2.0), deadline=3.0)
    start = time.perf_counter()
    cold = await checker.check_one(domain, auth=auth)
    cold_ms = (time.perf_counter() - start) * 1000
    sent_cold = checker.resolver.queries_sent
    rounds = server.rounds()
    start = time.perf_counter()
    warm = await checker.check_one(domain, auth=auth)
    warm_ms = (time.perf_counter() - start) * 1000
    if not (cold.complete and warm == cold):
        raise SystemExit(f"check of {domain} incomplete or unstable: {cold.problems}")
    return cold_ms, warm_ms, sent_cold, checker.resolver.queries_sent - sent_cold, server.queries, rounds


async def _run(
    server: DnsServer, domain: str, auth: bool, reps: int
) -> list[tuple[float, float, int, int, int, int]]:
    return [await _one(server, domain, auth) for _ in range(reps)]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; 1 when a target is missed."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added to every answer")
    parser.add_argument("--domain", default="healthy.test")
    parser.add_argument("--no-auth", action="store_true", help="MX/A/AAAA only, no SPF/DMARC")
    args = parser.parse_args(argv)
    with DnsServer.from_directory() as server:
        server.fault("delay", seconds=args.delay)
        runs = asyncio.run(_run(server, args.domain, not args.no_auth, args.reps))
    cold = statistics.median(r[0] for r in runs)
    warm = statistics.median(r[1] for r in runs)
    _c, _w, sent_cold, sent_warm, received, rounds = runs[-1]
    print(
        f"domain {args.domain} (auth={not args.no_auth}), {args.delay * 1000:.0f} ms per answer, {args.reps} reps"
    )
    print("cold ms: " + " ".join(f"{r[0]:.1f}" for r in runs))
    print("warm ms: " + " ".join(f"{r[1]:.3f}" for r in runs))
    print(f"queries sent: cold {sent_cold}, warm {sent_warm}; received by server {received}; rounds {rounds}")
    ok_cold, ok_warm = cold < COLD_TARGET_MS, warm < WARM_TARGET_MS
    print(f"cold median {cold:.1f} ms (target < {COLD_TARGET_MS:.0f} ms): {'PASS' if ok_cold else 'FAIL'}")
    print(f"warm median {warm:.3f} ms (target < {WARM_TARGET_MS:.0f} ms): {'PASS' if ok_warm else 'FAIL'}")
    return 0 if ok_cold and ok_warm else 1


if __name__ == "__main__":
    sys.exit(main())
