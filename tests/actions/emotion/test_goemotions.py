"""The GoEmotions classifier: its weights file, its mapping, and labels through the
analyzer (sentences written for this test), with and without the weights file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from actions.emotion import Emotion, EmotionAnalyzer
from actions.emotion.goemotions import (
    MAPPING_FILE,
    WEIGHTS_FILE,
    GoEmotionsClassifier,
    LabelMapping,
)
from actions.emotion.resources import data_dir

OURS = sorted(e.value for e in Emotion)


@pytest.fixture(scope="module")
def classifier() -> GoEmotionsClassifier:
    loaded = GoEmotionsClassifier.load(data_dir() / WEIGHTS_FILE)
    assert loaded is not None, "data/emotion/goemotions.npz is missing"
    return loaded


@pytest.fixture(scope="module")
def mapping() -> LabelMapping:
    path = data_dir() / MAPPING_FILE
    return LabelMapping.from_config(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_weights_file_shapes_and_classes(classifier: GoEmotionsClassifier) -> None:
    assert classifier.classes == OURS
    assert classifier.coef.shape == (7, 384)
    assert classifier.coef.dtype == np.float32
    assert classifier.intercept.shape == (7,)
    assert classifier.model == "all-MiniLM-L6-v2"
    assert {"C", "class_weight", "cv_macro_f1"} <= set(classifier.settings)
    assert (data_dir() / WEIGHTS_FILE).stat().st_size < 64_000


def test_probabilities_sum_to_one(classifier: GoEmotionsClassifier) -> None:
    vectors = np.random.default_rng(1).normal(size=(3, 384)).astype(np.float32)
    probs = classifier.predict_proba(vectors)
    assert probs.shape == (3, 7)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_mapping_covers_the_28_labels(mapping: LabelMapping) -> None:
    assert mapping.labels == OURS
    assert len(mapping.to_ours) + len(mapping.excluded) == 28
    assert mapping.map(["anger", "disgust"]) == "anger"
    assert mapping.map(["gratitude", "surprise"]) == "joy"
    assert mapping.map(["gratitude", "sadness"]) is None  # mixed
    assert mapping.map(["surprise"]) is None  # excluded only


LABELS = [
    ("I'm scared my bank details were stolen when I paid on your site", "anxiety"),
    ("I'm really nervous the parcel won't arrive before the wedding", "anxiety"),
    ("Thank you so much for sorting that out, I really appreciate it", "joy"),
    ("Wonderful, the blender works perfectly, thanks a lot", "joy"),
    ("How do I change the delivery address on my order?", "neutral"),
    ("Do you sell gift cards?", "neutral"),
]


@pytest.mark.parametrize(("text", "label"), LABELS)
def test_labels_through_the_analyzer(
    analyzer: EmotionAnalyzer, text: str, label: str
) -> None:
    analysis = analyzer.analyze(text)
    assert analysis.label.value == label, (analysis.scores, analysis.signals)


def test_semantic_result_carries_goemotions_probabilities(
    analyzer: EmotionAnalyzer,
) -> None:
    assert analyzer.semantic is not None and analyzer.semantic.goemotions is not None
    vectors = analyzer.embed(["I'm terrified someone got into my account"])
    result = analyzer.semantic.score_vectors(vectors)[0]
    assert sorted(result.goemotions) == OURS
    assert sum(result.goemotions.values()) == pytest.approx(1.0, abs=1e-4)
    assert max(result.goemotions, key=lambda k: result.goemotions[k]) == "anxiety"


def test_missing_weights_file_keeps_the_analyzer_working(
    analyzer: EmotionAnalyzer, tmp_path: Path
) -> None:
    for path in data_dir().glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    without = EmotionAnalyzer.load(data_dir=tmp_path)
    assert without.semantic is not None and without.semantic.goemotions is None
    text = "Thank you so much for sorting that out, I really appreciate it"
    analysis = without.analyze(text)
    assert analysis.label == Emotion.JOY
    assert without.semantic.score_vectors(without.embed([text]))[0].goemotions == {}
