#!/usr/bin/env bash
# Rebuild src/healthcheck/publish/templates/plotly/plotly-healthcheck.min.js from the npm registry's
# plotly.js (the version plotly.py ships) with only the traces the reports draw. Needs node and npm.
# Only maplibre's stylesheet (for map traces, which the bundle leaves out) is written beside it and dropped.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
npm run --silent build
cp build/plotly-healthcheck.min.js ../../src/healthcheck/publish/templates/plotly/plotly-healthcheck.min.js
sha256sum ../../src/healthcheck/publish/templates/plotly/plotly-healthcheck.min.js
