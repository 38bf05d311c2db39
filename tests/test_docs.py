"""The README and docs/: every relative link leads somewhere, every setting is in the
configuration table, every module of bot/ and actions/ is in the repository's layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from actions.settings import ActionSettings
from bot.settings import ROOT, Settings

README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
# Variables read outside the two settings classes (os.environ in one place each).
OTHER_VARIABLES = (
    "HANDOFF_CONFIG",  # bot/handoff/config.py
    "RASA_MODEL",  # bot/ops/serve.py
    "STORE_BACKEND",  # actions/store.py and the REST adapter, actions/shop_api.py
    "STORE_URL",
    "STORE_TOKEN",
    "STORE_TIMEOUT_SECONDS",
    "DEMO_STORE_TODAY",  # actions/demo_store.py
    "BENCH_DATASETS",  # bench/
    "TEST_REDIS_URL",  # tests/
    "HANDOFF_TEST_REDIS_URL",
)


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, no punctuation, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of the headings of ``page``."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    lines = text.splitlines()
    return {slug(line.lstrip("#")) for line in lines if line.startswith("#")}


def links(page: Path) -> list[str]:
    """The link targets of ``page`` outside code blocks."""
    return LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_lead_to_files_and_headings(page: Path) -> None:
    """A relative link names an existing file, and a #part a heading in it."""
    broken = []
    for target in links(page):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or (
            anchor and file.suffix == ".md" and anchor not in anchors(file)
        ):
            broken.append(target)
    assert broken == []


def variables() -> set[str]:
    """Every environment variable the gateway, the stack and the action server read."""
    names = set(OTHER_VARIABLES)
    for settings in (Settings, ActionSettings):
        for name, field in settings.model_fields.items():
            alias = field.validation_alias
            names.add((alias if isinstance(alias, str) else name).upper())
    return names


def test_every_variable_is_in_the_readme() -> None:
    """The README's configuration names every variable (the table or its notes)."""
    text = README.read_text(encoding="utf-8")
    assert sorted(v for v in variables() if f"`{v}`" not in text) == []


def test_every_module_is_in_the_readme_layout() -> None:
    """Each top-level module and package of bot/ and actions/ is named in the README."""
    text = README.read_text(encoding="utf-8")
    missing = []
    for package in ("bot", "actions"):
        for path in sorted((ROOT / package).iterdir()):
            if path.name.startswith("_") or path.name == "static":
                continue
            if path.suffix == ".py" or (path / "__init__.py").exists():
                name = path.stem if path.suffix == ".py" else f"{path.name}/"
                if not re.search(rf"(?<![\w/]){re.escape(name)}", text):
                    missing.append(f"{package}/{name}")
    assert missing == []


def test_no_word_list_in_the_data_files_holds_a_yaml_boolean() -> None:
    """YAML reads a bare yes, no, on or off as true or false: in a list of words it
    silently stops matching the word ("yes" in plain_yes, "no" among the negators)."""
    found = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, bool):
                    found.append(f"{where}[{i}]")
                walk(value, f"{where}[{i}]")

    for path in sorted((ROOT / "data").rglob("*.yml")):
        walk(
            yaml.safe_load(path.read_text(encoding="utf-8")),
            str(path.relative_to(ROOT)),
        )
    assert found == []
