#!/usr/bin/env bash
# Commits ci/baselines/baseline.json back to main when the baseline runs changed it ([skip ci], so
# the commit does not start the workflow again), rebasing onto a main that moved meanwhile.
# Usage: ci/scripts/commit-baseline.sh           Env: GITHUB_SHA (the measured commit)
set -euo pipefail
git config user.name "rampart-baseline[bot]"
git config user.email "rampart-baseline@users.noreply.github.com"
git add ci/baselines/baseline.json
if git diff --cached --quiet; then
  echo "baseline unchanged"
  exit 0
fi
git commit -m "ci: refresh the performance baseline from ${GITHUB_SHA:0:8} [skip ci]"
git pull --rebase origin main
git push origin HEAD:main
