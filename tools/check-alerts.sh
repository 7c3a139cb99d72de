#!/usr/bin/env bash
# Checks deploy/prometheus with promtool (Debian's `prometheus` package; tools/setup.sh test installs
# it): the config's syntax (its token file exists only where Prometheus runs), the rules, and the
# rules' unit tests (one file per rule group in deploy/prometheus/tests).
set -euo pipefail
cd "$(dirname "$0")/../deploy/prometheus"
promtool check config --syntax-only prometheus.yml
promtool check rules alerts.yml
promtool test rules tests/*.test.yml
