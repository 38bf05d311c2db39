"""The reports by e-mail (bot/report_mail.py): two gateways' housekeeping
(bot/maintenance.py, run at once on a real Redis with the queue's fake clock) send last
week's and last month's report once each to a real SMTP server on loopback
(aiosmtpd); the PDF attached renders with its title (pdftoppm, pdftotext); a failed
send lets go of the report so the next round sends it."""

from __future__ import annotations

import asyncio
import email
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiosmtpd.controller import Controller
from PIL import Image

from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.maintenance import Maintenance
from bot.ops.ports import free_port
from bot.report import Period, mark_baseline
from bot.report_mail import ReportMailer, due_periods
from tests.bot.handoff.conftest import (  # noqa: F401 - fixtures
    Clock,
    client,
    clock,
    offline_conversations,
    prefix,
    queue,
    shared_url,
)
from tests.bot.test_report import make_conversations

# Wednesday of 2026-W50: last week is 2026-W49, last month 2026-11
WEDNESDAY = datetime(2026, 12, 9, 12, tzinfo=UTC).timestamp()


class Inbox:
    """What the SMTP server on loopback received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def gateway(
    client: aioredis.Redis,  # noqa: F811
    queue: HandoffQueue,  # noqa: F811
    smtp_url: str,
) -> Maintenance:
    """One gateway's housekeeping, with the mailer its lifespan makes (bot/app.py)."""
    conversations = offline_conversations(queue, client)
    keys = conversations.keys
    mailer = ReportMailer(
        client, keys, queue, smtp_url, ["sam@example.com"], "reports@example.com"
    )
    return Maintenance(conversations, client, keys, mailer=mailer)


def test_the_reports_due_are_last_week_and_last_month() -> None:
    assert [p.name for p in due_periods(WEDNESDAY)] == ["2026-W49", "2026-11"]
    first = datetime(2027, 1, 1, tzinfo=UTC).timestamp()
    assert [p.name for p in due_periods(first)] == ["2026-W52", "2026-12"]


async def test_two_gateways_send_each_report_once_with_the_pdf(
    client: aioredis.Redis,  # noqa: F811
    queue: HandoffQueue,  # noqa: F811
    clock: Clock,  # noqa: F811
    smtp: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    inbox, port = smtp
    await make_conversations(client, queue, clock, seed=7)
    clock.now = WEDNESDAY
    # a failed send (nobody listens there) lets go: nothing is marked as sent
    broken = gateway(client, queue, f"smtp://127.0.0.1:{free_port()}")
    with pytest.raises(OSError):
        await broken.run_once()
    assert not await client.exists(Keys(queue.keys.prefix).report("2026-W49"))

    # a supervisor marked W48 as the weekly baseline; no monthly one
    await mark_baseline(client, Keys(queue.keys.prefix), Period.parse("2026-W48"))
    url = f"smtp://127.0.0.1:{port}"
    one, two = gateway(client, queue, url), gateway(client, queue, url)
    await asyncio.gather(one.run_once(), two.run_once())
    await one.run_once()  # a later round sends nothing again
    subjects = sorted(str(m["Subject"]) for m in inbox.messages)
    assert subjects == ["Support report 2026-11", "Support report 2026-W49"]
    [weekly] = [m for m in inbox.messages if m["Subject"] == "Support report 2026-W49"]
    assert weekly["To"] == "sam@example.com"
    parts = {p.get_content_type(): p for p in weekly.walk()}
    page = parts["text/html"].get_payload(decode=True).decode("utf-8")
    assert "<h1>Support report 2026-W49</h1>" in page
    assert "<th>baseline 2026-W48</th>" in page
    [monthly] = [m for m in inbox.messages if m["Subject"] == "Support report 2026-11"]
    [month_page] = [p for p in monthly.walk() if p.get_content_type() == "text/html"]
    assert "baseline" not in month_page.get_payload(decode=True).decode("utf-8")
    pdf = tmp_path / "weekly.pdf"
    pdf.write_bytes(parts["application/pdf"].get_payload(decode=True))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", pdf, tmp_path / "p"],
        check=True,
        timeout=60,
    )
    [png] = list(tmp_path.glob("p*.png"))
    with Image.open(png) as image:
        gray = image.convert("L")
        band = gray.crop((0, 0, gray.size[0], gray.size[1] // 12))
        assert min(band.getdata()) < 100  # the title is drawn at the top
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", pdf, "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert text.splitlines()[0] == "Support report 2026-W49"
