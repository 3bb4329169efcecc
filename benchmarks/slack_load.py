"""Load on the Slack app: concurrent signed /mxcheck commands against the real HTTP app and a fake Slack.

Everything runs on loopback: the DNS server of tests/dnsserver.py (every answer held back by
--dns-delay) and the fake Slack of tests/fake_slack.py in this process, and the app as Procfile's
`web:` runs it (`python -m bot.app web`, SLACK_API_URL and MXCHECK_NAMESERVERS pointing here) in
a subprocess, so the load generator's own work does not slow the app down; --in-process serves
the app in this process's event loop instead (a harsher setting). --requests commands are fired
at once, half pasted bounces, half domain checks of names nobody asked before (so DNS is really
asked). It reports the ack latency (HTTP response to the command) and the time to the answer
(the response_url post), p50 and p99, and PASS/FAIL against the targets: ack p99 < 100 ms,
answer p99 < 1.5 s.

    .venv/bin/python benchmarks/slack_load.py [--requests 50] [--dns-delay 0.08] [--rounds 1] [--in-process]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "dns"), str(ROOT / "tests" / "slack")]

from dnsserver import DnsServer  # noqa: E402
from fake_slack import BOT_TOKEN, FakeSlack  # noqa: E402
from slack_harness import SECRET, Harness, as_slack, bounce_saying, running_app  # noqa: E402

ACK_TARGET = 0.100
ANSWER_TARGET = 1.5


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile of a list of numbers."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def command_text(i: int, round_no: int) -> str:
    """Half pasted bounces (one domain, cached after the first), half fresh names to check."""
    if i % 2:
        return as_slack(bounce_saying(f"<nosuchuser{i}@healthy.test>:"))
    return f"mail{round_no}-{i}.healthy.test"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def subprocess_app(dns: tuple[str, int]) -> AsyncIterator[Harness]:
    """The fake Slack here and `python -m bot.app web` in a subprocess pointed at it and at the DNS."""
    fake = await FakeSlack().start()
    port = free_port()
    env = os.environ | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "MXCHECK_NAMESERVERS": f"{dns[0]}:{dns[1]}",
        "PORT": str(port),
    }
    log = tempfile.TemporaryFile()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app", "web", cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await _healthy(session, url, proc, log)
            yield Harness(fake, url, session)
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()
        await fake.stop()
        log.close()


async def _healthy(session: aiohttp.ClientSession, url: str, proc: asyncio.subprocess.Process, log) -> None:
    """Wait until GET /health answers (the app's start, up to 30 s)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            log.seek(0)
            raise RuntimeError("the app exited: " + log.read().decode(errors="replace")[-2000:])
        try:
            async with session.get(url + "/health") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the app did not start within 30 s")


async def one_round(h: Harness, requests: int, round_no: int) -> tuple[list[float], list[float]]:
    """Fire `requests` commands at once; (ack seconds, answer seconds) per command."""
    before = len(h.fake.of("response_url"))
    sent: dict[str, float] = {}

    async def fire(i: int) -> float:
        name = f"r{round_no}-{i}"
        sent[name] = time.monotonic()
        reply = await h.command(command_text(i, round_no), user="UJA" if i % 3 == 0 else "UEN", name=name)
        if reply.status != 200:
            raise RuntimeError(f"command {name} answered HTTP {reply.status}")
        return reply.seconds

    acks = await asyncio.gather(*(fire(i) for i in range(requests)))
    calls = await h.fake.wait_for("response_url", count=before + requests, timeout=30)
    answers = [c.at - sent[c.data["_name"]] for c in calls[before:] if c.data["_name"] in sent]
    return list(acks), answers


async def run(requests: int, dns_delay: float, rounds: int, in_process: bool) -> bool:
    """Start everything, warm up once, measure, print the figures; True when the targets are met."""
    dns = DnsServer.from_directory().start()
    dns.fault("delay", seconds=dns_delay)
    try:
        serving = running_app(dns.address, deadline=3.0) if in_process else subprocess_app(dns.address)
        async with serving as h:
            await one_round(h, 1, -1)  # warm-up: auth.test, knowledge tables, first imports
            acks: list[float] = []
            answers: list[float] = []
            for round_no in range(rounds):
                a, b = await one_round(h, requests, round_no)
                acks += a
                answers += b
    finally:
        dns.stop()
    ack50, ack99 = percentile(acks, 50), percentile(acks, 99)
    ans50, ans99 = percentile(answers, 50), percentile(answers, 99)
    ok = ack99 < ACK_TARGET and ans99 < ANSWER_TARGET and len(answers) == requests * rounds
    where = "in this process" if in_process else "in a subprocess (python -m bot.app web)"
    print(
        f"slack_load: {requests} concurrent signed /mxcheck x {rounds} round(s), DNS delay {dns_delay * 1000:.0f} ms"
    )
    print(f"  app served {where}")
    print(
        f"  ack     p50 {ack50 * 1000:7.1f} ms   p99 {ack99 * 1000:7.1f} ms   (target p99 < {ACK_TARGET * 1000:.0f} ms)"
    )
    print(
        f"  answer  p50 {ans50 * 1000:7.1f} ms   p99 {ans99 * 1000:7.1f} ms   (target p99 < {ANSWER_TARGET * 1000:.0f} ms)"
    )
    print(f"  answers received: {len(answers)} of {requests * rounds}")
    print("PASS" if ok else "FAIL")
    return ok


def main() -> int:
    """Parse the options and run the benchmark; exit 0 on PASS, 1 on FAIL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--dns-delay", type=float, default=0.08, help="seconds every DNS answer is held back")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--in-process", action="store_true", help="serve the app in this process's event loop"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    ok = asyncio.run(run(args.requests, args.dns_delay, args.rounds, args.in_process))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
