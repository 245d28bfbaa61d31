#!/bin/sh
# CI entry point of the headless Chromium test of examples/web: builds rose,
# installs playwright-core (npm ci), and runs billiards.test.mjs, which
# builds billiards.wasm, serves the page and checks it against the CLI.
# Needs Go, Node >= 20 and Chromium (Debian: apt-get install -y chromium;
# elsewhere set CHROMIUM to its path).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/rose" ./cmd/rose)
cd "$here"
npm ci --no-audit --no-fund
ROSE="$bin/rose" node billiards.test.mjs
