"""The Slack app: `create_app` builds the Bolt AsyncApp; `python -m bot.app web|socket` runs it.

`web` serves HTTP on $PORT (POST /slack/events for events, the slash command and
interactivity; GET /health); `socket` connects over Socket Mode with SLACK_APP_TOKEN.
Settings come from the environment (bot/slackapp/settings.py) and are checked before anything starts.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError

from bot.dnscheck.checks import DomainChecker
from bot.dnscheck.resolver import Resolver
from bot.slackapp.service import Service, web_client
from bot.slackapp.settings import DEFAULT_API_URL, DEFAULT_PORT, Settings, SettingsError
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


def create_app(settings: Settings, *, checker: DomainChecker | None = None) -> AsyncApp:
    """The Bolt app with every listener; a checker built from the settings unless one is given."""
    if checker is None:
        resolver = Resolver(settings.nameservers, timeout=DNS_TIMEOUT)
        checker = DomainChecker(resolver, deadline=DNS_DEADLINE)
    app = AsyncApp(
        client=web_client(settings),
        # Socket Mode requests are not signed; Bolt skips verification for them.
        signing_secret=settings.signing_secret,
        # The listeners only ack and start the work as a task (handlers.errors.after_ack), so Bolt
        # can answer Slack as soon as they return, without polling for the ack.
        process_before_response=True,
        logger=_bolt_logger(),
    )
    register(app, Service(settings, checker))
    return app


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
    refused = asyncio.run(check_tokens(settings, mode))
    if refused:
        print(f"{PROG}: cannot start: {refused} (see the README's Slack app section)", file=sys.stderr)
        return 2
    app = create_app(settings)
    try:
        if mode == "web":
            from bot.slackapp.server import run_web

            run_web(app, port=settings.port)
        else:
            from bot.slackapp.socket_mode import run_socket

            asyncio.run(run_socket(app, settings.app_token))
    except KeyboardInterrupt:
        return 130
    return 0


async def check_tokens(settings: Settings, mode: str) -> str | None:
    """Why Slack refuses a token (auth.test; apps.connections.open for Socket Mode), or None.

    Socket Mode's client would retry a refused app token forever, so it is asked once here.
    An unreachable Slack only warns: it may be back by the first request.
    """
    client = web_client(settings)
    calls = [("SLACK_BOT_TOKEN", client.auth_test)]
    if mode == "socket":
        calls.append(("SLACK_APP_TOKEN", lambda: client.apps_connections_open(app_token=settings.app_token)))
    for name, call in calls:
        try:
            await call()
        except SlackApiError as e:
            error = e.response.get("error")
            if error in TOKEN_REFUSED:
                return f"Slack refused {name} ({error})"
            log.warning("checking %s at start failed: %s", name, error)
        except (aiohttp.ClientError, OSError, TimeoutError) as e:
            log.warning("Slack could not be reached at start: %s", type(e).__name__)
            return None
    return None


def _setup_logging() -> None:
    """Our own lines at INFO; the Slack libraries only warn (their debug lines show payloads)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("slack_sdk", "slack_bolt", "mxcheck.bolt"):
        logging.getLogger(name).setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
