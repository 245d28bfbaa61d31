#!/usr/bin/env bash
# Derivatives at real scale, side by side in one sitting: the evaluator's
# value and value+gradient on the scale shapes (10^3 to 10^5 elements),
# Rosenbrock n=1000 beside hand-written Go, and ADBench's GMM beside
# GradBench's hand-derived C++ (`manual`) on the same sizes. Prints medians
# of COUNT runs and the ratios.
#
#   bench/scale.sh                 # GradBench unpacked in $GRADBENCH_ROOT (default /tmp/gradbench)
#   COUNT=3 bench/scale.sh
#
# The C++ anchor needs ../shared/gradbench/setup.sh (it apt-installs the
# evals' Python packages); without it only our side runs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
count=${COUNT:-5}
gb=${GRADBENCH_ROOT:-/tmp/gradbench}
shared=$here/../shared
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== this toolchain, reference evaluator (go test -bench, -count $count)"
go test -run XXX -bench 'BenchmarkScale|BenchmarkRosenbrock1000|BenchmarkGMM' -count "$count" . >"$out"
go run ./bench/medians <"$out"

if [ -x "$gb/tools/manual/run" ] || [ -d "$gb/tools/manual" ]; then
  echo "== GradBench manual (hand-derived C++), same sizes as the ADBench inputs above"
  python3 "$shared/gradbench/run.py" --root "$gb" --eval gmm --tool manual-prebuilt \
    --eval-args -d 2 10 -k 5 25 -n 1000 --min-runs 5 | grep -E 'gmm::(objective|jacobian) +(2_5|10_25)_' || true
  python3 "$shared/gradbench/run.py" --root "$gb" --eval gmm --tool manual-prebuilt \
    --eval-args -d 2 -k 5 -n 10000 --min-runs 5 | grep -E 'gmm::' || true
else
  echo "== GradBench manual: not set up ($shared/gradbench/setup.sh $gb)"
fi
