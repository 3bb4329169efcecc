"""Load on the Slack app: bursts of concurrent signed requests against `web:` processes and a fake Slack.

Everything runs on loopback, each part in its own process so none slows another: the DNS server
of tests/dns/dnsserver.py (every answer held back by --dns-delay) and the fake Slack of
tests/slack/fake_slack.py in a child process, the load generator in this one, and the app as
Procfile's `web:` runs it (`python -m bot.app web`) in one subprocess, or in two sharing a real
redis-server (REDIS_URL) with the requests spread over both. Each burst is
half mentions with a pasted bounce (answered with chat.postMessage in their thread) and half
/mxcheck commands naming a domain nobody asked before (answered through their response_url);
one mention in ten is delivered a second time as Slack's retry, to the other process when there
are two. It reports the ack latency (the HTTP response) and the answer latency (the post at the
fake), p50 and p99, and counts the answers at the fake: every request must be answered exactly
once. Targets: ack p99 < 50 ms at 50 concurrent, < 300 ms at 500. For scale, each line also shows
the p99 of the same burst of bare GET /health requests (no signature, no Bolt, no work): what
this machine and this load generator take for any HTTP answer.

    .venv/bin/python benchmarks/slack_load.py [--bursts 50,500] [--dns-delay 0.08] [--setups 1,1r,2]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "dns"), str(ROOT / "tests" / "slack")]

from dnsserver import DnsServer  # noqa: E402
from fake_slack import BOT_TOKEN, BOT_USER, FakeSlack  # noqa: E402
from redis_server import RedisServer, free_port  # noqa: E402
from slack_harness import SECRET, Harness, as_slack, bounce_saying, mention  # noqa: E402

ACK_TARGETS = {50: 0.050, 500: 0.300}


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile of a list of numbers."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class RemoteFake:
    """The fake Slack of the child process, as the harness and the counts need it."""

    def __init__(self, base: str, session: aiohttp.ClientSession) -> None:
        self.base, self.session = base, session
        self.plain_api_url = f"{base}/api/"

    def response_url(self, name: str) -> str:
        """A response_url recorded under `name`."""
        return f"{self.base}/respond/{name}"

    async def calls(self, method: str) -> tuple[list[dict], int]:
        """The recorded calls of a method, and the posts made so far."""
        async with self.session.get(f"{self.base}/_calls", params={"method": method}) as resp:
            found = await resp.json()
        return found["calls"], found["posts_made"]


async def burst(hs: list[Harness], fake: RemoteFake, size: int, tag: str) -> dict:
    """`size` requests at once over the processes; ack and answer seconds, and the answer counts."""
    sent: dict[str, float] = {}

    async def fire(i: int) -> list[float]:
        h = hs[i % len(hs)]
        if i % 2:
            ts = f"{tag}.{i:06d}"
            text = f"<@{BOT_USER}> " + as_slack(bounce_saying(f"<nosuchuser{i}@healthy.test>:"))
            sent[ts] = time.monotonic()
            event = mention(text, ts=ts, user="UJA" if i % 3 == 0 else "UEN")
            replies = [await h.event(event, event_id=f"Ev{tag}-{i}")]
            if i % 20 == 1:  # Slack's retry of the same event, to the other process when there is one
                other = hs[(i + 1) % len(hs)]
                replies.append(await other.event(event, event_id=f"Ev{tag}-{i}", retry=1))
        else:
            name = f"{tag}-{i}"
            sent[name] = time.monotonic()
            replies = [await h.command(f"mail{tag}-{i}.healthy.test", user="UEN", name=name)]
        if any(r.status != 200 for r in replies):
            raise RuntimeError(f"request {i} answered HTTP {[r.status for r in replies]}")
        return [r.seconds for r in replies]

    acks = [a for each in await asyncio.gather(*(fire(i) for i in range(size))) for a in each]
    deadline = time.monotonic() + 120
    while True:
        posts, _ = await fake.calls("chat.postMessage")
        responses, _ = await fake.calls("response_url")
        mine = [(c["thread_ts"], c["at"]) for c in posts if c.get("thread_ts") in sent]
        mine += [(c["_name"], c["at"]) for c in responses if c.get("_name") in sent]
        if len({k for k, _ in mine}) >= size or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # a double answer would arrive by now
    posts, _ = await fake.calls("chat.postMessage")
    responses, _ = await fake.calls("response_url")
    mine = [(c["thread_ts"], c["at"]) for c in posts if c.get("thread_ts") in sent]
    mine += [(c["_name"], c["at"]) for c in responses if c.get("_name") in sent]
    per_request = Counter(k for k, _ in mine)
    return {
        "acks": acks,
        "answers": [at - sent[k] for k, at in mine],  # CLOCK_MONOTONIC is the same in every process
        "once": sum(1 for n in per_request.values() if n == 1),
        "twice": sum(1 for n in per_request.values() if n > 1),
        "missing": size - len(per_request),
    }


async def floor(session: aiohttp.ClientSession, urls: list[str], size: int) -> list[float]:
    """What the same burst of bare GET /health requests takes: the most an ack could gain here."""

    async def one(i: int) -> float:
        started = time.perf_counter()
        async with session.get(urls[i % len(urls)] + "/health") as resp:
            await resp.read()
        return time.perf_counter() - started

    return list(await asyncio.gather(*(one(i) for i in range(size))))


async def start_app(
    fake: RemoteFake, dns: str, redis_url: str | None
) -> tuple[asyncio.subprocess.Process, str]:
    """`python -m bot.app web` on a free port, once /health answers."""
    port = free_port()
    env = os.environ | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.plain_api_url,
        "MXCHECK_NAMESERVERS": dns,
        "PORT": str(port),
    }
    env.pop("REDIS_URL", None)
    env |= {"REDIS_URL": redis_url} if redis_url else {}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app", "web", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            async with fake.session.get(url + "/health") as resp:
                if resp.status == 200:
                    return proc, url
        except aiohttp.ClientError:
            await asyncio.sleep(0.1)
    raise RuntimeError("the app did not start within 30 s")


async def setup(
    processes: int, fake_base: str, dns: str, sizes: list[int], *, with_redis: bool, number: int
) -> list[tuple[int, dict]]:
    """Start `processes` app processes (sharing a Redis if asked), warm up, run each burst size."""
    redis = RedisServer().start() if with_redis else None
    procs = []
    results = []
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            fake = RemoteFake(fake_base, session)
            for _ in range(processes):
                procs.append(await start_app(fake, dns, redis.url if redis else None))
            hs = [Harness(fake, url, session) for _, url in procs]  # type: ignore[arg-type]
            await burst(hs, fake, 20, f"9{number}0")  # warm-up: workers, knowledge, connections
            for n, size in enumerate(sizes):  # a tag of its own per burst: the fake keeps every call
                result = await burst(hs, fake, size, f"{number + 1}{n + 1}0")
                result["floor"] = await floor(session, [url for _, url in procs], size)
                results.append((size, result))
    finally:
        for proc, _ in procs:
            if proc.returncode is None:
                proc.terminate()
                await proc.wait()
        if redis:
            redis.close()
    return results


def report(processes: int, with_redis: bool, size: int, r: dict) -> bool:
    """One line of figures; True when the target holds and every answer came exactly once."""
    acks, answers = r["acks"], r["answers"]
    target = ACK_TARGETS.get(size, 0.300)
    ok = percentile(acks, 99) < target and r["twice"] == 0 and r["missing"] == 0
    where = ("1 process" if processes == 1 else f"{processes} processes") + (" + Redis" if with_redis else "")
    print(
        f"  {where:<22} {size:>4} concurrent  ack p50 {percentile(acks, 50) * 1000:6.1f} ms"
        f"  p99 {percentile(acks, 99) * 1000:6.1f} ms (target < {target * 1000:.0f})"
        f"  answer p50 {percentile(answers, 50) * 1000:6.0f} ms  p99 {percentile(answers, 99) * 1000:6.0f} ms"
        f"  once {r['once']}/{size}  twice {r['twice']}  missing {r['missing']}  {'PASS' if ok else 'FAIL'}"
        f"  (GET /health alike: p99 {percentile(r['floor'], 99) * 1000:.1f} ms)"
    )
    return ok


async def run(sizes: list[int], dns_delay: float, setups: list[str]) -> bool:
    """Every setup and burst size, with the fake Slack and DNS in a child process; True when all pass."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve-fake", str(dns_delay), stdout=asyncio.subprocess.PIPE
    )
    assert child.stdout is not None
    fake_base, dns = (await child.stdout.readline()).decode().split()
    ok = True
    print(
        f"slack_load: bursts {sizes}, DNS delay {dns_delay * 1000:.0f} ms, `python -m bot.app web` subprocesses"
    )
    try:
        for number, each in enumerate(setups):
            processes, with_redis = int(each.rstrip("r")), each.endswith("r") or int(each.rstrip("r")) > 1
            for size, r in await setup(
                processes, fake_base, dns, sizes, with_redis=with_redis, number=number
            ):
                ok = report(processes, with_redis, size, r) and ok
    finally:
        child.terminate()
        await child.wait()
    print("PASS" if ok else "FAIL")
    return ok


async def serve_fake(dns_delay: float) -> None:
    """The child process: the DNS server and the fake Slack, their addresses on one line, until killed."""
    dns = DnsServer.from_directory().start()
    dns.fault("delay", seconds=dns_delay)
    fake = await FakeSlack(tls=False).start()
    print(fake.plain_base, f"{dns.address[0]}:{dns.address[1]}", flush=True)
    await asyncio.Event().wait()


def main() -> int:
    """Parse the options and run the benchmark; exit 0 on PASS, 1 on FAIL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", default="50,500", help="comma-separated burst sizes")
    parser.add_argument("--dns-delay", type=float, default=0.08, help="seconds every DNS answer is held back")
    parser.add_argument(
        "--setups", default="1,2", help="comma-separated process counts (2+, or 1r: with Redis)"
    )
    parser.add_argument("--serve-fake", type=float, metavar="DNS_DELAY", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.serve_fake is not None:
        asyncio.run(serve_fake(args.serve_fake))
        return 0
    sizes = [int(v) for v in args.bursts.split(",")]
    setups = args.setups.split(",")
    return 0 if asyncio.run(run(sizes, args.dns_delay, setups)) else 1


if __name__ == "__main__":
    sys.exit(main())
