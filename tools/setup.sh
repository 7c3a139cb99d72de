#!/usr/bin/env bash
# Idempotent set-up run before `npm start` (runtime) and `npm test` (test).
# Installs only what is missing: Node >= 22.12 (node-env.sh), npm packages (`npm ci` from the lock),
# the MongoDB stand-in's jars (Maven Central, cached like mongodb-memory-server caches its binary)
# and, through apt when running as root, redis-server (both modes), chromium and prometheus (tests).
set -euo pipefail
mode="${1:-runtime}"
cd "$(dirname "$0")/.."
. tools/node-env.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci, Node $(node --version))"
  bash tools/npm-ci.sh
fi

# The stand-in is only needed when no MongoDB is given and no mongod binary exists.
standin_dir="${MONGO_STANDIN_DIR:-$cachebook_cache/mongo-standin-1.47.0}"
if [ -z "${MONGODB_URI:-}" ] && [ ! -f "$standin_dir/.complete" ]; then
  if command -v mvn >/dev/null 2>&1; then
    echo "setup: fetching the MongoDB stand-in's jars into $standin_dir"
    mkdir -p "$standin_dir"
    # Maven's output (colour resets even with -B) is shown only when it fails.
    mvn_log=$(mktemp)
    if mvn -q -B -f tools/mongo-standin/pom.xml dependency:copy-dependencies -DoutputDirectory="$standin_dir" >"$mvn_log" 2>&1; then
      touch "$standin_dir/.complete"
    else
      cat "$mvn_log" >&2
    fi
    rm -f "$mvn_log"
  else
    echo "setup: Maven not found; set MONGODB_URI or install a mongod binary" >&2
  fi
fi

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing $* (apt)"
    (apt-get install -y -qq "$@" >/dev/null 2>&1) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null)
  else
    echo "setup: please install $* (not root, cannot apt-get)" >&2
  fi
}

command -v redis-server >/dev/null 2>&1 || [ -n "${REDIS_URL:-}" ] || apt_install redis-server || true
if [ "$mode" = test ]; then
  [ -x /usr/bin/chromium ] || apt_install chromium
  # The alerting suite starts a real Prometheus; tools/check-alerts.sh runs promtool.
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || apt_install prometheus

  # The OpenAPI contract suite (test/contract) runs schemathesis from PyPI, pinned, in its own venv.
  # The version is also named in test/contract/schemathesis.ts.
  schemathesis_version=4.32.5
  schemathesis_dir="${SCHEMATHESIS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cachebook/schemathesis-$schemathesis_version}"
  if [ ! -f "$schemathesis_dir/.complete" ]; then
    command -v python3 >/dev/null 2>&1 || apt_install python3
    python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
    echo "setup: installing schemathesis $schemathesis_version into $schemathesis_dir (PyPI)"
    rm -rf "$schemathesis_dir"
    python3 -m venv "$schemathesis_dir" \
      && "$schemathesis_dir/bin/pip" install -q --disable-pip-version-check "schemathesis==$schemathesis_version" \
      && touch "$schemathesis_dir/.complete"
  fi
fi
