"""The Slack app's settings, read once from the environment and checked before anything starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.vocab import Lang

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000

# What each way of running needs: Socket Mode has no signing secret (no HTTP request reaches us).
REQUIRED: dict[str, tuple[str, ...]] = {
    "web": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"),
    "socket": ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"),
}


class SettingsError(ValueError):
    """The environment cannot run the app; the message names every variable at fault."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the Slack app reads from the environment."""

    bot_token: str
    signing_secret: str = ""
    app_token: str = ""
    api_url: str = DEFAULT_API_URL  # always ends with "/": slack_sdk joins method names onto it
    nameservers: tuple[tuple[str, int], ...] | None = None  # None: the system resolver
    lang: Lang | None = None  # MXCHECK_LANG; None means English unless the user's locale says otherwise
    port: int = DEFAULT_PORT
    redis_url: str | None = None  # REDIS_URL: dedupe keys and the locale cache shared by every process

    @property
    def default_lang(self) -> Lang:
        """The answer language when the user's Slack locale does not decide it."""
        return self.lang or Lang.EN

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, mode: str = "web") -> Settings:
        """Read and check the settings for `mode` ('web' or 'socket'); SettingsError lists all faults."""
        env = os.environ if env is None else env
        faults: list[str] = []
        missing = [name for name in REQUIRED[mode] if not env.get(name, "").strip()]
        if missing:
            faults.append(f"missing {', '.join(missing)}")
        faults += token_faults(env, mode=mode, missing=missing)
        api_url = _api_url(env.get("SLACK_API_URL", "").strip(), faults)
        nameservers = _nameservers(env.get("MXCHECK_NAMESERVERS", "").strip(), faults)
        lang = _lang(env.get("MXCHECK_LANG", "").strip().lower(), faults)
        port = _port(env.get("PORT", "").strip(), faults)
        redis_url = _redis_url(env.get("REDIS_URL", "").strip(), faults)
        if faults:
            raise SettingsError("; ".join(faults))
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            api_url=api_url,
            nameservers=nameservers,
            lang=lang,
            port=port,
            redis_url=redis_url,
        )


# What each token must start with: a bot token (OAuth & Permissions) and an app-level token.
TOKEN_PREFIX = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}
_TOKEN_KIND = {"xoxb-": "a bot token", "xapp-": "an app-level token", "xoxp-": "a user token"}


def token_faults(env: Mapping[str, str], *, mode: str, missing: list[str]) -> list[str]:
    """One line per token whose format is wrong: a swapped pair named as such; never the token itself."""
    bot, app = (env.get(n, "").strip() for n in TOKEN_PREFIX)
    if mode == "socket" and bot.startswith("xapp-") and app.startswith("xoxb-"):
        return ["SLACK_BOT_TOKEN and SLACK_APP_TOKEN are swapped (the bot token starts with xoxb-, the app-level token with xapp-)"]
    faults = []
    for name, prefix in TOKEN_PREFIX.items():
        value = env.get(name, "").strip()
        if not value or name in missing or (name == "SLACK_APP_TOKEN" and mode != "socket"):
            continue
        if value.startswith(prefix):
            continue
        other = next((k for k, p in TOKEN_PREFIX.items() if k != name and value.startswith(p)), None)
        kind = next((w for p, w in _TOKEN_KIND.items() if value.startswith(p)), None)
        if other is not None:
            faults.append(f"{name} holds {kind} ({value[:5]}…), which belongs in {other}; {name} must start with {prefix}")
        elif kind is not None:
            faults.append(f"{name} holds {kind} ({value[:5]}…); it must start with {prefix}")
        else:
            faults.append(f"{name} must start with {prefix}")
    return faults


def _api_url(value: str, faults: list[str]) -> str:
    """SLACK_API_URL with its trailing slash, or Slack's own."""
    if not value:
        return DEFAULT_API_URL
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        faults.append("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/")
        return DEFAULT_API_URL
    return value if value.endswith("/") else value + "/"


def _nameservers(value: str, faults: list[str]) -> tuple[tuple[str, int], ...] | None:
    """MXCHECK_NAMESERVERS as (address, port) pairs; None when unset."""
    if not value:
        return None
    from bot.dnscheck.resolver import parse_nameserver  # the DNS layer loads only when it is configured

    servers = []
    for item in (v.strip() for v in value.split(",")):
        try:
            servers.append(parse_nameserver(item))
        except ValueError:
            faults.append(f"MXCHECK_NAMESERVERS has a bad entry {item!r} (expected IP[:PORT], [IPv6]:PORT)")
    return tuple(servers)


def _lang(value: str, faults: list[str]) -> Lang | None:
    """MXCHECK_LANG as a Lang; None when unset."""
    if not value:
        return None
    try:
        return Lang(value)
    except ValueError:
        faults.append(f"MXCHECK_LANG must be ja or en, not {value!r}")
        return None


def _port(value: str, faults: list[str]) -> int:
    """PORT as an int in 1..65535."""
    if not value:
        return DEFAULT_PORT
    if value.isdigit() and 0 < int(value) < 65536:
        return int(value)
    faults.append(f"PORT must be a number from 1 to 65535, not {value!r}")
    return DEFAULT_PORT


def _redis_url(value: str, faults: list[str]) -> str | None:
    """REDIS_URL as given (redis://, rediss:// or unix://); None when unset."""
    if not value:
        return None
    if urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        faults.append("REDIS_URL must be a redis:// (or rediss://, unix://) URL")
        return None
    return value
