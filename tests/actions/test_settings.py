"""The action server's settings (actions/settings.py): the gateway's definitions of the
variables both read, and a clear refusal to start with a bad value."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from actions.paths import DATA
from actions.settings import ActionSettings
from bot.ops.ports import free_port
from bot.settings import ROOT, Settings, SharedSettings, problems

SHARED = {
    "REDIS_URL": "redis://127.0.0.1:6390/3",
    "REDIS_PREFIX": "shared1",
    "RASA_HOST": "127.0.0.2",
    "RASA_PORT": "5101",
    "ACTIONS_HOST": "127.0.0.3",
    "ACTIONS_PORT": "5102",
    "RASA_URL": "http://rasa.internal:5005",
    "ACTIONS_URL": "http://actions.internal:5055",
    "RASA_TOKEN": "a-token",
    "RETENTION_DAYS": "12",
    "LOG_LEVEL": "warning",
}


def test_both_processes_read_the_shared_variables_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in SHARED.items():
        monkeypatch.setenv(name, value)
    gateway, actions = Settings(secret_key="x" * 16), ActionSettings()
    for field in SharedSettings.model_fields:
        assert getattr(gateway, field) == getattr(actions, field), field
    assert actions.rasa_url == "http://rasa.internal:5005"
    assert gateway.actions_url == "http://actions.internal:5055"
    assert actions.rasa_params == {"token": "a-token"}
    assert actions.retention_s == 12 * 24 * 3600
    assert actions.log_level == "WARNING"
    names = {
        str(info.validation_alias or name)
        for name, info in SharedSettings.model_fields.items()
    }
    assert names == {n.lower() for n in SHARED}


def test_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*SHARED, "ANSWERS_FILE", "DEMO_STORE_FILE", "FAQ_FILE"]:
        monkeypatch.delenv(name, raising=False)
    settings = ActionSettings()
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert (settings.redis_prefix, settings.retention_days) == ("es", 90)
    assert settings.rasa_params == {}
    assert settings.demo_store_file == DATA / "store" / "demo_store.yml"
    monkeypatch.setenv("FAQ_FILE", "/srv/faq.yml")
    assert str(ActionSettings().faq_file) == "/srv/faq.yml"


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("RETENTION_DAYS", "abc", "RETENTION_DAYS: Input should be a valid integer"),
        ("RETENTION_DAYS", "0", "RETENTION_DAYS: Input should be greater than"),
        ("RASA_PORT", "five", "RASA_PORT: Input should be a valid integer"),
        ("REDIS_PREFIX", "a:b", "REDIS_PREFIX must contain only letters and digits"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of DEBUG, INFO"),
    ],
)
def test_a_bad_value_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, said: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as error:
        ActionSettings()
    assert any(line.startswith(said) for line in problems(error.value)), problems(
        error.value
    )


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("RETENTION_DAYS", "many", "RETENTION_DAYS: Input should be a valid integer"),
        ("REDIS_URL", "redis+sentinel://127.0.0.1:1", "service name is missing"),
    ],
)
def test_the_action_server_refuses_to_start_saying_why(
    name: str, value: str, said: str
) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT)) | {name: value}
    done = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Cannot start with this configuration" in done.stderr
    assert said in done.stderr
    assert "Traceback" not in done.stderr
