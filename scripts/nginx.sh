#!/usr/bin/env bash
# The reverse-proxy tests run Debian's nginx (deploy/nginx/); install it when missing.
# Only the binary is used: the tests start their own nginx on free ports with their
# own prefix. (On a machine where services start on install, Debian's package also
# starts its default site on port 80; `systemctl disable --now nginx` stops it.)
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "error: nginx is missing; install it with: sudo apt-get install -y nginx" >&2
  exit 1
fi
echo "Installing Debian's nginx for the reverse-proxy tests ..."
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
