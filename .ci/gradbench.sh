#!/usr/bin/env bash
# The real GradBench evals (../shared/gradbench, offline) against `rose
# gradbench`, every eval at the small sizes of its quick.sh; any outcome
# other than success fails. setup.sh installs Debian's python3, numpy, scipy,
# pydantic and a C++ toolchain, unpacks GradBench into a temporary folder (the
# shared folder is read-only) and builds its hand-written C++ tool, which the
# evals validate against.
set -euo pipefail
cd "$(dirname "$0")/.."
G=${GRADBENCH_SHARED:-../shared/gradbench}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
command -v bc >/dev/null || as_root apt-get install -y -qq bc >/dev/null # quick.sh's timings
# lstm's text is absent from the snapshot: any ASCII text of 8,192+ characters.
text=/usr/share/common-licenses/GPL-3
[ -f "$text" ] || { for i in $(seq 400); do echo "a substitute text for GradBench's lstm eval, line $i"; done >"$T/text"; text=$T/text; }
GRADBENCH_LSTM_TEXT=$text "$G/setup.sh" "$T/root" >"$T/setup.log" 2>&1 || { cat "$T/setup.log"; exit 1; }
go build -o "$T/rose" ./cmd/rose
GRADBENCH_ROOT="$T/root" "$G/quick.sh" "$T/rose gradbench" "$T/quick" || {
  for f in "$T"/quick/*.out; do
    tail -n 1 "$f" | grep -q 'outcome success' || { echo "== $f"; tail -n 20 "$f"; }
  done
  exit 1
}
