"""The accessibility audit: axe-core (from the npm registry, package.json) in the page.

``make test`` installs it (scripts/browser.sh runs ``npm ci``). The script is run
through Playwright's evaluate, so the pages' strict Content-Security-Policy stays on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

from bot.settings import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _source() -> str:
    if not Path(AXE).exists():
        pytest.skip("axe-core is missing; run `npm ci` (make test does)")
    return AXE.read_text(encoding="utf-8")


async def violations(page: Page) -> list[dict[str, Any]]:
    """WCAG 2.1 A and AA violations on the page as it is now (rule, impact, where)."""
    await page.evaluate(_source() + "\n;undefined")
    found = await page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values:"
        " tags}})).violations.map(v => ({rule: v.id, impact: v.impact, nodes:"
        " v.nodes.slice(0, 3).map(n => n.target.join(' '))}))",
        WCAG_AA,
    )
    return list(found)
