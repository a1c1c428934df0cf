#!/usr/bin/env bash
# Main's baseline runs: RUNS times, start the platform on a fresh database, run the baseline profile,
# stop the platform, and judge the run with --update-baseline, which appends it to
# ci/baselines/baseline.json (the newest 5 runs are kept; an untrustworthy run is never recorded; a
# slower run is recorded, as main's new truth, and the job goes red). Each run's summary.md is
# appended to SUMMARY; the worst gate exit code goes to OUT/gate.exit.
# Usage: ci/scripts/baseline-runs.sh RUNS OUT SUMMARY      Env: PLATFORM_PORT (3000)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:?usage: baseline-runs.sh RUNS OUT SUMMARY}" out="${2:?OUT}" summary="${3:?SUMMARY}"
if ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 10 ]; then
  echo "baseline-runs: RUNS must be a whole number from 1 to 10, got '$runs'" >&2
  exit 2
fi
port="${PLATFORM_PORT:-3000}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
worst=0
for i in $(seq 1 "$runs"); do
  "$here/platform-start.sh" . "$port" "$out/.data-$i" "$out/platform-$i.log" "$out/platform.pid"
  code=0
  node src/cli/rampart.ts run baseline --target "http://127.0.0.1:$port" --reports-dir "$out/$i" || code=$?
  "$here/platform-stop.sh" "$out/platform.pid"
  rm -rf "$out/.data-$i"
  if [ "$code" -gt 1 ]; then
    echo "baseline run $i exited $code: not recorded" >&2
    if [ "$code" -gt "$worst" ]; then worst=$code; fi
    continue
  fi
  bundle=$("$here/one-bundle.sh" "$out/$i")
  code=0
  node src/cli/rampart.ts gate "$bundle" --update-baseline || code=$?
  cat "${bundle}summary.md" >> "$summary" 2>/dev/null || true
  if [ "$code" -gt "$worst" ]; then worst=$code; fi
done
echo "$worst" > "$out/gate.exit"
