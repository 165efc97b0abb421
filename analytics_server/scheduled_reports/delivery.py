"""SMTP delivery: the company's mail server (plain, STARTTLS or TLS, with or without login),
transient failures retried with back-off, permanent ones reported at once.

Transient: the server cannot be reached, drops the connection, times out or answers 4xx.
Permanent: 5xx answers (a refused sender or every recipient refused, bad credentials) and TLS
certificate errors; retrying them would only repeat the error.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from analytics_server.config import EmailSettings

log = logging.getLogger(__name__)


class Mailer(Protocol):
    def send(self, message: EmailMessage, recipients: Sequence[str]) -> dict[str, str]:
        """Send; returns the recipients the server refused (address -> answer)."""
        ...


class SmtpMailer:
    """One SMTP connection per message, configured by `EmailSettings`."""

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if s.security == "ssl":
            return smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.timeout_seconds, context=context
            )
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout_seconds)
        if s.security == "starttls":
            try:
                smtp.starttls(context=context)
            except BaseException:
                smtp.close()
                raise
        return smtp

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> dict[str, str]:
        s = self.settings
        with self._connect() as smtp:
            if s.login:
                smtp.login(s.login, s.password.get_secret_value())
            refused = smtp.send_message(message, from_addr=s.from_address, to_addrs=recipients)
        return {address: f"{code} {_text(answer)}" for address, (code, answer) in refused.items()}


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def is_transient(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, ssl.SSLError | smtplib.SMTPNotSupportedError):
        return False  # TLS or a missing server feature: a setting to fix, not a moment to wait
    return isinstance(error, smtplib.SMTPServerDisconnected | OSError)


def describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class Delivery:
    ok: bool
    attempts: int
    error: str = ""
    transient: bool = False


def deliver(
    mailer: Mailer,
    message: EmailMessage,
    recipients: Sequence[str],
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send with up to `retries` more tries for transient failures, waiting `backoff`, then
    twice as long each time."""
    attempt = 0
    while True:
        attempt += 1
        try:
            refused = mailer.send(message, recipients)
        except (smtplib.SMTPException, OSError) as error:
            transient = is_transient(error)
            text = describe(error)
            if not transient or attempt > retries:
                return Delivery(False, attempt, text, transient)
            wait = backoff * 2 ** (attempt - 1)
            log.warning(
                "sending failed (%s), try %d of %d in %.0f s", text, attempt + 1, retries + 1, wait
            )
            sleep(wait)
            continue
        note = "; ".join(f"refused {address}: {answer}" for address, answer in refused.items())
        return Delivery(True, attempt, note)
