#!/usr/bin/env bash
# In CI, fails when the API.md that jsii-docgen just wrote differs from the committed one.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${CI:-}" ]]; then
  exit 0
fi
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check-api-md: not a git working tree, skipping the API.md check"
  exit 0
fi

if ! git ls-files --error-unmatch API.md >/dev/null 2>&1 || ! git diff --quiet -- API.md; then
  git --no-pager diff --stat -- API.md || true
  echo "check-api-md: API.md is stale or not committed. Run 'npx projen build' and commit API.md." >&2
  exit 1
fi
echo "check-api-md: API.md is up to date"
