"""The console's pages as they are served (bot/console/pages.py): every shared part
is put in and filled, each page has one head of its own title. No Redis."""

from __future__ import annotations

import re

import pytest

from bot.console.pages import SIGNED_IN, STATIC, _page

PAGES = sorted({*SIGNED_IN.values(), "login.html", "dashboard.html"})


@pytest.mark.parametrize("name", PAGES)
def test_a_page_is_served_whole(name: str) -> None:
    text = _page(name, csrf="token").body.decode()
    assert "#include" not in text
    assert "{{" not in text
    assert text.startswith("<!doctype html>\n")
    assert text.count("<head>") == text.count("</head>") == 1
    assert len(re.findall(r"<title>[^<{]+</title>", text)) == 1
    assert 'href="/console/static/console.css"' in text


def test_every_page_file_is_served_or_shared() -> None:
    served = {*PAGES}
    shared = {p.name for p in STATIC.glob("_*.html")}
    assert {p.name for p in STATIC.glob("*.html")} == served | shared
