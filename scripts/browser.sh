#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright; install it when missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/apt_install.sh"
apt_install chromium "browser tests"
