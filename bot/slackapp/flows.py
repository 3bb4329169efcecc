"""The work behind each Slack surface, run after the ack: gather the text, diagnose, answer."""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.models import Diagnosis
from bot.render.blocks import render_words
from bot.render.buttons import unpack
from bot.render.mrkdwn import code_span, unformat
from bot.render.slackwords import help_words, word
from bot.slackapp.files import FileText, read_files
from bot.slackapp.posting import Target, without_bidi
from bot.slackapp.service import Service, describe_error
from bot.slackapp.threads import thread_before
from bot.vocab import Kind, Lang

log = logging.getLogger("mxcheck.slack")


async def answer_message(svc: Service, event: dict[str, Any], *, received: float) -> None:
    """A mention or a DM: read it (and its thread up to it), answer in the thread."""
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts")
    lang = await svc.language(event.get("user"))
    notes: list[str] = []
    earlier: list[dict[str, Any]] = []
    if thread_ts:
        try:
            earlier = await thread_before(svc.clients.reads, channel, thread_ts, ts, svc.poster.identity)
        except Exception as e:  # the mention itself may hold the bounce: answer from it alone
            log.warning("thread read failed: %s", describe_error(e))
            notes.append(word("thread-unread", lang))
    candidates: list[bytes | str] = []
    for msg in [*earlier, event]:
        await _gather(svc, msg, candidates, notes, lang)
    target = Target(channel=channel, thread_ts=thread_ts or ts, user=event.get("user"))
    await _answer(svc, target, candidates, notes, lang, received, surface="message")


async def answer_command(svc: Service, command: dict[str, Any], *, received: float) -> None:
    """/mxcheck TEXT: diagnose the text, answer privately through the response_url."""
    user = command.get("user_id")
    lang = await svc.language(user)
    target = Target(response_url=command["response_url"], user=user)
    text = unformat(command.get("text") or "").strip()
    if is_help(text):
        await svc.respond(target, render_words("usage", lang))
        return
    await _answer(svc, target, [text], [], lang, received, surface="command")


async def answer_shortcut(svc: Service, body: dict[str, Any], *, received: float) -> None:
    """The message shortcut: diagnose that message (and its .eml/.txt files), answer in its thread."""
    msg = body.get("message") or {}
    user = (body.get("user") or {}).get("id")
    lang = await svc.language(user)
    candidates: list[bytes | str] = []
    notes: list[str] = []
    await _gather(svc, msg, candidates, notes, lang)
    target = Target(
        channel=(body.get("channel") or {}).get("id"),
        thread_ts=msg.get("thread_ts") or msg.get("ts"),
        response_url=body.get("response_url"),
        user=user,
    )
    await _answer(svc, target, candidates, notes, lang, received, surface="shortcut")


async def switch_language(svc: Service, body: dict[str, Any], action: dict[str, Any]) -> None:
    """A 日本語/English button: re-render the same diagnosis in the other language, in place."""
    lang = Lang(action["action_id"].rsplit("_", 1)[1])
    message = await svc.render(unpack(action["value"]), lang)
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    if container.get("type") == "message" and not container.get("is_ephemeral") and channel:
        await svc.clients.writes.chat_update(
            channel=channel, ts=container["message_ts"], **without_bidi(message)
        )
    else:  # an ephemeral answer (slash command) can only be replaced through its response_url
        target = Target(response_url=body.get("response_url"), user=(body.get("user") or {}).get("id"))
        await svc.respond(target, message, replace=True)


def target_of(body: dict[str, Any]) -> Target | None:
    """Where an apology for a failed request goes; None for requests nobody waits on."""
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event") or {}
        if not event.get("channel") or not event.get("ts"):
            return None
        return Target(event["channel"], event.get("thread_ts") or event["ts"], None, event.get("user"))
    if "command" in body:
        return Target(response_url=body.get("response_url"), user=body.get("user_id"))
    user = (body.get("user") or {}).get("id")
    if kind == "message_action":
        msg = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        return Target(channel, msg.get("thread_ts") or msg.get("ts"), body.get("response_url"), user)
    if body.get("response_url"):
        return Target(response_url=body["response_url"], user=user)
    return None


def is_help(text: str) -> bool:
    """True for an empty text or a request for help."""
    return not text.strip() or text.strip().lower() in help_words()


async def _answer(
    svc: Service,
    target: Target,
    candidates: list[bytes | str],
    notes: list[str],
    lang: Lang,
    received: float,
    *,
    surface: str,
) -> None:
    reading = await svc.read(candidates)
    d = await svc.diagnose(reading) if reading is not None else None
    if d is None or d.kind is Kind.NONE:
        message = await svc.render(d, lang) if d is not None and d.error else render_words("usage", lang)
        message.pop("metadata", None)  # usage is no diagnosis: nothing for metadata readers
        # A usage answer to a shortcut stays private: it is not worth a post in someone's thread.
        if target.response_url and surface == "shortcut":
            target = Target(response_url=target.response_url, user=target.user)
    else:
        message = await svc.render(d, lang)
    seconds = time.monotonic() - received
    if seconds >= svc.late_after:
        notes = [word("late", lang, seconds=int(seconds)), *notes]
    if notes:
        message["blocks"] = [*message["blocks"], _notes_block(notes)]
    await svc.post(target, message) if target.channel else await svc.respond(target, message)
    _log_answer(surface, d, received)


async def _gather(
    svc: Service,
    msg: dict[str, Any],
    candidates: list[bytes | str],
    notes: list[str],
    lang: Lang,
) -> None:
    """A message's text, then its readable attached files, as candidates (oldest first)."""
    candidates.append(unformat(msg.get("text") or ""))
    if msg.get("files"):
        files = await read_files(
            svc.clients, msg["files"], token=svc.settings.bot_token, api_url=svc.settings.api_url
        )
        candidates += [f.data for f in files if f.data is not None]
        notes += [_note(f, lang) for f in files if f.skipped]


def _note(f: FileText, lang: Lang) -> str:
    if f.skipped == "too-large":
        return word("file-too-large", lang, name=code_span(f.name, limit=100), limit="2 MB")
    return word("file-unreadable", lang, name=code_span(f.name, limit=100))


def _notes_block(notes: list[str]) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": n} for n in notes[:10]]}


def _log_answer(surface: str, d: Diagnosis | None, started: float) -> None:
    """One line per answer: what it was, never what it said."""
    ms = int((time.monotonic() - started) * 1000)
    if d is None:
        log.info("%s answered with usage in %d ms", surface, ms)
        return
    main = d.main
    log.info(
        "%s answered kind=%s reason=%s cause=%s recipients=%d in %d ms",
        surface,
        d.kind,
        main.reason if main else None,
        d.cause.id if d.cause else d.error,
        len(d.recipients),
        ms,
    )
