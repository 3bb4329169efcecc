"""Attached files a bounce may come in (.eml, .txt, Slack's email posts): found, size-checked, downloaded."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

MAX_FILE_BYTES = 2 * 1024 * 1024  # a bounce with its original attached; bigger files are not read
MAX_FILES = 3  # per message
_SUFFIXES = (".eml", ".txt", ".msg.txt", ".log")
_FILETYPES = frozenset({"email", "eml", "text", "txt"})
_MIMETYPES = frozenset({"message/rfc822", "text/plain"})
_TRUSTED_HOSTS = ("slack.com", "slack-edge.com")  # where Slack serves url_private

log = logging.getLogger("mxcheck.slack")


@dataclass(frozen=True, slots=True)
class FileText:
    """What came of one attached file: its bytes, or why it was skipped."""

    name: str
    data: bytes | None
    skipped: str | None = None  # "too-large" or "unreadable"


def wanted(file: dict[str, Any]) -> bool:
    """True for a file that may hold a bounce: .eml/.txt, plain text or a mail message."""
    name = str(file.get("name") or "").lower()
    return (
        name.endswith(_SUFFIXES)
        or str(file.get("filetype") or "").lower() in _FILETYPES
        or str(file.get("mimetype") or "").lower() in _MIMETYPES
    )


async def read_files(
    client: AsyncWebClient, files: list[dict[str, Any]], *, token: str, api_url: str
) -> list[FileText]:
    """The wanted files of a message, each read through files.info and its url_private."""
    out = []
    for file in [f for f in files if isinstance(f, dict) and wanted(f)][:MAX_FILES]:
        out.append(await _read_one(client, file, token=token, api_url=api_url))
    return out


async def _read_one(client: AsyncWebClient, file: dict[str, Any], *, token: str, api_url: str) -> FileText:
    name = str(file.get("name") or file.get("id") or "file")
    try:
        info = (await client.files_info(file=file["id"]))["file"]
    except Exception as e:  # a deleted or inaccessible file is skipped, not fatal
        log.warning("files.info failed for a file: %s", type(e).__name__)
        return FileText(name, None, "unreadable")
    if int(info.get("size") or 0) > MAX_FILE_BYTES:
        return FileText(name, None, "too-large")
    if info.get("mode") == "email" and info.get("plain_text"):  # Slack's own email posts carry their text
        return FileText(name, _email_text(info).encode("utf-8"))
    url = info.get("url_private_download") or info.get("url_private")
    if not url or not _trusted(url, api_url):
        return FileText(name, None, "unreadable")
    return await _download(name, url, token)


async def _download(name: str, url: str, token: str) -> FileText:
    """GET a private file with the bot token; never more than MAX_FILE_BYTES read."""
    timeout = aiohttp.ClientTimeout(total=20)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url, headers={"Authorization": f"Bearer {token}"}) as resp,
        ):
            if resp.status != 200:
                log.warning("file download answered HTTP %s", resp.status)
                return FileText(name, None, "unreadable")
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > MAX_FILE_BYTES:  # stop reading at once: the size in files.info may lie
                    return FileText(name, None, "too-large")
                chunks.append(chunk)
    except (aiohttp.ClientError, TimeoutError) as e:
        log.warning("file download failed: %s", type(e).__name__)
        return FileText(name, None, "unreadable")
    return FileText(name, b"".join(chunks))


def _trusted(url: str, api_url: str) -> bool:
    """Only Slack's file hosts (or the configured API's host) ever see the bot token."""
    host = (urlsplit(url).hostname or "").lower()
    if host == (urlsplit(api_url).hostname or "").lower():
        return True
    return urlsplit(url).scheme == "https" and any(
        host == h or host.endswith("." + h) for h in _TRUSTED_HOSTS
    )


def _email_text(info: dict[str, Any]) -> str:
    """A Slack email post as a message: its headers as Slack keeps them, then the plain text."""
    lines = []
    for field in ("from", "to"):
        for person in info.get(field) or ():
            if isinstance(person, dict) and person.get("address"):
                lines.append(f"{field.title()}: {person['address']}")
    if info.get("subject"):
        lines.append(f"Subject: {info['subject']}")
    return "\n".join(lines) + "\n\n" + str(info.get("plain_text") or "")
