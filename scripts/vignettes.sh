#!/usr/bin/env bash
# Score the CLI on the shared example vignettes; skip cleanly when ../shared is absent.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
check="$here/../shared/vignettes/check.py"
if [ ! -f "$check" ]; then
  echo "vignettes: ../shared/vignettes not found, skipped"
  exit 0
fi
# Both files: the v1 cases and the v1.1 ones (NHS warning signs, safety net, to_ask, locale).
status=0
for f in public.json public-v1.1.json; do
  if [ -f "$here/../shared/vignettes/$f" ]; then
    echo "vignettes: $f"
    PATH="$here/.venv/bin:$PATH" python3 "$check" "$here/../shared/vignettes/$f" || status=1
  fi
done
exit $status
