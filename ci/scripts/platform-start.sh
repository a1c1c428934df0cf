#!/usr/bin/env bash
# Starts the reference platform of one source tree in the background and waits until it answers
# /ready. Each call gets a fresh data folder, so every run starts from the same freshly seeded
# database. The platform's PID goes to PIDFILE for platform-stop.sh.
# Usage: ci/scripts/platform-start.sh TREE PORT DATA_DIR LOG PIDFILE [READY_SECONDS (default 90)]
# Exit 0 ready; 3 the platform died or was not ready in time (its log is printed).
set -euo pipefail
tree="${1:?usage: platform-start.sh TREE PORT DATA_DIR LOG PIDFILE [READY_SECONDS]}"
port="${2:?PORT}" data="${3:?DATA_DIR}" log="${4:?LOG}" pidfile="${5:?PIDFILE}" wait_s="${6:-90}"
mkdir -p "$(dirname "$log")" "$(dirname "$pidfile")"
rm -rf "$data"
(cd "$tree" && PORT="$port" DATA_DIR="$data" LOG_LEVEL=warn exec nohup node platform/server.ts) > "$log" 2>&1 &
pid=$!
echo "$pid" > "$pidfile"
for _ in $(seq 1 "$wait_s"); do
  if curl -fsS "http://127.0.0.1:$port/ready" > /dev/null 2>&1; then
    echo "platform of $tree ready on port $port (pid $pid)"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the platform of $tree exited before it was ready; its log:" >&2
    cat "$log" >&2
    exit 3
  fi
  sleep 1
done
echo "the platform of $tree was not ready after ${wait_s}s; its log:" >&2
cat "$log" >&2
kill "$pid" 2>/dev/null || true
exit 3
