"""A batch with DNS when every answer takes 50 ms, against its floor.

    python benchmarks/batch_dns.py [--runs N] [--delay S] [--dir DIR] [--root CHECKOUT]

The loopback test DNS server (tests/dns/dnsserver.py) answers every question `--delay` late
(the corpus's domains are not in its zones: each is a real NXDOMAIN or REFUSED answer from it,
50 ms late). Measured, as whole processes, median of --runs:

- batch: `mxcheck bounce --json --nameserver SERVER DIR` (every message, with its DNS checks);
- no-DNS: `mxcheck bounce --json --no-dns DIR` (the same decoding, nothing asked).

- instant: the same batch when the server answers at once (decoding, the client's and the
  server's own work: the Python test server spends a few ms of CPU on each question).

The floor is the instant batch plus the round trips the deepest dependency chain needs: each
(domain, SPF/DMARC or not) pair of the batch's answers is checked alone and the server counts
its rounds (clock-free), and the deepest count times the delay is what no scheduling can
avoid. A batch that asks each domain as soon as it is seen, without waiting for others, gets
close to it; one that waits per window pays a round trip chain per window. Also printed: the questions the
server received and its rounds (waves of questions sent after the same number of replies: a
clock-free count of the round trips). `--root` runs another checkout's code (a before/after).
Target: batch within 1.3x its floor; exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "dns"))  # the test DNS server and its zones

from dnsserver import DnsServer  # noqa: E402

from benchmarks.corpus import CORPUS  # noqa: E402
from benchmarks.proc import byte_compile  # noqa: E402
from bot.dnscheck.checks import DomainChecker  # noqa: E402
from bot.dnscheck.resolver import Resolver  # noqa: E402

TARGET = 1.3


class _Server:
    """The test DNS server in its own process, so that its work never shares this process's GIL."""

    def __init__(self, delay: float) -> None:
        import multiprocessing

        self._conn, child = multiprocessing.Pipe()
        self._proc = multiprocessing.get_context("fork").Process(target=_serve, args=(child, delay), daemon=True)
        self._proc.start()
        self.address: tuple[str, int] = self._conn.recv()

    def ask(self, what: str, delay: float = 0.0) -> tuple[int, int]:
        """'reset' the counts, 'delay' every answer by `delay` s; returns (questions received, rounds)."""
        self._conn.send((what, delay))
        return self._conn.recv()

    def stop(self) -> None:
        """Stop the server process."""
        self._conn.send(("stop", 0.0))
        self._proc.join(5)


def _serve(conn: object, delay: float) -> None:
    with DnsServer.from_directory() as server:
        server.fault("delay", seconds=delay)
        conn.send(server.address)  # type: ignore[attr-defined]
        while (asked := conn.recv())[0] != "stop":  # type: ignore[attr-defined]
            what, seconds = asked
            if what == "reset":
                server.reset_counts()
            elif what == "delay":
                server.clear_faults()
                if seconds:
                    server.fault("delay", seconds=seconds)
            conn.send((server.queries, server.rounds()))  # type: ignore[attr-defined]


def _command(root: Path) -> tuple[list[str], Path]:
    return [sys.executable, "-m", "bot.cli", "bounce", "--json"], root


def _timed(command: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_env())
    return time.perf_counter() - started, proc.stdout


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "MXCHECK_NAMESERVERS"}
    env["MXCHECK_LANG"] = "en"
    return env


def _pairs(output: str) -> set[tuple[str, bool]]:
    """The (domain, with SPF/DMARC) pairs the batch's answers report."""
    found: set[tuple[str, bool]] = set()
    for row in output.splitlines():
        for report in json.loads(row).get("domains") or []:
            found.add((report["domain"], report.get("spf") is not None or report.get("dmarc") is not None))
    return found


def _depth(server: _Server, pairs: set[tuple[str, bool]]) -> tuple[int, int]:
    """The most round trips one (domain, auth) check needs alone, and the questions all of them ask."""

    async def alone(domain: str, auth: bool) -> tuple[int, int]:
        server.ask("reset")
        checker = DomainChecker(Resolver([server.address], timeout=2.0), deadline=3.0)
        try:
            await checker.check_one(domain, auth=auth)
        except Exception:  # an invalid name asks nothing
            pass
        return server.ask("counts")

    async def every() -> list[tuple[int, int]]:
        return [await alone(d, a) for d, a in sorted(pairs)]

    found = asyncio.run(every())
    return max((r for _q, r in found), default=0), sum(q for q, _r in found)


def main(argv: list[str] | None = None) -> int:
    """Run the batch and its floor; print the figures; 1 when the target is missed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--delay", type=float, default=0.05, help="seconds added to every answer")
    ap.add_argument("--dir", type=Path, default=CORPUS / "emails")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose mxcheck runs")
    args = ap.parse_args(argv)
    byte_compile()
    base, cwd = _command(args.root)
    batch_t: list[float] = []
    plain_t: list[float] = []
    instant_t: list[float] = []
    server = _Server(args.delay)
    try:
        host, port = server.address
        with_dns = [*base, "--nameserver", f"{host}:{port}", str(args.dir)]
        no_dns = [*base, "--no-dns", str(args.dir)]
        _timed(no_dns, cwd)  # unmeasured: the knowledge cache and .pyc files are warm after it
        pairs: set[tuple[str, bool]] = set()
        for _ in range(max(args.runs, 1)):
            server.ask("delay", args.delay)
            server.ask("reset")
            t, out = _timed(with_dns, cwd)
            batch_t.append(t)
            queries, rounds = server.ask("counts")
            pairs = _pairs(out)
            plain_t.append(_timed(no_dns, cwd)[0])
            server.ask("delay", 0.0)
            instant_t.append(_timed(with_dns, cwd)[0])
        depth, alone_queries = _depth(server, pairs)  # clock-free: answers are instant now
    finally:
        server.stop()
    batch, plain, instant = (statistics.median(x) for x in (batch_t, plain_t, instant_t))
    floor = instant + depth * args.delay
    ratio = batch / floor
    files = sum(1 for p in args.dir.rglob("*") if p.is_file())
    print(f"{files} files in {args.dir}, {args.delay * 1000:.0f} ms per DNS answer, median of {args.runs} runs")
    print(f"code: {args.root}")
    print(f"batch with DNS       {batch:7.3f} s  ({queries} questions, {rounds} rounds at the server)")
    print(f"batch, instant DNS   {instant:7.3f} s  (the same batch with 0 ms answers)")
    print(f"no-DNS decode        {plain:7.3f} s")
    print(f"dependency chains: {len(pairs)} distinct (domain, auth) pairs, {alone_queries} questions when "
          f"asked alone, the deepest {depth} round trips = {depth * args.delay:.3f} s")
    print(f"floor = instant batch + deepest chain = {floor:.3f} s; batch / floor = {ratio:.2f} "
          f"(target <= {TARGET}): {'PASS' if ratio <= TARGET else 'FAIL'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
