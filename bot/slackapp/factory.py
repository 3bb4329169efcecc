"""The Slack app: `create_app` builds the Bolt AsyncApp; `python -m bot.app web|socket` runs it.

`web` serves HTTP on $PORT (POST /slack/events for events, the slash command and
interactivity; GET /health); `socket` connects over Socket Mode with SLACK_APP_TOKEN.
Settings come from the environment (bot/slackapp/settings.py) and are checked before anything starts.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.resolver import Resolver
from bot.slackapp.clients import open_clients, read_retries
from bot.slackapp.cpu import CpuPool, shared_pool
from bot.slackapp.posting import Identity
from bot.slackapp.service import Service
from bot.slackapp.settings import DEFAULT_API_URL, DEFAULT_PORT, Settings, SettingsError
from bot.slackapp.store import Store, open_store
from handlers import register

PROG = "mxcheck-slack"
USAGE = f"usage: {PROG} web|socket   (or: python -m bot.app web|socket)"
HELP = f"""{USAGE}

Run the mxcheck Slack app.

modes:
  web      serve HTTP on $PORT: POST /slack/events (events, /mxcheck, interactivity), GET /health
  socket   connect over Socket Mode (no public URL, no signing secret)

settings (environment variables):
  SLACK_BOT_TOKEN       both modes: the bot token, xoxb-...
  SLACK_SIGNING_SECRET  web: verifies that requests come from Slack
  SLACK_APP_TOKEN       socket: the app-level token, xapp-..., scope connections:write
  SLACK_API_URL         Web API base URL (default {DEFAULT_API_URL})
  MXCHECK_NAMESERVERS   comma-separated IP[:PORT] for every DNS query (default: the system resolver)
  MXCHECK_LANG          ja or en: the answer language when the user's Slack language is neither (default en)
  PORT                  the HTTP port of web (default {DEFAULT_PORT})

Settings are checked before the app starts; a fault is named in one line and the exit status is 2.
"""
DNS_TIMEOUT = 2.0  # per query
SWITCH_INTERVAL = 0.0005  # seconds
DNS_DEADLINE = 3.0  # for all of one answer's lookups: the user is waiting in Slack
TOKEN_REFUSED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
    }
)

log = logging.getLogger("mxcheck.slack")


@dataclass(frozen=True)
class Bot:
    """A built app and the service its listeners share (the server drains it at shutdown)."""

    app: AsyncApp
    service: Service


def create_bot(
    settings: Settings,
    *,
    checker: DomainChecker | None = None,
    identity: Identity | None = None,
    store: Store | None = None,
    cpu: CpuPool | None = None,
    ssl_context: ssl.SSLContext | None = None,
    late_after: float = 10.0,
) -> Bot:
    """The Bolt app with every listener, built inside the running event loop (its sessions live there)."""
    if checker is None:
        resolver = Resolver(settings.nameservers, timeout=DNS_TIMEOUT)
        checker = DomainChecker(resolver, deadline=DNS_DEADLINE)
    clients = open_clients(settings, ssl_context=ssl_context)
    service = Service(
        settings,
        checker,
        store=store if store is not None else open_store(settings.redis_url),
        clients=clients,
        identity=identity,
        cpu=cpu or shared_pool(),
        late_after=late_after,
    )

    async def authorize(**_: object) -> AuthorizeResult:
        # The start-up auth.test answered who we are: no Web API call stands before an ack.
        known = service.poster.identity
        if service.identity is None:
            service.identity = Identity()
            asyncio.get_running_loop().create_task(_learn_identity(service))
        return AuthorizeResult(
            enterprise_id=None,
            team_id=known.team_id,
            bot_token=settings.bot_token,
            bot_id=known.bot_id,
            bot_user_id=known.user_id,
        )

    app = AsyncApp(
        client=clients.bolt,
        # Socket Mode requests are not signed; Bolt skips verification for them.
        signing_secret=settings.signing_secret,
        authorize=authorize,
        # The listeners only ack and start the work as a task (handlers.errors.after_ack), so Bolt
        # can answer Slack as soon as they return, without polling for the ack.
        process_before_response=True,
        logger=_bolt_logger(),
    )
    register(app, service)
    return Bot(app, service)


def create_app(settings: Settings, *, checker: DomainChecker | None = None) -> AsyncApp:
    """The Bolt app alone (see `create_bot`)."""
    return create_bot(settings, checker=checker).app


async def _learn_identity(service: Service) -> None:
    """auth.test once, after an ack, when the start-up one could not answer."""
    try:
        found = await service.clients.reads.auth_test()
    except Exception as e:
        log.warning("auth.test failed: %s", type(e).__name__)
        service.identity = None  # the next request tries again
        return
    service.identity = service.poster.identity = Identity(
        found.get("user_id"), found.get("bot_id"), found.get("team_id")
    )


class _TokenUnusedFilter(logging.Filter):
    """Drops Bolt's "`token` will be unused" warning: Bolt reads SLACK_BOT_TOKEN from the environment
    itself although the client we give it already holds that very token, so the warning says nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for that one warning."""
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("mxcheck.bolt")
    if not any(isinstance(f, _TokenUnusedFilter) for f in logger.filters):
        logger.addFilter(_TokenUnusedFilter())
    return logger


def main(argv: Sequence[str] | None = None) -> int:
    """Check the settings, then serve over HTTP or Socket Mode; 2 for bad usage or settings."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["-h"], ["--help"], ["help"]):
        print(HELP, end="")
        return 0
    if len(args) != 1 or args[0] not in ("web", "socket"):
        print(USAGE, file=sys.stderr)
        return 2
    mode = args[0]
    try:
        settings = Settings.from_env(mode=mode)
    except SettingsError as e:
        print(f"{PROG}: cannot start: {e} (see the README's Slack app section)", file=sys.stderr)
        return 2
    _setup_logging()
    return asyncio.run(_serve(settings, mode))


async def _serve(settings: Settings, mode: str) -> int:
    # The loop shares the interpreter lock with the CPU pool's result thread: every socket write
    # gives the lock away, and getting it back waits up to this interval. 5 ms (the default)
    # times a few writes per request is most of an ack under load.
    sys.setswitchinterval(SWITCH_INTERVAL)
    refused, identity = await check_tokens(settings, mode)
    if refused:
        print(f"{PROG}: cannot start: {refused} (see the README's Slack app section)", file=sys.stderr)
        return 2
    bot = create_bot(settings, identity=identity)
    await bot.service.cpu.warm()
    await bot.service.store.warm()
    if mode == "web":
        from bot.slackapp.server import serve_web

        await serve_web(bot, port=settings.port)
    else:
        from bot.slackapp.socket_mode import serve_socket

        await serve_socket(bot, settings.app_token)
    return 0


async def check_tokens(
    settings: Settings, mode: str, *, ssl_context: ssl.SSLContext | None = None
) -> tuple[str | None, Identity | None]:
    """Why Slack refuses a token (auth.test; apps.connections.open for Socket Mode), and who we are.

    Socket Mode's client would retry a refused app token forever, so it is asked once here.
    An unreachable Slack only warns: it may be back by the first request.
    """
    identity = None
    client = AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        retry_handlers=read_retries(),
        ssl=ssl_context,
    )
    try:
        found = await client.auth_test()
        identity = Identity(found.get("user_id"), found.get("bot_id"), found.get("team_id"))
        if mode == "socket":
            await client.apps_connections_open(app_token=settings.app_token)
    except SlackApiError as e:
        error = e.response.get("error")
        name = "SLACK_BOT_TOKEN" if identity is None else "SLACK_APP_TOKEN"
        if error in TOKEN_REFUSED:
            return f"Slack refused {name} ({error})", None
        log.warning("checking %s at start failed: %s", name, error)
    except (aiohttp.ClientError, OSError, TimeoutError) as e:
        log.warning("Slack could not be reached at start: %s", type(e).__name__)
    return None, identity


def _setup_logging() -> None:
    """Our own lines at INFO; the Slack libraries only warn (their debug lines show payloads)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("slack_sdk", "slack_bolt", "mxcheck.bolt"):
        logging.getLogger(name).setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
