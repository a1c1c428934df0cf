#!/usr/bin/env bash
# Prints the one bundle folder (with a trailing /) that a `rampart run --reports-dir DIR` left in DIR.
# Each CI run gets its own DIR, so there is exactly one; anything else is an error (exit 2) rather
# than a guess at which run was meant.
# Usage: ci/scripts/one-bundle.sh DIR
set -euo pipefail
dir="${1:?usage: one-bundle.sh DIR}"
if [ ! -d "$dir" ]; then
  echo "one-bundle: $dir: no such folder (did the run start?)" >&2
  exit 2
fi
shopt -s nullglob
bundles=("$dir"/*/)
if [ "${#bundles[@]}" -ne 1 ]; then
  echo "one-bundle: $dir holds ${#bundles[@]} bundle folders, expected exactly 1" >&2
  exit 2
fi
printf '%s\n' "${bundles[0]}"
