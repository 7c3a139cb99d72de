#!/usr/bin/env bash
# `npm ci` from the lock, then a check of what it printed: every `npm warn` line must match an
# entry of tools/npm-ci-warnings.allow. With CI=true (or --strict) an unlisted warning fails the
# run; otherwise it is reported and the install stands. Extra arguments go to npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/node-env.sh

strict=false
[ "${CI:-}" = true ] && strict=true
if [ "${1:-}" = --strict ]; then strict=true; shift; fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
npm ci --no-audit --no-fund "$@" 2>&1 | tee "$log"

# The allow-list: one extended regex per line; '#' lines and blank lines are comments.
patterns=$(grep -v -E '^[[:space:]]*(#|$)' tools/npm-ci-warnings.allow || true)
warnings=$(grep -i -E '^npm warn' "$log" || true)
if [ -n "$patterns" ]; then
  unexpected=$(printf '%s\n' "$warnings" | grep -v -E -f <(printf '%s\n' "$patterns") || true)
else
  unexpected=$warnings
fi

if [ -n "$unexpected" ]; then
  count=$(printf '%s\n' "$unexpected" | wc -l)
  echo "npm-ci: $count warning line(s) not on tools/npm-ci-warnings.allow (see docs/operations/install.md):" >&2
  printf '%s\n' "$unexpected" | sed 's/^/  | /' >&2
  if [ "$strict" = true ]; then exit 1; fi
else
  echo "npm-ci: no warning off the allow-list"
fi
