#!/usr/bin/env bash
# Runs a command with Node >= 22.12 first on PATH (see node-env.sh): `bash tools/with-node.sh node dist/main`.
set -euo pipefail
. "$(dirname "$0")/node-env.sh"
exec "$@"
