"""The garbage collector, paused while a command starts and resumed when its work begins.

Start-up (imports, the knowledge) makes tens of thousands of objects that live as long as the
process, and the collector walked them again and again as they came: 7% of a one-message run's
instructions (16 M of 244 M under callgrind). bot.cli pauses it before its imports. bot.cli.offline
resumes it once what is loaded is frozen: in a pooled batch's parent right after it forks its
workers, in each worker and in an unpooled run after the first chunk. bot.cli.batch resumes it
before DNS work, and bot.cli at the end of the run at the latest. A collector that was off
already stays off.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop automatic collection, if it runs, until resume()."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Start automatic collection again, if pause() stopped it."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
