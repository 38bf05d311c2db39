#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright and audit the pages with
# axe-core (npm, package-lock.json); install what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/apt_install.sh
command -v chromium >/dev/null 2>&1 || apt_install chromium "browser tests"
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null 2>&1 || apt_install npm "accessibility audit"
  npm ci --no-audit --no-fund --silent
fi
