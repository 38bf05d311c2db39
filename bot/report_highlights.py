"""The report's interactions to celebrate and to review (bot/report.py): of the
period's conversations that were rated and in which the bot or an agent answered an
upset customer, the five best and the five worst by the customer's ratings (CSAT and
the empathy rating, each 1-5) and the automatic empathy scorecard of those replies
(bot/console/empathy.py), each with a short excerpt: what the customer wrote and the
reply, personal data redacted (``bot.privacy.redact``, and the customer's name
becomes ``[name]``).

``read_transcripts`` reads the period's transcripts (with their emotion readings) in
pipelined batches; the phrase table (bot/report_phrases.py) uses them too.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.console.assist import UPSET, first_name
from bot.console.empathy import score_transcript
from bot.privacy import redact
from bot.rediskeys import AppKeys
from bot.transcript import Author, Entry

HIGHLIGHTS = 5  # to celebrate, and as many to review
BATCH = 500  # conversations read per pipeline
ENTRIES = 500  # transcript entries read per conversation
EXCERPT_CHARS = 160
UPSET_INTENSITY = 0.3  # as the scorecard's "acknowledged"
NAME_MARK = "[name]"


@dataclass(frozen=True)
class Story:
    """One conversation as the report tells it."""

    conversation: str
    channel: str
    agent: str  # "" the assistant alone
    csat: float | None
    empathy: float | None
    scorecard: float  # mean scorecard of the replies to an upset customer
    rank: float  # 0-1: the ratings and the scorecard together
    said: str  # the customer's words (redacted, shortened)
    reply: str  # the reply to them (redacted, shortened)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(self.__dict__)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def read_transcripts(
    client: Any, keys: AppKeys, ids: Sequence[str]
) -> dict[str, list[Entry]]:
    """Each conversation's entries (oldest first, at most ``ENTRIES``), customer
    messages with their emotion reading."""
    found: dict[str, list[Entry]] = {}
    for at in range(0, len(ids), BATCH):
        batch = ids[at : at + BATCH]
        pipe = client.pipeline(transaction=False)
        for cid in batch:
            pipe.xrange(keys.transcript(cid), count=ENTRIES)
            pipe.hgetall(keys.emotion(cid))
        replies = await pipe.execute()
        for i, cid in enumerate(batch):
            raw, marks = replies[2 * i], replies[2 * i + 1]
            if not raw:
                continue
            readings = {_s(k): _s(v) for k, v in marks.items()}
            entries = []
            for entry_id, fields in raw:
                entry = Entry.from_stream(
                    _s(entry_id), {_s(k): _s(v) for k, v in fields.items()}
                )
                if entry.author is Author.CUSTOMER and entry.id in readings:
                    entry.emotion = json.loads(readings[entry.id])
                entries.append(entry)
            found[cid] = entries
    return found


def upset(entry: Entry | None) -> bool:
    """Whether a customer message was read as upset (as the scorecard counts it)."""
    mark = (entry.emotion if entry else None) or {}
    return (
        str(mark.get("label", "neutral")) in UPSET
        and float(mark.get("intensity") or 0.0) >= UPSET_INTENSITY
    )


def excerpt(text: str, name: str) -> str:
    """``text`` with personal data redacted and the customer's name masked, one line,
    at most ``EXCERPT_CHARS`` characters."""
    text = redact(" ".join(text.split()))
    if name:
        text = re.sub(rf"\b{re.escape(name)}\b", NAME_MARK, text, flags=re.IGNORECASE)
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1].rstrip() + "\u2026"
    return text


def _rating(survey: dict[str, Any]) -> float | None:
    given = [
        (float(v) - 1) / 4
        for q in ("csat", "understood")
        if (v := survey["answers"].get(q)) is not None
    ]
    return statistics.fmean(given) if given else None


def replies_to_upset(
    entries: list[Entry], name: str
) -> list[tuple[float, Entry, Entry]]:
    """The scorecard of each bot or agent reply to an upset customer, with the
    customer's message and the reply."""
    cards = score_transcript(entries, first_name(name))
    before: Entry | None = None
    scored: list[tuple[float, Entry, Entry]] = []
    for entry in entries:
        if entry.author is Author.CUSTOMER:
            before = entry
        elif entry.id in cards and before is not None and upset(before):
            scored.append((cards[entry.id].score, before, entry))
    return scored


def story(
    cid: str,
    scored: list[tuple[float, Entry, Entry]],
    survey: dict[str, Any],
    name: str,
    best: bool,
) -> Story:
    """The conversation as a story: the best-scored reply for one to celebrate,
    the worst for one to review."""
    rating = _rating(survey) or 0.0
    score = statistics.fmean(s for s, _, _ in scored)
    pick = (max if best else min)(scored, key=lambda s: s[0])
    masked = first_name(name)
    answers = survey["answers"]
    return Story(
        cid,
        str(survey.get("channel") or ""),
        str(survey.get("agent") or ""),
        float(answers["csat"]) if answers.get("csat") is not None else None,
        float(answers["understood"]) if answers.get("understood") is not None else None,
        round(score, 3),
        round((rating + score) / 2, 3),
        excerpt(pick[1].text, masked),
        excerpt(pick[2].text, masked),
    )


def highlights(
    transcripts: dict[str, list[Entry]],
    surveys: list[dict[str, Any]],
    names: dict[str, str],
) -> dict[str, list[dict[str, Any]]]:
    """The best-rated empathetic interactions (``celebrate``, best first) and the
    worst (``review``, worst first), at most ``HIGHLIGHTS`` each, none in both: the
    rated conversations with a reply to an upset customer, ranked by the ratings
    (0-1) and the mean scorecard of those replies, halved."""
    latest: dict[str, dict[str, Any]] = {}
    for survey in surveys:  # the latest answer of a conversation counts
        latest[str(survey.get("conversation") or "")] = survey
    ranked: list[tuple[float, str, list[tuple[float, Entry, Entry]]]] = []
    for cid, survey in latest.items():
        rating = _rating(survey)
        entries = transcripts.get(cid)
        if rating is None or not entries:
            continue
        scored = replies_to_upset(entries, names.get(cid, ""))
        if scored:
            score = statistics.fmean(s for s, _, _ in scored)
            ranked.append((round((rating + score) / 2, 3), cid, scored))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    good = ranked[:HIGHLIGHTS]
    rest = ranked[len(good) :][::-1][:HIGHLIGHTS]

    def told(chosen: list[Any], best: bool) -> list[dict[str, Any]]:
        return [
            story(cid, scored, latest[cid], names.get(cid, ""), best).to_dict()
            for _, cid, scored in chosen
        ]

    return {"celebrate": told(good, True), "review": told(rest, False)}
