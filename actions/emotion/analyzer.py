"""``EmotionAnalyzer``: one customer message plus its conversation in, an ``Analysis``
out.

Loads the sentence model and the data files once (``EmotionAnalyzer.load``);
``analyze`` is safe to call from several threads. Earlier customer turns are scored
from their stored ``Turn.analysis`` when present, otherwise analysed on their own
once and cached.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from . import context as ctx
from .goemotions import WEIGHTS_FILE as GOEMOTIONS_WEIGHTS
from .message import MessageEvaluator, MessageResult
from .models import Analysis, Emotion, Signal, Trend, Turn
from .resources import data_dir as resolve_data_dir
from .resources import default_model_path, load_yaml
from .rules import Hit
from .scoring import Calibration, Scorer
from .semantic import Encoder, SemanticModel, SemanticResult
from .text import Prepared, continued_language, prepare

log = logging.getLogger(__name__)


class EmotionAnalyzer:
    """Detects emotion, intensity and frustration level of customer messages."""

    def __init__(
        self,
        files: dict[str, dict[str, Any]],
        encoder: Encoder | None,
        cache_size: int = 2048,
        goemotions_path: Path | None = None,
    ) -> None:
        signals_cfg = files["signals"]
        self.input_cfg: dict[str, Any] = signals_cfg.get("input") or {}
        self.message = MessageEvaluator(
            signals_cfg, files["lexicon"], files.get("situations")
        )
        self.calibration = Calibration.from_config(files.get("calibration") or {})
        weights = files["weights"]
        self.scorer = Scorer(weights, self.calibration)
        self.settings = ctx.ContextSettings.from_config(
            weights.get("context") or {}, self.calibration.rephrase_threshold
        )
        self.confidence_cfg = {
            str(k): float(v) for k, v in (weights.get("confidence") or {}).items()
        }
        self.encoder = encoder
        self.semantic = (
            SemanticModel(
                encoder,
                files["prototypes"],
                files["examples"],
                self.message.sentiment.rewrite,
                goemotions_path,
                float((weights.get("semantic") or {}).get("goemotions", 0.0)),
            )
            if encoder
            else None
        )
        self._standalone: OrderedDict[str, Analysis] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls,
        data_dir: str | Path | None = None,
        model_path: str | Path | None = None,
        device: str = "cpu",
        use_model: bool = True,
        cache_size: int = 4096,
        threads: int | None = 1,
    ) -> EmotionAnalyzer:
        """Read the data files and the local sentence model (nothing is downloaded).

        ``threads``: torch intra-op threads (process-wide; ``None``: leave as is).
        """
        names = (
            "signals",
            "lexicon",
            "weights",
            "calibration",
            "prototypes",
            "examples",
            "situations",
        )
        optional = ("calibration", "situations")
        files = {
            n: load_yaml(f"{n}.yml", data_dir, required=n not in optional)
            for n in names
        }
        encoder = (
            Encoder(
                model_path or default_model_path(),
                device=device,
                cache_size=cache_size,
                threads=threads,
            )
            if use_model
            else None
        )
        return cls(
            files,
            encoder,
            cache_size=cache_size,
            goemotions_path=resolve_data_dir(data_dir) / GOEMOTIONS_WEIGHTS,
        )

    # -- public API ---------------------------------------------------------------
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit sentence vectors (cached per text); zeros when no model is loaded."""
        if self.encoder is None:
            return np.zeros((len(texts), 384), dtype=np.float32)
        return self.encoder.embed(list(texts))

    def analyze(
        self,
        text: str,
        history: Sequence[Turn] | None = None,
        language: str | None = None,
    ) -> Analysis:
        """Analyse one customer message; ``history``: earlier turns, oldest first;
        ``language``: the chat's language when the caller knows it is not English
        (a message there with no English word is not read as English)."""
        history = list(history or [])[-self.settings.max_history :]
        earlier_turns = [t for t in history if t.is_customer]
        earlier_preps = [prepare(t.text, self.input_cfg) for t in earlier_turns]
        prep = continued_language(
            prepare(text, self.input_cfg), earlier_preps, language
        )
        earlier = [
            self._earlier(t, p)
            for t, p in zip(earlier_turns, earlier_preps, strict=True)
        ]
        texts = [self.message.model_text(p) for p in [prep, *earlier_preps]]
        readable = [p.readable for p in [prep, *earlier_preps]]
        vectors = self._vectors(texts, readable)
        head = vectors[:1] if vectors is not None else None
        semantic = self._semantic(head, [prep])[0]
        message = self.message.evaluate(prep, semantic)
        situations = self.message.situations
        if earlier_turns and not any(c.serious for c in message.circumstances):
            # "I already clicked it and typed my card details in" right after asking
            # whether that text was ours: what it is after all
            step = situations.step_after(
                prep.clean.lower(), earlier_turns[-1].text.lower()
            )
            if step is not None:
                message = replace(message, circumstances=[step, *message.circumstances])
        return self._combine(
            message,
            history,
            earlier,
            vectors[0] if vectors is not None else None,
            vectors[1:] if vectors is not None else None,
        )

    def tells_a_problem(self, text: str) -> bool:
        """Whether ``text`` tells something that went wrong, not only asks about
        it (``MessageEvaluator.tells_a_problem``)."""
        return self.message.tells_a_problem(prepare(text, self.input_cfg))

    def analyze_batch(
        self,
        texts: Sequence[str],
        histories: Sequence[Sequence[Turn]] | None = None,
        batch_size: int = 64,
    ) -> list[Analysis]:
        """Analyse many messages, embedding them together; histories are optional."""
        if histories is not None:
            return [self.analyze(t, h) for t, h in zip(texts, histories, strict=True)]
        preps = [prepare(t, self.input_cfg) for t in texts]
        vectors = None
        if self.encoder is not None:
            vectors = self.encoder.embed(
                [self.message.model_text(p) if p.readable else "" for p in preps],
                batch_size=batch_size,
            )
        semantics = self._semantic(vectors, preps)
        return [
            self._combine(
                self.message.evaluate(p, s),
                [],
                [],
                vectors[i] if vectors is not None else None,
                None,
            )
            for i, (p, s) in enumerate(zip(preps, semantics, strict=True))
        ]

    # -- internals ----------------------------------------------------------------
    def _vectors(self, texts: list[str], readable: list[bool]) -> np.ndarray | None:
        if self.encoder is None:
            return None
        return self.encoder.embed(
            [t if ok else "" for t, ok in zip(texts, readable, strict=True)]
        )

    def _semantic(
        self, vectors: np.ndarray | None, preps: Sequence[Prepared]
    ) -> list[SemanticResult | None]:
        if vectors is None or self.semantic is None:
            return [None] * len(preps)
        scored = self.semantic.score_vectors(vectors)
        return [s if p.readable else None for s, p in zip(scored, preps, strict=True)]

    def _earlier(self, turn: Turn, prep: Prepared) -> ctx.EarlierTurn:
        words = len(prep.words)
        analysis = turn.analysis
        if analysis is None:
            with self._lock:
                analysis = self._standalone.get(turn.text)
                if analysis is not None:
                    self._standalone.move_to_end(turn.text)
            if analysis is None:
                analysis = self.analyze(turn.text)
                with self._lock:
                    self._standalone[turn.text] = analysis
                    while len(self._standalone) > self._cache_size:
                        self._standalone.popitem(last=False)
        names = tuple(s.name for s in analysis.signals)
        return ctx.EarlierTurn(turn.text, analysis.message_score, words, names)

    def _combine(
        self,
        message: MessageResult,
        history: Sequence[Turn],
        earlier: Sequence[ctx.EarlierTurn],
        vector: np.ndarray | None,
        earlier_vectors: np.ndarray | None,
    ) -> Analysis:
        scorer = self.scorer
        message_signals = scorer.to_signals(message.hits)
        message_groups = scorer.group_values(message_signals)
        message_score = scorer.message_score(message_groups)
        context_hits: list[Hit] = []
        trend = Trend.STEADY
        sarcastic = message.sarcastic
        if history and message.prep.readable:
            settings = self.settings
            last_bot = next((t for t in reversed(history) if not t.is_customer), None)
            mocking = ctx.praise_after_upset(
                message.help_praise,
                len(message.prep.words),
                earlier,
                settings,
                missed=last_bot is not None and last_bot.fallback,
            )
            if mocking is not None and not sarcastic:
                context_hits.append(mocking)
                sarcastic = True
            context_hits += ctx.repeats(
                message.prep.clean,
                len(message.prep.words),
                vector,
                earlier,
                earlier_vectors,
                settings,
            )
            for hit in (
                ctx.bot_failures(history, earlier, settings),
                ctx.unanswered(history, settings),
                ctx.carryover(earlier, settings),
            ):
                if hit is not None:
                    context_hits.append(hit)
            trend, rising = ctx.trend(message_score, earlier, settings)
            if rising is not None:
                context_hits.append(rising)
        signals = message_signals + scorer.to_signals(context_hits)
        # what happened to the customer: no weight of its own, but the policy and
        # the agent read it (policy.yml `immediate`)
        signals += [Signal(c.kind, 0.0, c.reason) for c in message.circumstances]
        groups = scorer.group_values(signals)
        intensity = scorer.intensity(groups)
        probs = message.semantic.probs if message.semantic is not None else {}
        label, scores = scorer.label(
            signals,
            message.lexicon.scores,
            probs,
            intensity,
            sarcastic,
            message.lexicon.stated,
        )
        if not message.prep.readable and not message.lexicon.scores:
            label = Emotion.NEUTRAL
        issues = [Signal(s.name, 0.0, s.reason) for s in message.prep.issues]
        components = dict(groups)
        components.update(
            message=round(message_score, 4), compound=message.sentiment.compound
        )
        if message.semantic is not None:
            components["semantic_level"] = message.semantic.level
            components["semantic_negative"] = message.semantic.negativity
        return Analysis(
            label=label,
            intensity=round(intensity, 4),
            frustration=scorer.level(intensity),
            signals=sorted(signals, key=lambda s: -s.weight) + issues,
            trend=trend,
            confidence=self._confidence(message.prep),
            scores=scores,
            components=components,
            circumstances=list(message.circumstances),
        )

    def _confidence(self, prep: Prepared) -> float:
        value = 1.0
        for issue in prep.issues:
            value *= self.confidence_cfg.get(issue.name, 1.0)
        if 0 < len(prep.words) <= 2:
            value *= self.confidence_cfg.get("short", 1.0)
        return round(value, 3)
