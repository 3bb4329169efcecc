"""Fixtures of the Slack tests: a real redis-server for the shared store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis_server import RedisServer


@pytest.fixture(scope="session")
def _redis_session() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def redis_server(_redis_session: RedisServer) -> Iterator[RedisServer]:
    """The session's redis-server, running and empty (a test may stop it; it is started again)."""
    server = _redis_session
    if server.proc is None:
        server.start()
    server.flush()
    yield server
    if server.proc is None:
        server.start()
