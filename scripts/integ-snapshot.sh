#!/usr/bin/env bash
# Checks the integration test's committed snapshot against a fresh synth (never deploys).
# With "update", rewrites the snapshot instead: run it after a change to the library and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
app="npx ts-node --project tsconfig.dev.json {filePath}"
if [ "${1:-}" = "update" ]; then
  npx integ-runner --directory test --language typescript --app "$app" --dry-run --update-on-failed
else
  npx integ-runner --directory test --language typescript --app "$app"
fi
