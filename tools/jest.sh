#!/usr/bin/env bash
# Runs Jest on Node >= 22.12 with require(esm) enabled inside Jest's module loader
# (--experimental-vm-modules), so ESM-only dependencies load without being compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/node-env.sh
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--experimental-vm-modules --disable-warning=ExperimentalWarning"
exec node node_modules/jest/bin/jest.js --config test/jest.config.js "$@"
