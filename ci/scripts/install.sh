#!/usr/bin/env bash
# Installs one source tree's dependencies exactly as its package-lock.json says (npm ci), so each
# side of the A/B comparison runs its own platform with its own dependencies.
# Usage: ci/scripts/install.sh TREE
set -euo pipefail
cd "${1:?usage: install.sh TREE}"
npm ci --no-audit --no-fund
