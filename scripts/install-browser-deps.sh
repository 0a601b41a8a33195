#!/usr/bin/env bash
# What the browser tests need, each installed only when missing:
# - Debian's Chromium (Playwright's own browser download cannot work here);
# - axe-core from npm, into the project-local, git-ignored .cache/axe;
# - wrk, the load client `make bench` prefers for the web figures.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "browser-deps: missing ${missing[*]} and this user cannot apt-get install it; browser tests skip without chromium, make bench falls back to its own load client without wrk" >&2
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

axe="$here/.cache/axe/node_modules/axe-core/axe.min.js"
if [ ! -f "$axe" ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$here/.cache/axe"
    npm install --silent --no-audit --no-fund --no-save --prefix "$here/.cache/axe" "axe-core@^4.10" >/dev/null
  else
    echo "browser-deps: npm is missing, so axe-core cannot be installed; the accessibility checks will be skipped" >&2
  fi
fi
