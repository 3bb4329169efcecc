"""The Slack app as Procfile's `web:` runs it (`python -m bot.app web`), in a subprocess (tests, benchmarks).

proc = await start_web(fake, dns, redis_url=server.url)
h = Harness(fake, proc.url, session)        # signed requests to that process
code = await proc.stop()                    # SIGTERM, then its exit status
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import aiohttp
from fake_slack import BOT_TOKEN, FakeSlack
from redis_server import free_port
from slack_harness import SECRET

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class AppProcess:
    """One running app process, its URL and its log."""

    proc: asyncio.subprocess.Process
    url: str
    log: IO[bytes]

    def output(self) -> str:
        """Everything the process logged so far."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 40.0) -> int:
        """Send `sig` and wait for the exit status (killed after `timeout`)."""
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode if self.proc.returncode is not None else -1


async def start_web(
    fake: FakeSlack,
    dns: tuple[str, int],
    *,
    redis_url: str | None = None,
    port: int | None = None,
    workers: int = 1,
    env: dict[str, str] | None = None,
) -> AppProcess:
    """`python -m bot.app web` pointed at the fake (without TLS) and the DNS server; once /health answers."""
    port = port or free_port()
    values = os.environ | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.plain_api_url,
        "MXCHECK_NAMESERVERS": f"{dns[0]}:{dns[1]}",
        "MXCHECK_WORKERS": str(workers),
        "PORT": str(port),
    }
    values.pop("REDIS_URL", None)
    if redis_url:
        values["REDIS_URL"] = redis_url
    log = tempfile.TemporaryFile()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.app", "web", cwd=ROOT, env=values | (env or {}), stdout=log, stderr=log
    )
    app = AppProcess(proc, f"http://127.0.0.1:{port}", log)
    await _healthy(app)
    return app


async def _healthy(app: AppProcess) -> None:
    """Wait until GET /health answers (the app's start, up to 30 s)."""
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if app.proc.returncode is not None:
                raise RuntimeError("the app exited: " + app.output()[-2000:])
            try:
                async with session.get(app.url + "/health") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the app did not start within 30 s: " + app.output()[-2000:])
