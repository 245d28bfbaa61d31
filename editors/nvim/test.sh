#!/usr/bin/env bash
# End-to-end test of `rose lsp` in a real, headless Neovim (0.7.2 from
# Debian works; `apt-get install -y neovim`).
#
#   bash editors/nvim/test.sh [FILE.rose ...]
#
# Builds the rose binary from this repository into a temporary directory,
# runs editors/nvim/test.lua on each FILE (default: examples/billiards.rose
# and examples/rosenbrock.rose), then editors/nvim/test_config.lua (the
# user set-up: rose.lua, ftdetect, syntax) on the first FILE, prints each JSON summary and exits non-zero
# if any check failed. NVIM (default: nvim) names the editor binary.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
nvim="${NVIM:-nvim}"

if ! command -v "$nvim" >/dev/null 2>&1; then
    echo "test.sh: $nvim not found (apt-get install -y neovim)" >&2
    exit 2
fi
if ! command -v go >/dev/null 2>&1; then
    echo "test.sh: go not found" >&2
    exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s%N)
if ! (cd "$repo" && timeout 300 go build -o "$tmp/rose" ./cmd/rose); then
    echo "test.sh: go build ./cmd/rose failed" >&2
    exit 2
fi
echo "built rose in $(( ($(date +%s%N) - start) / 1000000 )) ms; $("$nvim" --version | head -1)"

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    files=("$repo/examples/billiards.rose" "$repo/examples/rosenbrock.rose")
fi

status=0
for f in "${files[@]}"; do
    log="$tmp/lsp-$(basename "$f").log"
    out="$tmp/out.json"
    # Own HOME and XDG dirs: no user config, shada, swap or lsp.log leaks in.
    HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share" \
        XDG_STATE_HOME="$tmp/home/.local/state" XDG_CACHE_HOME="$tmp/home/.cache" \
        ROSE_BIN="$tmp/rose" ROSE_FILE="$f" ROSE_LOG="$log" \
        timeout 60 "$nvim" --headless -i NONE -u "$here/test.lua" >"$out" 2>"$tmp/stderr" </dev/null
    rc=$?
    echo "== $f (exit $rc)"
    if [ -s "$out" ]; then cat "$out"; else echo "(no summary)"; fi
    if [ -s "$tmp/stderr" ]; then echo "-- nvim stderr:"; head -20 "$tmp/stderr"; fi
    if [ $rc -ne 0 ]; then
        status=1
        [ $rc -eq 124 ] && echo "-- timed out after 60 s"
        if [ -s "$log" ]; then echo "-- server log (last 20 lines):"; tail -20 "$log"; fi
    fi
done

# The user set-up (rose.lua, ftdetect, syntax) on the first file.
HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share" \
    XDG_STATE_HOME="$tmp/home/.local/state" XDG_CACHE_HOME="$tmp/home/.cache" \
    ROSE_BIN="$tmp/rose" ROSE_FILE="${files[0]}" \
    timeout 60 "$nvim" --headless -i NONE -u "$here/test_config.lua" >"$tmp/out.json" 2>"$tmp/stderr" </dev/null
rc=$?
echo "== rose.lua + syntax/ftdetect on ${files[0]} (exit $rc)"
if [ -s "$tmp/out.json" ]; then cat "$tmp/out.json"; else echo "(no summary)"; fi
if [ -s "$tmp/stderr" ]; then echo "-- nvim stderr:"; head -20 "$tmp/stderr"; fi
[ $rc -eq 0 ] || status=1

if [ $status -eq 0 ]; then echo "nvim: all passed"; else echo "nvim: FAILED"; fi
exit $status
