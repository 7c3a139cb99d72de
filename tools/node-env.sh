# Sourced by the other tools/ scripts: puts a Node.js >= 22.12 first on PATH.
# The machine's own `node` when it is new enough; otherwise Node 24 LTS from the npm registry
# (package node-<os>-<arch>, the binary the `node` package installs), cached per version the way
# the MongoDB stand-in's jars are. npm itself then runs on that Node too (no EBADENGINE).
CACHEBOOK_NODE_VERSION="24.21.0"
cachebook_cache="${XDG_CACHE_HOME:-$HOME/.cache}/cachebook"

node_is_new_enough() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

if ! node_is_new_enough; then
  case "$(uname -s)" in Linux) node_os=linux ;; Darwin) node_os=darwin ;; *) node_os=unknown ;; esac
  case "$(uname -m)" in x86_64|amd64) node_arch=x64 ;; aarch64|arm64) node_arch=arm64 ;; *) node_arch=unknown ;; esac
  node_pkg="node-$node_os-$node_arch"
  node_prefix="$cachebook_cache/node-$CACHEBOOK_NODE_VERSION"
  node_bin="$node_prefix/node_modules/$node_pkg/bin"
  if [ ! -x "$node_bin/node" ]; then
    echo "setup: $(node --version 2>/dev/null || echo 'no node') is older than 22.12; fetching Node $CACHEBOOK_NODE_VERSION ($node_pkg) from the npm registry" >&2
    mkdir -p "$node_prefix"
    npm install --prefix "$node_prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "$node_pkg@$CACHEBOOK_NODE_VERSION" >&2
  fi
  export PATH="$node_bin:$PATH"
fi
