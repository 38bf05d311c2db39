"""An NLU step in Rasa's pipeline (config.yml): an intent whose meaning needs certain
words is not given to a message without any of them.

Our NLU is a bag of word and character n-grams; it reads "my order was meant to come
yesterday" as a change to the order, because "my order" and the shape of the sentence
are what its change examples share. An order cannot be changed without a word for a
change, so when the best intent names one of ``data/intent_words.yml`` and the message
has none of its words, the next intent of the ranking that has no such words (or has
them) takes its place, with its own confidence. Rasa's rules and our actions then see
the intent the words support; the fallback threshold still applies after this step.

Runs inside the Rasa environment (Python 3.10, Rasa 3.6): it imports Rasa and PyYAML
only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.intent_words import WORDS_FILE, load_requirements, supported


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class IntentWords(GraphComponent):
    """Replaces an intent the message's words do not support (see the module)."""

    def __init__(self, needs: dict[str, re.Pattern[str]]) -> None:
        self.needs = needs

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"file": ""}  # "": data/intent_words.yml of this checkout

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentWords:
        path = Path(config["file"]) if config.get("file") else WORDS_FILE
        return cls(load_requirements(path))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.data.get(INTENT)
            ranking = list(message.data.get(INTENT_RANKING_KEY) or [])
            chosen = supported(
                str(message.data.get(TEXT) or ""), intent, ranking, self.needs
            )
            if chosen is not intent and chosen is not None:
                message.data[INTENT] = dict(chosen)
                # the chosen intent first; the ranking keeps everything NLU said
                message.data[INTENT_RANKING_KEY] = [
                    chosen,
                    *(c for c in ranking if c is not chosen),
                ]
        return messages
