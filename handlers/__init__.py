"""Slack listeners: thin functions that ack at once and hand the work to bot.slackapp.flows."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.slackapp.service import Service
from handlers import actions, command, errors, mention, middleware, shortcut

LANGUAGE_ACTION = re.compile(r"^mxcheck_lang_(?:ja|en)$")


def register(app: AsyncApp, service: Service) -> None:
    """Attach the middleware, every listener and the one global error handler to the app."""
    app.use(middleware.attach(service))
    app.use(middleware.skip_repeats)
    app.event("app_mention")(mention.on_mention)
    app.event("message")(mention.on_direct_message)
    app.command("/mxcheck")(command.on_command)
    app.shortcut("mxcheck_analyze")(shortcut.on_shortcut)
    app.action(LANGUAGE_ACTION)(actions.on_language)
    app.error(errors.on_error)
