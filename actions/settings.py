"""Configuration of the action server, read from the environment once per process.

The variables the gateway reads too (REDIS_URL, REDIS_PREFIX, RASA_PORT,
ACTIONS_PORT, RASA_TOKEN, RETENTION_DAYS, LOG_LEVEL) are defined once, in
``bot.settings.SharedSettings``; the data files in ``actions.paths.DataFiles``. A bad
value stops ``python -m actions.server`` at start, naming the variable.
"""

from __future__ import annotations

from functools import lru_cache

from actions.paths import DataFiles
from bot.settings import SharedSettings


class ActionSettings(SharedSettings, DataFiles):
    """Everything the action server reads from its environment."""

    # Not here: the order system. STORE_BACKEND names a class (actions/store.py,
    # load_store) that reads its own variables in its from_env() (the REST adapter:
    # STORE_URL, STORE_TOKEN, STORE_TIMEOUT_SECONDS), so a backend of the shop's own
    # brings its own configuration without a change here.

    @property
    def rasa_params(self) -> dict[str, str]:
        """The query parameters of Rasa's HTTP API: its token, when there is one."""
        return {"token": self.rasa_token} if self.rasa_token else {}


@lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    """The settings of this process (tests that change the environment call
    ``get_settings.cache_clear()``)."""
    return ActionSettings()
