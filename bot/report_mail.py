"""Last week's and last month's reports e-mailed to the supervisors, once, whatever the
number of gateways.

Every gateway's housekeeping (bot/maintenance.py) asks ``ReportMailer.send_due``; for
the last whole ISO week and the last whole month of the queue's clock, the first
gateway to set ``{es}:report:<period>`` (NX) builds the report (bot/report.py), writes
its HTML and PDF (bot/report_render.py) and sends one message to ``REPORT_EMAILS``
through ``SMTP_URL`` (``smtp://[user:password@]host[:port]``, ``smtps://`` for TLS
from the start, ``smtp+starttls://`` to upgrade): the page as the body, the PDF
attached; each number against the period before and the baseline a supervisor marked
(``python -m bot.report --mark-baseline 2026-W44``, see bot/report.py). The key then
says "sent" for ``SENT_TTL_S``; while it is being sent it holds a lock of
``LOCK_TTL_S``, so a gateway that dies on the way leaves the report to another after
that, and a failed send lets go at once (tried again next round). Off unless both
variables are set.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
import tempfile
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.report import Period, build, marked_baseline
from bot.report_render import TITLE, write
from bot.report_store import ReportStore

logger = logging.getLogger(__name__)

LOCK_TTL_S = 600  # one gateway builds and sends a report within this
SENT_TTL_S = 400 * 86400  # a sent report is not sent again (longer than a year)
SMTP_TIMEOUT_S = 30


def due_periods(now: float) -> list[Period]:
    """The last whole ISO week and the last whole month before ``now``."""
    day = datetime.fromtimestamp(now, UTC)
    year, week, _ = (day - timedelta(days=7)).isocalendar()
    month = (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    return [Period.parse(f"{year}-W{week:02d}"), Period.parse(month)]


def send_mail(
    smtp_url: str, sender: str, recipients: list[str], subject: str, files: list[Path]
) -> None:
    """One message: the HTML file as its body, the PDF attached."""
    page, pdf = files
    message = EmailMessage()
    message["Subject"], message["From"] = subject, sender
    message["To"] = ", ".join(recipients)
    message.set_content(f"{subject}: the report is attached as a PDF.")
    message.add_alternative(page.read_text(encoding="utf-8"), subtype="html")
    message.add_attachment(
        pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name
    )
    url = urlsplit(smtp_url)
    host, port = url.hostname or "127.0.0.1", url.port
    smtp: smtplib.SMTP
    if url.scheme == "smtps":
        context = ssl.create_default_context()
        smtp = smtplib.SMTP_SSL(
            host, port or 465, timeout=SMTP_TIMEOUT_S, context=context
        )
    elif url.scheme in ("smtp", "smtp+starttls"):
        smtp = smtplib.SMTP(host, port or 25, timeout=SMTP_TIMEOUT_S)
    else:
        raise ValueError(
            "SMTP_URL must start with smtp://, smtps:// or smtp+starttls://"
        )
    with smtp:
        if url.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message)


class ReportMailer:
    """Sends the due reports of one deployment, once across gateways."""

    def __init__(
        self,
        client: Any,
        keys: Keys,
        queue: HandoffQueue,
        smtp_url: str,
        recipients: list[str],
        sender: str,
    ) -> None:
        self.redis = client
        self.keys = keys
        self.queue = queue
        self.smtp_url = smtp_url
        self.recipients = recipients
        self.sender = sender

    async def send_due(self, now: float | None = None) -> list[str]:
        """Send the reports that are due and nobody sent; their periods."""
        now = now or self.queue.now()
        sent = []
        for period in due_periods(now):
            key = self.keys.report(period.name)
            if not await self.redis.set(key, "sending", nx=True, ex=LOCK_TTL_S):
                continue  # sent, or being sent by another gateway
            try:
                await self._send(period)
            except Exception:
                await self.redis.delete(key)  # another round (or gateway) tries again
                raise
            await self.redis.set(key, f"sent {round(now)}", ex=SENT_TTL_S)
            logger.info("report %s sent to %d", period.name, len(self.recipients))
            sent.append(period.name)
        return sent

    async def _send(self, period: Period) -> None:
        baseline = await marked_baseline(self.redis, self.keys, period)
        report = await build(self.redis, self.keys, self.queue, period, baseline)
        with tempfile.TemporaryDirectory(prefix="report-") as folder:
            files = write(report, Path(folder))
            await ReportStore(self.redis, self.keys).save(
                period.name, files, self.queue.now()
            )
            await asyncio.to_thread(
                send_mail,
                self.smtp_url,
                self.sender,
                self.recipients,
                TITLE.format(period=period.name),
                files,
            )
