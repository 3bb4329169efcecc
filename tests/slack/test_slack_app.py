"""The Slack app's start: settings from the environment, clear refusals, the manifest and Procfile."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

from bot.slackapp.settings import DEFAULT_API_URL, Settings, SettingsError
from bot.vocab import Lang

ROOT = Path(__file__).resolve().parents[2]
FULL = {
    "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_SIGNING_SECRET": "s",
    "SLACK_APP_TOKEN": "xapp-1",
}


def test_settings_read_every_variable() -> None:
    """All variables are read; the API URL gets its trailing slash; nameservers are parsed."""
    env = FULL | {
        "SLACK_API_URL": "http://127.0.0.1:9/api",
        "MXCHECK_NAMESERVERS": "127.0.0.1:5353, [::1]:53",
        "MXCHECK_LANG": "JA",
        "PORT": "8080",
    }
    s = Settings.from_env(env, mode="web")
    assert s.api_url == "http://127.0.0.1:9/api/"
    assert s.nameservers == (("127.0.0.1", 5353), ("::1", 53))
    assert s.lang is Lang.JA and s.default_lang is Lang.JA
    assert s.port == 8080


def test_settings_redis_url() -> None:
    """REDIS_URL is read as given; anything but redis://, rediss:// or unix:// is refused by name."""
    assert (
        Settings.from_env(FULL | {"REDIS_URL": "redis://127.0.0.1:6379/0"}).redis_url
        == "redis://127.0.0.1:6379/0"
    )
    assert Settings.from_env(FULL).redis_url is None
    with pytest.raises(SettingsError, match="REDIS_URL"):
        Settings.from_env(FULL | {"REDIS_URL": "http://127.0.0.1:6379"})


def test_settings_defaults() -> None:
    """Without the optional variables: Slack's API, the system resolver, English, port 3000."""
    s = Settings.from_env(FULL, mode="socket")
    assert (s.api_url, s.nameservers, s.lang, s.default_lang, s.port) == (
        DEFAULT_API_URL,
        None,
        None,
        Lang.EN,
        3000,
    )


@pytest.mark.parametrize(
    ("mode", "missing"),
    [
        ("web", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]),
        ("socket", ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]),
    ],
)
def test_settings_name_every_missing_variable(mode: str, missing: list[str]) -> None:
    """Each mode names all of what it lacks at once."""
    with pytest.raises(SettingsError) as err:
        Settings.from_env({}, mode=mode)
    for name in missing:
        assert name in str(err.value)


def test_settings_reject_bad_values_together() -> None:
    """A bad nameserver, language, URL and port are all reported in one message."""
    env = FULL | {
        "MXCHECK_NAMESERVERS": "ns.example",
        "MXCHECK_LANG": "fr",
        "SLACK_API_URL": "slack",
        "PORT": "x",
    }
    with pytest.raises(SettingsError) as err:
        Settings.from_env(env, mode="web")
    text = str(err.value)
    for name in ("MXCHECK_NAMESERVERS", "MXCHECK_LANG", "SLACK_API_URL", "PORT"):
        assert name in text


def _run_app(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-m", "bot.app", *args],
        env=base | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_without_settings_exits_2_naming_them() -> None:
    """`python -m bot.app web` with nothing set: exit 2, one clear line, no traceback."""
    done = _run_app("web", env={})
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN" in done.stderr and "SLACK_SIGNING_SECRET" in done.stderr
    assert "Traceback" not in done.stderr


def test_start_with_bad_mode_exits_2_with_usage() -> None:
    """An unknown mode prints the usage and exits 2."""
    done = _run_app("serve", env=FULL)
    assert done.returncode == 2 and "usage" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("mode", "tokens", "named"),
    [
        ("web", {"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ("socket", {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-wrong"}, "SLACK_APP_TOKEN"),
    ],
)
def test_start_with_a_refused_token_exits_2(mode: str, tokens: dict[str, str], named: str) -> None:
    """A token Slack refuses (invalid_auth from the fake API) stops the start with exit 2, naming it."""

    async def scenario() -> tuple[int | None, str]:
        fake = await FakeSlack().start()
        env = {"PATH": os.environ.get("PATH", ""), "SLACK_API_URL": fake.plain_api_url} | tokens
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.app",
                mode,
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            try:
                _, err = await asyncio.wait_for(proc.communicate(), 60)
            finally:
                if proc.returncode is None:  # it did not stop by itself: do not leave it running
                    proc.kill()
                    await proc.wait()
        finally:
            await fake.stop()
        return proc.returncode, err.decode()

    code, err = asyncio.run(scenario())
    assert code == 2 and named in err and "invalid_auth" in err
    assert "Traceback" not in err and APP_TOKEN not in err and "xoxb-revoked" not in err


def test_procfile_runs_both_modes() -> None:
    """web: serves HTTP, worker: runs Socket Mode, both through bot.app."""
    procfile = (ROOT / "Procfile").read_text()
    assert "web: python -m bot.app web" in procfile
    assert "worker: python -m bot.app socket" in procfile


def test_manifest_declares_what_the_app_uses() -> None:
    """Scopes, events, the command, the shortcut and interactivity are all in manifest.yml."""
    manifest = (ROOT / "manifest.yml").read_text()
    for needed in (
        "app_mentions:read",
        "chat:write",
        "commands",
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
        "users:read",
        "files:read",
        "- app_mention",
        "- message.im",
        "command: /mxcheck",
        "callback_id: mxcheck_analyze",
        "type: message",
        "is_enabled: true",
        "socket_mode_enabled:",
        "/slack/events",
    ):
        assert needed in manifest, needed


@pytest.mark.parametrize(
    ("mode", "tokens", "said"),
    [
        (
            "web",
            {"SLACK_BOT_TOKEN": "foo", "SLACK_SIGNING_SECRET": "s"},
            "SLACK_BOT_TOKEN must start with xoxb-",
        ),
        ("web", {"SLACK_BOT_TOKEN": "xoxp-12345", "SLACK_SIGNING_SECRET": "s"}, "holds a user token"),
        (
            "socket",
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": BOT_TOKEN},
            "SLACK_APP_TOKEN holds a bot token",
        ),
        ("socket", {"SLACK_BOT_TOKEN": APP_TOKEN, "SLACK_APP_TOKEN": BOT_TOKEN}, "are swapped"),
        (
            "socket",
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "app-token"},
            "SLACK_APP_TOKEN must start with xapp-",
        ),
    ],
)
def test_start_with_a_malformed_token_exits_2_in_one_line(
    mode: str, tokens: dict[str, str], said: str
) -> None:
    """A token of the wrong format is named in one line before anything connects; the token is never shown."""
    done = _run_app(mode, env=tokens | {"SLACK_API_URL": "http://127.0.0.1:9/api/"})
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and said in done.stderr
    assert "Traceback" not in done.stderr
    assert BOT_TOKEN not in done.stderr and APP_TOKEN not in done.stderr and "12345" not in done.stderr


def test_token_format_ignores_the_app_token_in_web_mode() -> None:
    """web mode does not use SLACK_APP_TOKEN, so its format does not stop the start."""
    Settings.from_env(FULL | {"SLACK_APP_TOKEN": "whatever"}, mode="web")


def test_bolt_token_unused_warning_is_not_printed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt reads SLACK_BOT_TOKEN itself and warns that it is unused; the app drops that one warning."""
    from bot.slackapp.factory import create_bot

    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    settings = Settings.from_env(FULL | {"SLACK_BOT_TOKEN": BOT_TOKEN}, mode="web")
    async def build() -> None:
        bot = create_bot(settings)  # the clients need a running loop
        await bot.service.close()

    with caplog.at_level(logging.WARNING):
        asyncio.run(build())
    assert "will be unused" not in caplog.text
    assert all(r.levelno < logging.WARNING for r in caplog.records if r.name.startswith("mxcheck"))


@pytest.mark.parametrize("flag", ["--help", "-h", "help"])
def test_help_prints_modes_and_settings_and_exits_0(flag: str) -> None:
    """mxcheck-slack --help: both modes and every setting of the contract, exit 0."""
    done = _run_app(flag, env={})
    assert done.returncode == 0, done.stderr
    for word in (
        "web",
        "socket",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "MXCHECK_NAMESERVERS",
        "MXCHECK_LANG",
        "PORT",
    ):
        assert word in done.stdout
