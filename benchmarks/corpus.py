"""The shared corpus (../shared/corpus) as whole messages and as the text people paste."""

from __future__ import annotations

import email
import email.policy
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(
    os.environ.get("MXCHECK_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpus")
)


@dataclass(frozen=True)
class Sample:
    """One labelled corpus file: its bytes and Sisimai's expected result per recipient."""

    name: str
    raw: bytes
    labels: tuple[dict, ...]


def available() -> bool:
    """True when the shared corpus is present beside the checkout."""
    return (CORPUS / "labels.json").is_file()


def samples(*, labelled_only: bool = True) -> Iterator[Sample]:
    """Every corpus file in name order, with its labels (empty when unlabelled)."""
    labels = json.loads((CORPUS / "labels.json").read_text())
    for path in sorted((CORPUS / "emails").glob("*.eml")):
        found = labels.get(path.name)
        if found is None and labelled_only:
            continue
        yield Sample(path.name, path.read_bytes(), tuple(found or ()))


def pasted_form(raw: bytes) -> str:
    """What a person pastes from a mail client: the readable parts and the delivery report, no headers.

    Built with the standard library alone, so the pasted form does not depend on mxcheck's reader.
    """
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    chunks: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype in ("message/delivery-status", "message/feedback-report"):
            payload = part.get_payload()
            if isinstance(payload, list):
                chunks.append("\n\n".join("\n".join(f"{k}: {v}" for k, v in b.items()) for b in payload))
        elif part.get_content_maintype() == "text" and not part.is_multipart():
            if part.get_content_type() == "text/rfc822-headers":
                continue
            data = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "utf-8"
            charset = {"iso-2022-jp": "iso2022_jp_ext", "shift_jis": "cp932"}.get(charset, charset)
            try:
                chunks.append(data.decode(charset, "replace"))
            except LookupError:
                chunks.append(data.decode("utf-8", "replace"))
        elif part.get_content_maintype() == "multipart" and not part.is_multipart():
            chunks.append(str(part.get_payload()))
        if ctype == "message/rfc822":
            break  # the attached original: a mail client shows it as an attachment, not pasted text
    if not chunks:  # a message that is only a body
        body = msg.get_payload(decode=True) or b""
        chunks.append(body.decode("utf-8", "replace"))
    return "\n\n".join(c.replace("\r\n", "\n").strip() for c in chunks if c.strip())
