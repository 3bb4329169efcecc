"""Typed errors for bad input; each carries an id that knowledge/messages.toml words per language."""

from __future__ import annotations


class InputError(ValueError):
    """Input mxcheck will not analyse: the id names the one-line explanation shown to the user."""

    def __init__(self, error_id: str, detail: str = "") -> None:
        super().__init__(f"{error_id}: {detail}" if detail else error_id)
        self.error_id = error_id
        self.detail = detail


class EmptyInput(InputError):
    """Nothing to read."""

    def __init__(self) -> None:
        super().__init__("empty-input")


class BinaryInput(InputError):
    """Bytes that are not text."""

    def __init__(self) -> None:
        super().__init__("binary-input")


class InputTooLarge(InputError):
    """More bytes than limits.MAX_INPUT_BYTES."""

    def __init__(self, size: int) -> None:
        super().__init__("input-too-large", str(size))


class InvalidDomain(InputError):
    """A name that cannot be a mail domain."""

    def __init__(self, name: str) -> None:
        super().__init__("invalid-domain", name)
