"""Writing and sending e-mail: multipart text and HTML, in the recipient's language, over SMTP.

Without ``WCC_SMTP_HOST`` a message is written to the log instead (development).
Messages are built from templates under ``templates/mail/`` inside a request
context whose base URL is ``WCC_BASE_URL``, so every link is absolute.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from flask import current_app, render_template, url_for
from flask_babel import force_locale

from wcc.i18n import text_direction

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    """The mail server refused the message or could not be reached."""


def compose(*, to: str, name: str, lang: str, subject: str, template: str, **context) -> Message:
    """A message to ``to`` written in ``lang`` from ``mail/<template>.txt`` and ``.html``."""
    app = current_app._get_current_object()
    with app.test_request_context("/", base_url=app.config["BASE_URL"]), force_locale(lang):
        preferences = url_for("notifications.preferences", _external=True)
        context.update(lang=lang, dir=text_direction(lang), preferences_url=preferences, recipient=name,
                       subject=subject, home_url=url_for("home.index", _external=True))
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    # The classic MIME classes with Header: the newer EmailMessage API folds long non-ASCII
    # subjects between encoded words and so loses the spaces there (every Persian subject).
    msg = MIMEMultipart("alternative")
    msg["Subject"] = Header(subject, "utf-8")
    msg["From"] = formataddr(parseaddr(app.config["MAIL_FROM"]))  # formataddr encodes non-ASCII names
    msg["To"] = formataddr((name, to))
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="wcc.network")
    msg["Content-Language"] = lang
    msg["Auto-Submitted"] = "auto-generated"
    msg["List-Unsubscribe"] = f"<{preferences}>"
    msg.attach(MIMEText(text, "plain", "utf-8"))
    msg.attach(MIMEText(html, "html", "utf-8"))
    return msg


def html_part(msg: Message) -> str:
    """The HTML of a message ``compose`` made (for previews and tests)."""
    return next(p for p in msg.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()


def send(msg: Message) -> str:
    """Hand ``msg`` to the mail server (``"smtp"``), or to the log without one (``"log"``).

    Raises MailError when the server cannot be reached or refuses the message.
    """
    config = current_app.config
    host = config.get("SMTP_HOST")
    if not host:
        log.info("mail (no WCC_SMTP_HOST, not sent) to=%s subject=%s", msg["To"], msg["Subject"])
        return "log"
    tls = config.get("SMTP_TLS", "starttls")
    port = config.get("SMTP_PORT") or (465 if tls == "ssl" else 587 if tls == "starttls" else 25)
    try:
        if tls == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=30,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=30)
        with server:
            if tls == "starttls":
                server.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USER"):
                server.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
            server.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{exc.__class__.__name__}: {exc}") from exc
    return "smtp"
