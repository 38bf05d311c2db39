"""The systemd units (deploy/systemd/) pass ``systemd-analyze verify`` without a
warning, with the checkout in place of /opt/support (verify checks that ExecStart's
program exists), and each starts the service its name says through
``python -m bot.ops.serve``."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.ops.serve import SERVICES
from bot.settings import ROOT

UNITS = ROOT / "deploy" / "systemd"
INSTALLED_AT = "/opt/support"


def systemd_analyze() -> str:
    """systemd-analyze (Debian's systemd package); missing, a skip, in CI a failure."""
    found = shutil.which("systemd-analyze")
    if found:
        return found
    message = "systemd-analyze is missing (Debian: apt-get install -y systemd)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def rendered(directory: Path) -> list[Path]:
    """The units with this checkout where they say /opt/support."""
    paths = []
    for unit in sorted(UNITS.iterdir()):
        if unit.suffix not in (".service", ".target"):
            continue
        text = unit.read_text(encoding="utf-8")
        target = directory / unit.name
        target.write_text(text.replace(INSTALLED_AT, str(ROOT)), encoding="utf-8")
        paths.append(target)
    return paths


def verify(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own arguments
        [systemd_analyze(), "verify", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_units_verify_without_a_warning(tmp_path: Path) -> None:
    paths = rendered(tmp_path)
    assert {p.name for p in paths} == {
        *(f"support-{name}.service" for name in SERVICES),
        "support.target",
    }
    done = verify(paths)
    # verify exits 0 on an unknown key or a bad value and only warns: none allowed
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr


def test_a_mistake_in_a_unit_is_caught(tmp_path: Path) -> None:
    [unit] = [p for p in rendered(tmp_path) if p.name == "support-gateway.service"]
    unit.write_text(unit.read_text().replace("ProtectSystem=", "ProtectSystm="))
    done = verify([unit])
    assert "ProtectSystm" in done.stderr


def test_each_unit_starts_its_own_service_alone() -> None:
    for name in SERVICES:
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str  # type: ignore[assignment,method-assign]
        unit.read(UNITS / f"support-{name}.service")
        service = unit["Service"]
        assert service["ExecStart"] == (
            f"{INSTALLED_AT}/.venv/bin/python -m bot.ops.serve {name}"
        )
        assert service["User"] == "support"  # never root
        assert service["EnvironmentFile"] == "/etc/support/support.env"
        assert service["Restart"] == "on-failure"
        # the only folder of the checkout it writes (secrets, caches)
        assert service["ReadWritePaths"] == f"{INSTALLED_AT}/var"
        assert service["ProtectSystem"] == "strict"
