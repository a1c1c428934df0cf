#!/usr/bin/env bash
# The pull-request job's A/B runs on one runner: for each side in ab-order.sh's order (base, head,
# base, head, ...), start that tree's platform on a fresh database, run the A/B profile against it
# with the head tree's Rampart (the same load generator, flows and measurement for both sides, so
# only the platform differs), then stop the platform. Each run gets its own reports folder
# OUT/<n>-<side>/, and its bundle is appended to OUT/base.list or OUT/head.list for ab-gate-args.sh.
# Usage: ci/scripts/ab-runs.sh HEAD_TREE BASE_TREE OUT [PAIRS]
# Env: PLATFORM_PORT (3000); AB_PROFILE, the profile run (pull-request, phases/pull-request.yml);
# AB_DURATION, passed to `rampart run --duration` when set.
# Exit 0 when every run produced a bundle; a run's exit 1 (an Artillery threshold) is left to the
# gate, which names each breach; a run's exit 2 or 3, or a platform that does not start, stops here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
head_tree="$(cd "${1:?usage: ab-runs.sh HEAD_TREE BASE_TREE OUT [PAIRS]}" && pwd)"
base_tree="$(cd "${2:?BASE_TREE}" && pwd)"
out="${3:?OUT}"
order_lines=$("$here/ab-order.sh" "${4:-2}")
mapfile -t order <<< "$order_lines"
port="${PLATFORM_PORT:-3000}"
profile="${AB_PROFILE:-pull-request}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
: > "$out/base.list"
: > "$out/head.list"
extra=()
if [ -n "${AB_DURATION:-}" ]; then extra+=(--duration "$AB_DURATION"); fi
n=0
for side in "${order[@]}"; do
  n=$((n + 1))
  tree="$base_tree"
  if [ "$side" = head ]; then tree="$head_tree"; fi
  echo "== run $n of ${#order[@]}: $side ($tree)"
  "$here/platform-start.sh" "$tree" "$port" "$out/.data-$n-$side" "$out/platform-$n-$side.log" "$out/platform.pid"
  code=0
  (cd "$head_tree" && node src/cli/rampart.ts run "$profile" --target "http://127.0.0.1:$port" --reports-dir "$out/$n-$side" "${extra[@]}") || code=$?
  "$here/platform-stop.sh" "$out/platform.pid"
  rm -rf "$out/.data-$n-$side"
  if [ "$code" -gt 1 ]; then
    echo "run $n ($side) exited $code: stopping the A/B runs" >&2
    exit "$code"
  fi
  "$here/one-bundle.sh" "$out/$n-$side" >> "$out/$side.list"
done
echo "A/B runs done: $(wc -l < "$out/base.list") base, $(wc -l < "$out/head.list") head"
