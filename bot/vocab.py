"""The contract's vocabularies (../shared/CONTRACT.md) as StrEnums: add, never rename."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why one recipient failed: Sisimai 5's reason names."""

    AUTHFAILURE = "authfailure"
    BADREPUTATION = "badreputation"
    BLOCKED = "blocked"
    CONTENTERROR = "contenterror"
    DELIVERED = "delivered"
    EXCEEDLIMIT = "exceedlimit"
    EXPIRED = "expired"
    FEEDBACK = "feedback"
    FILTERED = "filtered"
    HASMOVED = "hasmoved"
    HOSTUNKNOWN = "hostunknown"
    MAILBOXFULL = "mailboxfull"
    MAILERERROR = "mailererror"
    MESGTOOBIG = "mesgtoobig"
    NETWORKERROR = "networkerror"
    NORELAYING = "norelaying"
    NOTACCEPT = "notaccept"
    NOTCOMPLIANTRFC = "notcompliantrfc"
    ONHOLD = "onhold"
    POLICYVIOLATION = "policyviolation"
    REJECTED = "rejected"
    REQUIREPTR = "requireptr"
    SECURITYERROR = "securityerror"
    SPAMDETECTED = "spamdetected"
    SPEEDING = "speeding"
    SUSPEND = "suspend"
    SYNTAXERROR = "syntaxerror"
    SYSTEMERROR = "systemerror"
    SYSTEMFULL = "systemfull"
    TOOMANYCONN = "toomanyconn"
    UNDEFINED = "undefined"
    USERUNKNOWN = "userunknown"
    VACATION = "vacation"
    VIRUSDETECTED = "virusdetected"


class Responsible(StrEnum):
    """Who has to act."""

    SENDER = "sender"
    SENDER_ORG = "sender_org"
    RECIPIENT = "recipient"
    RECIPIENT_ORG = "recipient_org"
    TRANSIENT = "transient"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    """How bad a DNS problem is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class ProblemId(StrEnum):
    """DNS problem ids."""

    NXDOMAIN = "nxdomain"
    NO_MAIL_HOST = "no-mail-host"
    NULL_MX = "null-mx"
    IMPLICIT_MX = "implicit-mx"
    MX_TARGET_UNRESOLVABLE = "mx-target-unresolvable"
    MX_TARGET_CNAME = "mx-target-cname"
    MX_TARGET_IP_LITERAL = "mx-target-ip-literal"
    MX_TARGET_PRIVATE = "mx-target-private"
    SPF_MISSING = "spf-missing"
    SPF_MULTIPLE = "spf-multiple"
    SPF_SYNTAX = "spf-syntax"
    SPF_TOO_MANY_LOOKUPS = "spf-too-many-lookups"
    DMARC_MISSING = "dmarc-missing"
    DMARC_INVALID = "dmarc-invalid"
    DNS_FAILURE = "dns-failure"
    # Added for domain depth.
    SPF_VOID_LOOKUPS = "spf-void-lookups"
    SPF_PASS_ALL = "spf-pass-all"
    SPF_INCLUDE_NXDOMAIN = "spf-include-nxdomain"
    SPF_REDIRECT_LOOP = "spf-redirect-loop"
    DMARC_P_NONE = "dmarc-p-none"
    DMARC_RUA_UNAUTHORIZED = "dmarc-rua-unauthorized"
    MTA_STS_INVALID = "mta-sts-invalid"
    MTA_STS_POLICY_UNREACHABLE = "mta-sts-policy-unreachable"
    TLSRPT_INVALID = "tlsrpt-invalid"
    DNSSEC_SECURE = "dnssec-secure"
    DNSSEC_BOGUS = "dnssec-bogus"
    DANE_TLSA = "dane-tlsa"
    DANE_WITHOUT_DNSSEC = "dane-without-dnssec"
    DNSBL_LISTED = "dnsbl-listed"
    DNSBL_NOT_LISTED = "dnsbl-not-listed"
    DNSBL_REFUSED = "dnsbl-refused"
    RESOLVER_UNUSABLE = "resolver-unusable"


class Kind(StrEnum):
    """What an analysed text turned out to be."""

    BOUNCE = "bounce"
    DOMAIN = "domain"
    CODE = "code"
    NONE = "none"


class Lang(StrEnum):
    """Answer languages."""

    JA = "ja"
    EN = "en"


class Phase(StrEnum):
    """The SMTP command the refusal answered, where the bounce shows it."""

    CONNECT = "connect"
    HELO = "helo"
    MAIL = "mail"
    RCPT = "rcpt"
    DATA = "data"


class Action(StrEnum):
    """RFC 3464 Action values."""

    FAILED = "failed"
    DELAYED = "delayed"
    DELIVERED = "delivered"
    RELAYED = "relayed"
    EXPANDED = "expanded"
