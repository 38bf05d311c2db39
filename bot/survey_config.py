"""The survey after a conversation as data/surveys.yml describes it: the questions
(scales, texts by language, how often the NPS may be asked), when a survey is asked
and when never, and the checks of a customer's answers. No Redis here: asking and
storing is bot/surveys.py."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.texts import waiting_words

SURVEYS_FILE = Path(__file__).resolve().parent.parent / "data" / "surveys.yml"
REQUIRED = ("csat", "understood")  # every survey asks these (bot/handoff Rating)
COMMENT = "comment"


class SurveyInputError(ValueError):
    """Answers that cannot be stored as they are (nothing was stored)."""


@dataclass(frozen=True)
class Question:
    """One question of the survey."""

    id: str
    texts: dict[str, str]
    low: int = 0
    high: int = 0  # 0 for the free-text comment
    every_days: int = 0  # the NPS: at most once per customer in this many days
    optional: bool = False
    max_chars: int = 0
    ends: dict[str, list[str]] | None = None
    skip: dict[str, str] | None = None  # the comment: Telegram's button to skip it

    @property
    def is_text(self) -> bool:
        """Whether the answer is words (the comment) rather than a number."""
        return self.high == 0

    def to_dict(self, language: str) -> dict[str, Any]:
        """The question as the widget and Telegram show it, in ``language``."""
        out: dict[str, Any] = {"id": self.id, "text": _pick(self.texts, language)}
        if self.is_text:
            out |= {"optional": True, "max_chars": self.max_chars}
            if self.skip:
                out["skip"] = _pick(self.skip, language)
        else:
            ends = self.ends or {}
            out |= {"min": self.low, "max": self.high}
            if self.optional:
                out["optional"] = True
            if words := ends.get(language) or ends.get("en"):
                out["ends"] = list(words)
        return out


@dataclass(frozen=True)
class SurveyConfig:
    """Everything data/surveys.yml says."""

    questions: tuple[Question, ...]
    intro: dict[str, list[str]]
    thanks: dict[str, list[str]]
    after_person: bool
    closing: re.Pattern[str]
    closing_max_words: int
    courtesy: re.Pattern[str]
    quiet_s: int
    again_after_s: int
    look_back: int
    frustration: int
    intensity: float
    labels: frozenset[str]

    def question(self, question_id: str) -> Question | None:
        """The question of that id, None when the survey has none."""
        return next((q for q in self.questions if q.id == question_id), None)

    def intro_text(self, conversation_id: str, language: str) -> str:
        """What the bot says before the questions (the same for a conversation)."""
        return _variant(self.intro, language, conversation_id)

    def thanks_text(self, conversation_id: str, language: str) -> str:
        """What the bot says once the answers are stored."""
        return _variant(self.thanks, language, conversation_id)

    def closing_language(self, text: str) -> str | None:
        """The language of a message that only thanks or says goodbye ("" for
        English), None when the message is more than that."""
        words = text.split()
        if not words or len(words) > self.closing_max_words or "?" in text:
            return None
        if self.closing.search(text):
            return ""
        lower = text.lower()
        for language in self.intro:
            said = waiting_words(language) if language != "en" else None
            if said is not None and said.thanks.search(lower):
                return language
        return None

    def asks(self, text: str, buttons: bool = False) -> bool:
        """Whether a bot message waits for an answer: choices, or a question that
        is more than courtesy ("Anything else I can help with?")."""
        if buttons:
            return True
        last = re.split(r"(?<=[.!?])\s+", text.strip())[-1] if text.strip() else ""
        return last.endswith("?") and not self.courtesy.search(last)

    def upset(self, readings: list[dict[str, Any]]) -> bool:
        """Whether any of the latest ``look_back`` readings shows an upset customer."""
        for reading in readings[-self.look_back :]:
            if int(reading.get("frustration") or 0) >= self.frustration:
                return True
            if (
                str(reading.get("label")) in self.labels
                and float(reading.get("intensity") or 0.0) >= self.intensity
            ):
                return True
        return False

    def check(self, asked: list[str], answers: dict[str, Any]) -> dict[str, Any]:
        """The answers to the questions ``asked``, checked: SurveyInputError names
        every problem (a number out of its scale, a wrong type, a missing answer, a
        question that was not asked)."""
        problems: list[str] = []
        clean: dict[str, Any] = {}
        for key in answers:
            if key not in asked:
                problems.append(f"{key[:40]} was not asked")
        for qid in asked:
            question = self.question(qid)
            value = answers.get(qid)
            if question is None:
                continue
            if value is None or value == "":
                if not question.optional:
                    problems.append(f"{qid} is missing")
                continue
            if question.is_text:
                if not isinstance(value, str):
                    problems.append(f"{qid} must be text")
                elif len(value) > question.max_chars:
                    problems.append(
                        f"{qid} must be at most {question.max_chars} characters"
                    )
                else:
                    clean[qid] = value.strip()
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"{qid} must be a whole number")
            elif not question.low <= value <= question.high:
                problems.append(f"{qid} must be {question.low}-{question.high}")
            else:
                clean[qid] = value
        if problems:
            raise SurveyInputError("; ".join(problems))
        return clean


def _pick(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts["en"]


def _variant(texts: dict[str, list[str]], language: str, seed: str) -> str:
    options = texts.get(language) or texts["en"]
    return options[zlib.crc32(seed.encode()) % len(options)]


def _question(qid: str, raw: dict[str, Any]) -> Question:
    texts = {str(k): str(v) for k, v in raw["text"].items()}
    if "en" not in texts:
        raise ValueError(f"survey question {qid} has no English text")
    if raw.get("optional") and "scale" not in raw:
        skip = {str(k): str(v) for k, v in (raw.get("skip") or {}).items()}
        if skip and "en" not in skip:
            raise ValueError(f"survey question {qid} has no English skip word")
        return Question(
            qid,
            texts,
            optional=True,
            max_chars=int(raw["max_chars"]),
            skip=skip or None,
        )
    low, high = (int(v) for v in raw["scale"])
    if not 0 <= low < high:
        raise ValueError(f"survey question {qid}: scale must be [low, high]")
    if qid in REQUIRED and raw.get("optional"):
        raise ValueError(f"survey question {qid} is always asked")
    ends = {str(k): [str(w) for w in v] for k, v in (raw.get("ends") or {}).items()}
    return Question(
        qid,
        texts,
        low,
        high,
        every_days=int(raw.get("every_days") or 0),
        optional=bool(raw.get("optional")),
        ends=ends,
    )


def parse(loaded: dict[str, Any]) -> SurveyConfig:
    """The survey of a loaded data/surveys.yml (ValueError when it is wrong)."""
    questions = tuple(_question(str(k), v) for k, v in loaded["questions"].items())
    missing = [q for q in REQUIRED if q not in {x.id for x in questions}]
    if missing:
        raise ValueError(f"the survey must ask {', '.join(missing)}")
    when, never = loaded["when"], loaded["never_when"]
    return SurveyConfig(
        questions=questions,
        intro={str(k): [str(t) for t in v] for k, v in loaded["intro"].items()},
        thanks={str(k): [str(t) for t in v] for k, v in loaded["thanks"].items()},
        after_person=bool(when.get("after_person", True)),
        closing=re.compile(str(when["closing"]), re.I),
        closing_max_words=int(when["closing_max_words"]),
        courtesy=re.compile(str(loaded["courtesy"]), re.I),
        quiet_s=int(float(when["quiet_minutes"]) * 60),
        again_after_s=int(float(when["again_after_hours"]) * 3600),
        look_back=int(never["look_back"]),
        frustration=int(never["frustration"]),
        intensity=float(never["intensity"]),
        labels=frozenset(str(x) for x in never["labels"]),
    )


@lru_cache(maxsize=4)
def load(path: Path = SURVEYS_FILE) -> SurveyConfig:
    """The survey of data/surveys.yml (or another file)."""
    with path.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))
