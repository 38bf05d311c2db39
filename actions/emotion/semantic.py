"""Sentence embeddings (all-MiniLM-L6-v2, offline) and the semantic emotion model.

``Encoder`` turns texts into normalised vectors with a small thread-safe LRU cache,
so the earlier turns of a conversation are not embedded again on every message.
``SemanticModel`` compares a message with our prototype phrases, runs a small
logistic regression (emotion label) and a ridge regression (frustration level), both
trained at load time on our own phrases in ``prototypes.yml`` and ``examples.yml``,
and, when ``goemotions.npz`` is there, the classifier fitted on GoEmotions
(``goemotions.py``); the label probabilities blend the two classifiers.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .goemotions import GoEmotionsClassifier

log = logging.getLogger(__name__)


def _mean_pooler(transformer: Any) -> Any:
    """The transformer, then attention-masked mean pooling and L2 normalisation."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, return_dict=False
            )[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1)

    return MeanPooled(transformer).eval()


class Encoder:
    """Embeds texts with a local SentenceTransformer model and caches the vectors.

    ``threads`` sets torch's intra-op thread count (process-wide); one thread gives the
    steadiest latency for single messages on a small shared CPU; ``None``: leave it.
    ``trace``: run a TorchScript-frozen copy of the model (checked against eager mode).
    """

    def __init__(
        self,
        model_path: str | Path,
        device: str = "cpu",
        cache_size: int = 4096,
        max_seq_length: int = 128,
        threads: int | None = 1,
        trace: bool = True,
    ) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(model_path), device=device)
        self.model.max_seq_length = max_seq_length
        self.max_seq_length = max_seq_length
        getter = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        self.dim = int(getter() or 384)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._model_lock = threading.Lock()
        # Direct path (tokenizer -> transformer -> mean pooling -> normalise) skips
        # encode()'s per-call overhead (the model is Transformer + mean Pooling); a
        # traced and frozen copy of it is used when it reproduces the eager output.
        self._tokenizer = getattr(self.model, "tokenizer", None)
        transformer = getattr(self.model[0], "auto_model", None)
        self._pooler = _mean_pooler(transformer) if transformer is not None else None
        self._fast = self._trace() if trace and self._pooler is not None else None
        log.info(
            "sentence model loaded from %s on %s (traced: %s)",
            model_path,
            device,
            self._fast is not None,
        )

    def _features(self, texts: list[str]) -> Any:
        assert self._tokenizer is not None
        return self._tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self.max_seq_length,
            return_tensors="pt",
        )

    def _trace(self) -> Any:
        """A frozen TorchScript copy of the pooled model, or None if it differs."""
        import torch

        pooler = self._pooler
        if pooler is None:
            return None
        probes = ["short probe", "a longer probe sentence to check the traced model on"]
        try:
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                one = self._features(probes[:1])
                args = (one["input_ids"], one["attention_mask"])
                traced = torch.jit.freeze(torch.jit.trace(pooler, args))
                both = self._features(probes)
                args = (both["input_ids"], both["attention_mask"])
                agreement = float((traced(*args) * pooler(*args)).sum(1).min())
        except (RuntimeError, TypeError, ValueError, AttributeError) as exc:
            log.warning("tracing the sentence model failed, using eager mode: %s", exc)
            return None
        if agreement < 0.9999:
            log.warning(
                "traced sentence model differs (%.5f), using eager mode", agreement
            )
            return None
        return traced

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        import torch

        if self._tokenizer is None or self._pooler is None:
            with self._model_lock, torch.inference_mode():
                vectors = self.model.encode(
                    texts,
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            return np.asarray(vectors, dtype=np.float32)
        model = self._fast if self._fast is not None else self._pooler
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._model_lock, torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                features = self._features([texts[i] for i in idx])
                pooled = model(features["input_ids"], features["attention_mask"])
                out[idx] = pooled.cpu().numpy()
        return out

    def embed(
        self, texts: Sequence[str], batch_size: int = 32, cache: bool = True
    ) -> np.ndarray:
        """Unit-length vectors, one row per text (empty text gives a zero row)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                if not text or not text.strip():
                    continue
                hit = self._cache.get(text) if cache else None
                if hit is not None:
                    self._cache.move_to_end(text)
                    out[i] = hit
                else:
                    missing.setdefault(text, []).append(i)
        if missing:
            unique = list(missing)
            vectors = self._encode(unique, batch_size)
            with self._lock:
                for text, vector in zip(unique, vectors, strict=True):
                    for i in missing[text]:
                        out[i] = vector
                    if cache:
                        self._cache[text] = vector
                        self._cache.move_to_end(text)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def cache_info(self) -> dict[str, int]:
        with self._lock:
            return {"size": len(self._cache), "max": self._cache_size}


@dataclass
class SemanticResult:
    """Label probabilities (the blend), level 0-4, nearest prototype per label, and
    the GoEmotions classifier's own probabilities (empty without ``goemotions.npz``)."""

    probs: dict[str, float]
    level: float
    nearest: dict[str, tuple[str, float]]
    goemotions: dict[str, float] = field(default_factory=dict)

    @property
    def negativity(self) -> float:
        """Probability mass on the unhappy labels."""
        return float(
            sum(p for label, p in self.probs.items() if label not in ("joy", "neutral"))
        )


class SemanticModel:
    """Prototype similarity, emotion classifiers and level regressor on embeddings.

    ``goemotions_path``: the GoEmotions classifier's weights (skipped when missing);
    ``goemotions_blend``: its share of the label probabilities (0..1).
    """

    def __init__(
        self,
        encoder: Encoder,
        prototypes: dict[str, Any],
        examples: dict[str, Any],
        rewrite: Callable[[str], str] | None = None,
        goemotions_path: Path | None = None,
        goemotions_blend: float = 0.0,
    ) -> None:
        from sklearn.linear_model import LogisticRegression, Ridge

        self.encoder = encoder
        levels = {str(k): float(v) for k, v in (prototypes.get("levels") or {}).items()}
        phrases: list[str] = []
        labels: list[str] = []
        targets: list[float] = []
        for label, items in (prototypes.get("prototypes") or {}).items():
            for phrase in items:
                phrases.append(str(phrase))
                labels.append(str(label))
                targets.append(levels.get(str(label), 1.0))
        for level, label, text in examples.get("examples") or []:
            phrases.append(str(text))
            labels.append(str(label))
            targets.append(float(level))
        model_texts = [rewrite(p) for p in phrases] if rewrite else phrases
        vectors = encoder.embed(model_texts, batch_size=64, cache=False)
        self.labels = sorted(set(labels))
        self._vectors = vectors
        self._texts = phrases
        self._rows = {
            label: np.asarray([i for i, lab in enumerate(labels) if lab == label])
            for label in self.labels
        }
        classifier = LogisticRegression(C=16.0, max_iter=3000).fit(vectors, labels)
        regressor = Ridge(alpha=1.0).fit(vectors, np.asarray(targets))
        # Plain numpy at inference time: sklearn's per-call checks cost milliseconds.
        self._classes = [str(c) for c in classifier.classes_]
        self._coef = np.asarray(classifier.coef_, dtype=np.float32)
        self._intercept = np.asarray(classifier.intercept_, dtype=np.float32)
        self._class_levels = np.asarray([levels.get(c, 1.0) for c in self._classes])
        self._ridge_coef = np.asarray(regressor.coef_, dtype=np.float32)
        self._ridge_intercept = float(regressor.intercept_)
        log.info(
            "semantic model trained on %d phrases, labels %s", len(phrases), self.labels
        )
        self.goemotions: GoEmotionsClassifier | None = None
        self._blend = 0.0
        self._goemotions_cols = np.arange(len(self._classes))
        if goemotions_path is not None:
            self.use_goemotions(
                GoEmotionsClassifier.load(goemotions_path), goemotions_blend
            )

    def use_goemotions(
        self, classifier: GoEmotionsClassifier | None, blend: float
    ) -> None:
        """Blend ``classifier`` into the label probabilities (None: our own only)."""
        self._blend = min(max(float(blend), 0.0), 1.0)
        if classifier is not None and (
            classifier.dim != self.encoder.dim
            or set(classifier.classes) != set(self._classes)
        ):
            log.warning(
                "GoEmotions classifier does not fit (dim %d, labels %s); not used",
                classifier.dim,
                classifier.classes,
            )
            classifier = None
        self.goemotions = classifier
        if classifier is not None:
            # columns of the GoEmotions probabilities in our classifier's class order
            self._goemotions_cols = np.asarray(
                [classifier.classes.index(c) for c in self._classes]
            )

    def score_vectors(self, vectors: np.ndarray) -> list[SemanticResult]:
        if len(vectors) == 0:
            return []
        logits = vectors @ self._coef.T + self._intercept
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        ridge = vectors @ self._ridge_coef + self._ridge_intercept
        # level: mean of the ridge estimate and the classifier's expected label level
        # (our own classifier only: the level is calibrated on it)
        levels = 0.5 * ridge + 0.5 * (probs @ self._class_levels)
        goemotions = None
        if self.goemotions is not None:
            goemotions = self.goemotions.predict_proba(vectors)[
                :, self._goemotions_cols
            ]
            probs = (1.0 - self._blend) * probs + self._blend * goemotions
        sims = vectors @ self._vectors.T
        results: list[SemanticResult] = []
        for row in range(len(vectors)):
            nearest: dict[str, tuple[str, float]] = {}
            for label, rows in self._rows.items():
                j = int(rows[int(np.argmax(sims[row, rows]))])
                nearest[label] = (self._texts[j], float(sims[row, j]))
            results.append(
                SemanticResult(
                    probs={
                        c: float(p)
                        for c, p in zip(self._classes, probs[row], strict=True)
                    },
                    level=float(np.clip(levels[row], 0.0, 4.0)),
                    nearest=nearest,
                    goemotions={}
                    if goemotions is None
                    else {
                        c: float(p)
                        for c, p in zip(self._classes, goemotions[row], strict=True)
                    },
                )
            )
        return results
