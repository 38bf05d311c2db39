"""The gateway's log set-up (bot/app.py, configure_logging): libraries that log at
INFO what nobody needs (or what carries tokens) log warnings only. No Redis."""

from __future__ import annotations

import logging

from bot.app import configure_logging


def test_noisy_libraries_log_warnings_only() -> None:
    configure_logging()
    for name in ("httpx", "httpcore", "matplotlib", "matplotlib.font_manager"):
        logger = logging.getLogger(name)
        assert not logger.isEnabledFor(logging.INFO), name
        assert logger.isEnabledFor(logging.WARNING), name
