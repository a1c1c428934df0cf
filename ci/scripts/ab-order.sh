#!/usr/bin/env bash
# The order of the pull-request job's A/B runs: base, head, base, head, ... for PAIRS pairs (default 2),
# one side per line. Alternating spreads the runner's drift over both sides instead of giving all of
# it to whichever side ran second. At least 2 pairs: the gate needs two runs of a side to call an
# absolute slowdown (docs/gate.md, "Relative to the other endpoints").
# Usage: ci/scripts/ab-order.sh [PAIRS]     exit 2 on a bad PAIRS
set -euo pipefail
pairs="${1:-2}"
if ! [[ "$pairs" =~ ^[0-9]+$ ]] || [ "$pairs" -lt 2 ] || [ "$pairs" -gt 10 ]; then
  echo "ab-order: PAIRS must be a whole number from 2 to 10, got '$pairs'" >&2
  exit 2
fi
for _ in $(seq 1 "$pairs"); do
  printf 'base\nhead\n'
done
