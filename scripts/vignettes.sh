#!/usr/bin/env bash
# Score the CLI on the shared example vignettes; skip cleanly when ../shared is absent.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
check="$here/../shared/vignettes/check.py"
if [ ! -f "$check" ]; then
  echo "vignettes: ../shared/vignettes not found, skipped"
  exit 0
fi
PATH="$here/.venv/bin:$PATH" python3 "$check" "$here/../shared/vignettes/public.json"
