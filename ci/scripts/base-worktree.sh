#!/usr/bin/env bash
# Checks out the pull request's base in a second worktree at DIR. On a pull_request event the
# checked-out commit is GitHub's merge of the PR into its target branch, so the base is that merge's
# first parent: exactly the target-branch commit the head is measured against. A REV can be given
# instead (e.g. a SHA). Prints the base commit.
# Usage: ci/scripts/base-worktree.sh DIR [REV]
# Exit 2 when no REV is given and HEAD is not a merge commit (the base would be a guess).
set -euo pipefail
dir="${1:?usage: base-worktree.sh DIR [REV]}"
rev="${2:-}"
if [ -z "$rev" ]; then
  if ! git rev-parse --verify --quiet 'HEAD^2' > /dev/null; then
    echo "base-worktree: HEAD is not a merge commit; give the base commit as REV" >&2
    exit 2
  fi
  rev='HEAD^1'
fi
base=$(git rev-parse --verify "$rev^{commit}")
git worktree add --detach "$dir" "$base" > /dev/null 2>&1
echo "$base"
