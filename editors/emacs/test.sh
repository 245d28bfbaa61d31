#!/usr/bin/env bash
# End-to-end test of `rose lsp` in Emacs with eglot, in batch mode.
# Debian 12: apt-get install -y emacs-nox elpa-eglot (Emacs 28.2, eglot 1.9;
# Emacs 29+ has eglot built in).
#
#   bash editors/emacs/test.sh [FILE.rose ...]
#
# Builds the rose binary into a temporary directory, runs
# editors/emacs/test.el on each FILE (default: examples/billiards.rose),
# prints each JSON summary and exits non-zero if any check failed.
# EMACS (default: emacs) names the editor binary.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
emacs="${EMACS:-emacs}"

command -v "$emacs" >/dev/null 2>&1 || { echo "test.sh: $emacs not found (apt-get install -y emacs-nox elpa-eglot)" >&2; exit 2; }
command -v go >/dev/null 2>&1 || { echo "test.sh: go not found" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s%N)
if ! (cd "$repo" && timeout 300 go build -o "$tmp/rose" ./cmd/rose); then
    echo "test.sh: go build ./cmd/rose failed" >&2
    exit 2
fi
echo "built rose in $(( ($(date +%s%N) - start) / 1000000 )) ms; $("$emacs" --version | head -1)"

files=("$@")
[ ${#files[@]} -eq 0 ] && files=("$repo/examples/billiards.rose")

status=0
for f in "${files[@]}"; do
    # Own HOME: no user init, no ~/.emacs.d state. Not -Q: that would skip
    # Debian's site-start, which puts elpa-eglot on the load-path.
    HOME="$tmp/home" ROSE_BIN="$tmp/rose" ROSE_FILE="$f" \
        timeout 60 "$emacs" --batch -l "$here/test.el" >"$tmp/out.json" 2>"$tmp/stderr" </dev/null
    rc=$?
    echo "== $f (exit $rc)"
    if [ -s "$tmp/out.json" ]; then cat "$tmp/out.json"; else echo "(no summary)"; fi
    if [ $rc -ne 0 ]; then
        status=1
        [ $rc -eq 124 ] && echo "-- timed out after 60 s"
        echo "-- emacs stderr (last 20 lines):"; tail -20 "$tmp/stderr"
    fi
done

if [ $status -eq 0 ]; then echo "emacs: all passed"; else echo "emacs: FAILED"; fi
exit $status
