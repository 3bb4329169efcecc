"""Amazon SES (sending and receiving), its SNS JSON notifications, and Amazon WorkMail bounces.

Layouts handled (each branch carries the lines it reads):
- SES DSN: "An error occurred while trying to deliver the mail to the following recipients:" with
  RFC 3464 fields (WorkMail puts them inline under "Technical report:");
- older SES: "The following message to <a@b> was undeliverable. The reason for the problem:
  5.3.0 - Other mail system problem 550-'Unknown user a@b'" (a smart host's line, unwrapped);
- receiving SES: "This message could not be delivered." from inbound-smtp.*.amazonaws.com;
- SNS notifications (JSON): Bounce (bouncedRecipients), Complaint (complainedRecipients,
  reason_hint feedback: the complaint says so outright) and Delivery (delivered, 2.X.X).
"""

from __future__ import annotations

import re

from bot.models import Bounce, Failure, Message
from bot.reading.lazyre import lazy
from bot.reading.parsers import _common as c
from bot.vocab import Action, Reason

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (bot/__init__.py)
if TYPE_CHECKING:
    from typing import Any

_SENDERS = ("amazonses.com", "amazonaws.com", "sns.amazonaws.com")
_MARKERS = (
    "an error occurred while trying to deliver the mail to the following recipients",
    "the reason for the problem:",
    '"notificationtype"',
    '\\"notificationtype\\"',
    "amazon workmail",
)
# Receiving SES: "This message could not be delivered." reported by inbound-smtp.<region>.amazonaws.com
_RECEIVING = ("this message could not be delivered", "inbound-smtp.")
# The following message to <a@example.jp> was undeliverable.
# The reason for the problem:
# 5.3.0 - Other mail system problem 550-'Unknown user a@example.jp'
_OLD = lazy(
    r"the following message to <?([^\s<>]{3,320}?)>? was undeliverable\.?\s{0,5}\n\s{0,4}the reason for the problem:"
    r"\s{0,5}\n([^\n]{1,2000})",
    re.I,
)
_JSON_START = lazy(r'\{\s{0,20}"(?:notificationType|eventType|Type)"')


def detect(msg: Message) -> bool:
    """An SES/SNS/WorkMail sender or mailer, or SES wording or JSON in the text."""
    if c.header_has(msg, "from", _SENDERS) or c.header_has(msg, "x-mailer", ("amazon workmail",)):
        return True
    if msg.header("x-ses-outgoing", "-") != "-":
        return True
    return c.has_any(msg.text, _MARKERS) or all(c.has_any(msg.text, (m,)) for m in _RECEIVING)


def parse(msg: Message) -> Bounce | None:
    """Failures from a JSON notification, the DSN fields or the older SES sentence."""
    text = c.readable_text(msg)
    failures = _notification(text)
    reporting = None
    if failures is None:
        per_message, failures = c.dsn_failures(c.status_text(msg))
        reporting = c.clean_host(per_message.get("reporting-mta", "")) or None
        failures = c.merge_dsn(_old_layout(text), failures)
    failures = c.finish(c.with_inner_reply(f) for f in failures)
    if not failures:
        return None
    return Bounce(
        format="amazonses", failures=tuple(failures), reporting_mta=reporting, sender=c.original_sender(msg)
    )


def _old_layout(text: str) -> list[Failure]:
    m = _OLD.search(text)
    if not m:
        return []
    return [c.make_failure(m.group(1), diagnostic=m.group(2))]


# ----------------------------------------------------------------------------- SNS notifications
def _notification(text: str) -> list[Failure] | None:
    """Failures of an SES event as JSON (None when the text holds none)."""
    data = _json(text)
    import json  # loaded by _json when the text held any

    if isinstance(data, dict) and isinstance(data.get("Message"), str):
        # The SNS envelope: {"Type" : "Notification", ..., "Message" : "{\"notificationType\":...}"}
        try:
            data = json.loads(data["Message"])
        except ValueError:
            return None
    if not isinstance(data, dict):
        return None
    kind = str(data.get("notificationType") or data.get("eventType") or "").lower()
    if kind == "bounce":
        # {"bounce":{"bouncedRecipients":[{"emailAddress":"a@b","status":"5.1.1","diagnosticCode":"smtp; 550 ..."}],
        #  "reportingMTA":"dsn; a27-23.smtp-out.us-west-2.amazonses.com", "remoteMtaIp": "192.0.2.1"}}
        bounce = _dict(data.get("bounce"))
        return [
            c.make_failure(
                str(r.get("emailAddress", "")),
                status=str(r.get("status") or ""),
                action=str(r.get("action") or "failed"),
                diagnostic=str(r.get("diagnosticCode") or bounce.get("bounceSubType") or ""),
                remote_mta=str(bounce.get("remoteMtaIp") or "") or None,
            )
            for r in _records(bounce.get("bouncedRecipients"))
        ]
    if kind == "complaint":
        # {"complaint":{"complainedRecipients":[{"emailAddress":"a@b"}],"complaintFeedbackType":"abuse"}}
        complaint = _dict(data.get("complaint"))
        feedback = str(complaint.get("complaintFeedbackType") or "abuse")
        return [
            c.make_failure(
                str(r.get("emailAddress", "")),
                diagnostic=f"Amazon SES complaint (feedback type: {feedback})",
                reason_hint=Reason.FEEDBACK,
            )
            for r in _records(complaint.get("complainedRecipients"))
        ]
    if kind == "delivery":
        # {"delivery":{"recipients":["a@b"],"smtpResponse":"250 2.6.0 Message received","remoteMtaIp":"192.0.2.1"}}
        delivery = _dict(data.get("delivery"))
        reply = str(delivery.get("smtpResponse") or "")
        return [
            c.make_failure(
                str(r),
                diagnostic=reply,
                action=Action.DELIVERED,
                remote_mta=str(delivery.get("remoteMtaIp") or "") or None,
            )
            for r in delivery.get("recipients") or []
            if isinstance(r, str)
        ]
    return None


def _json(text: str) -> Any:
    """The JSON object in the text; lines folded at 998 characters are joined back first."""
    m = _JSON_START.search(text)
    if not m:
        return None
    import json  # here: an SES notification is rare, and json costs every run's start-up 2 ms

    body = text[m.start() :].split("\n\n", 1)[0]
    for candidate in (body.replace("\n ", ""), body.replace("\n", ""), body):
        end = candidate.rfind("}")
        try:
            return json.loads(candidate[: end + 1])
        except ValueError:
            continue
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _records(value: Any) -> list[dict[str, Any]]:
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []

