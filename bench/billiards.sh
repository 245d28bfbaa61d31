#!/usr/bin/env bash
# Runs the billiards workload in the original Rose (npm rose 0.4.10, compiled
# to WebAssembly and run by Node) and in this toolchain's reference
# evaluator, one after the other on the same machine, and prints both
# medians. Needs node and npm; the original's scripts are read from
# ../shared/reference/rose-npm and copied to a temporary folder.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ref=${ROSE_NPM:-$here/../shared/reference/rose-npm}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$ref"/. "$work"/
(cd "$work" && npm ci --silent >/dev/null 2>&1)
echo "== original Rose (Wasm in Node), billiards 11 balls x 1024 steps"
(cd "$work" && INTERP=0 OPT_ITERS=0 CALL_SAMPLES=${CALL_SAMPLES:-10} COLD_REPS=1 BUILD_REPS=2 node billiards.mjs >/dev/null 2>&1 || true)
node -e '
const r = require(process.argv[1]);
const find = (o, path = []) => { for (const [k, v] of Object.entries(o)) { if (v && typeof v === "object") find(v, path.concat(k)); else if (/median/i.test(k) && /call|forward|grad|vjp/i.test(path.join("."))) console.log(path.concat(k).join("."), "=", v); } };
find(r);
' "$work/results/billiards.json" || cat "$work/results/billiards.json" | head -50
echo "== this toolchain (reference evaluator)"
cd "$here"
go run ./cmd/rose bench --samples ${SAMPLES:-5} examples/billiards.rose
