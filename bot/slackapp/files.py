"""Attached files a bounce may come in (.eml, .txt, Slack's email posts): found, size-checked, downloaded."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot.slackapp.clients import Clients

MAX_FILE_BYTES = 2 * 1024 * 1024  # a bounce with its original attached; bigger files are not read
MAX_FILES = 3  # per message
_SUFFIXES = (".eml", ".txt", ".msg.txt", ".log")
_FILETYPES = frozenset({"email", "eml", "text", "txt"})
_MIMETYPES = frozenset({"message/rfc822", "text/plain"})
_TRUSTED_HOSTS = ("slack.com", "slack-edge.com")  # where Slack serves url_private
MAX_REDIRECTS = 3

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
    clients: Clients, files: list[dict[str, Any]], *, token: str, api_url: str
) -> list[FileText]:
    """The wanted files of a message, each read through files.info and its url_private."""
    out = []
    for file in [f for f in files if isinstance(f, dict) and wanted(f)][:MAX_FILES]:
        out.append(await _read_one(clients, file, token=token, api_url=api_url))
    return out


async def _read_one(clients: Clients, file: dict[str, Any], *, token: str, api_url: str) -> FileText:
    name = str(file.get("name") or file.get("id") or "file")
    try:
        info = (await clients.reads.files_info(file=file["id"]))["file"]
    except Exception as e:  # a deleted or inaccessible file is skipped, not fatal
        log.warning("files.info failed for a file: %s", type(e).__name__)
        return FileText(name, None, "unreadable")
    if int(info.get("size") or 0) > MAX_FILE_BYTES:
        return FileText(name, None, "too-large")
    if info.get("mode") == "email" and info.get("plain_text"):  # Slack's own email posts carry their text
        return FileText(name, _email_text(info).encode("utf-8"))
    url = info.get("url_private_download") or info.get("url_private")
    if not url or not trusted(str(url), api_url):
        return FileText(name, None, "unreadable")
    return await _download(clients.files, name, url, token, api_url)


async def _download(
    session: aiohttp.ClientSession, name: str, url: str, token: str, api_url: str
) -> FileText:
    """GET a private file with the bot token, redirects followed only on Slack's hosts; at most MAX_FILE_BYTES."""
    headers = {"Authorization": f"Bearer {token}"}
    try:
        for _ in range(MAX_REDIRECTS + 1):
            async with session.get(url, headers=headers, allow_redirects=False) as resp:
                if resp.status in (301, 302, 303, 307, 308):
                    url = urljoin(url, resp.headers.get("Location", ""))
                    if not trusted(url, api_url):  # the token never leaves Slack's hosts
                        log.warning("file download redirected off Slack's hosts: not followed")
                        return FileText(name, None, "unreadable")
                    continue
                if resp.status != 200:
                    log.warning("file download answered HTTP %s", resp.status)
                    return FileText(name, None, "unreadable")
                return await _body(name, resp)
    except (aiohttp.ClientError, TimeoutError) as e:
        log.warning("file download failed: %s", type(e).__name__)
        return FileText(name, None, "unreadable")
    log.warning("file download redirected more than %d times", MAX_REDIRECTS)
    return FileText(name, None, "unreadable")


async def _body(name: str, resp: aiohttp.ClientResponse) -> FileText:
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_FILE_BYTES:  # stop reading at once: the size in files.info may lie
            return FileText(name, None, "too-large")
        chunks.append(chunk)
    return FileText(name, b"".join(chunks))


def trusted(url: str, api_url: str) -> bool:
    """Only Slack's file hosts over HTTPS (or an HTTPS API URL's own host and port) see the bot token."""
    parts, api = urlsplit(url), urlsplit(api_url)
    if parts.scheme != "https" or parts.username or parts.password:
        return False
    host = (parts.hostname or "").lower()
    if api.scheme == "https" and host == (api.hostname or "").lower() and _port(parts) == _port(api):
        return True
    return any(host == h or host.endswith("." + h) for h in _TRUSTED_HOSTS) and _port(parts) == 443


def _port(parts: Any) -> int:
    try:
        return parts.port or 443
    except ValueError:  # a port that is no number
        return -1


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
