#!/usr/bin/env bash
# The reverse-proxy tests run Debian's nginx (deploy/nginx/); install it when missing.
# Only the binary is used: the tests start their own nginx on free ports with their
# own prefix. (On a machine where services start on install, Debian's package also
# starts its default site on port 80; `systemctl disable --now nginx` stops it.)
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/apt_install.sh"
apt_install nginx "reverse-proxy tests"
