"""The gateway's housekeeping loop for the handoff queue.

Every few seconds, in every gateway process (each step is atomic in Redis, so two
gateways doing it at once is safe):

- ``reap``: chats whose agent vanished (lease expired) go back to the queue, and the
  customer is told;
- ``auto_assign``: when enabled in data/handoff.yml, waiting chats are handed to agents
  who opted in, and the customer is told who joined;
- customers who waited past the queue timeout get an apology and a follow-up offer,
  once per wait (a marker key with NX makes it once across gateways);
- bot-only conversations that went quiet get the survey (``Surveys.sweep_quiet``);
  a Telegram survey whose comment never came is stored without it
  (``Surveys.sweep_comments``);
- last week's and last month's reports are e-mailed once (bot/report_mail.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bot import reach
from bot.conversations import Conversations
from bot.rediskeys import AppKeys
from bot.report_mail import ReportMailer
from bot.texts import say
from bot.transcript import Author, Entry, Kind

logger = logging.getLogger(__name__)

INTERVAL_S = 5.0


class Maintenance:
    """Runs the housekeeping steps on a timer."""

    def __init__(
        self,
        conversations: Conversations,
        client: Any,
        keys: AppKeys,
        interval: float = INTERVAL_S,
        mailer: ReportMailer | None = None,
    ):
        self.conversations = conversations
        self.redis = client
        self.keys = keys
        self.interval = interval
        self.mailer = mailer  # SMTP_URL and REPORT_EMAILS set
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the loop."""
        self._task = asyncio.create_task(self._loop(), name="handoff-maintenance")

    async def stop(self) -> None:
        """Stop the loop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - Redis away: next round
                logger.warning("queue housekeeping failed: %r", error)
            await asyncio.sleep(self.interval)

    async def run_once(self) -> None:
        """One round of every housekeeping step."""
        conv = self.conversations
        queue = conv.queue
        for reaped in await queue.reap():
            logger.info(
                "%s back in the queue (agent %s gone)",
                reaped.ticket_id,
                reaped.agent_id,
            )
            await conv.transcript.append(
                reaped.ticket_id,
                Entry(Author.SYSTEM, say("released"), kind=Kind.RELEASED),
                ends_claim=reaped.token or None,
            )
        if queue.config.auto_assign:
            for claim in await queue.auto_assign():
                await conv.announce_claim(claim)
        for ticket in await queue.timed_out():
            wait = f"{ticket.episode}.{round(ticket.queued_at or 0)}"
            mark = self.keys.timeout_said(ticket.id, wait)
            if not await self.redis.set(mark, "1", nx=True, ex=24 * 3600):
                continue  # already said for this wait (maybe by another gateway)
            # the offer of a call or an e-mail fitted to what they ruled out
            wrote = [
                e.text
                for e in await conv.transcript.read(ticket.id)
                if e.author is Author.CUSTOMER
            ]
            with reach.answering(wrote):
                sorry = say("queue_timeout")
            await conv.transcript.append(
                ticket.id, Entry(Author.SYSTEM, sorry, data={"timeout": True})
            )
        await conv.surveys.sweep_quiet()
        await conv.surveys.sweep_comments()
        if self.mailer is not None:
            await self.mailer.send_due()
