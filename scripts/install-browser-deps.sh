#!/usr/bin/env bash
# Debian's Chromium for the Playwright browser tests (Playwright's own browser
# download cannot work here), installed only when missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "browser-deps: /usr/bin/chromium is missing and this user cannot apt-get install it; browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
