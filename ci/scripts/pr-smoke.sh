#!/usr/bin/env bash
# Smoke run of the head tree: every workflow once against a fresh platform, proving the flows still
# work, then its SLOs (too short to compare with a baseline). The gate's output goes to OUT/gate.txt
# and its exit code to OUT/gate.exit for the summary and the verdict.
# Usage: ci/scripts/pr-smoke.sh HEAD_TREE OUT          Env: PLATFORM_PORT (3000)
# Exit: the run's exit code when the smoke run itself failed (1 stops the job here too); else 0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tree="$(cd "${1:?usage: pr-smoke.sh HEAD_TREE OUT}" && pwd)"
out="${2:?OUT}"
port="${PLATFORM_PORT:-3000}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
"$here/platform-start.sh" "$tree" "$port" "$out/.data" "$out/platform.log" "$out/platform.pid"
code=0
(cd "$tree" && node src/cli/rampart.ts run smoke --target "http://127.0.0.1:$port" --reports-dir "$out/run") || code=$?
"$here/platform-stop.sh" "$out/platform.pid"
rm -rf "$out/.data"
[ "$code" -eq 0 ] || { echo "the smoke run exited $code" >&2; exit "$code"; }
bundle=$("$here/one-bundle.sh" "$out/run")
gate=0
(cd "$tree" && node src/cli/rampart.ts gate "$bundle" --no-report) > "$out/gate.txt" 2>&1 || gate=$?
echo "$gate" > "$out/gate.exit"
cat "$out/gate.txt"
