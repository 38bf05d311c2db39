"""An NLU step in Rasa's pipeline (config.yml): a dense sentence vector for each text.

Our word and character n-grams know only the wordings of our examples; a question
asked in other words ("is there any way I can pay later?") shares few of them with
the right intent. This featurizer adds all-MiniLM-L6-v2's sentence vector (384
numbers, unit length) as a dense *sentence* feature of the message's text, beside the
sparse ones, so the classifier also sees what the message means. It adds no sequence
(per-token) features: the classifier reads sentence features only, and DIET would
need sequence features token for token with the tokenizer's.

The model runs on onnxruntime (``bot/sentence_encoder.py``) from the export that
``make setup`` writes to ``var/encoder/``; without it the component stops with a
message that says so. The export's source hash is part of the component's
fingerprint, so Rasa's training cache never reuses features of another model.

Runs inside the Rasa environment (Python 3.10, Rasa 3.6).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.sentence_encoder import ENCODER_DIR, META_FILE, SentenceEncoder


def _directory(config: dict[str, Any]) -> Path:
    return Path(config["directory"]) if config.get("directory") else ENCODER_DIR


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the text's sentence vector as a dense sentence feature (see the module)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "directory": "",  # "": var/encoder of this checkout
            "threads": 1,  # onnxruntime threads per call (0: one per core)
            "batch_size": 32,
            "scale": 1.0,  # multiplies the unit vector, its weight against counts
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if float(config["scale"]) <= 0:
            raise InvalidConfigException("SentenceEmbeddingFeaturizer: scale > 0")

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The export's description (with its source hash): new model, new features."""
        path = _directory(config) / META_FILE
        return path.read_text(encoding="utf-8") if path.is_file() else "missing"

    def __init__(
        self, name: str, config: dict[str, Any], encoder: SentenceEncoder
    ) -> None:
        super().__init__(name, config)
        self.encoder = encoder
        self.scale = float(config["scale"])
        self.batch_size = int(config["batch_size"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        encoder = SentenceEncoder(_directory(config), threads=int(config["threads"]))
        return cls(execution_context.node_name, config, encoder)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes every training example that has a text."""
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurizes the messages' texts in place."""
        self._featurize(messages)
        return messages

    def _featurize(self, messages: list[Message]) -> None:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return
        vectors = self.encoder.encode(
            [str(m.get(TEXT)) for m in with_text], batch_size=self.batch_size
        )
        vectors *= self.scale
        for message, vector in zip(with_text, vectors, strict=True):
            self.add_features_to_message(
                sequence=None,
                sentence=np.asarray(vector[None, :]),
                attribute=TEXT,
                message=message,
            )
