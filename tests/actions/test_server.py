"""The action server registers exactly the custom actions that domain.yml names."""

import yaml

from actions.paths import ROOT
from actions.server import build_executor


def test_every_domain_action_is_registered_and_nothing_else() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    assert sorted(build_executor().actions) == sorted(domain["actions"])
