"""Emails the service sends (to schools and lead providers), through Django's email framework.

Each email is two templates in `templates/emails/`: `<name>_subject.txt` (one line) and `<name>.txt` (the
body). Emails leave only once the transaction that caused them has committed, so a change that rolls back
never sends one; a delivery failure is logged and never undoes or fails the change (Django runs robust
`on_commit` callbacks after the commit and logs their errors).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def render_email(name: str, context: dict, *, to: list[str]) -> EmailMessage:
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    body = render_to_string(f"emails/{name}.txt", context)
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to)


def send_on_commit(name: str, context: dict, *, to: list[str]) -> None:
    """Renders now (inside the transaction, from the rows as they are) and sends after the commit."""
    recipients = [address for address in to if address]
    if not recipients:
        logger.info("Email %s not sent: no recipient address", name)
        return
    message = render_email(name, context, to=recipients)
    transaction.on_commit(message.send, robust=True)
