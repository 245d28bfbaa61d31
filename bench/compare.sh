#!/usr/bin/env bash
# Runs the four workloads (billiards, mass-spring, Rosenbrock n=1000,
# ADBench GMM 1k d=2 K=5 and d=10 K=25) every way we have, one after the
# other on this machine, and prints one table of medians and ratios:
#
#   1. hand-written Go (bench/handgo), the practical limit;
#   2. our evaluator (Func.Call / Func.Grad, as `rose bench` uses them);
#   3. our compiled engine, `rose bench --engine compiled`;
#   4. our exported .wasm in Node (`rose build`, timed by bench/compare/node_bench.mjs);
#   5. the original Rose, npm rose 0.4.10, from its scripts in
#      ../shared/reference/rose-npm (copied to a temporary folder; never run in place).
#
# The table goes to standard output and, with the date, the machine and the
# commands, to bench/RESULTS.md. About 5 minutes; not part of CI.
#
#   bench/compare.sh
#   COUNT=10 SAMPLES=9 bench/compare.sh
#   GMM_LARGE=0 bench/compare.sh         # without GMM d=10 K=25
#   OUT=/tmp/r.md bench/compare.sh       # write the report elsewhere
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
count=${COUNT:-5}
samples=${SAMPLES:-5}
shared=${SHARED:-$here/../shared}
ref=${ROSE_NPM:-$shared/reference/rose-npm}
adbench=${ADBENCH:-$shared/data/adbench}
out=${OUT:-$here/bench/RESULTS.md}
export GMM_LARGE=${GMM_LARGE:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/args" "$work/compiled" "$work/wasm" "$work/rose"
commands=()
step() { echo "== $*" >&2; }
record() { commands+=("$*"); }

start=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

step "building the rose command and the workloads' argument files"
go build -o "$work/rose-cli" ./cmd/rose
go run ./bench/compare args -adbench "$adbench" "$work/args"
record "go build -o rose ./cmd/rose"

step "1, 2: hand-written Go and our evaluator (go test -bench, -count $count)"
cmd=(go test -run XXX -bench 'BenchmarkHand|BenchmarkEval' -count "$count" ./bench/handgo)
record "GMM_LARGE=$GMM_LARGE go test -run XXX -bench 'BenchmarkHand|BenchmarkEval' -count $count ./bench/handgo"
"${cmd[@]}" | tee "$work/go.txt" | grep -E '^Benchmark' >&2

step "3: our compiled engine"
if "$work/rose-cli" bench --engine compiled --json --samples 1 -f rosenbrock --args '[[1.0, 2.0, 3.0]]' examples/rosenbrock.rose >/dev/null 2>&1; then
  go run ./bench/compare list | while read -r name file fn wrt; do
    [ "$name" = gmm_d10_K25 ] && [ "$GMM_LARGE" = 0 ] && continue
    cmd=("$work/rose-cli" bench --engine compiled --json --samples "$samples" -f "$fn" --args "@args/$name.json")
    [ -n "$wrt" ] && cmd+=(--wrt "$wrt")
    cmd+=("$file")
    echo "rose ${cmd[*]:1}" >>"$work/compiled/commands"
    "${cmd[@]/@args/@$work/args}" >"$work/compiled/$name.json" || rm -f "$work/compiled/$name.json"
  done
  while read -r c; do record "$c"; done <"$work/compiled/commands"
else
  echo "n/a (no compiled engine yet)" >"$work/compiled/reason"
  record "rose bench --engine compiled ... (rejected: no compiled engine yet)"
fi

step "4: our exported .wasm in Node"
if command -v node >/dev/null && "$work/rose-cli" help build >/dev/null 2>&1; then
  go run ./bench/compare list | while read -r name file fn wrt; do
    [ "$name" = gmm_d10_K25 ] && [ "$GMM_LARGE" = 0 ] && continue
    # The module exports fn at the argument file's sizes and its whole
    # gradient (for GMM more than the --wrt subset the other columns time).
    "$work/rose-cli" build "$file" -o "$work/wasm/$name.wasm" -f "$fn" --args "@$work/args/$name.json" >/dev/null
    echo "rose build $file -o $name.wasm -f $fn --args @args/$name.json && node bench/compare/node_bench.mjs $name.js $fn args/$name.json $samples" >>"$work/wasm/commands"
    node bench/compare/node_bench.mjs "$work/wasm/$name.js" "$fn" "$work/args/$name.json" "$samples" >"$work/wasm/$name.json" || rm -f "$work/wasm/$name.json"
  done
  while read -r c; do record "$c"; done <"$work/wasm/commands"
else
  echo "n/a (no node or no rose build)" >"$work/wasm/reason"
  record "node or rose build missing"
fi

step "5: the original Rose (npm rose 0.4.10 in Node)"
if command -v node >/dev/null && command -v npm >/dev/null && [ -d "$ref" ]; then
  cp -r "$ref"/. "$work/rose/"
  rm -rf "$work/rose/results" "$work/rose/node_modules"
  (cd "$work/rose" && npm ci --no-audit --no-fund --silent >/dev/null 2>&1)
  record "cp -r ../shared/reference/rose-npm \$TMP && cd \$TMP && npm ci"
  for run in "INTERP=0 OPT_ITERS=0 COLD_REPS=1 BUILD_REPS=2 CALL_SAMPLES=${CALL_SAMPLES:-10} node billiards.mjs" \
    "INTERP=0 OPT_ITERS=0 COLD_REPS=1 BUILD_REPS=2 CALL_SAMPLES=${CALL_SAMPLES:-10} node mass_spring.mjs" \
    "MICRO_NS=1000 SAMPLES=${MICRO_SAMPLES:-15} node micro.mjs"; do
    record "$run"
    (cd "$work/rose" && env $run >"$work/rose/$(echo "$run" | grep -o '[a-z_]*\.mjs').log" 2>&1) ||
      echo "failed: $run (see its log)" >&2
  done
  rose_dir=$work/rose/results
else
  rose_dir=$work/rose/none
fi
node_version=$(node --version 2>/dev/null || echo none)

step "table"
go run ./bench/compare table -go "$work/go.txt" -compiled "$work/compiled" -wasm "$work/wasm" -rose "$rose_dir" >"$work/table.md"
cat "$work/table.md"

{
  echo "# Benchmarks side by side: hand-written Go, our evaluator, our compiled engine, our .wasm, the original Rose"
  echo
  echo "Written by \`bench/compare.sh\`; every figure below is from one run of it, one way after the other on one machine."
  echo
  echo "- **Date:** $start (load average at the start $load_start, at the end $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "- **Machine:** $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(uname -sm)"
  echo "- **Go:** $(go version | sed 's/^go version //'); **Node:** $node_version; commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/RESULTS.md' || echo ' plus uncommitted changes')"
  echo
  cat "$work/table.md"
  echo
  echo "## Commands"
  echo
  echo '```sh'
  printf '%s\n' "${commands[@]}"
  echo '```'
  cat <<'NOTES'

## What each column measures

- **hand-written Go** (`bench/handgo`): value, and value with a gradient by a reverse mode
  derived by hand, standard library only, buffers reused between calls. The billiards adjoint
  revisits only the pairs that collided (the program's `if` sends no gradient into the branch
  not taken). The tests in `bench/handgo` check every one against the `.rose` program run by
  our evaluator: bitwise for Rosenbrock (value and all 1000 gradient entries), for the
  billiards loss, the mass-spring loss and the GMM objective; the gradients of billiards (3 of
  the 4 cue entries bitwise, all within 1e-15), mass-spring (within 3e-15 relative to the
  largest entry) and GMM (within 1e-13) differ only in the order in which contributions are
  added up, which a hand-written adjoint does not mirror. GMM also passes ADBench's
  acceptance test against its golden gradients (rho < 1e-13, the bound is 1e-8).
- **our evaluator**: `Func.Call` and `Func.Grad` (`GradWrt` by alphas, means and icf for GMM)
  of the root package on the `.rose` programs of `examples/`, as `rose bench` calls them.
- **our compiled engine**: `rose bench --engine compiled --json`, median of its samples.
- **our .wasm in Node**: `rose build -f NAME --args` (the module of the function at the
  workload's sizes and its gradient), called through the generated ES module with plain JS
  arrays by `bench/compare/node_bench.mjs`, median of its samples; like the original Rose's
  figures it includes marshalling the arguments into and the results out of linear memory.
  For GMM the module's gradient is the whole one, where the other columns time the gradient
  by alphas, means and icf only.
- **original Rose**: wall-clock medians per call that its scripts record (`perCall.forwardLoss`
  and `perCall.lossAndGrad`; for Rosenbrock the `sum` style at n=1000), which include Rose's
  JS-side marshalling of arguments and results. Run without the interpreter and the
  gradient-descent experiments (`INTERP=0 OPT_ITERS=0`, one cold build), which only shortens
  the run. The original Rose has no GMM, so that column is empty there.
- Rosenbrock is evaluated at the original's point x_i = (i even ? -1.2 : 1.0) + i/1000 in every
  column; mass-spring at the reference weights (xorshift32, seed 42); billiards at the
  reference shot.
NOTES
} >"$out"
echo "wrote $out" >&2
