"""The `mxcheck` command line: argument handling (``main``), batch runs over files, directories,
Maildirs and mboxes (``batch``), and reading inputs safely (``inputs``).

May import everything below it (reading, dnscheck, diagnose, render); nothing imports it.
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """The `mxcheck` console script (imports the command line only when it runs)."""
    from bot.cli import collector

    collector.pause()  # until the work begins (bot.cli.collector)
    try:
        from bot.cli.deferred import defer

        defer()
        from bot.cli.main import main as run

        return run(argv)
    finally:
        collector.resume()
