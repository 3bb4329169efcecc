"""The NDR lines quoted in ../shared/seeds (Japanese Q&A pages): reason and responsible side, end to end.

Each line is copied from a seed page (the test checks it still occurs there) and goes through
the whole pure pipeline: text → normalize → parse → classify → cause (bot.diagnose.analyse).
The expectations, with the reasoning (Sisimai 4.25 agrees on every reason but SPF, which it
predates as 'authfailure'):

- Exchange's "Bad destination host 'DNS Hard Error looking up x(MX):NXDomain'": the recipient's
  domain does not exist; the asker confirmed it was a typo → hostunknown, sender.
- "Unknown address error 554-'5.7.1 Relay access denied'": Exchange quoting the *remote* MX's
  reply (an Exchange "unknown address error" always quotes the next hop), so the recipient
  domain's MX does not host that domain → norelaying, recipient_org. A relay refusal asking for
  authentication would be the sender's own server (relay-denied-sender-server, sender_org).
- RESOLVER.ADR.RecipNotFound / "5.1.1 550 (unknown user)": no such mailbox → userunknown, sender.
- "552-'size limit exceeded'": the message is too big for the receiver → mesgtoobig, sender.
- "530 5.7.1 Client was not authenticated" from the customer's own Exchange behind FOPE: the
  recipient's server refuses anonymous internet mail → securityerror, recipient_org.
- "SPF MAIL FROM check failed (PermError)": the sender domain's SPF is broken → authfailure,
  sender_org.
- "4.1.8 Cannot resolve your domain" / "Sender address rejected: Domain not found" (5.1.8): the
  receiver cannot resolve the sender's domain → rejected, sender_org. The second is quoted with
  neither code nor address: the server's own words (knowledge/phrases.toml [server_reply]) make
  it a refusal to explain.
- "5.1.2 ... Recipient address rejected: Domain not found": the recipient's domain has no
  MX/A (Trend Micro's check) → hostunknown, sender (a mistyped address, per the page).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.diagnose import analyse
from bot.vocab import Kind, Reason, Responsible

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# (seed file prefix, NDR line as quoted on the page, reason, responsible)
LINES = [
    pytest.param(
        "000",
        "Remote Server Returned '554.5.0.0(#5.0.0 smtp;5.1.2 - Bad destination host' DNS Hard Error looking up xxxxx(MX):NXDomain'(delivary attempt:0>'",
        Reason.HOSTUNKNOWN,
        Responsible.SENDER,
        id="exchange-nxdomain",
    ),
    pytest.param(
        "000",
        "5.1.0 Unknown address error 554-'5.7.1. Relay access denied.",
        Reason.NORELAYING,
        Responsible.RECIPIENT_ORG,
        id="exchange-relay-denied",
    ),
    pytest.param(
        "000",
        "5.1.2 - Bad destination host 'DNS Hard Error looking up",
        Reason.HOSTUNKNOWN,
        Responsible.SENDER,
        id="exchange-dns-hard-error",
    ),
    pytest.param(
        "000",
        "550 5.1.1 RESOLVER.ADR.RecipNotFound",
        Reason.USERUNKNOWN,
        Responsible.SENDER,
        id="recip-not-found",
    ),
    pytest.param(
        "000",
        "5.1.0 - unknown address error 552-'size limit exceeded'",
        Reason.MESGTOOBIG,
        Responsible.SENDER,
        id="size-limit",
    ),
    pytest.param(
        "001",
        "mail.contoso.com #<exchange.contoso.com #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#",
        Reason.SECURITYERROR,
        Responsible.RECIPIENT_ORG,
        id="client-not-authenticated",
    ),
    pytest.param(
        "001",
        "530 5.7.1 Client was not authenticated",
        Reason.SECURITYERROR,
        Responsible.RECIPIENT_ORG,
        id="client-not-authenticated-alone",
    ),
    pytest.param(
        "001",
        "5.1.1 550 (unknown user)",
        Reason.USERUNKNOWN,
        Responsible.SENDER,
        id="unknown-user",
    ),
    pytest.param(
        "001",
        "5.0.0 550 SPF MAIL FROM check failed (PermError)",
        Reason.AUTHFAILURE,
        Responsible.SENDER_ORG,
        id="spf-permerror",
    ),
    pytest.param(
        "001",
        "451 4.1.8 Cannot resolve your domain {mx101}",
        Reason.REJECTED,
        Responsible.SENDER_ORG,
        id="cannot-resolve-your-domain",
    ),
    pytest.param(
        "001",
        "Sender address rejected: Domain not found",
        Reason.REJECTED,
        Responsible.SENDER_ORG,
        id="sender-domain-not-found",
    ),
    pytest.param(
        "003",
        "550 5.1.8 <送信者のメールアドレス>: Sender address rejected: Domain not found",
        Reason.REJECTED,
        Responsible.SENDER_ORG,
        id="trendmicro-sender-domain",
    ),
    pytest.param(
        "003",
        "550 5.1.2 <受信者のメールアドレス>: Recipient address rejected: Domain not found",
        Reason.HOSTUNKNOWN,
        Responsible.SENDER,
        id="trendmicro-recipient-domain",
    ),
]

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not present")


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("seed", "line", "reason", "side"), [(p.values[0], p.values[1], None, None) for p in LINES]
)
def test_line_is_quoted_on_its_seed_page(seed: str, line: str, reason: None, side: None) -> None:
    """Every NDR line of the table occurs verbatim in its seed file."""
    assert line in _seed(seed)


@pytest.mark.parametrize(("seed", "line", "reason", "side"), LINES)
def test_seed_line_reason_and_side(seed: str, line: str, reason: Reason, side: Responsible) -> None:
    """The line alone, pasted, gets the expected reason and responsible side."""
    diagnosis = analyse(line)
    assert diagnosis.kind == Kind.BOUNCE
    main = diagnosis.main
    assert main is not None
    assert (main.reason, main.responsible) == (reason, side)


def test_seed_pages_pasted_whole() -> None:
    """A whole seed page pasted as it is: its bounce is found and read the same way."""
    fope = analyse(_seed("001"))
    assert fope.main is not None
    assert fope.main.failure.address == "joepremise@contoso.com"
    assert (fope.main.reason, fope.main.responsible) == (Reason.SECURITYERROR, Responsible.RECIPIENT_ORG)
    nxdomain = analyse(_seed("000"))
    assert nxdomain.main is not None
    assert (nxdomain.main.reason, nxdomain.main.responsible) == (Reason.HOSTUNKNOWN, Responsible.SENDER)
    # Trend Micro's page quotes two refusals without real addresses: one unnamed recipient each,
    # the sender-domain refusal (quoted first) as the main one.
    trend = analyse(_seed("003"))
    got = [(r.failure.status, r.reason, r.responsible) for r in trend.recipients]
    assert got == [
        ("5.1.8", Reason.REJECTED, Responsible.SENDER_ORG),
        ("5.1.2", Reason.HOSTUNKNOWN, Responsible.SENDER),
    ]


def test_server_words_alone_are_a_refusal_but_a_question_is_not() -> None:
    """A server's refusal words pasted alone are a bounce; a person's question naming a domain is a domain check."""
    assert (
        analyse("550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550").kind
        == Kind.BOUNCE
    )
    assert analyse("Recipient address rejected: User unknown in local recipient table").kind == Kind.BOUNCE
    assert analyse("why is my mail to example.com blocked?").kind == Kind.DOMAIN
    assert analyse("Price: 550 yen").kind == Kind.NONE
