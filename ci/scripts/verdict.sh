#!/usr/bin/env bash
# The job's verdict from the gates' exit codes files (written by pr-gate.sh and pr-smoke.sh, or by
# baseline-runs.sh on main), each as a GitHub error annotation. A missing file means that stage
# never judged anything, which fails too.
# Usage: ci/scripts/verdict.sh GATE_EXIT_FILE [SMOKE_EXIT_FILE]
# Exit: the gate's code (1 regression or breached SLO, 2 bad input, 3 untrustworthy), else the smoke's.
set -euo pipefail
gate_file="${1:?usage: verdict.sh GATE_EXIT_FILE [SMOKE_EXIT_FILE]}" smoke_file="${2:-}"
if [ ! -s "$gate_file" ]; then
  echo "::error::the gate did not run (see the earlier steps)"
  exit 2
fi
code=$(cat "$gate_file")
case "$code" in
  0) ;;
  1) echo "::error::performance regression or breached SLO (see the summary)"; exit 1 ;;
  3) echo "::error::the run could not be trusted (generator saturated or target unhealthy); rerun the job"; exit 3 ;;
  *) echo "::error::the gate failed (exit $code)"; exit 2 ;;
esac
if [ -n "$smoke_file" ]; then
  smoke=$(cat "$smoke_file" 2>/dev/null || echo missing)
  if [ "$smoke" != 0 ]; then
    echo "::error::the smoke run's SLO gate did not pass (exit $smoke)"
    exit 1
  fi
fi
echo "performance gate passed"
