"""The report's interactions to celebrate and to review and its phrase table
(bot/report_highlights.py, bot/report_phrases.py) on a real Redis: conversations made
by the real transcript and surveys (seeded, on the queue's fake clock) in which an
upset customer gets a reply (one of our acknowledgement templates, an agent's own
words or a reply with no acknowledgement), then a calmer message, thanks and the
survey. The chosen five of each are those the ratings and the scorecard rank first and
last; their excerpts carry no e-mail address, phone number or name; the table's counts
and means are those of what was made, and a family used fewer than ``MIN_COUNT``
times reads "too few to tell"; the HTML and the PDF show both."""

from __future__ import annotations

import random
import statistics
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import redis.asyncio as aioredis
import yaml

from bot.handoff import HandoffQueue
from bot.handoff.keys import Keys
from bot.report import Period, build
from bot.report_phrases import EMPATHY_FILE, MIN_COUNT, NONE_FAMILY, TOO_FEW
from bot.report_render import write
from bot.surveys import Surveys
from bot.transcript import Author, Entry, Transcript
from bot.upstream import EmotionClient
from tests.bot.handoff.conftest import (  # noqa: F401 - fixtures
    Clock,
    client,
    clock,
    prefix,
    queue,
    shared_url,
)

W49 = datetime(2026, 11, 30, tzinfo=UTC).timestamp()  # Monday of 2026-W49
BOOK = yaml.safe_load(EMPATHY_FILE.read_text(encoding="utf-8"))
ANGER = [t.replace("{name_prefix}", "") for t in BOOK["acknowledge"]["anger"]]
# (family, reply) the conversations answer with; 12 anger templates, 3 agent "i hear"
TEMPLATE = "template acknowledge anger"
PLAIN = "Your order ships on Monday."  # no acknowledgement at all


@dataclass
class Made:
    id: str
    family: str
    before: float
    after: float
    csat: int
    understood: int
    reply: str


async def make(
    client: aioredis.Redis,  # noqa: F811
    queue: HandoffQueue,  # noqa: F811
    clock: Clock,  # noqa: F811
    base: float = W49,
) -> list[Made]:
    """Nineteen conversations from ``base`` on, one an hour."""
    rng = random.Random(49)
    name = queue.keys.prefix
    transcript = Transcript(client, prefix=name)
    surveys = Surveys(
        client, Keys(name), transcript, queue, EmotionClient("http://127.0.0.1:9", 0.5)
    )
    plan = [TEMPLATE] * 12 + ["agent"] * 3 + ["none"] * 4
    made = []
    for n, family in enumerate(plan):
        at = base + 3600 * (n + 1)
        clock.now = at
        cid = f"web-h{round(base)}-{n}"
        await transcript.describe(cid, channel="web", customer_name="Maya Quist")
        before = round(rng.uniform(0.5, 0.9), 3)
        said = (
            f"I'm furious, my order {n} never came. Mail me at maya{n}@example.com "
            "or call +44 7700 900123"
        )
        upset, _ = await transcript.append(
            cid, Entry(Author.CUSTOMER, said, channel="web", at=at)
        )
        await transcript.annotate(
            cid, upset.id, {"label": "anger", "intensity": before, "frustration": 3}
        )
        if family == TEMPLATE:
            reply = "Maya, " + ANGER[n % len(ANGER)].format(concern="the late order")
            reply += " I'll check it now."
            author = Author.BOT
        elif family == "agent":
            reply = "I hear you, Maya, I'll send a new one today."
            author = Author.AGENT
        else:
            reply = PLAIN
            author = Author.BOT
        await transcript.append(
            cid,
            Entry(
                author, reply, agent_id="ann" if family == "agent" else "", at=at + 1
            ),
        )
        after = round(rng.uniform(0.0, 0.4), 3)
        calmer, _ = await transcript.append(
            cid, Entry(Author.CUSTOMER, "ok", channel="web", at=at + 2)
        )
        await transcript.annotate(
            cid, calmer.id, {"label": "neutral", "intensity": after, "frustration": 0}
        )
        settled, _ = await transcript.append(
            cid, Entry(Author.CUSTOMER, "sounds good", channel="web", at=at + 2.5)
        )  # the survey looks back three readings: none upset
        await transcript.annotate(
            cid, settled.id, {"label": "neutral", "intensity": 0.0, "frustration": 0}
        )
        closing, _ = await transcript.append(
            cid, Entry(Author.CUSTOMER, "thanks, that's all", at=at + 3)
        )
        await transcript.annotate(
            cid, closing.id, {"label": "joy", "intensity": 0.0, "frustration": 0}
        )
        assert await surveys.after_bot(cid, closing, "web", now=at + 4) is not None
        item = Made(
            cid, family, before, after, rng.randint(1, 5), rng.randint(1, 5), reply
        )
        await surveys.answer(
            cid,
            {
                "csat": item.csat,
                "understood": item.understood,
                "effort": 4,
                "recommend": 8,
            },
            now=at + 5,
        )
        made.append(item)
    return made


async def test_the_five_best_and_worst_and_what_works(
    client: aioredis.Redis,  # noqa: F811
    queue: HandoffQueue,  # noqa: F811
    clock: Clock,  # noqa: F811
    tmp_path: Path,
) -> None:
    made = await make(client, queue, clock)
    report = await build(
        client, Keys(queue.keys.prefix), queue, Period.parse("2026-W49")
    )
    chosen = report["highlights"]
    celebrate = [s["conversation"] for s in chosen["celebrate"]]
    review = [s["conversation"] for s in chosen["review"]]
    assert len(celebrate) == len(review) == 5
    assert not set(celebrate) & set(review)

    # the rank is the ratings (0-1) and the scorecard, together; check the order
    ranks = {
        s["conversation"]: s["rank"] for s in chosen["celebrate"] + chosen["review"]
    }
    for story in chosen["celebrate"] + chosen["review"]:
        item = next(m for m in made if m.id == story["conversation"])
        rating = statistics.fmean([(item.csat - 1) / 4, (item.understood - 1) / 4])
        assert story["rank"] == round((rating + story["scorecard"]) / 2, 3)
        assert (story["csat"], story["empathy"]) == (item.csat, item.understood)
        # personal data redacted in the excerpt, the rest is there
        for text in (story["said"], story["reply"]):
            assert "@" not in text and "7700" not in text and "Maya" not in text
        assert "[email]" in story["said"] and "[phone]" in story["said"]
        assert "furious" in story["said"]
    assert min(ranks[c] for c in celebrate) >= max(ranks[c] for c in review)
    assert [ranks[c] for c in celebrate] == sorted(
        (ranks[c] for c in celebrate), reverse=True
    )
    assert [ranks[c] for c in review] == sorted(ranks[c] for c in review)

    # what works: counts, the next turn's change and the ratings of each family
    rows = {r["family"]: r for r in report["what_works"]["rows"]}
    templates = [m for m in made if m.family == TEMPLATE]
    row = rows[TEMPLATE]
    assert (row["uses"], row["conversations"], row["next_turns"], row["rated"]) == (
        12,
        12,
        12,
        12,
    )
    assert len(templates) >= MIN_COUNT
    assert row["intensity_change"] == round(
        statistics.fmean(m.after - m.before for m in templates), 3
    )
    assert row["csat"] == round(statistics.fmean(m.csat for m in templates), 3)
    assert row["empathy"] == round(statistics.fmean(m.understood for m in templates), 3)
    assert row["example"].startswith("I understand why you're angry about")
    hear = rows["agent \u201ci hear\u201d"]
    assert (hear["uses"], hear["rated"]) == (3, 3)
    assert hear["intensity_change"] == hear["csat"] == hear["empathy"] == TOO_FEW
    assert rows[NONE_FAMILY]["uses"] == 4
    assert rows[NONE_FAMILY]["csat"] == TOO_FEW

    # both in the HTML and the PDF
    page, pdf = write(report, tmp_path)
    html = page.read_text()
    for heading in (
        "Interactions to celebrate",
        "Interactions to review",
        "What works: empathetic phrases",
    ):
        assert f"<h2>{heading}</h2>" in html
    assert "Maya" not in html and "example.com" not in html
    assert f"<td>{TOO_FEW}</td>" in html
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    for heading in (
        "Interactions to celebrate",
        "Interactions to review",
        "What works",
    ):
        assert heading in text
    assert TOO_FEW in text and "[email]" in text
    assert "Maya" not in text and "example.com" not in text


async def test_a_period_with_nothing_to_tell(
    client: aioredis.Redis,  # noqa: F811
    queue: HandoffQueue,  # noqa: F811
    tmp_path: Path,
) -> None:
    report = await build(
        client, Keys(queue.keys.prefix), queue, Period.parse("2026-W49")
    )
    assert report["highlights"] == {"celebrate": [], "review": []}
    assert report["what_works"]["rows"] == []
    page, _ = write(report, tmp_path)
    assert page.read_text().count("None in this period.") == 3
