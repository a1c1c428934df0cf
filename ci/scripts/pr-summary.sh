#!/usr/bin/env bash
# Writes the pull request's performance summary to FILE: the gate's summary.md of the A/B
# comparison, the run order with each run's bundle, and the smoke gate's output.
# Usage: ci/scripts/pr-summary.sh AB_OUT SMOKE_OUT FILE
set -euo pipefail
ab="${1:?usage: pr-summary.sh AB_OUT SMOKE_OUT FILE}" smoke="${2:?SMOKE_OUT}" file="${3:?FILE}"
{
  if [ -s "$ab/primary" ] && [ -f "$(cat "$ab/primary")summary.md" ]; then
    cat "$(cat "$ab/primary")summary.md"
  else
    echo "**No A/B verdict**: the runs did not finish (see the job log)."
  fi
  echo
  echo '### Same-runner A/B runs'
  echo 'Base (the target branch) and head ran alternately on this runner; head is judged against these base runs.'
  echo
  for side in base head; do
    [ -f "$ab/$side.list" ] || continue
    while IFS= read -r bundle; do
      echo "- $side: \`$(basename "$(dirname "$bundle")")/$(basename "$bundle")\`"
    done < "$ab/$side.list"
  done
  if [ -f "$smoke/gate.txt" ]; then
    echo
    echo '### Smoke run (SLOs only)'
    echo '```'
    cat "$smoke/gate.txt"
    echo '```'
  fi
} > "$file"
