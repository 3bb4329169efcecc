"""The classifier asks only the providers that show in a failure, and exactly those."""

from __future__ import annotations

import random

from bot.models import Bounce, Failure
from bot.reading.classify import _Domains, _said_by, _showing
from bot.reading.knowledge import knowledge


def test_showing_names_exactly_the_providers_said_by_finds() -> None:
    """Over failures built from the providers' own hosts and formats, _showing lists in order every provider _said_by recognises."""
    rules = knowledge().rules
    hosts = [h for p in rules.providers for h in p.hosts]
    formats = sorted({f for p in rules.providers for f in p.formats})
    rng = random.Random(7)
    seen = 0
    for _ in range(600):
        def name() -> str:
            host = rng.choice(hosts) if rng.random() < 0.3 else rng.choice(["example.jp", "mx.example.net", ""])
            return rng.choice(["", "mx1.", "a.b."]) + host if host else ""

        failure = Failure(address=f"u@{name() or 'example.org'}", remote_mta=name() or None)
        bounce = Bounce(format=rng.choice(formats) if rng.random() < 0.2 else "postfix", failures=(failure,), reporting_mta=name() or None)
        marked = {n: [] for n in range(len(rules.providers)) if rng.random() < 0.1}
        domains = _Domains.of(failure, bounce)
        want = [n for n, p in enumerate(rules.providers) if _said_by(p, domains, bounce, marked=n in marked)]
        assert _showing(rules, domains, bounce.format, marked) == want, (failure, bounce)
        seen += bool(want)
    assert 100 < seen < 600  # both cases were tried
