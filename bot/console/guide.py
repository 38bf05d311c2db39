"""The phrase guide: the emotional words the analyzer knows and the approved replies.

``GET /console/api/guide`` returns our emotion lexicon (data/emotion/lexicon.yml, the
folder ``EMOTION_DATA_DIR`` names when set, as the action server reads it) grouped
by feeling and by intensity (a term's weight: strong 0.8 and up, clear 0.5 and up,
mild below), with the intensifiers and emoji; and the approved empathetic replies of
agent assist (data/assist/replies.yml and those supervisors approved), grouped by
the situations they are for. The page ``/console/guide`` filters both as one types.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter

from bot.console.assist import Library
from bot.console.assist_api import learned
from bot.console.deps import ConsoleDep, SignedIn

router = APIRouter(prefix="/console/api")
ROOT = Path(__file__).resolve().parent.parent.parent
BANDS = (("strong", 0.8), ("clear", 0.5), ("mild", 0.0))
FEELINGS = {
    "anger": "Anger",
    "frustration": "Frustration",
    "sadness": "Sadness and disappointment",
    "anxiety": "Worry and anxiety",
    "confusion": "Confusion",
    "joy": "Joy and thanks",
}
TOPICS = {
    "any": "Any situation",
    "orders": "Orders and deliveries",
    "refunds": "Refunds and returns",
    "billing": "Invoices and payments",
    "account": "Accounts and sign-in",
    "feedback": "Complaints and feedback",
}


def lexicon_file() -> Path:
    """The lexicon the analyzer reads."""
    folder = os.environ.get("EMOTION_DATA_DIR")
    return (Path(folder) if folder else ROOT / "data" / "emotion") / "lexicon.yml"


@lru_cache(maxsize=4)
def feelings(path: Path) -> dict[str, Any]:
    """The lexicon by feeling and intensity band, strongest terms first."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups = []
    for label, terms in (raw.get("emotions") or {}).items():
        ranked = sorted(
            ((str(t), float(w)) for t, w in (terms or {}).items()),
            key=lambda tw: (-tw[1], tw[0]),
        )
        by_band: dict[str, list[str]] = {band: [] for band, _ in BANDS}
        for term, weight in ranked:
            by_band[next(b for b, floor in BANDS if weight >= floor)].append(term)
        bands = [{"intensity": b, "terms": t} for b, t in by_band.items() if t]
        groups.append(
            {
                "emotion": str(label),
                "title": FEELINGS.get(str(label), str(label)),
                "bands": bands,
                "emoji": [str(e) for e in (raw.get("emoji") or {}).get(label, [])],
            }
        )
    return {
        "feelings": groups,
        "intensifiers": sorted(map(str, raw.get("intensifiers") or {})),
    }


def replies_by_situation(lib: Library) -> list[dict[str, Any]]:
    """The approved replies grouped by the topic they are for."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for reply in lib.replies:
        topics = sorted(reply.topics) or ["any"]
        groups.setdefault(topics[0], []).append(
            {
                "id": reply.id,
                "situation": reply.situation,
                "text": reply.text,
                "emotions": sorted(reply.emotions),
                "shortcut": reply.shortcut,
            }
        )
    order = list(TOPICS)
    return [
        {"topic": topic, "title": TOPICS.get(topic, topic), "replies": items}
        for topic, items in sorted(
            groups.items(),
            key=lambda g: order.index(g[0]) if g[0] in order else len(order),
        )
    ]


@router.get("/guide")
async def get_guide(console: ConsoleDep, who: SignedIn) -> dict[str, Any]:
    """Emotional words by feeling and intensity, and approved replies by situation."""
    return {
        **feelings(lexicon_file()),
        "situations": replies_by_situation(await learned(console)),
    }
