"""`python -m bot.app web|socket` and `mxcheck-slack`: the Slack app's entry (bot/slackapp builds it)."""

from __future__ import annotations

from bot.slackapp.factory import create_app, main

__all__ = ["create_app", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
