#!/usr/bin/env bash
# Reproduces the Rose paper's two experiments with `rose opt`, next to the
# original Rose running its own (npm rose 0.4.10, the scripts of
# ../shared/reference/rose-npm, copied to a temporary folder), in one
# sitting, and measures the optimizer's overhead per iteration against the
# gradient alone. Writes bench/WORKLOADS.md. About 3 minutes; not in CI.
#
#   bench/workloads.sh
#   ROSE_NPM=0 bench/workloads.sh     # without the original Rose
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
shared=${SHARED:-$here/../shared}
ref=$shared/reference/rose-npm
out=${OUT:-$here/bench/WORKLOADS.md}
work=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
step() { echo "== $*" >&2; }
start=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
go build -o "$work/rose" ./cmd/rose
rose=$work/rose

# opt NAME ARGS...: runs rose opt with a trace; the wall time in seconds.
opt() {
  local name=$1
  shift
  local t0 t1
  t0=$(date +%s.%N)
  "$rose" opt "$@" --trace "$work/$name.jsonl" >"$work/$name.json" 2>"$work/$name.err"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l >"$work/$name.wall"
}

step "billiards: 200 steps of gradient descent, learning rate 0.01"
opt billiards-gd examples/billiards.rose -f loss --method gd --step 0.01 --max-iter 200
step "billiards: L-BFGS, BFGS and CG, 300 evaluations at most"
for m in lbfgs bfgs cg; do opt "billiards-$m" examples/billiards.rose -f loss --method $m --max-evals 300; done
step "mass-spring: 100 steps of clipped gradient descent"
opt ms-gd examples/mass_spring.rose -f walk --method gd --clip 0.2 --max-iter 100
step "mass-spring: L-BFGS, 100 evaluations at most"
opt ms-lbfgs examples/mass_spring.rose -f walk --max-evals 100

step "the optimizer's overhead on billiards (go test -bench)"
go test -run XXX -bench 'Billiards(Gradients|Descent)$' -benchtime 5x -count 5 ./opt >"$work/bench.txt"

npm_status="not run"
if [ "${ROSE_NPM:-1}" != 0 ] && command -v node >/dev/null && command -v npm >/dev/null && [ -d "$ref" ]; then
  step "the original Rose: both experiments (npm ci, then about a minute)"
  cp -r "$ref" "$work/npm"
  rm -rf "$work/npm/results" "$work/npm/node_modules"
  mkdir -p "$work/npm/results"
  if (cd "$work/npm" && npm ci --no-audit --no-fund --silent >/dev/null 2>&1); then
    (cd "$work/npm" && INTERP=0 COLD_REPS=1 BUILD_REPS=1 CALL_SAMPLES=3 node billiards.mjs >/dev/null 2>&1 &&
      INTERP=0 COLD_REPS=1 BUILD_REPS=1 CALL_SAMPLES=3 node mass_spring.mjs >/dev/null 2>&1) && npm_status=ok || npm_status="failed"
  else
    npm_status="npm ci failed"
  fi
fi

echo "the runs' outputs: $work" >&2
python3 - "$work" "$out" "$start" "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)" "$npm_status" "$ref" <<'PY'
import json, os, re, statistics, sys
work, out, start, load0, load1, npm, ref = sys.argv[1:]
def trace(name):
    rows = [json.loads(l) for l in open(f"{work}/{name}.jsonl")]
    its = [r for r in rows if not r.get("done")]
    end = [r for r in rows if r.get("done")][0]
    return its, end, float(open(f"{work}/{name}.wall").read())
def npmopt(name):
    p = f"{work}/npm/results/{name}.json"
    return json.load(open(p))["optimization"] if os.path.exists(p) else None
def below(its, level):
    for r in its:
        if r["loss"] <= level:
            return r["evals"]
    return None
L = []
L.append("# The paper's experiments with `rose opt`, next to the original Rose\n")
L.append(f"Run by `bench/workloads.sh` on {start}, load average {load0} at the start and {load1} at the end,")
L.append("on this 2-core machine. Wall times of whole commands (`rose opt` includes loading, compiling and")
L.append("differentiating the program); the original Rose's are those its own scripts record for the")
L.append(f"optimization loop alone (results/*.json -> optimization.wall_ms). Original Rose: {npm}.\n")
ref_b = json.load(open(f"{ref}/results/billiards.json"))["optimization"]
ref_m = json.load(open(f"{ref}/results/mass_spring.json"))["optimization"]
nb, nm = npmopt("billiards"), npmopt("mass_spring")
L.append("## Billiards: 200 steps of gradient descent, learning rate 0.01\n")
its, end, wall = trace("billiards-gd")
L.append("| | rose opt --method gd --step 0.01 --max-iter 200 | original Rose, this run | original Rose, RESULTS.md |")
L.append("|---|---|---|---|")
def get(d, k):
    return repr(d[k]) if d else "-"
L.append(f"| loss at the start | {its[0]['loss']!r} | {get(nb, 'lossFirst')} | {ref_b['lossFirst']!r} |")
L.append(f"| loss at the 200th point | {its[199]['loss']!r} | {get(nb, 'lossLastEvaluated')} | {ref_b['lossLastEvaluated']!r} |")
L.append(f"| loss after the last step | {its[200]['loss']!r} | - | - |")
L.append(f"| final x0, v0 | {json.load(open(work + '/billiards-gd.json'))} | {get(nb, 'finalX0')}, {get(nb, 'finalV0')} | {ref_b['finalX0']}, {ref_b['finalV0']} |")
nbt = f"{nb['wall_ms']/1000:.2f} s" if nb else "-"
L.append(f"| time | {wall:.2f} s | {nbt} | {ref_b['wall_ms']/1000:.2f} s |")
L.append("")
L.append("Other methods on the same loss, from the same shot, at most 300 evaluations:\n")
L.append("| method | evaluations to reach the descent's 2.1711e-5 | best loss | evaluations | status | time |")
L.append("|---|---|---|---|---|---|")
L.append(f"| gd, step 0.01 | {below(its, 2.1711e-5)} | {min(r['loss'] for r in its):.6g} | {end['evals']} | {end['status']} | {wall:.2f} s |")
for m in ["lbfgs", "bfgs", "cg"]:
    i2, e2, w2 = trace(f"billiards-{m}")
    L.append(f"| {m} | {below(i2, 2.1711e-5) or 'not reached'} | {min(r['loss'] for r in i2):.6g} | {e2['evals']} | {e2['status']} | {w2:.2f} s |")
L.append("")
L.append("## Mass-spring: 100 steps of clipped gradient descent (step length 0.2)\n")
its, end, wall = trace("ms-gd")
li, le, lw = trace("ms-lbfgs")
L.append("| iteration | rose opt --method gd --clip 0.2 | original Rose, RESULTS.md |")
L.append("|---|---|---|")
for k, r in enumerate(ref_m["lossEvery10"]):
    L.append(f"| {10*k} | {its[10*k]['loss']:.6f} | {r:.6f} |")
L.append(f"| 99 | {its[99]['loss']:.6f} | {ref_m['lossLastEvaluated']:.6f} |")
L.append(f"| after the last step | {its[100]['loss']:.6f} | {ref_m['lossAfterLastUpdate']:.6f} |")
L.append(f"| best | {min(r['loss'] for r in its):.6f} | {min(ref_m['lossEvery10']):.6f} (of every 10th) |")
nmt = f"{nm['wall_ms']/1000:.2f} s (this run)" if nm else f"{ref_m['wall_ms']/1000:.2f} s (RESULTS.md)"
L.append(f"| time | {wall:.2f} s | {nmt} |")
L.append("")
L.append(f"L-BFGS (`--max-evals 100`): best loss {min(r['loss'] for r in li):.6f} after {le['evals']} evaluations ({le['status']}), {lw:.2f} s.\n")
bench = open(f"{work}/bench.txt").read()
def med(name):
    xs = [float(m) for m in re.findall(rf"Benchmark{name}-\d+\s+\d+\s+([\d.]+) ns/op", bench)]
    return statistics.median(xs) if xs else float("nan")
g, d = med("BilliardsGradients"), med("BilliardsDescent")
L.append("## The optimizer's overhead\n")
L.append("`go test -bench 'Billiards(Gradients|Descent)$' -benchtime 5x -count 5 ./opt`, medians: the 201 values and")
L.append("gradients of the billiards descent called directly, against the same descent through `opt.Minimize`")
L.append("(gonum's GradientDescent, the fixed step, the record):\n")
L.append("| gradients alone | through the optimizer | overhead |")
L.append("|---|---|---|")
L.append(f"| {g/1e6:.1f} ms | {d/1e6:.1f} ms | {100*(d-g)/g:+.1f}% |")
open(out, "w").write("\n".join(L) + "\n")
print("\n".join(L))
PY
