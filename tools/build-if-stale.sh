#!/usr/bin/env bash
# Compiles src/ into dist/ only when a source or build setting changed since the last build
# (make-style: anything newer than dist/.build-stamp). Force a rebuild with `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=dist/.build-stamp
if [ -f "$stamp" ] && [ -z "$(find src tsconfig.json tsconfig.build.json nest-cli.json package-lock.json -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
echo "build: sources changed since the last build, compiling (nest build)" >&2
started=$(mktemp)
node_modules/.bin/nest build
mv "$started" "$stamp" # the stamp's time is the build's start: an edit made during the build is seen next time
