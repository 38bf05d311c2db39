"""Browser tests: Debian's chromium, driven by Playwright, on the real stack."""
