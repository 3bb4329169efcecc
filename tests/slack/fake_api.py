"""The Web API methods the fake Slack answers, as real Slack would for what the app uses.

A mixin of tests/slack/fake_slack.py's FakeSlack (its threads, files and counters).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

BOT_USER = "UBOT"
BOT_ID = "BBOT"
LOCALES = {"UJA": "ja-JP", "UEN": "en-US", "UFR": "fr-FR"}


class ApiMethods:
    """`_<method>` answers each Web API method from the fake's state (set up by FakeSlack)."""

    threads: dict[tuple[str, str], list[dict[str, Any]]]
    files: dict[str, tuple[dict[str, Any], bytes]]
    not_in_channel: set[str]
    strict_metadata: bool
    posts_made: int
    replies_served: int
    port: int
    _ts: itertools.count[int]

    def _auth_test(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": "T1", "user": "mxcheck"}

    def _chat_postMessage(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("channel") in self.not_in_channel:
            return {"ok": False, "error": "not_in_channel"}
        metadata = data.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if self.strict_metadata and metadata and None in metadata.get("event_payload", {}).values():
            return {"ok": False, "error": "invalid_metadata_format"}
        ts = f"{2000000000 + next(self._ts)}.000100"
        self.posts_made += 1
        posted = {"ts": ts, "user": BOT_USER, "bot_id": BOT_ID, "text": data.get("text", "")}
        thread = data.get("thread_ts")
        if thread:  # kept, so that a thread read back shows the post (as real Slack's would)
            key = (data.get("channel", ""), thread)
            self.threads.setdefault(key, [{"ts": thread, "user": "UX", "text": ""}]).append(posted)
        return {"ok": True, "channel": data.get("channel"), "ts": ts, "message": posted}

    def _chat_update(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": data.get("channel"), "ts": data.get("ts")}

    def _users_info(self, data: dict[str, Any]) -> dict[str, Any]:
        user = data.get("user", "")
        if user not in LOCALES:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {"id": user, "locale": LOCALES[user]}}

    def _conversations_replies(self, data: dict[str, Any]) -> dict[str, Any]:
        """Slack's paging: the parent first on the first page only, replies oldest first, `limit` a page."""
        messages = self.threads.get((data.get("channel", ""), data.get("ts", "")))
        if messages is None:
            return {"ok": False, "error": "thread_not_found"}
        self.replies_served += 1
        latest = float(data.get("latest") or "inf")
        oldest = float(data.get("oldest") or 0)
        inclusive = str(data.get("inclusive")).lower() in ("1", "true")
        parent, replies = messages[0], messages[1:]

        def wanted(m: dict[str, Any]) -> bool:
            ts = float(m["ts"])
            return (oldest < ts < latest) or (inclusive and ts in (oldest, latest))

        kept = [m for m in replies if wanted(m)]
        start = int(data.get("cursor") or 0)
        limit = min(int(data.get("limit") or 100), 1000)
        page = kept[start : start + limit]
        more = start + limit < len(kept)
        answer: dict[str, Any] = {
            "ok": True,
            "messages": ([parent] if start == 0 else []) + page,
            "has_more": more,
        }
        answer["response_metadata"] = {"next_cursor": str(start + limit) if more else ""}
        return answer

    def _files_info(self, data: dict[str, Any]) -> dict[str, Any]:
        found = self.files.get(data.get("file", ""))
        return {"ok": True, "file": found[0]} if found else {"ok": False, "error": "file_not_found"}

    def _apps_connections_open(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"ws://127.0.0.1:{self.port}/ws",
        }  # Socket Mode has its own TLS-less URL here
