#!/usr/bin/env bash
# Judges head against base from the A/B runs in OUT: `rampart gate <head bundles> --baseline <base
# bundle>...` with the head tree's SLOs (ci/slo/). No --repeat: more runs would be of head only and
# break the alternation. Writes the gate's exit code to OUT/gate.exit and the first head bundle (the
# one that holds gate.json and summary.md) to OUT/primary.
# Usage: ci/scripts/pr-gate.sh HEAD_TREE OUT
# Exit 0 whatever the verdict (ci/scripts/verdict.sh decides at the end, after the report is posted);
# 2 when the A/B runs left nothing to judge.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tree="$(cd "${1:?usage: pr-gate.sh HEAD_TREE OUT}" && pwd)"
out="$(cd "${2:?OUT}" && pwd)"
arg_lines=$("$here/ab-gate-args.sh" "$out")
mapfile -t args <<< "$arg_lines"
printf '%s\n' "${args[0]}" > "$out/primary"
code=0
(cd "$tree" && node src/cli/rampart.ts gate "${args[@]}") || code=$?
echo "$code" > "$out/gate.exit"
