"""The phrase benchmark's readers: Perl data literals, and one example sentence per regex branch."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from benchmarks.perl_literals import Hash, Pattern, declarations
from benchmarks.regex_examples import examples

PERL = r"""
sub get {
    state $index = [
        'mailbox full',   # a comment
        "user's quota",
    ];
    state $messagesof = {
        'blocked' => [
            ['421', '4.7.0', 'try again later, closing connection.'],
            qr/client host [^ ]+ blocked/,
        ],
        'expired' => 'queue too long',
    };
    state $errorcodes = {
        'IB103' => 'blocked',       # 554 Connection refused. IB103
        '105' => undef,
    };
}
__END__
state $after = ['not read'];
"""


def test_perl_literals_are_read_with_their_comments() -> None:
    """Lists, hashes, tuples, qr// and undef come back as Python values; text after __END__ is ignored."""
    found = declarations(PERL)
    assert found["index"] == ["mailbox full", "user's quota"]
    table = found["messagesof"]
    assert isinstance(table, Hash)
    blocked = table.entries[0].value
    assert blocked[0] == ["421", "4.7.0", "try again later, closing connection."]
    assert blocked[1] == Pattern("client host [^ ]+ blocked", "")
    codes = found["errorcodes"]
    assert isinstance(codes, Hash)
    assert codes.entries[0].comment == "554 Connection refused. IB103"
    assert codes.entries[1].value is None
    assert "after" not in found


def test_each_branch_gets_one_example_that_the_pattern_matches() -> None:
    """Nested alternations give one text per branch, each matched by the pattern itself."""
    source = r"""(?>
         user[ ](?:unknown|not[ ](?:found|known))
        |mailbox[ ][^ ]+[ ]does[ ]not[ ]exist
        |host[ ]\d+[ ]refused    # a Perl comment
        |doesn[']?t[ ]exist
    )"""
    texts = examples(source, verbose_mode=True)
    assert len(texts) == 6
    assert "user unknown" in texts and "user not known" in texts and "doesn't exist" in texts
    pattern = re.compile(source, re.VERBOSE)
    assert all(pattern.search(t) for t in texts), texts
    assert any(t.startswith("mailbox ") and " does not exist" in t and "\x00" not in t for t in texts)
