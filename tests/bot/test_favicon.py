"""The site's icon (bot/web.py): ``/favicon.ico``, where every browser looks, is no
404 on any page, and each page names the icon itself (issue 18)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.stack


def test_the_icon_is_served_and_every_page_links_it(gateway_url: str) -> None:
    with httpx.Client(base_url=gateway_url, timeout=30) as http:
        for path in ("/favicon.ico", "/favicon.svg"):
            icon = http.get(path)
            assert icon.status_code == 200, path
            assert icon.headers["content-type"].startswith("image/svg+xml")
            assert icon.text.startswith("<svg")
        for page in ("/", "/console/login"):
            html = http.get(page).text
            assert '<link rel="icon" href="/favicon.svg"' in html, page
