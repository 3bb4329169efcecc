"""gateways bounces (not written yet)."""

from __future__ import annotations

from bot.models import Bounce, Message


def detect(msg: Message) -> bool:
    """Cheap test: could this message be of this format?"""
    return False


def parse(msg: Message) -> Bounce | None:
    """The failed recipients this format reports."""
    return None
