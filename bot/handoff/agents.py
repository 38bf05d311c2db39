"""The agents of the handoff queue: register, presence, heartbeat, and how each one
is doing (chats held, emotional load)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.handoff import scripts as S
from bot.handoff.checks import check_agent_id
from bot.handoff.errors import InvalidInput, UnknownAgent
from bot.handoff.models import Agent, AgentView, Heartbeat, Presence
from bot.handoff.runner import QueuePart, decode, log


class Agents(QueuePart):
    """Agents: who is registered, online, and how loaded."""

    async def register_agent(self, agent: Agent) -> None:
        """Add an agent or update their name, capacity, skills and auto-assign."""
        check_agent_id(agent.id)
        if not isinstance(agent.capacity, int) or not 0 <= agent.capacity <= 100:
            raise InvalidInput("capacity must be an integer 0-100")
        for skill in agent.skills:
            if not skill or "," in skill or len(skill) > 40:
                raise InvalidInput(f"invalid skill {skill!r}")
        await self._runner.run(
            S.REGISTER,
            [
                agent.id,
                agent.name[:200],
                agent.capacity,
                ",".join(sorted(agent.skills)),
                int(agent.auto_assign),
            ],
            agent=agent.id,
        )

    async def set_presence(self, agent_id: str, status: Presence | str) -> None:
        """Set an agent online, away (a break) or offline (their chats are reaped)."""
        check_agent_id(agent_id)
        try:
            presence = Presence(status)
        except ValueError:
            raise InvalidInput(f"unknown presence {status!r}") from None
        await self._runner.call(S.PRESENCE, [agent_id, str(presence)], agent=agent_id)
        log.info("Agent %s is %s", agent_id, presence)

    async def heartbeat(self, agent_id: str) -> Heartbeat:
        """Renew the agent's presence and the leases of the chats they hold."""
        check_agent_id(agent_id)
        reply = await self._runner.call(S.HEARTBEAT, [agent_id], agent=agent_id)
        if reply[4]:
            log.warning("Agent %s lost expired chats %s", agent_id, reply[4])
        return Heartbeat(
            agent_id=agent_id,
            status=Presence(reply[1]),
            renewed=tuple(reply[3]),
            lost=tuple(reply[4]),
            seen_until=int(reply[2]) / 1000,
        )

    async def agent(self, agent_id: str) -> AgentView:
        """One agent with presence, chats and emotional load."""
        check_agent_id(agent_id)
        views = await self._views([agent_id])
        if not views:
            raise UnknownAgent(agent_id)
        return views[0]

    async def agents(self) -> list[AgentView]:
        """Every registered agent, sorted by id."""
        ids = sorted(decode(list(await self.redis.smembers(self.keys.agents))))
        return await self._views(ids)

    async def skill_online(self, skill: str) -> bool:
        """Whether an agent who is online or away right now has ``skill``.

        A ticket that needs a skill can only be claimed by an agent with it, so the
        bot asks for a skill (``lang:de``) only when such an agent is at work now;
        otherwise anyone may take the chat, and sees the language in its slots.

        Args:
            skill: a skill such as ``lang:de``.

        Returns:
            True when a registered agent with the skill is not offline.
        """
        ids = decode(list(await self.redis.smembers(self.keys.agents)))
        return any(
            view.status is not Presence.OFFLINE and skill in view.agent.skills
            for view in await self._views(ids)
        )

    async def _views(self, ids: Sequence[str]) -> list[AgentView]:
        now = self._now()
        since = round((now - self.config.load_window) * 1000)
        pipe = self.redis.pipeline(transaction=True)
        for agent_id in ids:
            pipe.hgetall(self.keys.agent(agent_id))
            pipe.smembers(self.keys.agent_chats(agent_id))
            pipe.zcount(self.keys.agent_intense(agent_id), since, "+inf")
        replies = await pipe.execute()
        views = []
        for i, agent_id in enumerate(ids):
            raw, chats, intense = replies[3 * i : 3 * i + 3]
            a = {decode(k): decode(v) for k, v in raw.items()}
            if not a:
                continue
            seen_until = int(a.get("seen_until") or 0) / 1000
            status = Presence(a.get("status", "offline"))
            if seen_until < now:
                status = Presence.OFFLINE
            run = int(a.get("intense_run") or 0)
            views.append(
                AgentView(
                    agent=Agent(
                        id=agent_id,
                        name=a.get("name", ""),
                        capacity=int(a.get("capacity") or 0),
                        skills=frozenset(filter(None, a.get("skills", "").split(","))),
                        auto_assign=a.get("auto_assign") == "1",
                    ),
                    status=status,
                    chats=tuple(sorted(decode(list(chats)))),
                    recent_intense=int(intense),
                    intense_run=run,
                    break_suggested=run >= self.config.break_after,
                    seen_until=seen_until or None,
                )
            )
        return views
