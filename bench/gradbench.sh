#!/usr/bin/env bash
# bench/gradbench.sh: every GradBench eval at GradBench's default sizes (ht up
# to hand11), `rose gradbench` next to GradBench's hand-written C++ (manual),
# its PyTorch tool and its TensorFlow.js tool where they implement the eval,
# one after the other in one sitting; writes bench/GRADBENCH.md.
#
#   bench/gradbench.sh                       # everything (hours: see TIMEOUT)
#   EVALS="lse gmm" TOOLS="rose manual" bench/gradbench.sh
#
# Environment:
#   GRADBENCH_SHARED  the offline GradBench folder (default ../shared/gradbench)
#   GRADBENCH_ROOT    where setup.sh installs it (default ~/.cache/gradbench-root)
#   EVALS, TOOLS      subsets (default: all twelve evals; rose manual pytorch tensorflow-js)
#   TIMEOUT           seconds per eval and tool (default 1800); a tool cut off
#                     keeps the evaluates it finished
#   ARGS_<eval>       eval arguments replacing the defaults, e.g. ARGS_gmm="-d 2 10 -k 5 10"
#   OUT               where the logs go (default /tmp/gradbench-bench)
set -uo pipefail
cd "$(dirname "$0")/.."
G=${GRADBENCH_SHARED:-../shared/gradbench}
R=${GRADBENCH_ROOT:-$HOME/.cache/gradbench-root}
OUT=${OUT:-/tmp/gradbench-bench}
TIMEOUT=${TIMEOUT:-1800}
EVALS=${EVALS:-hello lse llsq det gmm ba ht lstm kmeans ode particle saddle}
TOOLS=${TOOLS:-rose manual pytorch tensorflow-js}
mkdir -p "$OUT"

text=/usr/share/common-licenses/GPL-3 # a substitute for lstm's absent data (any ASCII text)
torch=0; tfjs=0
[[ " $TOOLS " == *" pytorch "* ]] && torch=1
[[ " $TOOLS " == *" tensorflow-js "* ]] && tfjs=1
GRADBENCH_LSTM_TEXT=$text GRADBENCH_TORCH=$torch GRADBENCH_TFJS=$tfjs "$G/setup.sh" "$R" >"$OUT/setup.log" 2>&1 ||
  { echo "setup failed: $(tail -n 1 "$OUT/setup.log")"; exit 1; }
go build -o "$OUT/rose" ./cmd/rose || exit 1

# Which tools implement which evals (GradBench's tools/*/ at the pinned commit).
declare -A HAS=(
  [manual]="hello lse llsq det gmm ba ht lstm kmeans ode"
  [pytorch]="hello lse gmm ba ht lstm kmeans"
  [tensorflow-js]="hello lse llsq"
)
declare -A DEFAULT=([ht]="--max 11")

start=$(date -u '+%Y-%m-%d %H:%M UTC'); load0=$(cut -d' ' -f1-3 /proc/loadavg)
for e in $EVALS; do
  var="ARGS_$e"; args=${!var:-${DEFAULT[$e]:-}}
  for tool in $TOOLS; do
    if [[ $tool != rose && " ${HAS[$tool]} " != *" $e "* ]]; then continue; fi
    cmd=$tool
    case $tool in
      rose) cmd="$OUT/rose gradbench" ;;
      manual) cmd=manual-prebuilt ;;
    esac
    t0=$(date +%s)
    # shellcheck disable=SC2086
    python3 "$G/run.py" --root "$R" --eval "$e" --tool "$cmd" --timeout "$TIMEOUT" \
      --log "$OUT/$e.$tool.jsonl" --summary "$OUT/$e.$tool.json" --eval-args $args >"$OUT/$e.$tool.out" 2>&1
    echo "$e $tool: $(tail -n 1 "$OUT/$e.$tool.out") ($(( $(date +%s) - t0 )) s)"
  done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "# GradBench: rose next to manual (C++), PyTorch and TensorFlow.js"
  echo
  echo "Written by \`bench/gradbench.sh\`; every figure below is from one run of it, one tool after"
  echo "the other on one machine, with the real GradBench evals (../shared/gradbench, GradBench at"
  echo "f26651a). Times are the median over an evaluate's runs (GradBench's default: at least one"
  echo "run and one second); ratios are rose's time over the other tool's (below 1: rose is faster)."
  echo "A dash: the tool does not implement the function, failed it or was cut off (\`TIMEOUT\`=$TIMEOUT s)."
  echo
  echo "- **Date:** $start (load average at the start $load0, at the end $load1)"
  echo "- **Machine:** $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sm)"
  echo "- **Go:** $(go version | cut -d' ' -f3-); **rose:** $("$OUT/rose" version | cut -d' ' -f3), commit $(git rev-parse --short HEAD)"
  echo "- **Evals:** $EVALS; **tools:** $TOOLS"
  echo "- **lstm** runs on a substitute text ($text), GradBench's data file being absent from the snapshot."
  echo
  echo "Per eval and tool, the last line of run.py:"
  echo
  for e in $EVALS; do for tool in $TOOLS; do
    [ -f "$OUT/$e.$tool.out" ] && echo "- $e, $tool: $(tail -n 1 "$OUT/$e.$tool.out")"
  done; done
} >"$OUT/header.md"
go run ./bench/gbtable -dir "$OUT" -header "$OUT/header.md" >bench/GRADBENCH.md && echo "wrote bench/GRADBENCH.md"
