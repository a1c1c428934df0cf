#!/usr/bin/env bash
# Stops the platform whose PID platform-start.sh wrote, and waits until it has exited (it closes its
# embedded PostgreSQL first), so the next run can take the same port. Nothing to stop is not an error.
# Usage: ci/scripts/platform-stop.sh PIDFILE [WAIT_SECONDS (default 40)]
set -euo pipefail
pidfile="${1:?usage: platform-stop.sh PIDFILE [WAIT_SECONDS]}" wait_s="${2:-40}"
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
rm -f "$pidfile"
kill -TERM "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 "$wait_s"); do
  kill -0 "$pid" 2>/dev/null || exit 0
  sleep 1
done
echo "the platform (pid $pid) did not stop in ${wait_s}s; killing it" >&2
kill -KILL "$pid" 2>/dev/null || true
