"""The DNS side: a cached async resolver and the checks built on it, for one domain or many.

Holds the resolver (dnspython; DO, AD and CD for DNSSEC) and its swappable cache with an injected
clock, the control query that tells whether our resolver works, the lookup session that shares
identical queries, typed results, domain-name handling (IDNA), the domain checks (MX, address, null
MX, SPF, DMARC, MTA-STS with its HTTPS policy fetch, TLS-RPT, DNSSEC, DANE), the blocklists,
spelling suggestions verified by DNS, what a bounce's text points at, whether bounce and DNS agree,
the rules by which DNS facts refine a verdict, and the problem and note texts. Async code is a thin loop around pure logic. May import the shared
value types and ``bot.reading.knowledge`` (for data); never rendering, Slack or the command line.
Never name anything here ``dns``: it would shadow dnspython.
"""
