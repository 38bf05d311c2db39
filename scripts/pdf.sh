#!/usr/bin/env bash
# The report tests render the PDF report to PNG with poppler's pdftoppm
# (tests/bot/test_report.py); install Debian's poppler-utils when it is missing.
set -euo pipefail
command -v pdftoppm >/dev/null 2>&1 && exit 0
source "$(dirname "${BASH_SOURCE[0]}")/apt_install.sh"
apt_install poppler-utils "report tests"
