"""The DNS side: a cached async resolver and the checks built on it, for one domain or many.

Holds the resolver (dnspython) and its swappable cache with an injected clock, the lookup session
that shares identical queries, typed results, domain-name handling (IDNA), the domain checks (MX,
address, null MX, SPF, DMARC), spelling suggestions, the rules by which DNS facts refine a
verdict, and the problem texts. Async code is a thin loop around pure logic. May import the shared
value types and ``bot.reading.knowledge`` (for data); never rendering, Slack or the command line.
Never name anything here ``dns``: it would shadow dnspython.
"""
