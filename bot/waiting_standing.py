"""Where a customer waiting for a person stands, in words (bot/waiting.py says them):
when the team is back (outside business hours, written the customer's language's
way), that nobody is online yet, their place in line and the expected wait; in one
short line not said in the chat yet, or after another reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from bot import waiting_texts as words_of
from bot.handoff import HandoffQueue
from bot.state_view import StateView
from bot.texts import say, translations


class Standing:
    """Where a waiting customer stands, from the queue and the router's view."""

    queue: HandoffQueue
    _standing: Callable[[str], Awaitable[StateView]]

    async def _and_where(
        self,
        reply: str,
        conversation_id: str,
        language: str,
        said: list[str],
        told_where: bool,
    ) -> str:
        """``reply``, then where the customer stands (nobody online, their place),
        unless the handoff message or a recent reply said it."""
        where = "" if told_where else await self._where(conversation_id, language)
        if where and any(where in t for t in said[-2:]):
            where = ""
        return " ".join(p for p in (reply, where) if p)

    async def _how_long(
        self,
        conversation_id: str,
        language: str = "",
        said: Iterable[str] = (),
        told_where: bool = False,
    ) -> str:
        """How long a waiting customer waits, as far as we know: when the team is
        back (outside business hours), that nobody is online yet (asked again, or
        the handoff message, ``told_where``, said so: that we cannot give a time,
        and their place in line), or their place in line and the expected wait."""
        view = await self._standing(conversation_id)
        opens = translations().get(language, {}).get("opens") if language else None
        at = self.queue.reopens() if view.back else None
        if view.back and not language:
            return words_of.back_line(view.back, language, said)
        if at is not None and opens:  # the language writes the time its own way
            back = self.queue.config.hours.written(opens, at)
            return words_of.back_line(back, language, said)
        if view.agents_online == 0:
            nobody = say("waiting_nobody_online", language)
            if not told_where and not any(nobody in x for x in said):
                return nobody
            if view.position:
                position = str(view.position)
                return say("waiting_no_time_position", language, position=position)
            return say("waiting_no_time", language)
        if view.position:
            place = say("waiting_position", language, position=str(view.position))
            if view.expected_wait:
                minutes = str(max(1, round(view.expected_wait / 60)))
                return f"{place} {say('waiting_expected', language, minutes=minutes)}"
            return place
        return say("waiting_for_person_again", language)

    async def _standing_line(
        self, conversation_id: str, language: str, said: list[str]
    ) -> str:
        """Where a waiting customer stands, in one short line not said in this chat
        yet: when the team is back, that nobody is online yet (and their place), or
        their place and the expected wait."""
        view = await self._standing(conversation_id)
        back = self._back(view, language)
        position = str(view.position or "")
        if back:
            if back in " ".join(said):
                return words_of.back_line(back, language, said)
            options = [
                say("waiting_standing_back", language, back=back),
                say("waiting_back", language, back=back),
            ]
        elif view.agents_online == 0:
            options = [
                say("waiting_standing_nobody_position", language, position=position)
                if position
                else say("waiting_standing_nobody", language),
                say("waiting_no_time_position", language, position=position)
                if position
                else say("waiting_no_time", language),
            ]
        elif position:
            place = say("waiting_position", language, position=position)
            if view.expected_wait:
                minutes = str(max(1, round(view.expected_wait / 60)))
                place = f"{place} {say('waiting_expected', language, minutes=minutes)}"
            options = [place]
        else:
            options = [say("waiting_for_person_again", language)]
        return words_of.unused(options, said)

    def _back(self, view: StateView, language: str) -> str:
        """When the team is back, written in ``language``; "" within hours."""
        if not view.back:
            return ""
        if not language:
            return view.back
        opens = translations().get(language, {}).get("opens")
        at = self.queue.reopens()
        if at is None or not opens:
            return view.back
        return self.queue.config.hours.written(opens, at)

    async def _where(self, conversation_id: str, language: str = "") -> str:
        """Where a waiting customer stands: nobody online, or their place in line."""
        view = await self._standing(conversation_id)
        if view.agents_online == 0:
            return say("waiting_nobody_online", language)
        if view.position:
            return say("waiting_position", language, position=str(view.position))
        return ""
