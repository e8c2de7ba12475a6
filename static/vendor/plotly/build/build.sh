#!/bin/sh
# Rebuild static/vendor/plotly/plotly-wcc.min.js (build time only; needs Node.js + npm
# and the npm registry). Works in a scratch folder so no node_modules lands in the repo.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/wcc-plotly-build}
mkdir -p "$WORK"
cp "$HERE/entry.js" "$HERE/core-wcc.js" "$HERE/no-projections.js" "$HERE/package.json" "$HERE/licenses.js" "$WORK/"
cd "$WORK"
npm install --no-audit --no-fund
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2016 \
  --define:global=window --define:define.amd=false --loader:.css=empty --legal-comments=eof \
  --alias:d3-geo-projection=./no-projections.js \
  "--banner:js=/*! plotly.js v3.7.0 custom bundle for WCC Network: trimmed core (scatter) + bar + heatmap + choropleth + scattergeo (Mercator). (c) Plotly, Inc., MIT License, see LICENSE. Built with esbuild 0.28.2, see BUILD.md */" \
  --metafile=meta.json --outfile=plotly-wcc.min.js
node licenses.js meta.json THIRD-PARTY-LICENSES.txt
cp plotly-wcc.min.js THIRD-PARTY-LICENSES.txt "$HERE/../"
cp node_modules/plotly.js/LICENSE "$HERE/../LICENSE"
ls -l "$HERE/../plotly-wcc.min.js"
sha256sum "$HERE/../plotly-wcc.min.js" 2>/dev/null || shasum -a 256 "$HERE/../plotly-wcc.min.js"
