#!/usr/bin/env bash
# The arguments of `rampart gate` for the A/B runs that ab-runs.sh listed in OUT: the head bundles
# as candidate runs (the first receives gate.json and the re-rendered report), then one
# `--baseline <bundle>` per base bundle, so head is judged against base runs made on the same
# runner in the same job. One argument per line. Exit 2 when a side has no run or a listed bundle
# is missing.
# Usage: ci/scripts/ab-gate-args.sh OUT
set -euo pipefail
out="${1:?usage: ab-gate-args.sh OUT}"
for side in head base; do
  if [ ! -s "$out/$side.list" ]; then
    echo "ab-gate-args: $out/$side.list lists no $side run" >&2
    exit 2
  fi
  while IFS= read -r bundle; do
    if [ ! -d "$bundle" ]; then
      echo "ab-gate-args: $side bundle $bundle is missing" >&2
      exit 2
    fi
    if [ "$side" = base ]; then printf -- '--baseline\n'; fi
    printf '%s\n' "$bundle"
  done < "$out/$side.list"
done
